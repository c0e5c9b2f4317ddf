"""``GET/POST /wechat``: a thin HTTP layer over ``WeChatProtocol`` and ``WeChatConversation``."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from bot.channels.wechat import endpoint
from bot.channels.wechat.conversation import WeChatConversation
from bot.channels.wechat.endpoint import RefusedError, WeChatProtocol
from bot.channels.wechat.xmlmsg import XmlRejectedError

logger = logging.getLogger(__name__)

router = APIRouter(tags=["wechat"])

Param = Annotated[str, Query(max_length=128)]
OptParam = Annotated[str | None, Query(max_length=128)]


def _parts(request: Request) -> tuple[WeChatProtocol, WeChatConversation]:
    return request.app.state.wechat_protocol, request.app.state.wechat_conversation


def _refused(exc: RefusedError | XmlRejectedError) -> PlainTextResponse:
    status = exc.status if isinstance(exc, RefusedError) else 400
    logger.warning("wechat request refused (%s): %s", status, exc)
    return PlainTextResponse("refused", status_code=status)


@router.get("/wechat", response_class=PlainTextResponse)
async def verify(request: Request, signature: Param, timestamp: Param, nonce: Param, echostr: Param) -> Response:
    """URL verification from the official-account console: echo ``echostr`` when the signature holds."""
    protocol, _ = _parts(request)
    try:
        protocol.check_query(endpoint.Query(signature=signature, timestamp=timestamp, nonce=nonce))
    except RefusedError as exc:
        return _refused(exc)
    return PlainTextResponse(echostr)


@router.post("/wechat", response_class=PlainTextResponse)
async def receive(
    request: Request,
    signature: Param,
    timestamp: Param,
    nonce: Param,
    encrypt_type: OptParam = None,
    msg_signature: OptParam = None,
) -> Response:
    protocol, conversation = _parts(request)
    q = endpoint.Query(signature, timestamp, nonce, encrypt_type, msg_signature)
    try:
        protocol.check_query(q)  # before reading the body
        declared = int(request.headers.get("content-length") or 0)
        if declared > request.app.state.wechat_max_body:
            raise RefusedError(413, "body too large")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > request.app.state.wechat_max_body:
                raise RefusedError(413, "body too large")
        parsed = protocol.parse(q, bytes(body))
    except (RefusedError, XmlRejectedError) as exc:
        return _refused(exc)
    content = await conversation.respond(parsed.message)
    if content is None:
        return PlainTextResponse("success")
    return Response(protocol.reply(parsed, content), media_type="application/xml")

"""Parsing WeChat's XML (size-limited, DTDs and entities refused) and rendering passive replies."""

from __future__ import annotations

import logging
import re
import time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import BaseModel

logger = logging.getLogger(__name__)

MAX_FIELDS = 64
OPENID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


class XmlRejectedError(Exception):
    """The body is not an acceptable WeChat XML message (too large, malformed, DTD/entities)."""


def parse_fields(raw: bytes, *, max_bytes: int) -> dict[str, str]:
    """The first-level elements of ``<xml>`` as text (nested elements are flattened by tag)."""
    if len(raw) > max_bytes:
        raise XmlRejectedError(f"body larger than {max_bytes} bytes")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise XmlRejectedError(f"unacceptable XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise XmlRejectedError("root element is not <xml>")
    fields: dict[str, str] = {}
    for element in root.iter():
        if element is root:
            continue
        if len(fields) >= MAX_FIELDS:
            raise XmlRejectedError("too many elements")
        if len(element) == 0:
            fields.setdefault(element.tag, element.text or "")
    return fields


class Inbound(BaseModel):
    """One message or event pushed by WeChat."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str | None = None
    content: str | None = None
    recognition: str | None = None
    event: str | None = None
    event_key: str | None = None

    @property
    def dedupe_key(self) -> str:
        """``MsgId`` for messages; ``FromUserName`` + ``CreateTime`` (+ event and key) for events."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        return f"e:{self.from_user}:{self.create_time}:{self.event or ''}:{(self.event_key or '')[:40]}"


def to_inbound(fields: dict[str, str]) -> Inbound:
    try:
        from_user = fields["FromUserName"].strip()
        inbound = Inbound(
            to_user=fields.get("ToUserName", "").strip(),
            from_user=from_user,
            create_time=int(fields.get("CreateTime", "0").strip() or 0),
            msg_type=fields["MsgType"].strip().lower(),
            msg_id=(fields.get("MsgId") or "").strip() or None,
            content=fields.get("Content"),
            recognition=(fields.get("Recognition") or "").strip() or None,
            event=(fields.get("Event") or "").strip().lower() or None,
            event_key=(fields.get("EventKey") or "").strip() or None,
        )
    except (KeyError, ValueError):
        raise XmlRejectedError("missing or malformed message fields") from None
    if not OPENID_RE.match(from_user):
        raise XmlRejectedError("malformed FromUserName")
    return inbound


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    """A passive text reply (to the citizen ``to_user``, from the account ``from_user``)."""
    ts = int(time.time()) if now is None else now
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{_cdata(content)}</Content></xml>"
    )


def encrypted_envelope(*, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    )

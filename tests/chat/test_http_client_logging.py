"""The app's log holds no line per HTTP call of its clients: httpx would log every URL at INFO, and the
URL of a call to Rasa carries Rasa's token (``?token=``)."""

from __future__ import annotations

import io
import logging

from bot.pii import configure_logging


def test_http_client_request_lines_are_not_logged() -> None:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        configure_logging()
        logging.getLogger("httpx").info('HTTP Request: GET http://127.0.0.1:5005/status?token=s3cret "HTTP/1.1 200 OK"')
        logging.getLogger("httpx").warning("httpx warning still shown")
        logging.getLogger("bot.chat.service").info("gateway line still shown")
        out = stream.getvalue()
        assert "s3cret" not in out
        assert "httpx warning still shown" in out and "gateway line still shown" in out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)

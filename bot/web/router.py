"""Serves the citizen chat widget: the full page at ``/``, ``/widget.js``, ``/widget.css`` and
``/embed-demo.html`` (a host page embedding the widget with one script tag)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["widget"])

WIDGET_DIR = Path(__file__).resolve().parent / "widget"

# The page runs no inline script or style; the API is same-origin.
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def _file(name: str, media_type: str, *, page: bool = False) -> FileResponse:
    headers = dict(_COMMON_HEADERS)
    if page:
        headers["Content-Security-Policy"] = _PAGE_CSP
        headers["Referrer-Policy"] = "same-origin"
    else:
        # the script and stylesheet are loaded by other sites that embed the widget
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        headers["Access-Control-Allow-Origin"] = "*"
    return FileResponse(WIDGET_DIR / name, media_type=media_type, headers=headers)


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return _file("index.html", "text/html; charset=utf-8", page=True)


@router.get("/widget.js", include_in_schema=False)
async def widget_js() -> FileResponse:
    return _file("widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css", include_in_schema=False)
async def widget_css() -> FileResponse:
    return _file("widget.css", "text/css; charset=utf-8")


@router.get("/embed-demo.html", include_in_schema=False)
async def embed_demo() -> FileResponse:
    return _file("embed-demo.html", "text/html; charset=utf-8", page=True)

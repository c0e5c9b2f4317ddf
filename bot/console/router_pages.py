"""The console's pages: ``/console`` (the shell) and every page file present in ``bot/web/console/``.

Other parts add their page as ``bot/web/console/<page>.html`` + ``<page>.js``; ``/console/<page>``
serves it when the file exists (the nav links to hit-test, review-list, import, unanswered).
The pages hold no data: everything comes from ``/api/console/`` behind the login.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse

from bot.core.security import staff_page_headers

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "web" / "console"
DESK_CSS = Path(__file__).resolve().parent.parent / "web" / "desk" / "desk.css"
_PAGE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_ASSET = re.compile(r"^[a-z][a-z0-9-]{0,40}\.(js|css)$")
_TYPES = {"js": "text/javascript", "css": "text/css"}

router = APIRouter(tags=["console"])


@router.get("/console", include_in_schema=False)
def console_home() -> FileResponse:
    return FileResponse(CONSOLE_DIR / "index.html", media_type="text/html", headers=staff_page_headers())


@router.get("/console/", include_in_schema=False)
def console_slash() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console/desk.css", include_in_schema=False)
def desk_css() -> FileResponse:
    return FileResponse(DESK_CSS, media_type="text/css", headers=staff_page_headers())


@router.get("/console/{name}", include_in_schema=False)
def console_file(name: str) -> FileResponse:
    """A page (``/console/versions`` → versions.html) or an asset (``console.js``), if the file exists."""
    if _ASSET.match(name):
        path, media = CONSOLE_DIR / name, _TYPES[name.rsplit(".", 1)[1]]
    elif _PAGE.match(name):
        path, media = CONSOLE_DIR / f"{name}.html", "text/html"
    else:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=media, headers=staff_page_headers())

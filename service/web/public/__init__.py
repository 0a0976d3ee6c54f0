"""The supporter's pages: campaign, find your representative, write, preview, confirm, status.

`install(app)` is the one call create_app() makes: it adds the page routes and the static files
(the error pages browsers get are in error_pages, chosen by service.app's handlers). It must
come before the letters API router: GET /confirm/{token} and GET /letters/{token} are pages for
browsers, and fall through to that router's JSON routes on `Accept: application/json`.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.web.public.campaign_routes import router as campaign_router
from service.web.public.erasure_routes import router as erasure_router
from service.web.public.find_routes import router as find_router
from service.web.public.letter_routes import router as letter_router
from service.web.public.preview_routes import router as preview_router
from service.web.public.privacy_routes import router as privacy_router
from service.web.public.reply_routes import router as reply_router
from service.web.public.status_routes import router as status_router
from service.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    app.include_router(campaign_router)
    app.include_router(find_router)
    app.include_router(letter_router)
    app.include_router(preview_router)
    app.include_router(status_router)
    app.include_router(privacy_router)
    app.include_router(erasure_router)
    app.include_router(reply_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

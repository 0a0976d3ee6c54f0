"""The supporter's pages: campaign, find your representative, write, preview, confirm, status.

`install(app)` is the one call create_app() makes: it adds the page routes, the static files,
and an HTML "page not found" for browsers (API clients keep their JSON errors). It must come
before the letters API router: GET /confirm/{token} and GET /letters/{token} are pages for
browsers, and fall through to that router's JSON routes on `Accept: application/json`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from service.web.public.campaign_routes import router as campaign_router
from service.web.public.find_routes import router as find_router
from service.web.public.letter_routes import router as letter_router
from service.web.public.status_routes import router as status_router
from service.web.templating import STATIC_DIR, get_page


def install(app: FastAPI) -> None:
    app.include_router(campaign_router)
    app.include_router(find_router)
    app.include_router(letter_router)
    app.include_router(status_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def html_not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405) and _wants_html(request):
            page = await get_page(request, request.app.state.settings)
            return page.render(
                "public/not_found.html", status_code=exc.status_code, language_links=False
            )
        return await http_exception_handler(request, exc)


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/webhooks/", "/static/")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept

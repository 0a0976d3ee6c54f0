"""The pages a browser gets when a request cannot be answered as asked: an unknown address, a
database too busy to take the request, or a fault of ours. Programs asking for JSON get the
JSON bodies that service.app maps instead; the choice is made by `wants_html`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from service.errors import RETRY_AFTER_SECONDS
from service.web.templating import Page, get_page


def refusal(
    page: Page,
    title: str,
    message: str,
    status_code: int,
    *,
    start_again: bool = False,
    language_links: bool = True,
) -> HTMLResponse:
    """A page that says, in the page's language, why the request was refused; `start_again`
    adds the way back to writing a letter."""
    return page.render(
        "public/refused.html",
        {"title": title, "message": message, "start_again": start_again},
        status_code=status_code,
        language_links=language_links,
    )


def wants_html(request: Request) -> bool:
    """A browser's request for a page (not the API, the webhooks or a static file)."""
    if request.url.path.startswith(("/api/", "/webhooks/", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


async def not_found_page(request: Request, status_code: int) -> HTMLResponse:
    page = await get_page(request, request.app.state.settings)
    return page.render("public/not_found.html", status_code=status_code, language_links=False)


async def busy_page(request: Request) -> HTMLResponse:
    page = await get_page(request, request.app.state.settings)
    response = refusal(
        page,
        page._("We are very busy just now"),
        page._(
            "Nothing was lost and nothing was sent twice. Wait a few seconds, then go back and "
            "try again."
        ),
        503,
        language_links=False,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def failure_page(request: Request) -> HTMLResponse:
    """An error of ours that no handler expected. Plain HTML when even the page cannot be
    rendered: the supporter must never see a stack trace or a blank page."""
    try:
        page = await get_page(request, request.app.state.settings)
        return refusal(
            page,
            page._("Something went wrong on our side"),
            page._("It has been recorded for us to look into. Please try again in a few minutes."),
            500,
            language_links=False,
        )
    except Exception:
        return HTMLResponse(
            "<!doctype html><html lang=en><title>Error</title><main><h1>Something went wrong "
            "on our side</h1><p>Please try again in a few minutes.</p></main></html>",
            status_code=500,
        )

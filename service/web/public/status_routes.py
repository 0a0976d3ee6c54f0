"""The confirmation link (a page asking for the click that confirms) and the letter's status page
for people, on the letters use cases
(programs asking for JSON get the letters API's routes at the same paths). The supporter may rewrite
their paragraph from here while the letter waits for confirmation or review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, Headers
from starlette.routing import Match
from starlette.types import Scope

from service.config import Settings
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, NotFound
from service.letters.schemas import LetterStatusOut
from service.letters.service import (
    confirm_letter,
    confirmation_status,
    letter_status,
    revise_message,
)
from service.letters.states import LetterStatus
from service.letters.tokens import MAX_TOKEN_LENGTH, LinkExpired, status_token
from service.web import csrf
from service.web.public import forms
from service.web.public.error_pages import refusal
from service.web.public.letter_routes import PostedForm
from service.web.public.status_view import status_context
from service.web.templating import Page, PageDep


class PageRoute(APIRoute):
    """A page at a path the JSON API also serves: it matches only requests that do not ask
    for JSON, so `Accept: application/json` falls through to the letters API's route. (This
    router must therefore be included before that one.)"""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") == "http" and wants_json(Headers(scope=scope).get("accept", "")):
            return Match.NONE, {}
        return super().matches(scope)


router = APIRouter(include_in_schema=False, route_class=PageRoute)

# Anything longer cannot be one of our tokens; refused before any work.
TokenParam = Annotated[str, Path(max_length=10_000)]


def wants_json(accept: str) -> bool:
    accept = accept.lower()
    return "application/json" in accept and "text/html" not in accept


def _bad_link(page: Page, exc: DomainError) -> HTMLResponse:
    if isinstance(exc, LinkExpired):
        return refusal(
            page,
            page._("This link has expired"),
            page._(
                "Confirmation links work for a limited time, and this one has run out, so the "
                "letter was not sent. You are welcome to write it again."
            ),
            410,
            start_again=True,
        )
    return refusal(
        page,
        page._("This link is not valid"),
        page._(
            "Check that you copied the whole link from the email. Unconfirmed letters are "
            "deleted when their link expires."
        ),
        404,
        start_again=True,
    )


@router.get("/confirm/{token}", response_class=HTMLResponse, response_model=None)
def confirm_page(
    token: TokenParam, page: PageDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """The link in the confirmation email. Opening it sends nothing (mail scanners open every
    link they see): it shows the letter and a button that confirms it. A letter confirmed
    already just shows where it is."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_link(page, NotFound(""))
    try:
        result = confirmation_status(session, settings, token, now=datetime.now(UTC))
    except (NotFound, LinkExpired) as exc:
        return _bad_link(page, exc)
    except DomainError:
        return _unavailable(page)
    if result.status is not LetterStatus.pending_confirmation:
        return _confirmed(page, settings, result)
    return _ask_to_confirm(page, settings, result, token, errors={})


@router.post("/confirm/{token}", response_class=HTMLResponse, response_model=None)
def confirm(
    token: TokenParam,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    posted: PostedForm,
) -> HTMLResponse:
    """The supporter's click on "Send my letter": passes the letter on (once) and says so."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_link(page, NotFound(""))
    now = datetime.now(UTC)
    sent_token = forms.text(posted, csrf.FIELD_NAME, 200) if posted is not None else ""
    try:
        if not csrf.verify(
            settings.secret_key, page.request.cookies.get(csrf.COOKIE_NAME), sent_token
        ):
            current = confirmation_status(session, settings, token, now=now)
            if current.status is not LetterStatus.pending_confirmation:
                return _confirmed(page, settings, current)
            errors = {
                "_form": page._(
                    "For your security this page has expired. Press the button again. If this "
                    "keeps happening, allow cookies for this site."
                )
            }
            return _ask_to_confirm(page, settings, current, token, errors=errors)
        result = confirm_letter(session, settings, token, now=now)
    except (NotFound, LinkExpired) as exc:
        return _bad_link(page, exc)
    except DomainError:
        return _unavailable(page)
    return _confirmed(page, settings, result)


def _ask_to_confirm(
    page: Page, settings: Settings, result: LetterStatusOut, token: str, errors: dict[str, str]
) -> HTMLResponse:
    return page.render(
        "public/confirm.html",
        {**_with_status_path(page, settings, result), "token": token, "errors": errors},
        status_code=403 if errors else 200,
    )


def _confirmed(page: Page, settings: Settings, result: LetterStatusOut) -> HTMLResponse:
    return page.render("public/confirmed.html", _with_status_path(page, settings, result))


def _with_status_path(page: Page, settings: Settings, result: LetterStatusOut) -> dict[str, object]:
    """The status context, and the link to the letter's own page."""
    return {
        **status_context(page, result, settings.base_url),
        "status_path": f"/letters/{status_token(settings.secret_key, result.id)}",
    }


@router.get("/letters/{token}", response_class=HTMLResponse, response_model=None)
def status(
    token: TokenParam,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    sent: Annotated[str | None, Query()] = None,
    revised: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Where the letter is: waiting for confirmation, queued, sent, delivered."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_link(page, NotFound(""))
    try:
        result = letter_status(session, settings, token)
    except NotFound as exc:
        return _bad_link(page, exc)
    except DomainError:
        return _unavailable(page)
    return page.render(
        "public/status.html",
        {
            **status_context(page, result, settings.base_url),
            "token": token,
            "just_sent": sent == "1",
            "just_revised": revised == "1",
            "errors": {},
            "message_value": None,
        },
    )


@router.post("/letters/{token}/message", response_class=HTMLResponse, response_model=None)
def revise(
    token: TokenParam,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    posted: PostedForm,
) -> HTMLResponse | RedirectResponse:
    """Rewrite the personal paragraph while the letter waits for confirmation or review. The
    page is read again only to show a refusal beside the letter as it is."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _bad_link(page, NotFound(""))
    message = forms.text(posted, "message") if posted is not None else ""
    clean, errors = _checked_revision(page, settings, posted, message)
    if not errors:
        try:
            revise_message(session, settings, token, clean, now=datetime.now(UTC))
        except NotFound as exc:
            return _bad_link(page, exc)
        except DomainError as exc:
            errors["message"] = page.t.translate_known(exc.message)
        else:
            return page.redirect(f"/letters/{token}?revised=1")
    try:
        current = letter_status(session, settings, token)
    except NotFound as exc:
        return _bad_link(page, exc)
    except DomainError:
        return _unavailable(page)
    return page.render(
        "public/status.html",
        {
            **status_context(page, current, settings.base_url),
            "token": token,
            "just_sent": False,
            "just_revised": False,
            "errors": errors,
            "message_value": message,
        },
        status_code=403 if "_form" in errors else 422,
        language_links=False,
    )


def _checked_revision(
    page: Page, settings: Settings, posted: FormData | None, message: str
) -> tuple[str, dict[str, str]]:
    """The paragraph as it will be stored, and what is wrong with what was posted (by field),
    before any use case runs."""
    if posted is None:
        return "", {
            "message": page._(
                "Your paragraph must be %(max)s characters or fewer.", max=forms.MAX_MESSAGE
            )
        }
    if not csrf.verify(
        settings.secret_key,
        page.request.cookies.get(csrf.COOKIE_NAME),
        forms.text(posted, csrf.FIELD_NAME, 200),
    ):
        return "", {
            "_form": page._(
                "For your security this form has expired. Check your paragraph and send it "
                "again. If this keeps happening, allow cookies for this site."
            )
        }
    clean, error = forms.check_message(message, page._)
    return clean, {"message": error} if error else {}


def _unavailable(page: Page) -> HTMLResponse:
    return refusal(
        page,
        page._("We could not show your letter just now"),
        page._("Something on our side is not working. Please try again in a few minutes."),
        503,
    )

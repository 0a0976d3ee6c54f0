"""Write, preview, send. The letter travels in the form itself between these steps (no
server-side draft): every POST carries the whole letter, is checked for CSRF, the honeypot and
every field, and on any refusal the form comes back filled in with the reason beside the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from starlette.datastructures import FormData

from service.campaigns.schemas import CampaignOut
from service.campaigns.service import CampaignClosed
from service.deps import SessionDep, SettingsDep
from service.errors import (
    RETRY_AFTER_SECONDS,
    DomainError,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from service.letters.guards import TooManyRequests
from service.letters.progress import describe_campaign
from service.letters.service import submit_letter
from service.web import csrf
from service.web.public import forms
from service.web.public.error_pages import refusal
from service.web.public.journey import DEFAULT_CAMPAIGN, Where, clean_param
from service.web.public.letter_flow import WriteTarget, build_preview, write_target
from service.web.templating import Page, PageDep

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query()]
Response = HTMLResponse | RedirectResponse


async def posted_form(request: Request) -> FormData | None:
    """The posted form, or None when the body is too large to be a letter."""
    try:
        return await forms.read_form(request)
    except forms.FormTooLarge:
        return None


PostedForm = Annotated[FormData | None, Depends(posted_form)]


def _now() -> datetime:
    return datetime.now(UTC)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _unknown_representative(page: Page) -> HTMLResponse:
    return refusal(
        page,
        page._("We do not know this representative"),
        page._("The link may be incomplete or out of date. Look up your representative again."),
        404,
    )


def _campaign(page: Page, session: SessionDep, slug: str) -> CampaignOut:
    return describe_campaign(session, slug or DEFAULT_CAMPAIGN, page.locale, _now())


def _compose(
    page: Page,
    target: WriteTarget,
    campaign: CampaignOut,
    form: forms.LetterForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page.render(
        "public/compose.html",
        {
            "target": target,
            "rep": target.representative,
            "campaign": campaign,
            "form": form,
            "errors": errors or {},
            "max_message": forms.MAX_MESSAGE,
            "address_required": forms.ADDRESS_REQUIRED,
        },
        status_code=status_code,
        language_links=status_code == 200 and page.request.method == "GET",
    )


@router.get("/write", response_class=HTMLResponse)
def write(
    page: PageDep,
    session: SessionDep,
    rep: Param = None,
    country: Param = None,
    postcode: Param = None,
    commune: Param = None,
    residence: Param = None,
) -> HTMLResponse:
    """The letter form, for one representative chosen on the previous step."""
    rep_id = clean_param(rep)
    where = Where.from_params(country, postcode, commune, residence)
    try:
        target = write_target(session, rep_id)
    except DomainError:
        return _unknown_representative(page)
    try:
        campaign = _campaign(page, session, DEFAULT_CAMPAIGN)
    except DomainError:
        return page.render("public/no_campaign.html", status_code=503)
    if not target.representative.can_write or not campaign.open:
        return page.render(
            "public/cannot_write.html",
            {"rep": target.representative, "campaign": campaign},
            status_code=409,
        )
    form = forms.LetterForm(
        campaign=campaign.slug,
        rep=rep_id,
        country=where.country.value if where.country else "",
        postcode=where.postcode,
    )
    return _compose(page, target, campaign, form)


def _checked(
    page: Page, session: SessionDep, settings: SettingsDep, posted: FormData | None
) -> tuple[forms.LetterForm, WriteTarget, CampaignOut, dict[str, Any], dict[str, str]] | Response:
    """Everything a POST must pass before its letter is used; a finished response otherwise."""
    if posted is None:
        return refusal(
            page,
            page._("Your letter is too long to send"),
            page._(
                "What you sent is far longer than any letter. Go back, shorten your paragraph "
                "to at most %(max)s characters, and try again.",
                max=forms.MAX_MESSAGE,
            ),
            413,
        )
    form = forms.LetterForm.from_form(posted)
    try:
        target = write_target(session, form.rep)
        campaign = _campaign(page, session, form.campaign)
    except InvalidInput:
        return _unknown_representative(page)
    except NotFound:
        # The form named a campaign we do not have: a link or a page from elsewhere, not a
        # fault of ours (503 would tell the supporter to wait for nothing).
        return refusal(
            page,
            page._("We do not know this campaign"),
            page._(
                "The form you sent names a campaign that does not exist here. Go back to the "
                "campaign's page and write your letter from there."
            ),
            404,
            start_again=True,
        )
    except DomainError:
        return page.render("public/no_campaign.html", status_code=503)
    if not csrf.verify(
        settings.secret_key,
        page.request.cookies.get(csrf.COOKIE_NAME),
        forms.text(posted, csrf.FIELD_NAME, 200),
    ):
        error = page._(
            "For your security this form has expired. Check your letter and send it again. "
            "If this keeps happening, allow cookies for this site."
        )
        return _compose(page, target, campaign, form, {"_form": error}, status_code=403)
    if form.website:
        error = page._(
            "The form was filled in as if by an automated program. If you are a person, "
            "check your letter and send it again."
        )
        form.website = ""
        return _compose(page, target, campaign, form, {"_form": error}, status_code=400)
    numbers = [d.number for d in campaign.demands]
    clean, errors = forms.validate(form, numbers, page._)
    return form, target, campaign, clean, errors


@router.post("/write", response_class=HTMLResponse, response_model=None)
def write_post(
    page: PageDep, session: SessionDep, settings: SettingsDep, posted: PostedForm
) -> Response:
    """Preview the letter, or go back to editing it (action=edit)."""
    checked = _checked(page, session, settings, posted)
    if not isinstance(checked, tuple):
        return checked
    form, target, campaign, clean, errors = checked
    action = forms.text(posted or {}, "action", 10)
    if action == "edit":
        return _compose(page, target, campaign, form)
    if errors:
        return _compose(page, target, campaign, form, errors, status_code=422)
    try:
        data = forms.letter_in(form, clean, page.locale)
        preview = build_preview(
            session, settings, data, target, client_ip=_client_ip(page.request), now=_now()
        )
    except ValidationError as exc:
        errors = forms.errors_from_validation(exc, page._)
        return _compose(page, target, campaign, form, errors, status_code=422)
    except OperationalError:
        return _not_now(page, target, campaign, form)
    except DomainError as exc:
        return _compose(page, target, campaign, form, _field_error(page, exc), status_code=422)
    return page.render(
        "public/preview.html",
        {"form": form, "rep": target.representative, "preview": preview, "campaign": campaign},
        language_links=False,
    )


def _not_now(
    page: Page, target: WriteTarget, campaign: CampaignOut, form: forms.LetterForm
) -> HTMLResponse:
    """The database is too busy or our templates failed: the letter comes back as it was, so
    nothing the supporter wrote is lost, and they press the button again."""
    error = page._(
        "We could not take your letter just now, and nothing was sent. Your letter is below "
        "as you wrote it: press the button again in a minute."
    )
    response = _compose(page, target, campaign, form, {"_form": error}, status_code=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _field_error(page: Page, exc: DomainError) -> dict[str, str]:
    field = exc.field if exc.field in forms.FIELD_ORDER else "_form"
    return {field: page.t.translate_known(exc.message)}


@router.post("/send", response_class=HTMLResponse, response_model=None)
def send(page: PageDep, session: SessionDep, settings: SettingsDep, posted: PostedForm) -> Response:
    """Store the letter and email the supporter its confirmation link."""
    checked = _checked(page, session, settings, posted)
    if not isinstance(checked, tuple):
        return checked
    form, target, campaign, clean, errors = checked
    if errors:
        return _compose(page, target, campaign, form, errors, status_code=422)
    try:
        data = forms.letter_in(form, clean, page.locale)
        result = submit_letter(
            session, settings, data, client_ip=_client_ip(page.request), now=_now()
        )
    except ValidationError as exc:
        errors = forms.errors_from_validation(exc, page._)
        return _compose(page, target, campaign, form, errors, status_code=422)
    except TooManyRequests:
        return refusal(
            page,
            page._("Please wait a little"),
            page._(
                "Too many letters have been sent from your connection or with your email "
                "address recently. Please try again later."
            ),
            429,
        )
    except CampaignClosed:
        return refusal(
            page,
            page._("This campaign has closed"),
            page._("It no longer takes new letters. Thank you for your support."),
            409,
        )
    except (ServiceUnavailable, OperationalError):
        return _not_now(page, target, campaign, form)
    except (InvalidInput, NotFound) as exc:
        return _compose(page, target, campaign, form, _field_error(page, exc), status_code=422)
    token = result.status_url.rstrip("/").rsplit("/", 1)[-1]
    return page.redirect(f"/letters/{token}?sent=1")

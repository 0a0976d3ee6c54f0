"""Write, preview, send. Every POST carries the whole letter, is checked for CSRF, the
honeypot and every field, and on any refusal the form comes back filled in with the reason
beside the field. The preview is a page of its own: the letter form is kept as a draft
(service.letters.drafts) and the browser is sent on to GET it, so Back, reload and the
language switch work there; the send button still posts the whole letter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
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
from service.letters.drafting import (
    LetterPage,
    WriteTarget,
    letter_page,
)
from service.letters.drafts import discard_draft, save_draft
from service.letters.guards import TooManyRequests
from service.letters.service import submit_letter
from service.web import csrf
from service.web.public import forms
from service.web.public.campaign_scope import CampaignSlug, campaign_root, unknown_campaign
from service.web.public.error_pages import refusal
from service.web.public.journey import Where, clean_param
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
            "root": campaign_root(campaign.slug),
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


@router.get("/campaigns/{slug}/write", response_class=HTMLResponse, response_model=None)
def write(
    page: PageDep,
    session: SessionDep,
    slug: CampaignSlug,
    rep: Param = None,
    country: Param = None,
    postcode: Param = None,
    commune: Param = None,
    residence: Param = None,
) -> Response:
    """The letter form, for one representative chosen on the previous step."""
    rep_id = clean_param(rep)
    where = Where.from_params(country, postcode, commune, residence)
    if not rep_id and where.complete:
        # The chooser sent on with nothing chosen: ask again, saying what is missing.
        return page.redirect(f"{campaign_root(slug)}/find?{where.query(unanswered='rep')}")
    context = _letter_page(page, session, rep_id, slug)
    if not isinstance(context, LetterPage):
        return context
    target, campaign = context.target, context.campaign
    if not target.representative.can_write or not campaign.open:
        return page.render(
            "public/cannot_write.html",
            {"rep": target.representative, "campaign": campaign, "root": campaign_root(slug)},
            status_code=409,
        )
    form = forms.LetterForm(
        campaign=campaign.slug,
        rep=rep_id,
        country=where.country.value if where.country else "",
        postcode=where.postcode,
    )
    return _compose(page, target, campaign, form)


def _letter_page(
    page: Page, session: SessionDep, rep_id: str, slug: str
) -> LetterPage | HTMLResponse:
    """The letter form's context, or the page saying why there is none."""
    try:
        return letter_page(session, rep_id, slug, page.locale, _now())
    except InvalidInput:
        return _unknown_representative(page)
    except NotFound:
        return unknown_campaign(page)


@dataclass
class PostedLetter:
    """A posted letter form: what was typed (to fill the form again), the clean values, and
    what must be fixed by field, with the status to answer with if anything must."""

    form: forms.LetterForm
    clean: dict[str, Any]
    errors: dict[str, str]
    status_code: int = 422


def _posted_letter(
    page: Page, settings: SettingsDep, slug: str, posted: FormData | None
) -> PostedLetter | HTMLResponse:
    """Every check a POST must pass before a use case sees its letter (no database involved);
    a finished response when there is no letter to give back at all."""
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
    form.campaign = slug  # the address names the campaign, whatever the form says
    if not csrf.verify(
        settings.secret_key,
        page.request.cookies.get(csrf.COOKIE_NAME),
        forms.text(posted, csrf.FIELD_NAME, 200),
    ):
        error = page._(
            "For your security this form has expired. Check your letter and send it again. "
            "If this keeps happening, allow cookies for this site."
        )
        return PostedLetter(form, {}, {"_form": error}, status_code=403)
    if form.website:
        error = page._(
            "The form was filled in as if by an automated program. If you are a person, "
            "check your letter and send it again."
        )
        form.website = ""
        return PostedLetter(form, {}, {"_form": error}, status_code=400)
    # The demands offered are the campaign's: its use cases check them.
    clean, errors = forms.validate(form, None, page._)
    return PostedLetter(form, clean, errors)


def form_again(
    page: Page,
    session: SessionDep,
    slug: str,
    form: forms.LetterForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The letter form, filled in as posted, with the reasons beside the fields: on a
    refusal only, so this read is the one the page needs to show the form."""
    context = _letter_page(page, session, form.rep, slug)
    if not isinstance(context, LetterPage):
        return context
    return _compose(page, context.target, context.campaign, form, errors, status_code)


@router.post("/campaigns/{slug}/write", response_class=HTMLResponse, response_model=None)
def write_post(
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    slug: CampaignSlug,
    posted: PostedForm,
) -> Response:
    """Preview the letter, or go back to editing it (action=edit)."""
    letter = _posted_letter(page, settings, slug, posted)
    if not isinstance(letter, PostedLetter):
        return letter
    form = letter.form
    if letter.errors and letter.status_code != 422:
        return form_again(page, session, slug, form, letter.errors, letter.status_code)
    if forms.text(posted or {}, "action", 10) == "edit":
        return form_again(page, session, slug, form)
    if letter.errors:
        return form_again(page, session, slug, form, letter.errors, 422)
    try:
        forms.letter_in(form, letter.clean, page.locale)
        draft_id = save_draft(
            session,
            secret=settings.secret_key,
            browser_key=page.request.cookies.get(csrf.COOKIE_NAME, ""),
            campaign_slug=slug,
            fields=asdict(form),
            now=_now(),
        )
    except ValidationError as exc:
        return form_again(page, session, slug, form, forms.errors_from_validation(exc, page._), 422)
    except DomainError as exc:
        return refused_letter(page, session, slug, form, exc)
    return page.redirect(f"{campaign_root(slug)}/preview/{draft_id}")


def refused_letter(
    page: Page, session: SessionDep, slug: str, form: forms.LetterForm, exc: DomainError
) -> HTMLResponse:
    """The letter form again after a use case refused the letter: the reason beside its
    field, or (database too busy, templates failing) above the form, with the letter as it
    was, so nothing the supporter wrote is lost and they press the button again."""
    if not isinstance(exc, ServiceUnavailable):
        # (An unknown representative or campaign gets its own page from the form's read.)
        return form_again(page, session, slug, form, _field_error(page, exc), 422)
    error = page._(
        "We could not take your letter just now, and nothing was sent. Your letter is below "
        "as you wrote it: press the button again in a minute."
    )
    response = form_again(page, session, slug, form, {"_form": error}, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _field_error(page: Page, exc: DomainError) -> dict[str, str]:
    if exc.field == "demands":
        return {"demands": page._("Choose among the demands listed.")}
    field = exc.field if exc.field in forms.FIELD_ORDER else "_form"
    return {field: page.t.translate_known(exc.message)}


@router.post("/campaigns/{slug}/send", response_class=HTMLResponse, response_model=None)
def send(
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    slug: CampaignSlug,
    posted: PostedForm,
) -> Response:
    """Store the letter and email the supporter its confirmation link."""
    letter = _posted_letter(page, settings, slug, posted)
    if not isinstance(letter, PostedLetter):
        return letter
    form = letter.form
    if letter.errors:
        return form_again(page, session, slug, form, letter.errors, letter.status_code)
    try:
        data = forms.letter_in(form, letter.clean, page.locale)
        result = submit_letter(
            session, settings, data, client_ip=_client_ip(page.request), now=_now()
        )
    except ValidationError as exc:
        return form_again(page, session, slug, form, forms.errors_from_validation(exc, page._), 422)
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
    except DomainError as exc:
        return refused_letter(page, session, slug, form, exc)
    # The letter is stored: its draft has done its work.
    discard_draft(session, forms.text(posted or {}, "draft", 64))
    session.commit()
    token = result.status_url.rstrip("/").rsplit("/", 1)[-1]
    return page.redirect(f"/letters/{token}?sent=1")

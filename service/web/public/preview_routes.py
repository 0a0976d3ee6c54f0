"""The preview: the letter exactly as it will be sent, as a page of its own. The letter form
posts to …/write, which keeps it as a draft (service.letters.drafts) and sends the browser
here, so Back, reload and the language switch work on it. Besides the letter, it says what the
supporter should know before sending: a paragraph that repeats the campaign's words, and a UK
postcode that lies outside the MP's constituency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from service.deps import SessionDep, SettingsDep
from service.errors import DomainError
from service.letters.drafting import preview_draft
from service.letters.drafts import read_draft
from service.lookup.routes import LookupDeps
from service.lookup.schemas import Country
from service.lookup.service import lookup
from service.representatives.models import ChamberId
from service.representatives.schemas import RepresentativeOut
from service.web import csrf
from service.web.public import forms
from service.web.public.campaign_scope import CampaignSlug, campaign_root
from service.web.public.error_pages import refusal
from service.web.public.letter_routes import form_again, refused_letter
from service.web.templating import PageDep

router = APIRouter(include_in_schema=False)


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/campaigns/{slug}/preview/{draft_id}", response_class=HTMLResponse)
def preview(
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    slug: CampaignSlug,
    draft_id: Annotated[str, Path(max_length=64)],
    deps: LookupDeps,
) -> HTMLResponse:
    """The letter exactly as it will be sent, from the draft the form was kept as."""
    fields = read_draft(
        session,
        secret=settings.secret_key,
        browser_key=page.request.cookies.get(csrf.COOKIE_NAME, ""),
        draft_id=draft_id,
        campaign_slug=slug,
        now=_now(),
    )
    if fields is None:
        return refusal(
            page,
            page._("This preview is no longer available"),
            page._(
                "Previews are kept for a few hours, in the browser they were written in. "
                "Find your representative again to write your letter."
            ),
            404,
        )
    form = forms.LetterForm(**fields)
    clean, errors = forms.validate(form, None, page._)
    if errors:
        return form_again(page, session, slug, form, errors, 422)
    try:
        data = forms.letter_in(form, clean, page.locale)
        drafted = preview_draft(
            session,
            settings,
            data,
            page.locale,
            client_ip=page.request.client.host if page.request.client else None,
            now=_now(),
        )
    except ValidationError as exc:
        return form_again(page, session, slug, form, forms.errors_from_validation(exc, page._), 422)
    except DomainError as exc:
        return refused_letter(page, session, slug, form, exc)
    return page.render(
        "public/preview.html",
        {
            "root": campaign_root(slug),
            "form": form,
            "draft_id": draft_id,
            "elsewhere": _postcode_elsewhere(
                session, deps, form.postcode, drafted.page.target.representative
            ),
            "rep": drafted.page.target.representative,
            "preview": drafted.preview,
            "campaign": drafted.page.campaign,
        },
    )


def _postcode_elsewhere(
    session: SessionDep, deps: LookupDeps, postcode: str, rep: RepresentativeOut
) -> bool:
    """True when a UK postcode is known to lie elsewhere than the MP's constituency (the
    seat it matches, or every seat of its short list, is another): the preview says so
    before the letter claims "one of your constituents". Unknown or unreadable postcodes
    say nothing; the letter is theirs to send."""
    if rep.chamber != ChamberId.uk_commons or not postcode:
        return False
    try:
        found = lookup(session, deps, country=Country.uk, postcode=postcode)
    except DomainError:
        return False
    seats = {candidate.constituency.id for candidate in found.representatives}
    return bool(seats) and rep.constituency.id not in seats

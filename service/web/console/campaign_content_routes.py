"""Creating a campaign (blank or copied from another), its texts in English and French side by
side, and its demands (add, move up or down, retire). Forms that work without JavaScript; a
refused form comes back with every field as typed and the reason by each field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.campaigns import content
from service.campaigns import settings as campaign_settings
from service.campaigns.content import TEXT_LIMITS, DemandIn, TextsIn, TextsRefused
from service.campaigns.lifecycle import LANGUAGES
from service.campaigns.models import Campaign
from service.campaigns.service import get_campaign
from service.deps import SessionDep
from service.errors import DomainError, InvalidInput, NotFound
from service.web import campaign_editing as use_cases
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/campaigns")
NAV: list[NavEntry] = []

OrganiserPage = Annotated[ConsolePage, console_page(Permission.edit_campaigns)]
Short = Annotated[str, Form(max_length=300)]
# Room for more than the limits, so an oversize text is refused by its field, and kept.
Long = Annotated[str, Form(max_length=20_000)]

_DONE = {
    "texts": N_("The texts are saved."),
    "added": N_("The demand is added at the end of the list."),
    "moved": N_("The demand is moved."),
    "retired": N_(
        "The demand is retired: letters already written keep it; new ones cannot choose it."
    ),
}
_REFUSALS = (
    N_("Use 2 to 60 lower-case letters, digits and hyphens, like channel-rescue."),
    N_("Another campaign already has this address."),
    N_("Choose a campaign to copy, or start blank."),
    N_("Write this text: it cannot be empty."),
    N_("Keep this to 100 characters."),
    N_("Keep this to 200 characters."),
    N_("Keep this to 2,000 characters."),
    N_("Keep this to 4,000 characters."),
    N_("Give at most 10 subject lines."),
    N_("Keep each subject line to 200 characters."),
    N_("Keep a demand's title to 120 characters."),
    N_("This campaign has no such demand."),
    N_("A retired demand has no place in the order."),
    N_("That position is outside the list of demands."),
    N_("This demand is already retired."),
    N_("An open campaign needs at least one demand: add another before retiring this one."),
)


def _errors(cp: ConsolePage, exc: DomainError) -> dict[str, str]:
    if isinstance(exc, TextsRefused):
        return {name: cp.page.domain_message(message) for name, message in exc.errors.items()}
    return cp.form_errors(exc)


def _list_errors(cp: ConsolePage, exc: DomainError) -> dict[str, str]:
    """A refused move or retirement: about the list, not a field of the form."""
    return {"_list": cp.page.domain_message(exc.message)}


def _campaign(session: SessionDep, slug: str) -> Campaign:
    return get_campaign(session, slug)


# Creating a campaign.


def _new_page(
    cp: ConsolePage,
    session: SessionDep,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    sources = [
        (c.slug, cp._("A copy of %(slug)s", slug=c.slug))
        for c in campaign_settings.list_campaigns(session)
    ]
    return cp.render(
        "console/campaign_new.html",
        {"form": form, "errors": errors or {}, "sources": sources},
        status_code=status_code,
    )


@router.get("/new", response_class=HTMLResponse)
def new_campaign(cp: OrganiserPage, session: SessionDep, copy_from: str = "") -> HTMLResponse:
    return _new_page(
        cp, session, {"slug": "", "copy_from": copy_from, "sender_name": "", "sender_email": ""}
    )


@router.post("/new", response_class=HTMLResponse)
def create_campaign(
    cp: OrganiserPage,
    session: SessionDep,
    slug: Short = "",
    copy_from: Short = "",
    sender_name: Short = "",
    sender_email: Short = "",
) -> Response:
    assert cp.user is not None
    form = {
        "slug": slug,
        "copy_from": copy_from,
        "sender_name": sender_name,
        "sender_email": sender_email,
    }
    try:
        campaign = use_cases.create_campaign(
            session,
            cp.user.actor(),
            slug,
            now_of(cp.request),
            copy_from=copy_from or None,
            sender_name=sender_name,
            sender_email=sender_email,
        )
    except DomainError as exc:
        return _new_page(cp, session, form, cp.form_errors(exc), exc.status_code)
    return cp.redirect(f"/console/campaigns/{campaign.slug}?done=created")


# Texts, both languages side by side.

_TEXT_FIELDS = (*(name for name, _longest, _required in TEXT_LIMITS), "subjects")


def _texts_form(session: SessionDep, campaign: Campaign) -> dict[str, str]:
    rows = content.texts_of(session, campaign)
    form: dict[str, str] = {}
    for lang in LANGUAGES:
        row = rows.get(lang)
        for name in _TEXT_FIELDS:
            value = getattr(row, name, None) if row else None
            if name == "subjects":
                value = "\n".join(value or [])
            form[f"{lang}_{name}"] = value or ""
    return form


def _texts_page(
    cp: ConsolePage,
    campaign: Campaign,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    limits = {name: longest for name, longest, _required in TEXT_LIMITS}
    return cp.render(
        "console/campaign_texts.html",
        {"campaign": campaign, "form": form, "errors": errors or {}, "limits": limits},
        status_code=status_code,
    )


@router.get("/{slug}/texts", response_class=HTMLResponse)
def texts_page(cp: OrganiserPage, slug: str, session: SessionDep, done: str = "") -> HTMLResponse:
    campaign = _campaign(session, slug)
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _texts_page(cp, campaign, _texts_form(session, campaign))


async def _posted(request: Request, names: list[str]) -> dict[str, str]:
    """The form's text fields as typed (each bounded: an oversize one is refused by name)."""
    posted = await request.form()  # already read, and its size bounded, by the CSRF check
    form: dict[str, str] = {}
    for name in names:
        value = posted.get(name)
        form[name] = value[:20_000] if isinstance(value, str) else ""
    return form


@router.post("/{slug}/texts", response_class=HTMLResponse)
async def save_texts(cp: OrganiserPage, slug: str, session: SessionDep) -> Response:
    assert cp.user is not None
    campaign = _campaign(session, slug)
    form = await _posted(cp.request, [f"{lang}_{n}" for lang in LANGUAGES for n in _TEXT_FIELDS])
    texts = {
        lang: TextsIn(
            **{n: form[f"{lang}_{n}"] for n in _TEXT_FIELDS if n != "subjects"},
            subjects=form[f"{lang}_subjects"].splitlines(),
        )
        for lang in LANGUAGES
    }
    try:
        use_cases.set_texts(session, cp.user.actor(), slug, texts, now_of(cp.request))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _texts_page(cp, campaign, form, _errors(cp, exc), exc.status_code)
    return cp.redirect(f"/console/campaigns/{slug}/texts?done=texts")


# Demands.

_DEMAND_FIELDS = [f"{lang}_{n}" for lang in LANGUAGES for n in ("title", "body")]


def _demands_page(
    cp: ConsolePage,
    session: SessionDep,
    campaign: Campaign,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    demands = content.demands_of(session, campaign)
    return cp.render(
        "console/campaign_demands.html",
        {
            "campaign": campaign,
            "demands": demands,
            "offered": sum(1 for d in demands if d.retired_at is None),
            "form": form or dict.fromkeys(_DEMAND_FIELDS, ""),
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/{slug}/demands", response_class=HTMLResponse)
def demands_page(cp: OrganiserPage, slug: str, session: SessionDep, done: str = "") -> HTMLResponse:
    campaign = _campaign(session, slug)
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _demands_page(cp, session, campaign)


@router.post("/{slug}/demands", response_class=HTMLResponse)
async def add_demand(cp: OrganiserPage, slug: str, session: SessionDep) -> Response:
    assert cp.user is not None
    campaign = _campaign(session, slug)
    form = await _posted(cp.request, _DEMAND_FIELDS)
    texts = {lang: DemandIn(form[f"{lang}_title"], form[f"{lang}_body"]) for lang in LANGUAGES}
    try:
        use_cases.add_demand(session, cp.user.actor(), slug, texts, now_of(cp.request))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _demands_page(cp, session, campaign, form, _errors(cp, exc), exc.status_code)
    return cp.redirect(f"/console/campaigns/{slug}/demands?done=added")


def _whole(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(
            "That position is outside the list of demands.", field="position"
        ) from None


@router.post("/{slug}/demands/{number}/move", response_class=HTMLResponse)
def move_demand(
    cp: OrganiserPage, slug: str, number: int, session: SessionDep, position: Short = ""
) -> Response:
    assert cp.user is not None
    campaign = _campaign(session, slug)
    try:
        use_cases.move_demand(
            session, cp.user.actor(), slug, number, _whole(position), now_of(cp.request)
        )
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field == "campaign":
            raise
        return _demands_page(
            cp, session, campaign, errors=_list_errors(cp, exc), status_code=exc.status_code
        )
    return cp.redirect(f"/console/campaigns/{slug}/demands?done=moved#demand-{number}")


@router.post("/{slug}/demands/{number}/retire", response_class=HTMLResponse)
def retire_demand(cp: OrganiserPage, slug: str, number: int, session: SessionDep) -> Response:
    assert cp.user is not None
    campaign = _campaign(session, slug)
    try:
        use_cases.retire_demand(session, cp.user.actor(), slug, number, now_of(cp.request))
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field == "campaign":
            raise
        return _demands_page(
            cp, session, campaign, errors=_list_errors(cp, exc), status_code=exc.status_code
        )
    return cp.redirect(f"/console/campaigns/{slug}/demands?done=retired")

"""The template studio (organisers): each campaign's templates with their versions, an editor
with the variables it may use, save a draft, approve (a second person for the letter), restore,
compare two versions, and preview a version exactly as it would be sent, with a test to
yourself. The JSON twin is templates_api."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.campaigns import settings as campaign_settings
from service.campaigns.rendering import LANGUAGES
from service.campaigns.service import campaign_snapshot, resolve
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, InvalidInput, NotFound
from service.letters import messages
from service.representatives import care
from service.studio import checks
from service.studio import service as studio
from service.studio.service import DraftIn
from service.web import template_studio as use_cases
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.console.templates_words import (
    DONE,
    LANGUAGE_NAMES,
    MEANINGS,
    MEANINGS_IN,
    TITLES,
)
from service.web.i18n import N_

router = APIRouter(prefix="/templates")
NAV = [NavEntry("/templates", N_("Templates"), Permission.edit_campaigns)]

OrganiserPage = Annotated[ConsolePage, console_page(Permission.edit_campaigns)]
Body = Annotated[str, Form(max_length=checks.MAX_HTML + 1000)]
Short = Annotated[str, Form(max_length=checks.MAX_SUBJECTS * (checks.MAX_SUBJECT + 2))]


@router.get("", response_class=HTMLResponse)
def campaigns(cp: OrganiserPage, session: SessionDep) -> HTMLResponse:
    return cp.render(
        "console/templates.html", {"campaigns": campaign_settings.list_campaigns(session)}
    )


@router.get("/{slug}", response_class=HTMLResponse)
def templates_of(cp: OrganiserPage, slug: str, session: SessionDep) -> HTMLResponse:
    rows = [(name, use_cases.studio_of(session, slug, name)) for name in checks.NAMES]
    return cp.render(
        "console/templates_campaign.html",
        {"slug": slug, "rows": rows, **_labels(cp)},
    )


def _labels(cp: ConsolePage) -> dict[str, Any]:
    return {
        "titles": {k: cp._(v) for k, v in TITLES.items()},
        "language_names": {k: cp._(v) for k, v in LANGUAGE_NAMES.items()},
    }


def _form_for(session: SessionDep, slug: str, name: str, lang: str) -> dict[str, str]:
    """The editor starts from the newest version in `lang`, else the built-in template."""
    found = use_cases.studio_of(session, slug, name)
    latest = next((v for v in found.versions if v.lang == lang), None)
    if latest is not None:
        return {
            "body": latest.body,
            "html": latest.html or "",
            "subjects": "\n".join(latest.subjects),
            "note": "",
        }
    body, html = studio.built_in_source(name, lang)
    if name == "letter":
        view = resolve(session, campaign_snapshot(session, slug), lang)
        subjects = "\n".join(view.subjects)
    else:  # the built-in subject line, in the studio's variables
        subjects = messages.subject_source(checks.BASES[name], lang)
    return {"body": body, "html": html, "subjects": subjects, "note": ""}


def _editor(
    cp: ConsolePage,
    session: SessionDep,
    slug: str,
    name: str,
    lang: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = use_cases.studio_of(session, slug, name)
    variables = checks.variables_of(name)
    return cp.render(
        "console/template.html",
        {
            "studio": found,
            "language": lang,
            "template_languages": LANGUAGES,
            "form": form or _form_for(session, slug, name, lang),
            "errors": errors or {},
            "variables": [
                (v, fields, cp._(MEANINGS_IN.get(name, {}).get(v, MEANINGS[v])))
                for v, fields in variables.items()
            ],
            "title": cp._(TITLES[name]),
            "needs_second": name == "letter"
            and cp.request.app.state.settings.campaigns.letter_needs_second_approver,
            **_labels(cp),
        },
        status_code=status_code,
    )


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


@router.get("/{slug}/{name}", response_class=HTMLResponse)
def editor(
    cp: OrganiserPage,
    slug: str,
    name: str,
    session: SessionDep,
    language: Annotated[str, Query(max_length=2)] = "en",
    done: str = "",
    unchanged: Annotated[str, Query(max_length=2)] = "",
) -> HTMLResponse:
    if done in DONE:
        cp.notices.append(cp._(DONE[done]))
    if unchanged in LANGUAGE_NAMES:
        cp.notices.append(
            cp._(
                "Only one language changed: the %(language)s version did not. Check it says "
                "the same.",
                language=cp._(LANGUAGE_NAMES[unchanged]),
            )
        )
    return _editor(cp, session, slug, name, _lang(language))


@router.post("/{slug}/{name}", response_class=HTMLResponse)
def save_draft(
    cp: OrganiserPage,
    slug: str,
    name: str,
    session: SessionDep,
    language: Short = "en",
    body: Body = "",
    html: Body = "",
    subjects: Short = "",
    note: Short = "",
) -> Response:
    assert cp.user is not None
    form = {"body": body, "html": html, "subjects": subjects, "note": note}
    lines = tuple(line.strip() for line in subjects.splitlines() if line.strip())
    try:
        draft = DraftIn(language, body, html or None, lines, note)
        version = use_cases.save_draft(
            session, cp.user.actor(), slug, name, draft, now_of(cp.request)
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        errors = cp.form_errors(exc)
        return _editor(
            cp, session, slug, name, _lang(language), form=form, errors=errors, status_code=422
        )
    return cp.redirect(f"/console/templates/{slug}/{name}?language={version.lang}&done=saved")


@router.post("/{slug}/{name}/versions/{number}/approve", response_class=HTMLResponse)
def approve(
    cp: OrganiserPage,
    slug: str,
    name: str,
    number: int,
    session: SessionDep,
    settings: SettingsDep,
    note: Short = "",
) -> Response:
    assert cp.user is not None
    version = use_cases.version_in(session, slug, name, number)
    try:
        approval = use_cases.approve(
            session, settings, cp.user.actor(), slug, name, number, note, now_of(cp.request)
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _editor(
            cp,
            session,
            slug,
            name,
            version.lang,
            errors={"_form": cp.page.domain_message(exc.message)},
            status_code=exc.status_code,
        )
    unchanged = approval.unchanged_languages[0] if approval.unchanged_languages else ""
    return cp.redirect(
        f"/console/templates/{slug}/{name}?language={version.lang}&done=approved&unchanged={unchanged}"
    )


@router.post("/{slug}/{name}/versions/{number}/restore", response_class=HTMLResponse)
def restore(cp: OrganiserPage, slug: str, name: str, number: int, session: SessionDep) -> Response:
    assert cp.user is not None
    version = use_cases.restore(session, cp.user.actor(), slug, name, number, now_of(cp.request))
    return cp.redirect(f"/console/templates/{slug}/{name}?language={version.lang}&done=restored")


@router.get("/{slug}/{name}/diff", response_class=HTMLResponse)
def diff(
    cp: OrganiserPage,
    slug: str,
    name: str,
    session: SessionDep,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int, Query(ge=1)],
) -> HTMLResponse:
    before = use_cases.version_in(session, slug, name, old)
    after = use_cases.version_in(session, slug, name, new)
    return cp.render(
        "console/template_diff.html",
        {
            "slug": slug,
            "name": name,
            "old": before,
            "new": after,
            "lines": studio.diff(before, after),
            **_labels(cp),
        },
    )


def _version_page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    slug: str,
    name: str,
    number: int,
    q: str,
    representative_id: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    version = use_cases.version_in(session, slug, name, number)
    matches = care.search(session, care.Criteria(name=q.strip()), limit=20) if q.strip() else []
    emails = []
    if representative_id:
        try:
            emails = use_cases.preview(
                session, settings, slug, name, number, representative_id, now_of(cp.request)
            )
        except InvalidInput as exc:
            errors = {**(errors or {}), **cp.form_errors(exc)}
            status_code = 422
    return cp.render(
        "console/template_version.html",
        {
            "slug": slug,
            "name": name,
            "version": version,
            "q": q,
            "representative_id": representative_id,
            "matches": matches,
            "emails": emails,
            "shown_address": use_cases.shown_address,
            "errors": errors or {},
            **_labels(cp),
        },
        status_code=status_code,
    )


@router.get("/{slug}/{name}/versions/{number}", response_class=HTMLResponse)
def version_page(
    cp: OrganiserPage,
    slug: str,
    name: str,
    number: int,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=100)] = "",
    representative_id: Annotated[str, Query(max_length=40)] = "",
    done: str = "",
) -> HTMLResponse:
    """The version's sources, and its preview against the representative chosen."""
    if done in DONE:
        cp.notices.append(cp._(DONE[done]))
    return _version_page(cp, session, settings, slug, name, number, q, representative_id)


@router.post("/{slug}/{name}/versions/{number}/test", response_class=HTMLResponse)
def send_test(
    cp: OrganiserPage,
    slug: str,
    name: str,
    number: int,
    session: SessionDep,
    settings: SettingsDep,
    representative_id: Short = "",
) -> Response:
    assert cp.user is not None
    try:
        use_cases.send_test(
            session,
            settings,
            cp.user.actor(),
            slug,
            name,
            number,
            representative_id,
            now_of(cp.request),
        )
    except InvalidInput as exc:
        return _version_page(
            cp,
            session,
            settings,
            slug,
            name,
            number,
            "",
            representative_id,
            errors=cp.form_errors(exc),
            status_code=422,
        )
    return cp.redirect(
        f"/console/templates/{slug}/{name}/versions/{number}"
        f"?representative_id={quote(representative_id)}&done=test"
    )

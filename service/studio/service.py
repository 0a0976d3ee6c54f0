"""Use cases over template versions: save a draft (checked first), approve it (a second person
for the letter, when the setting asks), restore an old version as a new draft, compare two
(studio.rendering turns the approved versions into the templates mail is rendered with).

These run inside the caller's transaction (service.web.template_studio adds the audit entry
and commits): studio sits below accounts and letters."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.campaigns.rendering import LANGUAGES, TEMPLATES_DIR
from service.campaigns.service import resolve
from service.errors import Conflict, DomainError, InvalidInput, NotFound
from service.studio.checks import BASES, MAX_NOTE, NAMES, Source, check
from service.studio.models import TemplateVersion


class SelfApproval(DomainError):
    status_code = 403
    code = "self_approval"


class AlreadyApproved(Conflict):
    code = "already_approved"


class Superseded(Conflict):
    code = "superseded"


def checked_name(name: str) -> str:
    if name not in NAMES:
        raise NotFound(f"There is no such template: {', '.join(NAMES)}.", field="name")
    return name


def checked_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidInput("Choose en or fr.", field="lang")
    return lang


def _locked_campaign(session: Session, slug: str) -> Campaign:
    found = session.exec(
        select(Campaign)
        .where(Campaign.slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFound("There is no campaign with that name.", field="campaign")
    return found


def campaign_named(session: Session, slug: str) -> Campaign:
    found = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if found is None:
        raise NotFound("There is no campaign with that name.", field="campaign")
    return found


def versions_of(session: Session, campaign_id: int, name: str) -> list[TemplateVersion]:
    """Newest first."""
    return list(
        session.exec(
            select(TemplateVersion)
            .where(TemplateVersion.campaign_id == campaign_id, TemplateVersion.name == name)
            .order_by(col(TemplateVersion.number).desc())
        )
    )


def version_of(session: Session, campaign_id: int, name: str, number: int) -> TemplateVersion:
    found = session.exec(
        select(TemplateVersion).where(
            TemplateVersion.campaign_id == campaign_id,
            TemplateVersion.name == name,
            TemplateVersion.number == number,
        )
    ).first()
    if found is None:
        raise NotFound(f"There is no version {number} of this template.", field="version")
    return found


@dataclass(frozen=True, slots=True)
class DraftIn:
    lang: str
    body: str
    html: str | None = None
    subjects: tuple[str, ...] = ()
    note: str = ""


def save_draft(
    session: Session, slug: str, name: str, draft: DraftIn, author: str, now: datetime
) -> TemplateVersion:
    """A new draft, numbered after every version of this template; InvalidTemplate (422)
    with the reason when the check refuses it."""
    checked_name(name)
    lang = checked_lang(draft.lang)
    if len(draft.note) > MAX_NOTE:
        raise InvalidInput(f"Keep the note under {MAX_NOTE} characters.", field="note")
    html = draft.html if draft.html and draft.html.strip() else None
    subjects = tuple(s.strip() for s in draft.subjects if s.strip())
    campaign = _locked_campaign(session, slug)
    assert campaign.id is not None
    view = resolve(session, campaign, lang)
    check(Source(name, lang, draft.body, html, subjects), view)
    return _add(
        session, campaign.id, name, lang, draft.body, html, subjects, draft.note, author, now
    )


def _add(
    session: Session,
    campaign_id: int,
    name: str,
    lang: str,
    body: str,
    html: str | None,
    subjects: Sequence[str],
    note: str,
    author: str,
    now: datetime,
    restored_from: int | None = None,
) -> TemplateVersion:
    latest = versions_of(session, campaign_id, name)
    version = TemplateVersion(
        campaign_id=campaign_id,
        name=name,
        lang=lang,
        number=(latest[0].number + 1) if latest else 1,
        subjects=list(subjects),
        body=body,
        html=html,
        note=note.strip(),
        restored_from=restored_from,
        created_by=author,
        created_at=now,
    )
    session.add(version)
    session.flush()
    return version


def restore(
    session: Session, slug: str, name: str, number: int, author: str, now: datetime
) -> TemplateVersion:
    """Version `number` again, as a new draft (to be approved like any other)."""
    checked_name(name)
    campaign = _locked_campaign(session, slug)
    assert campaign.id is not None
    old = version_of(session, campaign.id, name, number)
    return _add(
        session,
        campaign.id,
        name,
        old.lang,
        old.body,
        old.html,
        old.subjects,
        f"Restored from version {number}",
        author,
        now,
        restored_from=number,
    )


@dataclass(frozen=True, slots=True)
class Approval:
    version: TemplateVersion
    # Languages that did not change alongside this one ("fr" when only English changed).
    unchanged_languages: list[str] = field(default_factory=list)


def approve(
    session: Session,
    slug: str,
    name: str,
    number: int,
    approver: str,
    note: str,
    now: datetime,
    *,
    second_person: bool,
) -> Approval:
    """Approve a draft: from now on mail in its language is rendered with it. With
    `second_person` the letter's drafts need someone other than their author (403);
    approving twice, or an older draft than the approved one, is a Conflict (409)."""
    checked_name(name)
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"Keep the note under {MAX_NOTE} characters.", field="note")
    campaign = _locked_campaign(session, slug)
    assert campaign.id is not None
    version = version_of(session, campaign.id, name, number)
    if version.approved_at is not None:
        raise AlreadyApproved(f"Version {number} is already approved.", field="version")
    if second_person and name == "letter" and version.created_by == approver:
        raise SelfApproval(
            "Another organiser must approve a change to the letter you wrote.", field="version"
        )
    current = current_versions(session, campaign.id, name).get(version.lang)
    if current is not None and current.number > number:
        raise Superseded(
            f"Version {current.number} is approved and newer; restore this one as a new "
            "draft to use it again.",
            field="version",
        )
    version.approved_by = approver
    version.approved_at = now
    version.approval_note = note.strip() or None
    # A new revision of the campaign: every process renders its mail afresh
    # (campaigns.catalog keys what it keeps on updated_at).
    campaign.updated_at = max(now, _aware(campaign.updated_at) + timedelta(microseconds=1))
    session.flush()
    previous = current.number if current is not None else 0
    return Approval(version, unchanged_languages(session, campaign.id, name, version, previous))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unchanged_languages(
    session: Session, campaign_id: int, name: str, version: TemplateVersion, since: int
) -> list[str]:
    """The other languages with no version saved since `since` (the number this language's
    approved version had before): one language changed, and they did not."""
    others = [lang for lang in LANGUAGES if lang != version.lang]
    saved = versions_of(session, campaign_id, name)
    return [lang for lang in others if not any(v.lang == lang and v.number > since for v in saved)]


def current_versions(session: Session, campaign_id: int, name: str) -> dict[str, TemplateVersion]:
    """The approved version in use per language (the highest-numbered approved one)."""
    found: dict[str, TemplateVersion] = {}
    for version in versions_of(session, campaign_id, name):
        if version.approved_at is not None and version.lang not in found:
            found[version.lang] = version
    return found


def out_of_step(versions: Sequence[TemplateVersion]) -> list[tuple[str, int]]:
    """(language, version) for each approved version whose other language has seen no
    version since the one approved before it: shown as a warning beside the template."""
    warnings = []
    for lang in LANGUAGES:
        approved = [v for v in versions if v.lang == lang and v.approved_at is not None]
        if not approved:
            continue
        newest = approved[0]
        before = approved[1].number if len(approved) > 1 else 0
        for other in LANGUAGES:
            if other != lang and not any(v.lang == other and v.number > before for v in versions):
                warnings.append((other, newest.number))
    return warnings


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed" | "gap"
    text: str


def diff(old: TemplateVersion, new: TemplateVersion) -> list[DiffLine]:
    """The lines of `new` against `old` (subjects, text part, HTML part), with three lines of
    context around each change."""
    lines: list[DiffLine] = []
    for title, before, after in (
        ("subjects", "\n".join(old.subjects), "\n".join(new.subjects)),
        ("text", old.body, new.body),
        ("html", old.html or "", new.html or ""),
    ):
        if before == after:
            continue
        lines.append(DiffLine("gap", f"[{title}]"))
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3):
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("@@"):
                lines.append(DiffLine("gap", line))
            elif line.startswith("+"):
                lines.append(DiffLine("added", line[1:]))
            elif line.startswith("-"):
                lines.append(DiffLine("removed", line[1:]))
            else:
                lines.append(DiffLine("same", line[1:]))
    return lines


def built_in_source(name: str, lang: str) -> tuple[str, str]:
    """The built-in template's text and HTML sources (where an organiser's first draft
    starts). The follow-up's empty block, kept for its reminder, is left out."""
    base = BASES[checked_name(name)]
    root = TEMPLATES_DIR / checked_lang(lang)
    html = (root / f"{base}.html.j2").read_text(encoding="utf-8")
    return (
        (root / f"{base}.txt.j2").read_text(encoding="utf-8"),
        html.replace("{% block intro %}{% endblock %}\n", ""),
    )

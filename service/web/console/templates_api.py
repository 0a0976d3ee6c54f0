"""The admin API twin of the template studio: a campaign's template versions (`name`: letter,
confirm, reminder, notice, follow_up, bounced, written_before, rejected, returned), new drafts
(checked when saved: 422 with the reason), approval (403 for approving your own letter when a
second person must, 409 when the rules forbid it), restore, diff, preview and a test send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.representatives.schemas import RepresentativeId
from service.studio import checks
from service.studio import service as studio
from service.studio.models import TemplateVersion
from service.studio.service import DraftIn
from service.web import template_studio as use_cases

router = APIRouter(
    prefix="/api/admin/campaigns/{slug}/templates",
    tags=["admin: templates"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    },
)

Organiser = Annotated[Actor, Depends(ApiUser(Permission.edit_campaigns))]


class VersionOut(BaseModel):
    version: int
    status: str  # draft | approved
    lang: str
    subjects: list[str]
    body: str
    html: str | None
    note: str
    restored_from: int | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    approval_note: str | None


def version_out(version: TemplateVersion) -> VersionOut:
    return VersionOut(
        version=version.number,
        status=version.status,
        lang=version.lang,
        subjects=list(version.subjects),
        body=version.body,
        html=version.html,
        note=version.note,
        restored_from=version.restored_from,
        created_by=version.created_by,
        created_at=version.created_at,
        approved_by=version.approved_by,
        approved_at=version.approved_at,
        approval_note=version.approval_note,
    )


class Warning(BaseModel):
    lang: str  # the language that did not change
    since_version: int  # the other language's approved change


class VersionList(BaseModel):
    name: str
    versions: list[VersionOut]
    # The approved version in use per language; absent: the built-in template.
    current: dict[str, int]
    warnings: list[Warning]
    variables: dict[str, list[str]]  # the variables the template may use, and their fields


@router.get("/{name}/versions")
def list_versions(slug: str, name: str, session: SessionDep, _actor: Organiser) -> VersionList:
    found = use_cases.studio_of(session, slug, name)
    return VersionList(
        name=name,
        versions=[version_out(v) for v in found.versions],
        current={lang: v.number for lang, v in found.current.items()},
        warnings=[Warning(lang=lang, since_version=n) for lang, n in found.out_of_step],
        variables={k: list(v) for k, v in checks.variables_of(name).items()},
    )


class DraftBody(BaseModel):
    lang: str = Field(max_length=2)
    body: str = Field(max_length=checks.MAX_BODY)
    html: str | None = Field(default=None, max_length=checks.MAX_HTML)
    subjects: list[Annotated[str, Field(max_length=checks.MAX_SUBJECT)]] = Field(
        default_factory=list,
        max_length=checks.MAX_SUBJECTS,
        description=(
            "The letter: its subject lines, given in turn to supporters who write none. A "
            "supporter email: at most one, its subject line, a template with the same "
            "variables as the body, one line of plain text; none keeps the built-in subject."
        ),
    )
    note: str = Field(default="", max_length=checks.MAX_NOTE)


class Saved(BaseModel):
    version: int
    status: str


@router.post("/{name}/versions", status_code=201)
def save_draft(
    slug: str, name: str, body: DraftBody, request: Request, session: SessionDep, actor: Organiser
) -> Saved:
    """A new draft: `{"lang", "subjects": [...], "body", "html", "note"}`. `subjects` is the
    letter's list of subject lines, or a supporter email's one subject line (optional: without
    it the email keeps the built-in subject). 422 with the reason and the field (syntax,
    unknown variable, unsafe, a demand missing, a subject with a line break, too long)."""
    draft = DraftIn(body.lang, body.body, body.html, tuple(body.subjects), body.note)
    version = use_cases.save_draft(session, actor, slug, name, draft, now_of(request))
    return Saved(version=version.number, status=version.status)


@router.get("/{name}/versions/{number}")
def get_version(
    slug: str, name: str, number: int, session: SessionDep, _actor: Organiser
) -> VersionOut:
    return version_out(use_cases.version_in(session, slug, name, number))


class ApproveBody(BaseModel):
    note: str = Field(default="", max_length=checks.MAX_NOTE)


class Approved(BaseModel):
    version: int
    status: str
    approved_by: str | None
    # Languages that did not change with this one: check them before the next letters go.
    unchanged_languages: list[str]


@router.post(
    "/{name}/versions/{number}/approve",
    responses={
        403: {"model": ErrorBody, "description": "The letter needs a second person"},
        409: {"model": ErrorBody, "description": "Approved already, or older than the approved"},
    },
)
def approve(
    slug: str,
    name: str,
    number: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Organiser,
    body: ApproveBody | None = None,
) -> Approved:
    approval = use_cases.approve(
        session, settings, actor, slug, name, number, (body or ApproveBody()).note, now_of(request)
    )
    return Approved(
        version=approval.version.number,
        status=approval.version.status,
        approved_by=approval.version.approved_by,
        unchanged_languages=approval.unchanged_languages,
    )


@router.post("/{name}/versions/{number}/restore", status_code=201)
def restore(
    slug: str, name: str, number: int, request: Request, session: SessionDep, actor: Organiser
) -> Saved:
    """Version `number` again, as a new draft."""
    version = use_cases.restore(session, actor, slug, name, number, now_of(request))
    return Saved(version=version.number, status=version.status)


class DiffLineOut(BaseModel):
    kind: str  # same | added | removed | gap
    text: str


class DiffOut(BaseModel):
    old: int
    new: int
    lines: list[DiffLineOut]


@router.get("/{name}/diff")
def diff(
    slug: str,
    name: str,
    session: SessionDep,
    _actor: Organiser,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int, Query(ge=1)],
) -> DiffOut:
    lines = studio.diff(
        use_cases.version_in(session, slug, name, old),
        use_cases.version_in(session, slug, name, new),
    )
    return DiffOut(old=old, new=new, lines=[DiffLineOut(kind=x.kind, text=x.text) for x in lines])


class EmailOut(BaseModel):
    lang: str
    representative: str
    subject: str | None
    sender: str | None
    reply_to: str | None
    to: str | None
    text: str | None
    html: str | None
    problem: str | None


@router.get("/{name}/versions/{number}/preview")
def preview(
    slug: str,
    name: str,
    number: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Organiser,
    representative_id: Annotated[str, Query(max_length=40)],
) -> list[EmailOut]:
    """The version's email exactly as it would be sent, in both languages (the version in
    its own, the templates in use in the other), to `representative_id` from the studio's
    invented supporter. Writes nothing."""
    shown = use_cases.preview(
        session, settings, slug, name, number, representative_id, now_of(request)
    )
    return [
        EmailOut(
            lang=p.lang,
            representative=p.representative,
            subject=p.email.subject if p.email else None,
            sender=use_cases.shown_address(p.email.sender) if p.email else None,
            reply_to=use_cases.shown_address(p.email.reply_to) if p.email else None,
            to=use_cases.shown_address(p.email.to) if p.email else None,
            text=p.email.text if p.email else None,
            html=p.email.html if p.email else None,
            problem=p.problem,
        )
        for p in shown
    ]


class TestBody(BaseModel):
    representative_id: RepresentativeId


class Queued(BaseModel):
    queued: bool


@router.post("/{name}/versions/{number}/test", status_code=202)
def send_test(
    slug: str,
    name: str,
    number: int,
    body: TestBody,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Organiser,
) -> Queued:
    """The version's email, marked [TEST], to the token owner's own address (outbox)."""
    use_cases.send_test(
        session, settings, actor, slug, name, number, body.representative_id, now_of(request)
    )
    return Queued(queued=True)

"""The template studio's use cases for the console and the admin API alike: each change is one
transaction with its audit entry. Composed here because studio (the versions), letters (the
preview, built as real mail is) and accounts (the audit log) may not import each other."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.models import Account
from service.accounts.roles import Permission
from service.accounts.service import require
from service.campaigns.service import campaign_snapshot
from service.config import Settings
from service.db import use_case
from service.delivery import service as delivery
from service.delivery.schemas import Address, MessageKind
from service.errors import InvalidInput
from service.letters.template_preview import PreviewEmail, preview_version
from service.studio import service as studio
from service.studio.models import TemplateVersion
from service.studio.service import Approval, DraftIn


def shown_address(address: Address | None) -> str | None:
    """An address as a mail program shows it: "Name" <address>."""
    if address is None:
        return None
    return f'"{address.name}" <{address.email}>' if address.name else address.email


def author_of(actor: Actor) -> str:
    """Who a version names: the person's account id, never their address."""
    return actor.id or "cli"


def _target(slug: str, name: str) -> str:
    return f"campaign:{slug}/template:{name}"


def save_draft(
    session: Session, actor: Actor, slug: str, name: str, draft: DraftIn, now: datetime
) -> TemplateVersion:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        version = studio.save_draft(session, slug, name, draft, author_of(actor), now)
        audit.record(
            session,
            actor,
            "template.draft_saved",
            now,
            target=_target(slug, name),
            after={
                "version": version.number,
                "lang": version.lang,
                "two_parts": bool(version.html),
            },
        )
        session.commit()
    return version


def approve(
    session: Session,
    settings: Settings,
    actor: Actor,
    slug: str,
    name: str,
    number: int,
    note: str,
    now: datetime,
) -> Approval:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        approval = studio.approve(
            session,
            slug,
            name,
            number,
            author_of(actor),
            note,
            now,
            second_person=settings.campaigns.letter_needs_second_approver,
        )
        audit.record(
            session,
            actor,
            "template.approved",
            now,
            target=_target(slug, name),
            after={
                "version": number,
                "lang": approval.version.lang,
                "unchanged_languages": approval.unchanged_languages,
            },
        )
        session.commit()
    return approval


def restore(
    session: Session, actor: Actor, slug: str, name: str, number: int, now: datetime
) -> TemplateVersion:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        version = studio.restore(session, slug, name, number, author_of(actor), now)
        audit.record(
            session,
            actor,
            "template.restored",
            now,
            target=_target(slug, name),
            after={"version": version.number, "restored_from": number, "lang": version.lang},
        )
        session.commit()
    return version


@dataclass(frozen=True, slots=True)
class Studio:
    """One template of one campaign: its versions (newest first), the approved one per
    language, and the languages left behind by a change to the other."""

    slug: str
    name: str
    versions: list[TemplateVersion]
    current: dict[str, TemplateVersion]
    out_of_step: list[tuple[str, int]]
    # Who wrote and approved the versions: account id → address, for the console.
    people: dict[str, str]

    def previous(self, version: TemplateVersion) -> TemplateVersion | None:
        """The version before `version` in its language (what the diff compares it with)."""
        return next(
            (v for v in self.versions if v.lang == version.lang and v.number < version.number),
            None,
        )


def studio_of(session: Session, slug: str, name: str) -> Studio:
    studio.checked_name(name)
    campaign = studio.campaign_named(session, slug)
    assert campaign.id is not None
    versions = studio.versions_of(session, campaign.id, name)
    ids = {v.created_by for v in versions} | {v.approved_by for v in versions if v.approved_by}
    people = dict(
        session.exec(select(Account.id, Account.email).where(col(Account.id).in_(ids))).all()
    )
    return Studio(
        slug=slug,
        name=name,
        versions=versions,
        current=studio.current_versions(session, campaign.id, name),
        out_of_step=studio.out_of_step(versions),
        people={str(k): str(v) for k, v in people.items()},
    )


def version_in(session: Session, slug: str, name: str, number: int) -> TemplateVersion:
    studio.checked_name(name)
    campaign = studio.campaign_named(session, slug)
    assert campaign.id is not None
    return studio.version_of(session, campaign.id, name, number)


def preview(
    session: Session,
    settings: Settings,
    slug: str,
    name: str,
    number: int,
    representative_id: str,
    now: datetime,
) -> list[PreviewEmail]:
    version = version_in(session, slug, name, number)
    campaign = campaign_snapshot(session, slug)
    return preview_version(session, campaign, version, representative_id, settings.base_url, now)


def send_test(
    session: Session,
    settings: Settings,
    actor: Actor,
    slug: str,
    name: str,
    number: int,
    representative_id: str,
    now: datetime,
) -> None:
    """The version's email, in its own language, to the person asking, through the outbox
    like any other mail, marked [TEST]."""
    require(actor, Permission.edit_campaigns)
    if "@" not in actor.email:
        raise InvalidInput("Your account has no address to send a test to.", field="_form")
    with use_case(session):
        version = version_in(session, slug, name, number)
        campaign = campaign_snapshot(session, slug)
        emails = preview_version(
            session, campaign, version, representative_id, settings.base_url, now
        )
        found = next((p.email for p in emails if p.lang == version.lang and p.email), None)
        if found is None:
            raise InvalidInput(
                "This version cannot be sent as a test with this representative.", field="q"
            )
        email = replace(
            found,
            to=Address(actor.email),
            subject=f"[TEST] {found.subject}",
            kind=MessageKind.notice,  # a test belongs to no letter
            letter_id=None,
        )
        delivery.enqueue(session, email, now=now, campaign_id=campaign.id)
        audit.record(
            session,
            actor,
            "template.test_sent",
            now,
            target=_target(slug, name),
            after={"version": number, "lang": version.lang},
        )
        session.commit()

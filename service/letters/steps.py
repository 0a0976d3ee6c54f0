"""Building blocks of the letter use cases: moving a letter through its states, the links in
emails, handing emails to the outbox, and judging a personal paragraph."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlmodel import Session

from service.campaigns.models import Campaign
from service.campaigns.rendering import InvalidTemplate
from service.config import DeliverySettings, Settings, get_settings
from service.db import end_read_only_transaction, lock_for_write
from service.delivery import service as delivery
from service.delivery.plan import pacing_for
from service.delivery.schemas import MessageKind
from service.errors import Conflict, ServiceUnavailable
from service.letters import messages, similarity
from service.letters.compose import (
    Recipient,
    RenderedLetter,
    SupporterMail,
    letter_email,
    render_letter,
    supporter_email,
)
from service.letters.models import Letter, LetterEvent
from service.letters.queries import (
    campaign_of,
    campaign_view,
    draft_of,
    recent_fingerprints,
    templates_for,
)
from service.letters.states import HoldReason, LetterStatus, require_move
from service.letters.tokens import confirmation_token, status_token

log = logging.getLogger("repmail.letters")


class DuplicateLetter(Conflict):
    """This supporter already wrote to this representative for this campaign."""

    code = "duplicate_letter"

    def __init__(self, message: str, *, status: LetterStatus, resent: bool) -> None:
        super().__init__(message, field="email")
        self.status = status
        self.resent = resent


@contextmanager
def use_case(session: Session) -> Iterator[None]:
    """Whatever a refused use case wrote (a rate-limit hit, a half-built letter) is undone.

    Every letter use case writes, so on SQLite it takes the write lock before its first read:
    otherwise a concurrent commit between that read and its first write fails it at once
    ("database is locked", SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out). For the
    same reason what the calling page read in this session is ended first. The campaign's
    texts and templates come from campaigns.catalog, read once per revision."""
    try:
        end_read_only_transaction(session)
        lock_for_write(session)
        yield
    except Exception:
        session.rollback()
        raise


def move(
    session: Session,
    letter: Letter,
    target: LetterStatus,
    now: datetime,
    detail: str | None = None,
) -> None:
    current = LetterStatus(letter.status)
    require_move(current, target)
    record_event(session, letter.id, current, target, now, detail)
    letter.status = target
    letter.updated_at = now
    session.add(letter)


_INSERT_EVENT = LetterEvent.__table__.insert()  # type: ignore[attr-defined]


def record_event(
    session: Session,
    letter_id: str,
    current: LetterStatus | None,
    target: LetterStatus,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Append a status change to the letter's history (the letter row must exist already).
    A plain INSERT, not an ORM object: nothing reads the event back in the use case, and every
    submission writes one."""
    session.connection().execute(
        _INSERT_EVENT,
        {
            "letter_id": letter_id,
            "at": now,
            "from_status": current,
            "to_status": target,
            "detail": detail,
        },
    )


def status_url(settings: Settings, letter_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/letters/{status_token(settings.secret_key, letter_id)}"


def confirm_url(settings: Settings, letter: Letter) -> str:
    token = confirmation_token(settings.secret_key, letter.id, letter.confirm_expires_at)
    return f"{settings.base_url.rstrip('/')}/confirm/{token}"


def hold_message(reason: str | None, lang: str, representative: str, similar: int) -> str:
    if reason is None:
        return ""
    table = messages.HOLD[HoldReason(reason)]
    return messages.pick(table, lang, representative=representative, similar=max(similar, 1))


def rendered_letter(
    session: Session, letter: Letter, recipient: Recipient, campaign: Campaign
) -> RenderedLetter:
    view = campaign_view(session, campaign, letter.language)
    try:
        return render_letter(
            templates_for(session, view, letter.language), view, recipient, draft_of(letter)
        )
    except InvalidTemplate as exc:
        log.error("letter template failed", extra={"campaign": view.slug, "reason": exc.message})
        raise ServiceUnavailable(
            "This campaign's letter cannot be prepared at the moment; please try again later.",
            field="campaign",
        ) from None


# The template (and subject) of each kind of mail to a supporter.
SUPPORTER_TEMPLATES = {
    MessageKind.confirmation: "confirm",
    MessageKind.reminder: "reminder",
    MessageKind.notice: "notice",  # the letter missed the campaign's deadline
}


def queue_supporter_mail(
    session: Session,
    settings: Settings,
    letter: Letter,
    recipient: Recipient,
    campaign: Campaign,
    kind: MessageKind,
    now: datetime,
) -> None:
    """Confirmation and reminder expire with the confirmation link; a notice does not.
    None is paced: they go before any letter."""
    rendered = rendered_letter(session, letter, recipient, campaign)
    view = campaign_view(session, campaign, letter.ui_lang)
    mail = SupporterMail(
        kind=kind,
        base=SUPPORTER_TEMPLATES[kind],
        lang=letter.ui_lang,
        confirm_url=confirm_url(settings, letter),
        status_url=status_url(settings, letter.id),
        expires_at=letter.confirm_expires_at,
        written_at=letter.created_at,
        hold_message=hold_message(letter.hold_reason, letter.ui_lang, recipient.name, 0),
    )
    try:
        email = supporter_email(
            templates_for(session, view, letter.ui_lang),
            mail,
            letter.id,
            view,
            recipient,
            draft_of(letter),
            rendered,
        )
    except InvalidTemplate as exc:
        log.error("supporter template failed", extra={"campaign": view.slug, "reason": exc.message})
        raise ServiceUnavailable(
            "We cannot prepare your confirmation email at the moment; please try again later.",
            field="campaign",
        ) from None
    expires = None if kind is MessageKind.notice else letter.confirm_expires_at
    delivery.enqueue(session, email, now=now, expires_at=expires)


def queue_letter(
    session: Session,
    letter: Letter,
    recipient: Recipient,
    now: datetime,
    detail: str,
    settings: DeliverySettings | None = None,
) -> None:
    """Into the outbox, at the letter's slot in its representative's schedule (paced so
    that the campaign's letters land before its deadline, when they can)."""
    campaign = campaign_of(session, letter)
    rendered = rendered_letter(session, letter, recipient, campaign)
    view = campaign_view(session, campaign, letter.language)
    pacing = pacing_for(
        campaign, recipient.id, recipient.timezone, settings or get_settings().delivery
    )
    letter.outbox_id = delivery.enqueue(
        session,
        letter_email(letter.id, view, recipient, draft_of(letter), rendered),
        now=now,
        expires_at=campaign.deadline,
        pacing=pacing,
    )
    move(session, letter, LetterStatus.queued, now, detail)


def assess(
    session: Session,
    settings: Settings,
    representative_id: str,
    message: str,
    now: datetime,
    *,
    email_key: str | None = None,
    letter_id: str | None = None,
) -> tuple[bytes, HoldReason | None, similarity.SimilarityReport]:
    cfg = settings.letters
    tokens = similarity.words(message)
    mine = similarity.shingles_of(tokens, cfg.shingle_words)
    others = recent_fingerprints(
        session,
        settings,
        representative_id,
        now,
        exclude_email_key=email_key,
        exclude_letter_id=letter_id,
    )
    report = similarity.compare(mine, others, cfg.similarity_threshold)
    hold: HoldReason | None = None
    if len(tokens) < cfg.min_personal_words:
        hold = HoldReason.empty
    elif report.score >= cfg.similarity_threshold:
        hold = HoldReason.similar
    return similarity.pack(mine), hold, report

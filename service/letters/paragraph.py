"""The supporter's own paragraph: how much it reads like other letters, and rewriting it while
the letter waits for confirmation or review."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from service.campaigns.service import campaign_snapshot
from service.config import Settings
from service.db import use_case
from service.errors import Conflict, InvalidInput
from service.letters import guards
from service.letters.assessment import assess
from service.letters.events import SUPPORTER, set_hold_reason
from service.letters.outbox import queue_letter
from service.letters.queries import campaign_of, campaign_view, find_letter, recipient_of
from service.letters.schemas import MAX_MESSAGE, LetterStatusOut, SimilarityIn, SimilarityOut
from service.letters.states import EDITABLE, HoldReason, LetterStatus
from service.letters.status import status_view
from service.letters.tokens import read_status_token

HOUR = timedelta(hours=1)
# Holds an edit of the paragraph can lift (a seat that fell vacant is not about the text).
TEXT_HOLDS = frozenset({HoldReason.similar, HoldReason.empty, HoldReason.campaign_text})


def revise_message(
    session: Session, settings: Settings, token: str, message: str, *, now: datetime
) -> LetterStatusOut:
    """Replace the personal paragraph of a letter that is not confirmed yet, or is held for
    review. Every edit is assessed again, as a new letter would be; a letter held for its
    text goes on to the outbox only when the new paragraph passes and is not a light edit of
    the one that was held."""
    with use_case(session):
        message = _clean_message(message)
        letter = find_letter(
            session, read_status_token(settings.secret_key, token), for_update=True
        )
        if letter.status not in EDITABLE:
            raise Conflict(
                "This letter has already been passed on and can no longer be changed.",
                field="message",
            )
        recipient = recipient_of(session, letter.representative_id)
        held_for_text = letter.status == LetterStatus.held and letter.hold_reason in TEXT_HOLDS
        fingerprint, hold, report = assess(
            session,
            settings,
            recipient.id,
            message,
            now,
            letter_id=letter.id,
            email_key=letter.email_key,
            campaign=campaign_view(session, campaign_of(session, letter), letter.language),
            held_before=letter.fingerprint if held_for_text else None,
        )
        letter.message = message
        letter.fingerprint = fingerprint
        letter.similarity = report.score
        if letter.hold_reason != HoldReason.representative_unavailable:
            set_hold_reason(session, letter, hold, now)
        letter.updated_at = now
        session.add(letter)
        if letter.status == LetterStatus.held and letter.hold_reason is None:
            queue_letter(
                session, letter, recipient, now, "revised", settings.delivery, actor=SUPPORTER
            )
        session.commit()
        return status_view(session, letter, recipient)


def _clean_message(message: str) -> str:
    try:
        cleaned = guards.paragraph(message)
    except ValueError as exc:
        raise InvalidInput(f"message: {exc}", field="message") from None
    if len(cleaned) > MAX_MESSAGE:
        raise InvalidInput(
            f"message: keep your paragraph under {MAX_MESSAGE:,} characters", field="message"
        )
    return cleaned


def check_similarity(
    session: Session,
    settings: Settings,
    data: SimilarityIn,
    *,
    client_ip: str | None,
    now: datetime,
) -> SimilarityOut:
    """How many recent letters to this representative read like `data.message` (and, with
    a campaign, whether it repeats the campaign's own texts)."""
    with use_case(session):
        recipient = recipient_of(session, data.representative_id)
        campaign = (
            campaign_view(session, campaign_snapshot(session, data.campaign), recipient.language)
            if data.campaign
            else None
        )
        count_similarity_check(session, settings, client_ip=client_ip, now=now)
        _, hold, report = assess(
            session, settings, data.representative_id, data.message, now, campaign=campaign
        )
        session.commit()
        return SimilarityOut(
            similar_letters=report.similar_letters,
            score=report.score,
            campaign_text=hold == HoldReason.campaign_text,
        )


def count_similarity_check(
    session: Session, settings: Settings, *, client_ip: str | None, now: datetime
) -> None:
    """Count one similarity check against the connection's hourly allowance (TooManyRequests
    past it): the check reads many letters, so it is rationed like submissions."""
    if not client_ip:
        return
    hit = guards.Hit(
        bucket="similarity-ip",
        key=client_ip,
        limit=settings.letters.similarity_checks_per_ip_per_hour,
        window=HOUR,
        message="Too many checks from your connection; please wait a little.",
    )
    guards.count_hit(session, secret=settings.secret_key, hit=hit, now=now)

"""Did your representative reply? A set number of days after a letter is delivered (the
campaign's reply_after_days, brought forward to reach the supporter before the deadline), its
supporter gets one email with four one-click answers, and one reminder; each answer opens a
page with a confirming button (mail scanners open links), and is recorded once. Answers are
counted per representative, party and chamber, beside the letters each office received."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel
from sqlalchemy import Insert, func
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.db import use_case
from service.delivery.schemas import MessageKind
from service.errors import Conflict, InvalidInput
from service.letters.models import Letter, ReplySurvey
from service.letters.outbox import queue_supporter_mail
from service.letters.queries import campaign_by_id, campaign_of, find_letter, recipient_of
from service.letters.states import LetterStatus
from service.letters.tokens import read_reply_token, reply_token
from service.representatives.models import Representative
from service.row_sets import RowSet

# Asked at least this long after delivery (an office needs time to answer) ...
EARLIEST = timedelta(days=1)
# ... and, when the campaign's setting would be later, this long before its deadline.
BEFORE_DEADLINE = timedelta(days=2)
# The one reminder, this long after the question when nothing came back.
REMINDER_AFTER = timedelta(days=7)


class ReplyAnswer(StrEnum):
    useful = "useful"  # replied, and it was useful
    not_useful = "not_useful"  # replied, but not usefully
    no_reply = "no_reply"  # no reply yet
    not_expected = "not_expected"  # did not expect one


class ReplyQuestion(BaseModel):
    """What the answer page shows."""

    representative: str
    answer: ReplyAnswer
    answered: ReplyAnswer | None  # the answer already recorded, if any


class ReplyCount(BaseModel):
    representative_id: str
    representative: str
    party: str
    chamber: str
    letters_received: int  # letters delivered to this office
    answers: dict[str, int]  # per ReplyAnswer


def due_at(delivered_at: datetime, campaign: Campaign) -> datetime:
    wanted = delivered_at + timedelta(days=campaign.reply_after_days)
    deadline = campaign.deadline
    if deadline.tzinfo is None and delivered_at.tzinfo is not None:
        deadline = deadline.replace(tzinfo=delivered_at.tzinfo)
    return max(delivered_at + EARLIEST, min(wanted, deadline - BEFORE_DEADLINE))


@dataclass(frozen=True, slots=True)
class DeliveredLetter:
    """A letter tracking just found delivered: its survey is planned from these alone."""

    letter_id: str
    campaign_id: int
    at: datetime


def plan_surveys(session: Session, letters: Sequence[DeliveredLetter]) -> None:
    """Inside tracking's transaction: one survey per newly delivered letter (one INSERT; each
    campaign read once)."""
    campaigns: dict[int, Campaign] = {}
    rows = []
    for letter in letters:
        campaign = campaigns.get(letter.campaign_id)
        if campaign is None:
            campaign = campaigns[letter.campaign_id] = campaign_by_id(session, letter.campaign_id)
        rows.append({"letter_id": letter.letter_id, "due_at": due_at(letter.at, campaign)})
    connection = session.connection()
    surveys, statement = _insert_surveys_for(connection.dialect.name)
    surveys.run(connection, statement, rows)


_SURVEYS = ReplySurvey.__table__  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _insert_surveys_for(dialect: str) -> tuple[RowSet, Insert]:
    surveys = RowSet(dialect, {name: _SURVEYS.c[name].type for name in ("letter_id", "due_at")})
    return surveys, surveys.insert(_SURVEYS.insert())


def send_due_surveys(session: Session, now: datetime, *, settings: Settings) -> int:
    """The periodic job: questions that are due, then reminders. Returns emails queued."""
    batch = settings.letters.job_batch_size
    with use_case(session):
        due = session.exec(
            select(ReplySurvey)
            .where(
                col(ReplySurvey.due_at) <= now,
                col(ReplySurvey.asked_at).is_(None),
                col(ReplySurvey.answer).is_(None),
            )
            .limit(batch)
            .with_for_update()
        ).all()
        reminders = session.exec(
            select(ReplySurvey)
            .where(
                col(ReplySurvey.asked_at) <= now - REMINDER_AFTER,
                col(ReplySurvey.reminded_at).is_(None),
                col(ReplySurvey.answer).is_(None),
            )
            .limit(batch)
            .with_for_update()
        ).all()
        for survey in due:
            _ask(session, settings, survey.letter_id, "reply", now)
            survey.asked_at = now
        for survey in reminders:
            _ask(session, settings, survey.letter_id, "reply_reminder", now)
            survey.reminded_at = now
        session.commit()
        return len(due) + len(reminders)


def _ask(session: Session, settings: Settings, letter_id: str, base: str, now: datetime) -> None:
    letter = find_letter(session, letter_id)
    if "@" not in letter.email:  # erased at the supporter's request: nobody to ask
        return
    recipient = recipient_of(session, letter.representative_id)
    queue_supporter_mail(
        session,
        settings,
        letter,
        recipient,
        campaign_of(session, letter),
        MessageKind.notice,
        now,
        base=base,
        # The templates build the four answer links on this one signed address.
        link=reply_url(settings, letter.id),
    )


def reply_url(settings: Settings, letter_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/replies/{reply_token(settings.secret_key, letter_id)}"


def _answer(value: str) -> ReplyAnswer:
    try:
        return ReplyAnswer(value)
    except ValueError:
        raise InvalidInput("Choose one of the four answers.", field="answer") from None


def reply_question(session: Session, settings: Settings, token: str, answer: str) -> ReplyQuestion:
    """What the link opens (nothing is recorded by opening it)."""
    chosen = _answer(answer)
    letter = find_letter(session, read_reply_token(settings.secret_key, token))
    survey = session.get(ReplySurvey, letter.id)
    recorded = ReplyAnswer(survey.answer) if survey and survey.answer else None
    name = recipient_of(session, letter.representative_id).name
    return ReplyQuestion(representative=name, answer=chosen, answered=recorded)


def record_reply(
    session: Session, settings: Settings, token: str, answer: str, *, now: datetime
) -> ReplyQuestion:
    """The confirming button: the answer is recorded once; a second one is refused."""
    chosen = _answer(answer)
    letter_id = read_reply_token(settings.secret_key, token)
    with use_case(session):
        letter = find_letter(session, letter_id)
        survey = session.exec(
            select(ReplySurvey).where(ReplySurvey.letter_id == letter.id).with_for_update()
        ).first()
        if survey is None or letter.status != LetterStatus.delivered:
            raise Conflict("This letter has no question waiting.", field="token")
        if survey.answer is not None:
            raise Conflict("Your answer was recorded already; thank you.", field="token")
        survey.answer = chosen
        survey.answered_at = now
        name = recipient_of(session, letter.representative_id).name
        session.commit()
        return ReplyQuestion(representative=name, answer=chosen, answered=chosen)


def reply_counts(session: Session) -> list[ReplyCount]:
    """Per office: letters delivered and the answers about them (answers are never shown
    without the number of letters the office received)."""
    received = dict(
        session.exec(
            select(Letter.representative_id, func.count())
            .where(col(Letter.status) == LetterStatus.delivered)
            .group_by(col(Letter.representative_id))
        ).all()
    )
    answers = session.exec(
        select(Letter.representative_id, ReplySurvey.answer, func.count())
        .join(ReplySurvey, col(ReplySurvey.letter_id) == col(Letter.id))
        .where(col(ReplySurvey.answer).is_not(None))
        .group_by(col(Letter.representative_id), col(ReplySurvey.answer))
    ).all()
    by_rep: dict[str, dict[str, int]] = {}
    for rep_id, answer, count in answers:
        by_rep.setdefault(rep_id, {a.value: 0 for a in ReplyAnswer})[str(answer)] = int(count)
    reps = session.exec(
        select(Representative).where(col(Representative.id).in_(list(received)))
    ).all()
    return [
        ReplyCount(
            representative_id=rep.id,
            representative=rep.name,
            party=rep.party,
            chamber=rep.chamber_id,
            letters_received=int(received.get(rep.id, 0)),
            answers=by_rep.get(rep.id, {a.value: 0 for a in ReplyAnswer}),
        )
        for rep in sorted(reps, key=lambda rep: rep.id)
    ]


class ReplySummary(BaseModel):
    """Supporters' answers to "did your representative reply?", each next to the number of
    letters the office (or party, or chamber) received."""

    by_representative: list[ReplyCount]
    by_party: dict[str, ReplyCount]
    by_chamber: dict[str, ReplyCount]


def reply_summary(session: Session) -> ReplySummary:
    """The console's Replies page and its JSON twin (/api/admin/tracking/replies)."""
    counts = reply_counts(session)
    return ReplySummary(
        by_representative=counts,
        by_party=totals_by(counts, "party"),
        by_chamber=totals_by(counts, "chamber"),
    )


def totals_by(counts: Sequence[ReplyCount], key: str) -> dict[str, ReplyCount]:
    """The same counts summed per party or per chamber."""
    totals: dict[str, ReplyCount] = {}
    for count in counts:
        group = getattr(count, key)
        total = totals.setdefault(
            group,
            ReplyCount(
                representative_id="",
                representative="",
                party=count.party if key == "party" else "",
                chamber=count.chamber if key == "chamber" else "",
                letters_received=0,
                answers={a.value: 0 for a in ReplyAnswer},
            ),
        )
        total.letters_received += count.letters_received
        for answer, n in count.answers.items():
            total.answers[answer] += n
    return totals

"""A campaign's settings as organisers change them: its deadline and the timezone it is
written in, when it closes to new letters, the pace of letters to each representative, the
goal and the sender. Checked together and applied to the locked row; nothing here commits."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.errors import InvalidInput, NotFound

_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")
# The settings that change when queued letters are due.
PACING_FIELDS = frozenset(
    {"deadline", "letters_per_hour", "office_hours_only", "office_hours_start", "office_hours_end"}
)


@dataclass(frozen=True, slots=True)
class CampaignSettings:
    """Every setting at once, as the form and the API send them. Dates are aware datetimes."""

    sender_name: str
    sender_email: str
    timezone: str
    deadline: datetime
    closes_at: datetime
    goal: int
    letters_per_hour: int
    office_hours_only: bool
    office_hours_start: int
    office_hours_end: int
    # Who runs the campaign, and where supporters write to them; None (or blank) for not set.
    organisation_name: str | None = None
    organisation_name_fr: str | None = None
    contact_email: str | None = None
    # Days after delivery when the supporter is asked whether the representative replied.
    reply_after_days: int = 14


def settings_of(campaign: Campaign) -> CampaignSettings:
    return CampaignSettings(
        sender_name=campaign.sender_name,
        sender_email=campaign.sender_email,
        timezone=campaign.timezone,
        deadline=campaign.deadline,
        closes_at=campaign.closes_at,
        goal=campaign.goal,
        letters_per_hour=campaign.letters_per_hour,
        office_hours_only=campaign.office_hours_only,
        office_hours_start=campaign.office_hours_start,
        office_hours_end=campaign.office_hours_end,
        organisation_name=campaign.organisation_name,
        organisation_name_fr=campaign.organisation_name_fr,
        contact_email=campaign.contact_email,
        reply_after_days=campaign.reply_after_days,
    )


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(col(Campaign.deadline))))


def lock_campaign(session: Session, slug: str) -> Campaign:
    found = session.exec(
        select(Campaign)
        .where(Campaign.slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFound("There is no campaign with that name.", field="campaign")
    return found


def local_time(value: str, timezone: str, field: str) -> datetime:
    """A date and time as an organiser types it ("2026-12-10T18:00"), in `timezone`."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("Enter a date and time like 2026-12-10T18:00.", field=field) from None
    zone = _zone(timezone)
    aware = naive if naive.tzinfo else naive.replace(tzinfo=zone)
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("Enter a date and time like 2026-12-10T18:00.", field=field) from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput("Choose a timezone such as Europe/Paris.", field="timezone") from None


def check_sender(name: str, email: str) -> tuple[str, str]:
    sender_name = " ".join(name.split())
    if not 1 <= len(sender_name) <= 100:
        raise InvalidInput("Give a sender name of 1 to 100 characters.", field="sender_name")
    sender_email = email.strip()
    if len(sender_email) > 254 or not _ADDRESS.match(sender_email):
        raise InvalidInput("Enter the sender's email address.", field="sender_email")
    return sender_name, sender_email


def check(new: CampaignSettings, now: datetime) -> CampaignSettings:
    sender_name, sender_email = check_sender(new.sender_name, new.sender_email)
    _zone(new.timezone)
    if new.deadline <= now:
        raise InvalidInput("The deadline must be in the future.", field="deadline")
    if new.closes_at > new.deadline:
        raise InvalidInput("The campaign must close by its deadline.", field="closes_at")
    if not 0 <= new.goal <= 10_000_000:
        raise InvalidInput("The goal is a number of letters, 0 or more.", field="goal")
    if not 1 <= new.letters_per_hour <= 3600:
        raise InvalidInput("Letters per hour: between 1 and 3600.", field="letters_per_hour")
    if not 0 <= new.office_hours_start < new.office_hours_end <= 24:
        raise InvalidInput(
            "Office hours: the start must come before the end, within 0 to 24.",
            field="office_hours_start",
        )
    if not 1 <= new.reply_after_days <= 90:
        raise InvalidInput(
            "Ask about replies between 1 and 90 days after delivery.", field="reply_after_days"
        )
    return CampaignSettings(
        **{
            **asdict(new),
            "sender_name": sender_name,
            "sender_email": sender_email,
            **_who_runs_it(new),
        }
    )


def _who_runs_it(new: CampaignSettings) -> dict[str, str | None]:
    """The organisation's names and the contact address, checked; blank means not set."""
    names: dict[str, str | None] = {}
    for field in ("organisation_name", "organisation_name_fr"):
        name = " ".join((getattr(new, field) or "").split())
        if len(name) > 120:
            raise InvalidInput(
                "Give the organisation's name in at most 120 characters.", field=field
            )
        names[field] = name or None
    contact = (new.contact_email or "").strip()
    if contact and (len(contact) > 254 or not _ADDRESS.match(contact)):
        raise InvalidInput(
            "Enter the address supporters can write to, or leave it empty.", field="contact_email"
        )
    return {**names, "contact_email": contact or None}


def _check_follow_up(settings: CampaignSettings, now: datetime) -> None:
    """A new follow-up delay must let a letter delivered today be asked about before the
    deadline; later, the question is brought forward anyway (letters.replies), so a longer
    delay would mean nothing."""
    if now + timedelta(days=settings.reply_after_days) > settings.deadline:
        raise InvalidInput(
            "The follow-up would come after the deadline: choose fewer days.",
            field="reply_after_days",
        )


def apply(
    session: Session, campaign: Campaign, new: CampaignSettings, now: datetime
) -> dict[str, tuple[object, object]]:
    """Write the checked settings to the locked row; returns what changed (before, after)."""
    checked = check(new, now)
    before = asdict(settings_of(campaign))
    changes = {
        name: (before[name], value)
        for name, value in asdict(checked).items()
        if before[name] != value
    }
    if "reply_after_days" in changes:
        _check_follow_up(checked, now)
    for name, (_old, value) in changes.items():
        setattr(campaign, name, value)
    if changes:
        # A new revision: the catalogue's cached views of the campaign are read again.
        campaign.updated_at = max(now, campaign.updated_at + timedelta(microseconds=1))
        session.add(campaign)
        session.flush()
    return changes


def set_test_mode(
    session: Session, campaign: Campaign, recipient: str | None, now: datetime
) -> bool:
    """Turn test mode on (every letter to `recipient`) or off (None); False when unchanged."""
    if recipient is not None and (len(recipient) > 254 or not _ADDRESS.match(recipient)):
        raise InvalidInput(
            "Test mode sends letters to your own address; yours is not usable.",
            field="test_mode",
        )
    if campaign.test_recipient == recipient:
        return False
    campaign.test_recipient = recipient
    campaign.updated_at = max(now, campaign.updated_at + timedelta(microseconds=1))
    session.add(campaign)
    session.flush()
    return True

"""Mail still deferred longer than the threshold flags its receiving domain (the query the
dashboard uses); mail deferred more recently, or delivered since, does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from service.config import Settings
from service.delivery.models import transition
from service.delivery.schemas import Address
from service.delivery.states import OutboxState
from service.tracking.addresses import deferred_domains
from tests.tracking.conftest import sent_row


def test_domains_with_mail_deferred_too_long(session: Session, settings: Settings) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(hours=settings.tracking.deferred_alert_hours + 1)
    old = sent_row(session, 1, to=_address("slow.example"))
    transition(session, old, OutboxState.deferred, now=long_ago, actor="tracking")
    recent = sent_row(session, 2, to=_address("quick.example"))
    transition(session, recent, OutboxState.deferred, now=now, actor="tracking")
    settled = sent_row(session, 3, to=_address("slow.example"))
    transition(session, settled, OutboxState.deferred, now=long_ago, actor="tracking")
    transition(session, settled, OutboxState.delivered, now=long_ago, actor="tracking")
    session.flush()
    [flag] = deferred_domains(session, settings.tracking, now=now)
    assert (flag.domain, flag.deferred) == ("slow.example", 1)


def _address(domain: str) -> Address:
    return Address(f"office@{domain}", "Office")

"""apply_import: idempotent, updates changed members, vacates seats, respects pauses."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from service.representatives.models import ChamberId, Representative, RepresentativeStatus
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord
from service.representatives.service import (
    apply_import,
    representatives_for,
    search_constituencies,
)

SEATS = [
    ConstituencyRecord(id="E14001063", name="Aldershot", region="England"),
    ConstituencyRecord(id="E14001064", name="Aldridge-Brownhills", region="England"),
]


def _member(
    member_id: str, seat: str, name: str, email: str | None = "x.mp@parliament.uk"
) -> RepresentativeRecord:
    return RepresentativeRecord(
        id=f"uk-{member_id}",
        constituency_id=seat,
        name=name,
        party="Independent",
        email=email,
        source="test",
        retrieved_on=date(2026, 11, 1),
    )


def test_rerunning_the_same_records_changes_nothing(session: Session) -> None:
    members = [_member("9001", "E14001063", "Ada Example"), _member("9002", "E14001064", "Bo")]
    first = apply_import(session, ChamberId.uk_commons, SEATS, members, complete=False)
    second = apply_import(session, ChamberId.uk_commons, SEATS, members, complete=False)
    assert first.created == 2
    assert not second.changed
    assert second.unchanged == 2


def test_a_new_member_vacates_the_previous_one(session: Session) -> None:
    before = representatives_for(session, ["E14001063"])[0]
    report = apply_import(
        session,
        ChamberId.uk_commons,
        SEATS[:1],
        [_member("9001", "E14001063", "Ada")],
        complete=False,
    )
    assert report.vacated == 1
    previous = session.get(Representative, before.id)
    assert previous is not None and previous.status == RepresentativeStatus.vacant
    assert representatives_for(session, ["E14001063"])[0].id == "uk-9001"


def test_a_complete_import_vacates_vanished_seats(session: Session) -> None:
    report = apply_import(
        session, ChamberId.uk_commons, SEATS, [_member("9001", "E14001063", "Ada")], complete=True
    )
    # Every other sitting MP in the chamber is gone from this (tiny) complete list.
    sitting = session.exec(
        select(Representative).where(
            Representative.chamber_id == ChamberId.uk_commons,
            Representative.status == RepresentativeStatus.active,
        )
    ).all()
    assert [rep.id for rep in sitting] == ["uk-9001"]
    assert report.vacated >= 649
    vacant_seat = representatives_for(session, ["E14001064"])[0]
    assert vacant_seat.can_write is False


def test_changed_details_update_the_member(session: Session) -> None:
    apply_import(
        session, ChamberId.uk_commons, SEATS, [_member("9001", "E14001063", "Ada")], complete=False
    )
    report = apply_import(
        session,
        ChamberId.uk_commons,
        SEATS,
        [_member("9001", "E14001063", "Ada", email="ada.new@parliament.uk")],
        complete=False,
    )
    assert report.updated == 1
    rep = session.get(Representative, "uk-9001")
    assert rep is not None and rep.email == "ada.new@parliament.uk"


def test_a_paused_member_stays_paused_when_unchanged(session: Session) -> None:
    apply_import(
        session, ChamberId.uk_commons, SEATS, [_member("9001", "E14001063", "Ada")], complete=False
    )
    rep = session.get(Representative, "uk-9001")
    assert rep is not None
    rep.status = RepresentativeStatus.paused
    session.add(rep)
    session.flush()
    apply_import(
        session, ChamberId.uk_commons, SEATS, [_member("9001", "E14001063", "Ada")], complete=False
    )
    session.refresh(rep)
    assert rep.status == RepresentativeStatus.paused
    assert representatives_for(session, ["E14001063"])[0].can_write is False


def test_no_email_means_cannot_be_written_to(session: Session) -> None:
    apply_import(
        session,
        ChamberId.uk_commons,
        SEATS,
        [_member("9001", "E14001063", "Ada", email=None)],
        complete=False,
    )
    assert representatives_for(session, ["E14001063"])[0].can_write is False


def test_search_matches_constituency_and_member_names(session: Session) -> None:
    by_seat = search_constituencies(session, ChamberId.uk_commons, "aldershot")
    assert by_seat[0].constituency.id == "E14001063"
    member = by_seat[0].name
    by_member = search_constituencies(session, ChamberId.uk_commons, member.upper())
    assert "E14001063" in [rep.constituency.id for rep in by_member]


def test_search_ignores_accents_and_punctuation(session: Session) -> None:
    results = search_constituencies(session, ChamberId.uk_commons, "Ynys Môn")
    assert [rep.constituency.name for rep in results] == ["Ynys Môn"]
    assert search_constituencies(session, ChamberId.uk_commons, "%_'; --") == []

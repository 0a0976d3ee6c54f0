"""The CSV exports: aggregates equal to direct counts, quoting that survives commas, quotes
and line breaks, no cell a spreadsheet would run as a formula, the letters file only for the
export permission and on the audit log, and a large export streamed in bounded memory."""

from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.audit import Actor
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.letters.models import Letter
from service.letters.states import LetterStatus
from service.web import exports
from service.web.csv_stream import cell, csv_chunks
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import BATH, BATH_MP
from tests.web.console.conftest import SignedInBrowser
from tests.web.console.letter_rows import add_letters

S = LetterStatus
TRICKY = 'Line one, with "quotes"\nline two'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _headers(session: Session, make_person: MakePerson, role: Role) -> dict[str, str]:
    token = credentials.create_token(session, make_person(role).actor(), "export", NOW)[1]
    return {"authorization": f"Bearer {token}"}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        (-2, "-2"),  # a number we counted is no formula
        (None, ""),
        (True, "true"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value: object, written: str) -> None:
    assert cell(value) == written


def test_chunks_hold_every_row_once() -> None:
    rows = [(n, f"row {n}") for n in range(1234)]
    text = "".join(csv_chunks(("n", "label"), rows))
    parsed = list(csv.reader(io.StringIO(text)))
    assert (
        parsed[0] == ["n", "label"] and len(parsed) == 1235 and parsed[-1] == ["1233", "row 1233"]
    )


@pytest.fixture
def letters(session: Session, campaign: Campaign) -> Campaign:
    assert campaign.id is not None
    add_letters(session, campaign.id, [(BATH_MP, S.delivered)] * 3 + [(BATH_MP, S.held)])
    add_letters(session, campaign.id, [(BATH_MP, S.sent)], name=FORMULA, message=TRICKY)
    return campaign


def test_aggregates_equal_direct_counts(
    client: TestClient, session: Session, make_person: MakePerson, letters: Campaign
) -> None:
    headers = _headers(session, make_person, Role.staff)
    answer = client.get(
        "/api/admin/exports/representatives.csv?campaign=calais-border", headers=headers
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = {r["representative_id"]: r for r in _rows(answer.text)}
    direct = session.exec(
        select(func.count()).select_from(Letter).where(Letter.representative_id == BATH_MP)
    ).one()
    bath = rows[BATH_MP]
    assert int(bath["letters"]) == direct == 5
    assert (bath["sent"], bath["delivered"], bath["status_held"]) == ("4", "3", "1")
    assert sum(int(r["letters"]) for r in rows.values()) == 5
    seats = _rows(
        client.get(
            "/api/admin/exports/constituencies.csv?campaign=calais-border", headers=headers
        ).text
    )
    assert len(seats) == 650 + 577
    [seat] = [r for r in seats if r["constituency_id"] == BATH]
    assert (seat["letters"], seat["sent"], seat["representative_id"]) == ("5", "4", BATH_MP)
    days = _rows(
        client.get("/api/admin/exports/days.csv?campaign=calais-border", headers=headers).text
    )
    assert sum(int(d["written"]) for d in days) == 5


def test_letters_need_the_export_permission_and_are_audited(
    client: TestClient, session: Session, make_person: MakePerson, letters: Campaign
) -> None:
    url = "/api/admin/exports/letters.csv?campaign=calais-border"
    for role in (Role.staff, Role.organiser):
        refused = client.get(url, headers=_headers(session, make_person, role))
        assert refused.status_code == 403
    assert not session.exec(select(AuditEntry).where(AuditEntry.action == "letters.exported")).all()
    answer = client.get(url, headers=_headers(session, make_person, Role.admin))
    assert answer.status_code == 200
    rows = _rows(answer.text)
    assert len(rows) == 5
    [odd] = [r for r in rows if r["status"] == "sent"]
    assert odd["name"] == "'" + FORMULA and odd["message"] == TRICKY
    assert odd["constituency_id"] == BATH
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "letters.exported")).all()
    assert entry.target == "campaign:calais-border"
    missing = client.get(
        "/api/admin/exports/letters.csv?campaign=nope",
        headers=_headers(session, make_person, Role.admin),
    )
    assert missing.status_code == 404
    no_campaign = client.get(
        "/api/admin/exports/letters.csv", headers=_headers(session, make_person, Role.admin)
    )
    assert no_campaign.status_code == 422 and no_campaign.json()["field"] == "campaign"


def test_the_console_page_lists_the_files_each_role_may_have(
    client: TestClient, signed_in_as: SignedInBrowser, letters: Campaign, session: Session
) -> None:
    signed_in_as(Role.staff)
    page = client.get("/console/exports")
    assert page.status_code == 200
    assert "/console/exports/representatives.csv?campaign=calais-border" in page.text
    assert "letters.csv" not in page.text
    got = client.get("/console/exports/constituencies.csv?campaign=calais-border")
    assert got.status_code == 200 and got.text.startswith("constituency_id,")
    assert client.get("/console/exports/letters.csv?campaign=calais-border").status_code == 403
    client.cookies.clear()
    signed_in_as(Role.admin)
    page = client.get("/console/exports?lang=fr")
    assert "/console/exports/letters.csv?campaign=calais-border" in page.text
    letters_file = client.get("/console/exports/letters.csv?campaign=calais-border")
    assert letters_file.status_code == 200 and len(_rows(letters_file.text)) == 5
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "letters.exported")).all()


def _streamed_peak(session: Session, campaign: Campaign) -> tuple[int, int, int]:
    """Rows, bytes, and the peak memory allocated while the export's stream is read."""
    actor = Actor(id=None, email="exporter@example.org", role=Role.admin)
    tracemalloc.start()
    try:
        size = lines = 0
        for chunk in exports.letters_csv(session, actor, campaign, NOW):
            size += len(chunk)
            lines += chunk.count("\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines - 1, size, peak


def test_a_large_export_streams_in_bounded_memory(session: Session, campaign: Campaign) -> None:
    """20,000 then 40,000 letters (6 then 12 MB of CSV): the memory the stream needs stays
    a small fraction of the file and does not grow with it, so a million rows would not sit
    in memory either."""
    assert campaign.id is not None
    step = 20_000
    add_letters(session, campaign.id, [(BATH_MP, S.queued)] * step, message="x" * 200)
    rows, size, peak = _streamed_peak(session, campaign)
    add_letters(session, campaign.id, [(BATH_MP, S.queued)] * step, message="y" * 200)
    rows_2, size_2, peak_2 = _streamed_peak(session, campaign)
    print(
        f"\n{rows:,} rows: {size / 1e6:.1f} MB streamed, peak {peak / 1e6:.2f} MB; "
        f"{rows_2:,} rows: {size_2 / 1e6:.1f} MB, peak {peak_2 / 1e6:.2f} MB"
    )
    assert (rows, rows_2) == (step, 2 * step)
    assert peak_2 < size_2 / 5
    assert peak_2 < peak * 1.5

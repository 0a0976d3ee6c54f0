"""Creating a campaign and editing its words and state, through the admin API and the
console's pages: every action audited, every refusal a clear 4xx naming its field, typed text
kept on a refused form, the organiser's role and the form's CSRF token required."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.clock import FakeClock
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import csrf_token, field_error, text_of, textarea_value
from tests.web.console.test_pages import _signed_in

API = "/api/admin/campaigns"
PAGES = "/console/campaigns"
DEMAND = {
    "en": {"title": "Open the harbour", "body": "Let rescue boats dock at any hour."},
    "fr": {"title": "Ouvrir le port", "body": "Laisser accoster les bateaux de secours."},
}


def _token(session: Session, make_person: MakePerson, role: Role) -> dict[str, str]:
    person = make_person(role)
    token = credentials.create_token(session, person.actor(), "campaigns", NOW)[1]
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def organiser(session: Session, make_person: MakePerson, clock: FakeClock) -> dict[str, str]:
    return _token(session, make_person, Role.organiser)


def _actions(session: Session) -> list[str]:
    entries = session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.action).startswith("campaign."))
        .order_by(col(AuditEntry.id))
    ).all()
    return [entry.action for entry in entries]


def _campaign(session: Session, slug: str) -> Campaign:
    found = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
    session.refresh(found)
    return found


def _copy(client: TestClient, headers: dict[str, str], slug: str = "calais-two") -> Any:
    response = client.post(API, json={"slug": slug, "copy_from": "calais-border"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# The admin API.


def test_the_api_creates_blank_and_copied_drafts(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    blank = client.post(
        API,
        json={"slug": "harbour", "sender_name": "Harbour Watch", "sender_email": "h@example.org"},
        headers=organiser,
    )
    assert blank.status_code == 201, blank.text
    assert blank.json()["status"] == "draft" and blank.json()["reply_after_days"] == 14
    copied = _copy(client, organiser)
    assert copied["status"] == "draft" and copied["test_mode"] is False
    demands = client.get(f"{API}/calais-two/demands", headers=organiser).json()["demands"]
    assert [d["number"] for d in demands] == [1, 2, 3, 4]
    texts = client.get(f"{API}/calais-two/texts", headers=organiser).json()
    assert texts["fr"]["title"].startswith("Calais")
    assert _actions(session) == ["campaign.created", "campaign.created"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"slug": "Bad Slug", "copy_from": "calais-border"}, 422, "slug"),
        ({"slug": "calais-border", "copy_from": "calais-border"}, 409, "slug"),
        ({"slug": "fresh", "copy_from": "nowhere"}, 422, "copy_from"),
        (
            {"slug": "fresh", "sender_name": " ", "sender_email": "a@example.org"},
            422,
            "sender_name",
        ),
        ({"slug": "fresh", "sender_name": "Fresh", "sender_email": "nope"}, 422, "sender_email"),
    ],
)
def test_the_api_refuses_a_bad_new_campaign(
    client: TestClient,
    session: Session,
    organiser: dict[str, str],
    body: dict[str, str],
    status: int,
    field: str,
) -> None:
    response = client.post(API, json=body, headers=organiser)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert _actions(session) == []


def test_the_api_edits_texts_and_refuses_oversize_ones(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    _copy(client, organiser)
    texts = client.get(f"{API}/calais-two/texts", headers=organiser).json()
    texts["fr"]["summary"] = "Un résumé réécrit."
    saved = client.put(f"{API}/calais-two/texts", json={"fr": texts["fr"]}, headers=organiser)
    assert saved.status_code == 200, saved.text
    assert saved.json()["changed"] == {"fr": ["summary"]}
    assert saved.json()["texts"]["fr"]["summary"] == "Un résumé réécrit."
    too_long = {**texts["en"], "letter_intro": "x" * 4001}
    refused = client.put(f"{API}/calais-two/texts", json={"en": too_long}, headers=organiser)
    assert refused.status_code == 422 and refused.json()["field"] == "en_letter_intro"
    assert _actions(session)[-1] == "campaign.texts_changed"


def test_the_api_adds_moves_and_retires_demands(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    _copy(client, organiser)
    added = client.post(f"{API}/calais-two/demands", json=DEMAND, headers=organiser)
    assert added.status_code == 201, added.text
    assert added.json()["demands"][-1]["fr"]["title"] == "Ouvrir le port"
    moved = client.post(f"{API}/calais-two/demands/5/move", json={"position": 1}, headers=organiser)
    assert [d["number"] for d in moved.json()["demands"]] == [5, 1, 2, 3, 4]
    out = client.post(f"{API}/calais-two/demands/5/move", json={"position": 6}, headers=organiser)
    assert out.status_code == 422 and out.json()["field"] == "position"
    retired = client.post(f"{API}/calais-two/demands/1/retire", headers=organiser)
    assert retired.json()["demands"][-1] == {**retired.json()["demands"][-1], "retired": True}
    twice = client.post(f"{API}/calais-two/demands/1/retire", headers=organiser)
    assert twice.status_code == 409 and twice.json()["field"] == "demand"
    unknown = client.post(f"{API}/calais-two/demands/42/retire", headers=organiser)
    assert unknown.status_code == 404
    half = client.post(f"{API}/calais-two/demands", json={"en": DEMAND["en"]}, headers=organiser)
    assert half.status_code == 422
    assert _actions(session)[1:] == [
        "campaign.demand_added",
        "campaign.demand_moved",
        "campaign.demand_retired",
    ]


def test_the_api_opens_and_closes_a_campaign(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    _copy(client, organiser)
    status = f"{API}/calais-two/status"
    assert client.post(status, json={"status": "closed"}, headers=organiser).status_code == 409
    opened = client.post(status, json={"status": "open"}, headers=organiser)
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert client.post(status, json={"status": "open"}, headers=organiser).status_code == 409
    assert client.post(status, json={"status": "gone"}, headers=organiser).status_code == 422
    closed = client.post(status, json={"status": "closed"}, headers=organiser)
    assert closed.json()["status"] == "closed"
    assert _actions(session)[1:] == ["campaign.opened", "campaign.closed"]
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.closed")).all()
    assert entry.target == "campaign:calais-two"
    assert entry.before == {"status": "open"} and entry.after == {"status": "closed"}


def test_the_follow_up_delay_is_a_setting(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    url = f"{API}/calais-border"
    saved = client.patch(url, json={"reply_after_days": 7}, headers=organiser)
    assert saved.status_code == 200, saved.text
    assert saved.json()["campaign"]["reply_after_days"] == 7
    assert _campaign(session, "calais-border").reply_after_days == 7
    for days in (0, 91):
        refused = client.patch(url, json={"reply_after_days": days}, headers=organiser)
        assert refused.status_code == 422 and refused.json()["field"] == "reply_after_days"
    # The deadline is 15 days on: a question 30 days after delivery would come too late.
    late = client.patch(url, json={"reply_after_days": 30}, headers=organiser)
    assert late.status_code == 422 and "after the deadline" in late.json()["message"]
    bad_zone = client.patch(url, json={"timezone": "Europe/Atlantis"}, headers=organiser)
    assert bad_zone.status_code == 422 and bad_zone.json()["field"] == "timezone"


@pytest.mark.parametrize("role", [Role.moderator, Role.staff])
def test_other_roles_cannot_edit_campaigns(
    client: TestClient, session: Session, make_person: MakePerson, clock: FakeClock, role: Role
) -> None:
    if role is Role.staff:
        person = make_person(role)
        headers = {
            "authorization": "Bearer "
            + credentials.create_token(session, person.actor(), "t", NOW)[1]
        }
    else:
        headers = _token(session, make_person, role)
    for method, url, body in [
        ("post", API, {"slug": "fresh", "copy_from": "calais-border"}),
        ("put", f"{API}/calais-border/texts", {}),
        ("post", f"{API}/calais-border/demands", DEMAND),
        ("post", f"{API}/calais-border/demands/1/move", {"position": 2}),
        ("post", f"{API}/calais-border/demands/1/retire", None),
        ("post", f"{API}/calais-border/status", {"status": "closed"}),
    ]:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (url, response.text)
    assert _actions(session) == []


# The console's pages.


@pytest.fixture
def signed_in(console: TestClient, clock: FakeClock, make_person: MakePerson) -> TestClient:
    _signed_in(console, make_person(Role.organiser), clock)
    return console


def _form(console: TestClient, url: str, **fields: str) -> Any:
    page = console.get(url)
    assert page.status_code == 200, page.text
    return {"csrf_token": csrf_token(page.text), **fields}


def test_the_console_creates_a_copy_and_keeps_a_refused_form(
    signed_in: TestClient, session: Session
) -> None:
    console = signed_in
    assert "New campaign" in text_of(console.get(PAGES).text)
    form = _form(console, f"{PAGES}/new", slug="Not Good", copy_from="calais-border")
    refused = console.post(f"{PAGES}/new", data=form)
    assert refused.status_code == 422
    assert field_error(refused.text, "slug") == (
        "Use 2 to 60 lower-case letters, digits and hyphens, like channel-rescue."
    )
    assert 'value="Not Good"' in refused.text
    taken = console.post(f"{PAGES}/new", data={**form, "slug": "calais-border"})
    assert taken.status_code == 409
    assert field_error(taken.text, "slug") == "Another campaign already has this address."
    created = console.post(
        f"{PAGES}/new", data={**form, "slug": "calais-two"}, follow_redirects=False
    )
    assert created.status_code == 303
    page = console.get(created.headers["location"])
    assert "created as a draft" in text_of(page.text)
    assert _campaign(session, "calais-two").status == "draft"


def test_the_console_edits_both_languages_side_by_side(
    signed_in: TestClient, session: Session
) -> None:
    console = signed_in
    url = f"{PAGES}/calais-border/texts"
    page = console.get(url)
    assert 'lang="fr"' in page.text and textarea_value(page.text, "fr_summary")
    fields = {
        name: textarea_value(page.text, name) or ""
        for name in [
            f"{lang}_{n}"
            for lang in ("en", "fr")
            for n in ("summary", "letter_intro", "letter_closing", "subjects")
        ]
    }
    titles = {
        "en_title": "Calais: a border that stops costing lives",
        "fr_title": "Calais : une frontière qui cesse de tuer",
        "en_sender_name": "",
        "fr_sender_name": "",
    }
    typed = "Un résumé tapé avec soin. " * 100  # over 2,000 characters
    refused = console.post(
        url, data={"csrf_token": csrf_token(page.text), **fields, **titles, "fr_summary": typed}
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "fr_summary") == "Keep this to 2,000 characters."
    assert textarea_value(refused.text, "fr_summary") == typed
    assert "Calais : une frontière qui cesse de tuer" in refused.text
    saved = console.post(
        url,
        data={"csrf_token": csrf_token(page.text), **fields, **titles, "fr_summary": "Court."},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    french = console.get("/campaigns/calais-border?lang=fr", headers={"accept": "text/html"})
    assert "Court." in text_of(french.text)


def test_the_console_adds_moves_and_retires_demands_without_javascript(
    signed_in: TestClient, session: Session
) -> None:
    console = signed_in
    url = f"{PAGES}/calais-border/demands"
    empty = console.post(url, data=_form(console, url, en_title="Only English"))
    assert empty.status_code == 422
    assert field_error(empty.text, "fr_title") == "Write this text: it cannot be empty."
    assert 'value="Only English"' in empty.text
    fields = {f"{lang}_{k}": v for lang, text in DEMAND.items() for k, v in text.items()}
    added = console.post(url, data=_form(console, url, **fields), follow_redirects=False)
    assert added.status_code == 303
    page = console.get(url)
    assert "Move demand 5 up" in page.text and "Move demand 5 down" not in page.text
    moved = console.post(
        f"{url}/5/move", data=_form(console, url, position="4"), follow_redirects=False
    )
    assert moved.status_code == 303
    out = console.post(f"{url}/5/move", data=_form(console, url, position="9"))
    assert out.status_code == 422 and "outside the list" in text_of(out.text)
    retired = console.post(f"{url}/2/retire", data=_form(console, url), follow_redirects=False)
    assert retired.status_code == 303
    twice = console.post(f"{url}/2/retire", data=_form(console, url))
    assert twice.status_code == 409 and "already retired" in text_of(twice.text)
    public = text_of(console.get("/campaigns/calais-border", headers={"accept": "text/html"}).text)
    assert public.index("Open the harbour") < public.index(DEMAND_4_TITLE)


DEMAND_4_TITLE = "Fund child protection, not only fences"


def test_the_console_opens_and_closes_and_the_public_side_follows(
    signed_in: TestClient, session: Session
) -> None:
    console = signed_in
    url = f"{PAGES}/calais-border"
    closed = console.post(
        f"{url}/status", data=_form(console, url, to="closed"), follow_redirects=False
    )
    assert closed.status_code == 303
    public = console.get("/campaigns/calais-border", headers={"accept": "text/html"})
    assert "This campaign has closed" in text_of(public.text)
    again = console.post(f"{url}/status", data=_form(console, url, to="closed"))
    assert again.status_code == 409 and "Only an open campaign can be closed." in text_of(
        again.text
    )
    bad = console.post(f"{url}/status", data=_form(console, url, to="sideways"))
    assert bad.status_code == 422
    reopened = console.post(
        f"{url}/status", data=_form(console, url, to="open"), follow_redirects=False
    )
    assert reopened.status_code == 303
    assert _campaign(session, "calais-border").status == "open"


def test_a_draft_is_hidden_from_supporters(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    _copy(client, organiser)
    assert client.get("/campaigns/calais-two", headers={"accept": "text/html"}).status_code == 404
    assert client.get("/api/campaigns/calais-two").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(signed_in: TestClient, session: Session) -> None:
    console = signed_in
    for url, data in [
        (f"{PAGES}/new", {"slug": "fresh", "copy_from": "calais-border"}),
        (f"{PAGES}/calais-border/texts", {"fr_title": "X"}),
        (f"{PAGES}/calais-border/demands", {"en_title": "X"}),
        (f"{PAGES}/calais-border/demands/1/move", {"position": "2"}),
        (f"{PAGES}/calais-border/demands/1/retire", {}),
        (f"{PAGES}/calais-border/status", {"to": "closed"}),
    ]:
        assert console.post(url, data=data).status_code == 403, url
    assert _actions(session) == []


def test_the_pages_are_for_organisers(
    console: TestClient, clock: FakeClock, make_person: MakePerson
) -> None:
    _signed_in(console, make_person(Role.moderator), clock)
    for url in (f"{PAGES}/new", f"{PAGES}/calais-border/texts", f"{PAGES}/calais-border/demands"):
        assert console.get(url).status_code == 403, url


def test_the_pages_speak_french(signed_in: TestClient) -> None:
    console = signed_in
    page = console.get(f"{PAGES}/calais-border/texts?lang=fr")
    assert "Textes de calais-border" in text_of(page.text)
    form = _form(console, f"{PAGES}/calais-border/demands?lang=fr", en_title="Seul")
    refused = console.post(f"{PAGES}/calais-border/demands?lang=fr", data=form)
    assert (
        field_error(refused.text, "fr_title") == "Écrivez ce texte\u00a0: il ne peut pas être vide."
    )


def test_the_settings_form_sets_the_follow_up_delay(
    signed_in: TestClient, session: Session
) -> None:
    console = signed_in
    url = f"{PAGES}/calais-border"
    page = console.get(url)
    assert 'name="reply_after_days" type="text" value="14"' in page.text
    form = {
        "csrf_token": csrf_token(page.text),
        "timezone": "Europe/Paris",
        "deadline": "2026-12-18T09:00",
        "closes_at": "2026-12-14T23:59",
        "letters_per_hour": "30",
        "office_hours_only": "",
        "office_hours_start": "9",
        "office_hours_end": "18",
        "goal": "5000",
        "sender_name": "Calais Border Letters",
        "sender_email": "letters@example.org",
        "action": "save",
    }
    refused = console.post(url, data={**form, "reply_after_days": "40"})
    assert refused.status_code == 422
    assert field_error(refused.text, "reply_after_days") == (
        "The follow-up would come after the deadline: choose fewer days."
    )
    assert 'value="40"' in refused.text
    saved = console.post(url, data={**form, "reply_after_days": "5"}, follow_redirects=False)
    assert saved.status_code == 303
    assert _campaign(session, "calais-border").reply_after_days == 5

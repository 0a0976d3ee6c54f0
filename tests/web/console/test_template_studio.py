"""The template studio over HTTP: drafts checked at save (422 with the reason), approval by a
second organiser for the letter (403 for one's own, 409 twice or for an older draft), restore,
diff, preview and a test to oneself; the next letter is written with the approved version and
records it; every change audited; the console pages and their API twin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.delivery.models import OutboxMessage
from service.letters.routes import get_now
from service.studio.models import TemplateVersion
from tests.accounts.conftest import NOW, MakePerson, Person
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in
from tests.web.console.test_representative_care import REP, _queued_letter, _row

URL = "/api/admin/campaigns/calais-border/templates"
MARK = "This letter was written with the studio."
LETTER = (
    "{{ salutation }}\n\n" + MARK + "\n\n{{ message }}\n\n"
    "{% for demand in demands %}{{ loop.index }}. {{ demand.title }}. {{ demand.body }}\n\n"
    "{% endfor %}{{ sign_off }}\n\n{{ supporter.name }}\n"
)


def _headers(session: Session, person: Person) -> dict[str, str]:
    token = credentials.create_token(session, person.actor(), "studio", NOW)[1]
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def organisers(session: Session, make_person: MakePerson) -> tuple[dict[str, str], ...]:
    return tuple(_headers(session, make_person(Role.organiser)) for _ in range(2))


@pytest.fixture
def on_clock(client: TestClient, clock: FakeClock) -> Iterator[None]:
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    yield
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


def _draft(client: TestClient, headers: dict[str, str], **changes: object) -> int:
    body = {"lang": "en", "body": LETTER, "subjects": ["Studio subject"], "note": "shorter"}
    response = client.post(f"{URL}/letter/versions", json={**body, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "draft"
    number: int = response.json()["version"]
    return number


def _actions(session: Session) -> list[str]:
    return [
        e.action
        for e in session.exec(select(AuditEntry).where(AuditEntry.action.startswith("template.")))
    ]


def test_a_second_organiser_approves_the_letter_and_the_next_letter_uses_it(
    client: TestClient,
    session: Session,
    organisers: tuple[dict[str, str], ...],
    on_clock: None,
) -> None:
    author, approver = organisers
    number = _draft(client, author)
    mine = client.post(f"{URL}/letter/versions/{number}/approve", headers=author)
    assert mine.status_code == 403 and mine.json()["error"] == "self_approval"
    before = _queued_letter(client, session, 1)
    assert before.template_version is None
    assert MARK not in _row(session, before).text_body

    approved = client.post(
        f"{URL}/letter/versions/{number}/approve", json={"note": "read twice"}, headers=approver
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["unchanged_languages"] == ["fr"]
    again = client.post(f"{URL}/letter/versions/{number}/approve", headers=approver)
    assert again.status_code == 409

    after = _queued_letter(client, session, 2)
    assert after.template_version == number
    row = _row(session, after)
    assert MARK in row.text_body and row.html_body is not None and MARK in row.html_body
    assert after.subject == "Studio subject"
    listed = client.get("/api/admin/letters?campaign=calais-border&status=queued", headers=approver)
    if listed.status_code == 200:  # organisers may not read the moderation queue
        versions = {x["id"]: x["template_version"] for x in listed.json()["letters"]}
        assert versions[after.id] == number
    assert _actions(session) == ["template.draft_saved", "template.approved"]


def test_refusals(
    client: TestClient, session: Session, organisers: tuple[dict[str, str], ...]
) -> None:
    author, approver = organisers
    bad = client.post(
        f"{URL}/letter/versions",
        json={"lang": "en", "body": "{{ ''.__class__ }}", "note": ""},
        headers=author,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "body"
    unknown = client.post(
        f"{URL}/letter/versions", json={"lang": "en", "body": "{{ x }}"}, headers=author
    )
    assert "Unknown variable" in unknown.json()["message"]
    assert (
        client.post(
            f"{URL}/letter/versions", json={"lang": "de", "body": "x"}, headers=author
        ).status_code
        == 422
    )
    assert client.get(f"{URL}/nothing/versions", headers=author).status_code == 404
    assert client.get(f"{URL}/letter/versions/99", headers=author).status_code == 404
    assert client.post(f"{URL}/letter/versions/99/approve", headers=approver).status_code == 404
    assert (
        client.get(
            "/api/admin/campaigns/nope/templates/letter/versions", headers=author
        ).status_code
        == 404
    )
    older = _draft(client, author)
    newer = _draft(client, author)
    assert (
        client.post(f"{URL}/letter/versions/{newer}/approve", headers=approver).status_code == 200
    )
    late = client.post(f"{URL}/letter/versions/{older}/approve", headers=approver)
    assert late.status_code == 409 and late.json()["error"] == "superseded"
    assert client.get(f"{URL}/letter/versions").status_code == 401


@pytest.mark.parametrize("role", [Role.moderator, Role.staff])
def test_only_organisers_edit_templates(
    client: TestClient, session: Session, make_person: MakePerson, role: Role
) -> None:
    headers = _headers(session, make_person(role))
    assert client.get(f"{URL}/letter/versions", headers=headers).status_code == 403
    denied = client.post(
        f"{URL}/confirm/versions", json={"lang": "en", "body": "x"}, headers=headers
    )
    assert denied.status_code == 403


def test_supporter_mails_need_no_second_person(
    client: TestClient, organisers: tuple[dict[str, str], ...]
) -> None:
    author, _ = organisers
    saved = client.post(
        f"{URL}/confirm/versions",
        json={"lang": "fr", "body": "Bonjour {{ supporter_name }} : {{ confirm_url }}"},
        headers=author,
    )
    assert saved.status_code == 201
    number = saved.json()["version"]
    approved = client.post(f"{URL}/confirm/versions/{number}/approve", headers=author)
    assert approved.status_code == 200
    assert approved.json()["unchanged_languages"] == ["en"]
    listed = client.get(f"{URL}/confirm/versions", headers=author).json()
    assert listed["current"] == {"fr": number}
    assert listed["warnings"] == [{"lang": "en", "since_version": number}]
    assert "confirm_url" in listed["variables"]


def test_restore_diff_preview_and_a_test_to_me(
    client: TestClient,
    session: Session,
    make_person: MakePerson,
    organisers: tuple[dict[str, str], ...],
) -> None:
    author, approver = organisers
    first = _draft(client, author)
    second = _draft(client, author, body=LETTER.replace(MARK, "A second wording."))
    diff = client.get(f"{URL}/letter/diff?old={first}&new={second}", headers=author).json()
    kinds = {(x["kind"], x["text"]) for x in diff["lines"]}
    assert ("removed", MARK) in kinds and ("added", "A second wording.") in kinds

    restored = client.post(f"{URL}/letter/versions/{first}/restore", headers=author)
    assert restored.status_code == 201
    again = client.get(f"{URL}/letter/versions/{restored.json()['version']}", headers=author)
    assert again.json()["body"] == LETTER and again.json()["restored_from"] == first

    shown = client.get(
        f"{URL}/letter/versions/{first}/preview?representative_id={REP}", headers=author
    )
    assert shown.status_code == 200, shown.text
    emails = {e["lang"]: e for e in shown.json()}
    assert set(emails) == {"en", "fr"}
    assert MARK in emails["en"]["text"] and MARK not in (emails["fr"]["text"] or "")
    assert emails["en"]["reply_to"] == '"Sam Sample" <sam.sample@example.org>'
    assert "Sam Sample via" in emails["en"]["sender"] and "<" in emails["en"]["to"]
    assert emails["en"]["html"].startswith("<!DOCTYPE html>")

    person = make_person(Role.organiser, email="tester@example.org")
    mine = _headers(session, person)
    sent = client.post(
        f"{URL}/letter/versions/{first}/test", json={"representative_id": REP}, headers=mine
    )
    assert sent.status_code == 202
    [row] = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == "tester@example.org")
    )
    assert row.subject.startswith("[TEST] ") and MARK in row.text_body
    assert "template.test_sent" in _actions(session)
    unknown = client.post(
        f"{URL}/letter/versions/{first}/test", json={"representative_id": "x"}, headers=mine
    )
    assert unknown.status_code == 422


def _browser(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url="https://testserver", headers={"accept": "text/html"})


def test_the_console_pages(
    client: TestClient,
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
) -> None:
    author = make_person(Role.organiser)
    _signed_in(console, author, clock)
    assert "calais-border" in console.get("/console/templates").text
    listing = console.get("/console/templates/calais-border")
    assert listing.status_code == 200 and "built-in" in text_of(listing.text)
    page = console.get("/console/templates/calais-border/letter")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Variables you can use" in text and "The supporter's own paragraph" in text
    assert "{% include" in page.text  # the editor starts from the built-in letter
    form = {
        "csrf_token": csrf_token(page.text),
        "language": "en",
        "body": "{{ salutation }} {{ nobody }}",
        "html": "",
        "subjects": "One\nTwo",
        "note": "",
    }
    bad = console.post("/console/templates/calais-border/letter", data=form)
    assert bad.status_code == 422 and "Unknown variable" in text_of(bad.text)
    assert "{{ nobody }}" in bad.text  # what was typed is kept
    saved = console.post(
        "/console/templates/calais-border/letter",
        data={**form, "body": LETTER},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    [version] = session.exec(select(TemplateVersion))
    assert version.subjects == ["One", "Two"]
    editor = console.get(saved.headers["location"])
    assert "The draft is saved" in text_of(editor.text)
    assert f"by {author.account.email}" in text_of(editor.text)  # who wrote the draft
    own = console.post(
        f"/console/templates/calais-border/letter/versions/{version.number}/approve",
        data={"csrf_token": csrf_token(editor.text), "note": ""},
    )
    assert own.status_code == 403 and "Another organiser must approve" in text_of(own.text)

    other = _browser(client)
    _signed_in(other, make_person(Role.organiser), clock)
    page = other.get("/console/templates/calais-border/letter")
    done = other.post(
        f"/console/templates/calais-border/letter/versions/{version.number}/approve",
        data={"csrf_token": csrf_token(page.text), "note": "fine"},
    )
    assert done.status_code == 200
    assert "The version is approved" in text_of(done.text)
    assert "the French version did not" in text_of(done.text)

    restored = other.post(
        f"/console/templates/calais-border/letter/versions/{version.number}/restore",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert "restored as a new draft" in text_of(restored.text)
    diff = other.get(
        "/console/templates/calais-border/letter/diff"
        f"?old={version.number}&new={version.number + 1}"
    )
    assert diff.status_code == 200 and "The two versions are the same." in text_of(diff.text)

    base = f"/console/templates/calais-border/letter/versions/{version.number}"
    search = other.get(base + "?q=Byrne")
    assert "Liam Byrne" in text_of(search.text)
    preview = other.get(base + f"?representative_id={REP}")
    assert MARK in preview.text and "Reply-To" in text_of(preview.text)
    sent = other.post(
        base + "/test",
        data={"csrf_token": csrf_token(preview.text), "representative_id": REP},
    )
    assert "A test email is on its way" in text_of(sent.text)
    french = other.get("/console/templates/calais-border/letter?lang=fr")
    assert "Variables utilisables" in text_of(french.text)


# The supporter emails added to the studio, each with a line its preview must show.
NEW_EMAILS = {
    "bounced": "Your letter to Liam Byrne did not arrive",
    "written_before": "You have already written to Liam Byrne",
    "rejected": "Your letter to Liam Byrne will not be sent",
    "returned": "Your letter to Liam Byrne: please make it your own",
}


@pytest.mark.parametrize(("name", "built_in_subject"), NEW_EMAILS.items())
def test_each_supporter_email_is_saved_approved_previewed_and_tested(
    client: TestClient,
    session: Session,
    make_person: MakePerson,
    name: str,
    built_in_subject: str,
) -> None:
    person = make_person(Role.organiser, email="tester@example.org")
    mine = _headers(session, person)
    listed = client.get(f"{URL}/{name}/versions", headers=mine)
    assert listed.status_code == 200 and listed.json()["current"] == {}
    assert ("reason" in listed.json()["variables"]) == (name in ("rejected", "returned"))
    # Without a subject line: the built-in subject (the API as it was).
    plain = client.post(
        f"{URL}/{name}/versions",
        json={"lang": "en", "body": "Plain {{ supporter_name }}."},
        headers=mine,
    )
    assert plain.status_code == 201, plain.text
    shown = client.get(
        f"{URL}/{name}/versions/{plain.json()['version']}/preview?representative_id={REP}",
        headers=mine,
    ).json()
    assert {e["lang"]: e["subject"] for e in shown}["en"] == built_in_subject

    body = "Studio {{ representative_name }}.\n\n{{ status_url }}"
    subject = "Studio subject for {{ supporter_name }}"
    saved = client.post(
        f"{URL}/{name}/versions",
        json={"lang": "en", "body": body, "subjects": [subject], "note": "ours"},
        headers=mine,
    )
    assert saved.status_code == 201, saved.text
    number = saved.json()["version"]
    got = client.get(f"{URL}/{name}/versions/{number}", headers=mine).json()
    assert got["subjects"] == [subject]
    approved = client.post(f"{URL}/{name}/versions/{number}/approve", headers=mine)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    shown = client.get(
        f"{URL}/{name}/versions/{number}/preview?representative_id={REP}", headers=mine
    ).json()
    emails = {e["lang"]: e for e in shown}
    assert emails["en"]["subject"] == "Studio subject for Sam Sample"
    assert emails["en"]["text"].startswith("Studio Liam Byrne.")
    assert emails["en"]["html"].startswith("<!DOCTYPE html>")
    assert emails["fr"]["subject"] != emails["en"]["subject"]  # the French built-in

    sent = client.post(
        f"{URL}/{name}/versions/{number}/test", json={"representative_id": REP}, headers=mine
    )
    assert sent.status_code == 202
    [row] = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == "tester@example.org")
    )
    assert row.subject == "[TEST] Studio subject for Sam Sample"


def test_the_previews_fill_in_what_each_email_says(
    client: TestClient, organisers: tuple[dict[str, str], ...]
) -> None:
    author, _ = organisers
    for name, line in (("bounced", "{{ hold_message }}"), ("rejected", "{{ reason }}")):
        saved = client.post(
            f"{URL}/{name}/versions", json={"lang": "en", "body": line}, headers=author
        )
        number = saved.json()["version"]
        shown = client.get(
            f"{URL}/{name}/versions/{number}/preview?representative_id={REP}", headers=author
        ).json()
        text = {e["lang"]: e["text"] for e in shown}["en"]
        assert text.strip(), name  # the sample explanation and the sample reason
    assert (
        "mail server refused"
        in client.get(
            f"{URL}/bounced/versions/1/preview?representative_id={REP}", headers=author
        ).json()[0]["text"]
    )


@pytest.mark.parametrize(
    ("subjects", "field"),
    [
        (["Hello\r\nBcc: someone@example.org"], "subjects"),
        (["Hello\nthere"], "subjects"),
        (["One", "Two"], "subjects"),
        (["{{ nobody }}"], "subjects"),
        (["{{ supporter_name.__class__ }}"], "subjects"),
        (["x" * 201], None),  # over the API's length: refused before the check
    ],
)
def test_bad_subject_lines_are_refused(
    client: TestClient,
    organisers: tuple[dict[str, str], ...],
    subjects: list[str],
    field: str | None,
) -> None:
    author, _ = organisers
    refused = client.post(
        f"{URL}/confirm/versions",
        json={"lang": "en", "body": "{{ confirm_url }}", "subjects": subjects},
        headers=author,
    )
    assert refused.status_code == 422, refused.text
    if field is not None:
        assert refused.json()["field"] == field
    listed = client.get(f"{URL}/confirm/versions", headers=author).json()
    assert listed["versions"] == []


def test_the_console_editor_of_a_supporter_email(
    client: TestClient, console: TestClient, clock: FakeClock, make_person: MakePerson
) -> None:
    _signed_in(console, make_person(Role.organiser), clock)
    listing = text_of(console.get("/console/templates/calais-border").text)
    for title in (
        "Notice that the letter did not arrive",
        "Email to an address that has already written",
        "Moderation: the letter will not be sent",
        "Moderation: the letter is returned to rewrite",
    ):
        assert title in listing
    page = console.get("/console/templates/calais-border/bounced")
    assert page.status_code == 200
    assert "Why the letter did not arrive" in text_of(page.text)
    # The editor starts from the built-in subject, in the studio's variables.
    assert 'value="Your letter to {{ representative_name }} did not arrive"' in page.text
    decision = console.get("/console/templates/calais-border/rejected?language=fr")
    assert "never read as a template" in text_of(decision.text)
    assert "ne sera pas envoyée" in decision.text and "{{ reason }}" in decision.text
    form = {
        "csrf_token": csrf_token(page.text),
        "language": "en",
        "body": "{{ hold_message }}",
        "html": "",
        "subjects": "Bounced\r\nBcc: someone@example.org",
        "note": "",
    }
    bad = console.post("/console/templates/calais-border/bounced", data=form)
    assert bad.status_code == 422 and "one subject line" in text_of(bad.text)
    saved = console.post(
        "/console/templates/calais-border/bounced",
        data={**form, "subjects": "Bounced: {{ representative_name }}"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    editor = console.get(saved.headers["location"])
    assert 'value="Bounced: {{ representative_name }}"' in editor.text
    version = console.get("/console/templates/calais-border/bounced/versions/1")
    assert version.status_code == 200
    assert "<h2>Subject</h2>" in version.text and "Subject lines" not in version.text
    assert "Bounced: {{ representative_name }}" in text_of(version.text)

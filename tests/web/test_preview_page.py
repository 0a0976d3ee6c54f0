"""The preview is a page of its own: the form posts, the browser is sent on to GET the
preview, so Back and reload never ask to resend a form, and the language switch is there."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.letters.drafts import LetterDraft
from tests.web.conftest import CALAIS, letter_form, text_of


def test_the_preview_is_reached_by_a_redirect_and_can_be_reloaded(web: TestClient) -> None:
    posted = web.post(f"{CALAIS}/write", data=letter_form(web), follow_redirects=False)
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith(f"{CALAIS}/preview/")
    first = web.get(location)
    again = web.get(location)  # what Back and reload do: a GET, nothing resent
    assert first.status_code == again.status_code == 200
    assert "Dear Wera Hobhouse," in text_of(again.text)
    # The language switch stays; the letter itself stays in its own language.
    assert 'hreflang="fr"' in again.text
    french = web.get(location, params={"lang": "fr"})
    assert french.status_code == 200 and '<html lang="fr">' in french.text
    assert "Dear Wera Hobhouse," in text_of(french.text)


def test_no_share_buttons_before_the_letter_is_confirmed(web: TestClient) -> None:
    preview = web.post(f"{CALAIS}/write", data=letter_form(web))
    assert 'id="share-title"' not in preview.text
    sent = web.post(f"{CALAIS}/send", data=letter_form(web))
    assert "Check your email" in text_of(sent.text)
    assert 'id="share-title"' not in sent.text


def test_another_browser_cannot_read_the_draft(web: TestClient, web_app: object) -> None:
    posted = web.post(f"{CALAIS}/write", data=letter_form(web), follow_redirects=False)
    stranger = TestClient(web_app)  # type: ignore[arg-type]
    page = stranger.get(posted.headers["location"])
    assert page.status_code == 404
    assert "Ann Example" not in page.text


def test_sending_discards_the_draft(web: TestClient, session: Session) -> None:
    posted = web.post(f"{CALAIS}/write", data=letter_form(web), follow_redirects=False)
    draft_id = posted.headers["location"].rsplit("/", 1)[-1]
    assert session.get(LetterDraft, draft_id) is not None
    sent = web.post(f"{CALAIS}/send", data=letter_form(web, draft=draft_id))
    assert sent.status_code == 200
    session.expire_all()
    assert session.exec(select(LetterDraft).where(LetterDraft.id == draft_id)).first() is None


def test_a_uk_postcode_outside_the_mps_constituency_is_pointed_out(web: TestClient) -> None:
    elsewhere = web.post(f"{CALAIS}/write", data=letter_form(web, rep="uk-5257"))
    assert elsewhere.status_code == 200
    text = text_of(elsewhere.text)
    assert "Is BA1 1AA your postcode?" in text
    assert "is not in Cities of London and Westminster" in text
    assert 'href="/campaigns/calais-border/find?country=uk&amp;postcode=BA1+1AA"' in (
        elsewhere.text
    )
    at_home = web.post(f"{CALAIS}/write", data=letter_form(web))
    assert 'id="elsewhere-title"' not in at_home.text
    unknown = web.post(f"{CALAIS}/write", data=letter_form(web, postcode="SW1A 1AA"))
    assert 'id="elsewhere-title"' not in unknown.text


def test_the_campaigns_own_paragraph_pasted_as_ones_own_is_pointed_out(web: TestClient) -> None:
    from service.campaigns.seed import TEXTS

    pasted = TEXTS["en"]["letter_intro"]
    page = web.post(f"{CALAIS}/write", data=letter_form(web, message=pasted))
    assert page.status_code == 200
    assert "Your paragraph repeats the campaign's own text" in text_of(page.text)
    own = web.post(f"{CALAIS}/write", data=letter_form(web))
    assert "repeats the campaign's own text" not in text_of(own.text)

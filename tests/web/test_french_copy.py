"""The French pages read as written by a French speaker: the corrections the journey's review
asked for, each on the page where it is read; a narrow no-break space before « : ; ? ! »;
circonscriptions written « 13ᵉ »; times written « 9 h 24 » in pages and emails alike."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.config import Settings
from tests.letters.conftest import outbox_for
from tests.web.conftest import (
    CALAIS,
    confirm_link,
    csrf_token,
    letter_form,
    sent_letter,
    text_of,
)

FR_DEPUTE = "fr-PA330008"  # Xavier Breton, Ain (1re circonscription)
# Visible text only: no tags, no scripts, entities decoded, spaces kept as they are.
_TAGS = re.compile(r"<script.*?</script>|<[^>]+>", re.S)
# A « : ; ? ! » after a letter or a plain space, where French wants a narrow no-break space.
_CRAMPED = re.compile(r"(?:\w| )[:;?!](?:\s|$)")


def _visible(page: str) -> str:
    return html.unescape(_TAGS.sub("\n", page))


def _french(web: TestClient, path: str) -> str:
    page = web.get(path + ("&" if "?" in path else "?") + "lang=fr")
    assert page.status_code in (200, 422), (path, page.status_code)
    return page.text


def test_the_corrections_are_on_their_pages(web: TestClient, session: Session) -> None:
    campaign = text_of(_french(web, CALAIS))
    assert "(au Royaume-Uni, à votre député britannique, le MP)" in campaign
    assert "ne sont envoyées qu'à" in campaign
    matched = text_of(_french(web, f"{CALAIS}/find?country=fr&postcode=01000&commune=01344"))
    assert "Ce n'est pas votre député ? Recommencer" in matched
    split = text_of(_french(web, f"{CALAIS}/find?country=fr&postcode=01000&commune=01053"))
    assert "Votre commune est répartie entre plusieurs circonscriptions" in split
    compose = text_of(_french(web, f"{CALAIS}/write?rep={FR_DEPUTE}&country=fr&postcode=01000"))
    for words in (
        "Vos coordonnées",
        "Quelques phrases personnelles",
        "J'accepte que cette lettre soit envoyée",
        "Je souhaite recevoir des nouvelles",
    ):
        assert words in compose, words
    assert "Chaque lettre" not in compose


def test_after_sending_the_pages_say_what_happens_next_in_french(
    web: TestClient, session: Session, settings: Settings
) -> None:
    web.get(CALAIS, params={"lang": "fr"})  # the language is remembered from here on
    sent = web.post(f"{CALAIS}/send", data=letter_form(web))
    assert sent.status_code == 200
    link = confirm_link(settings, sent_letter(session))
    confirm = web.get(link)
    assert "ce n'est qu'alors qu'elle sera envoyée" in text_of(confirm.text)
    confirmed = web.post(link, data={"csrf_token": csrf_token(confirm.text)})
    assert "Les lettres pèsent davantage quand elles viennent" in text_of(confirmed.text)


def test_french_times_are_written_9_h_24_in_pages_and_emails(
    web: TestClient, session: Session
) -> None:
    web.get(CALAIS, params={"lang": "fr"})
    sent = web.post(f"{CALAIS}/send", data=letter_form(web))
    status = _visible(sent.text)
    assert re.search(r"à \d{1,2} h \d{2} \(heure de Londres\)", status), status
    assert not re.search(r"\d{1,2}:\d{2}", status)
    [mail] = outbox_for(session, sent_letter(session).id)
    assert re.search(r"à \d{1,2} h \d{2}", mail.text_body)
    assert not re.search(r"\b\d{1,2}:\d{2}\b", mail.text_body)


def test_circonscriptions_are_written_with_french_ordinals(web: TestClient) -> None:
    page = _french(web, f"{CALAIS}/find?country=fr&postcode=01000&commune=01053")
    assert "Ain (1ʳᵉ\u00a0circonscription)" in page and "Ain (4ᵉ\u00a0circonscription)" in page
    assert not re.search(r"\d+r?e circonscription", page)


def test_french_punctuation_has_its_narrow_space(web: TestClient) -> None:
    for path in (
        CALAIS,
        f"{CALAIS}/find?country=fr&postcode=01000&commune=01344",
        f"{CALAIS}/find?country=fr&postcode=01000&commune=01053",
        f"{CALAIS}/find?country=fr&postcode=",
        f"{CALAIS}/write?rep={FR_DEPUTE}&country=fr&postcode=01000",
        "/privacy",
    ):
        text = _visible(_french(web, path))
        assert _CRAMPED.findall(text) == [], path

"""Letters that read as written by a person: a député addressed by their own title, the
supporter's address in the country's order and without the postcode twice, a plain
recipient line, and the campaign named in the letter's language."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from tests.web.conftest import CALAIS, letter_form, text_of

DEPUTEE = "fr-PA227089"  # Valérie Létard, Nord (21e circonscription): "Mme" in the data
CALAIS_DEPUTE = "fr-PA841613"  # Marc de Fleurian, Pas-de-Calais (7e circonscription): "M."


def _letter(web: TestClient, rep: str, **changes: str) -> str:
    form = letter_form(web, rep=rep, country="fr", **changes)
    page = web.post(f"{CALAIS}/write", data=form)
    assert page.status_code == 200, text_of(page.text)[:2000]
    return page.text


def _body(page: str) -> str:
    start = page.index('<pre class="letter__body"')
    return html.unescape(page[page.index(">", start) + 1 : page.index("</pre>", start)])


def test_a_deputee_is_addressed_as_madame_la_deputee(web: TestClient) -> None:
    body = _body(_letter(web, DEPUTEE, postcode="59300", address="2 rue de Famars, Valenciennes"))
    assert body.startswith("Madame la Députée,\n")
    assert "Je vous prie d'agréer, Madame la Députée, l'expression" in body
    assert "Monsieur le Député" not in body


def test_a_depute_is_addressed_as_monsieur_le_depute(web: TestClient) -> None:
    body = _body(_letter(web, CALAIS_DEPUTE, postcode="62100", address="8 rue Royale, Calais"))
    assert body.startswith("Monsieur le Député,\n")
    assert "Je vous prie d'agréer, Monsieur le Député, l'expression" in body
    assert "Madame la Députée" not in body


def test_a_french_address_is_signed_in_french_order(web: TestClient) -> None:
    page = _letter(web, CALAIS_DEPUTE, postcode="62100", address="8 rue Royale, Calais")
    assert "Ann Example\n8 rue Royale\n62100 Calais\n" in _body(page)
    text = text_of(page)
    # The recipient line: no brackets in brackets, the ordinal as French writes it.
    assert "Marc de Fleurian, Pas-de-Calais (7ᵉ\u00a0circonscription)" in page
    assert "((" not in text and "))" not in text
    # The campaign is named in French in a letter to a député.
    assert '"Ann Example via Campagne pour la frontière de Calais"' in text


def test_a_postcode_typed_in_the_address_is_not_printed_twice(web: TestClient) -> None:
    page = _letter(web, CALAIS_DEPUTE, postcode="62100", address="8 rue Royale, 62100 Calais")
    body = _body(page)
    assert body.count("62100") == 1
    assert "Ann Example\n8 rue Royale\n62100 Calais\n" in body

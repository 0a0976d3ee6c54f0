"""Languages: how a page's language is chosen, and the catalogues behind it (up to date with
the code, complete in French, placeholders intact)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from service.web.i18n import LOCALE_DIR, Translator, negotiate, parse_accept_language
from tests.web.conftest import CALAIS, text_of

WEB_DIR = LOCALE_DIR.parent


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("fr", "en", "en", "fr"),
        (None, "fr", "en-GB", "fr"),
        ("de", "fr", "en", "fr"),  # a language we do not serve is ignored
        (None, None, "de-DE,fr;q=0.8,en;q=0.5", "fr"),
        (None, None, "en;q=0.2, fr-CA;q=0.9", "fr"),
        (None, None, "fr;q=0, en", "en"),
        (None, None, "*", "en"),
        (None, None, "x" * 10_000, "en"),
        (None, None, "fr;q=abc", "en"),
        (None, None, None, "en"),
    ],
)
def test_negotiation(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, header) == expected


def test_accept_language_order() -> None:
    assert parse_accept_language("en-US,en;q=0.9,fr;q=0.8") == ["en", "fr"]


def test_lang_parameter_is_remembered(web: TestClient) -> None:
    first = web.get("/?lang=fr")
    assert '<html lang="fr">' in first.text
    assert "lang=fr" in first.headers["set-cookie"]
    assert '<html lang="fr">' in web.get(f"{CALAIS}/find").text
    back = web.get(f"{CALAIS}/find?lang=en")
    assert '<html lang="en">' in back.text


def test_browser_language_is_followed(web: TestClient) -> None:
    page = web.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    text = text_of(page.text)
    assert "Ce que nous demandons" in text
    assert "Calais : pour une frontière qui ne tue plus" in text  # the campaign's own French
    assert "18 décembre 2026" in text
    # The language switch names the other language in that language.
    assert f'<a href="{CALAIS}?lang=en" lang="en" hreflang="en">English</a>' in page.text


def test_every_page_message_is_in_the_template(tmp_path: Path) -> None:
    """messages.pot is what extraction makes of the code today (run the command in
    service/web/locale/babel.cfg after changing any page text)."""
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "--ignore-dirs=.*",
            "-F",
            str(LOCALE_DIR / "babel.cfg"),
            "--no-location",
            "-o",
            str(fresh),
            str(WEB_DIR),
        ]
    )
    with fresh.open("rb") as new, (LOCALE_DIR / "messages.pot").open("rb") as committed:
        extracted = {m.id for m in read_po(new) if m.id}
        known = {m.id for m in read_po(committed) if m.id}
    assert sorted(map(str, extracted - known)) == [], "run pybabel extract (see babel.cfg)"
    assert sorted(map(str, known - extracted)) == [], "run pybabel extract (see babel.cfg)"


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_catalogues_follow_the_template(locale: str) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as template:
        wanted = {m.id for m in read_po(template) if m.id}
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    have = {m.id for m in catalog if m.id}
    assert sorted(map(str, wanted - have)) == [], f"run pybabel update for {locale}"
    problems = [(str(m.id), errors) for m, errors in catalog.check() if errors]
    assert problems == []


def test_french_is_complete() -> None:
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    untranslated = [
        str(m.id)
        for m in catalog
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


def test_translator_formats_and_pluralises() -> None:
    fr = Translator("fr")
    assert fr.gettext("Write to %(name)s", name="Ann") == "Écrire à Ann"
    assert fr.ngettext("%(num)s result", "%(num)s results", 1) == "1 résultat"
    assert fr.ngettext("%(num)s result", "%(num)s results", 3) == "3 résultats"
    assert Translator("xx").locale == "en"

"""The email templates: both languages render, HTML is escaped, and organisers' templates
run in a sandbox that refuses unsafe constructs and missing variables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.campaigns.rendering import (
    TEMPLATE_NAMES,
    TEMPLATES_DIR,
    InvalidTemplate,
    Templates,
    check_template,
    format_date,
    format_datetime,
)
from service.campaigns.schemas import CampaignView, DemandView
from service.letters.compose import Draft, Recipient, letter_context, render_letter
from service.studio.rendering import MailTemplates

NOW = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)


def _view(lang: str) -> CampaignView:
    return CampaignView(
        id=1,
        slug="test",
        lang=lang,
        title="A <test> campaign",
        summary="Summary",
        letter_intro="Opening paragraph.",
        letter_closing="Closing paragraph.",
        subjects=("Subject",),
        demands=(DemandView(1, "First", "Body one."), DemandView(2, "Second", "Body two.")),
        sender_name="Campaign",
        sender_email="letters@example.org",
        timezone="Europe/Paris",
        deadline=NOW,
        closes_at=NOW,
        goal=10,
        updated_at=NOW,
    )


def _recipient(chamber: str) -> Recipient:
    if chamber == "fr-an":
        return Recipient("fr-1", "Camille Dupont", "c@a.fr", "fr-an", "Paris 1", "Europe/Paris")
    return Recipient("uk-1", "Sam Jones", "s@p.uk", "uk-commons", "Bath", "Europe/London")


DRAFT = Draft(
    name="Jo <Smith>",
    email="jo@example.org",
    postcode="BA1 1AA",
    address="1 High St & Co",
    message="First line <b>bold</b>\nsecond line\n\nNew paragraph.",
    demands=(2,),
    subject="My subject",
)


@pytest.mark.parametrize(
    ("lang", "chamber", "salutation", "lead"),
    [
        ("en", "uk-commons", "Dear Sam Jones,", "In particular, I ask you to support this:"),
        (
            "fr",
            "fr-an",
            "Madame la Députée, Monsieur le Député,",
            "Je vous demande en particulier de soutenir la mesure suivante\u202f:",
        ),
    ],
)
def test_letters_render_in_both_languages(
    lang: str, chamber: str, salutation: str, lead: str
) -> None:
    rendered = render_letter(
        MailTemplates(Templates(lang, {})), _view(lang), _recipient(chamber), DRAFT
    )
    assert rendered.subject == "My subject"
    assert rendered.text.startswith(salutation + "\n\nOpening paragraph.")
    assert lead in rendered.text
    assert "1. Second. Body two." in rendered.text
    assert "First." not in rendered.text
    assert "Jo <Smith>\n1 High St & Co\nBA1 1AA" in rendered.text
    assert "First line <b>bold</b>\nsecond line\n\nNew paragraph." in rendered.text
    html = rendered.html
    assert f'<html lang="{lang}">' in html
    assert "First line &lt;b&gt;bold&lt;/b&gt;<br>\nsecond line" in html
    assert "<p>New paragraph.</p>" in html
    assert "Jo &lt;Smith&gt;" in html and "High St &amp; Co" in html
    assert "A &lt;test&gt; campaign" in html
    assert "<b>" not in html


def test_a_french_civility_picks_the_matching_form() -> None:
    recipient = Recipient("fr-1", "Camille Dupont", "c@a.fr", "fr-an", "P", "Europe/Paris", "Mme")
    context = letter_context(_view("fr"), recipient, DRAFT)
    assert context["salutation"] == "Madame la Députée,"
    assert "Madame la Députée, l'expression" in context["sign_off"]


def test_every_default_template_exists_in_both_languages() -> None:
    for lang in ("en", "fr"):
        for name in TEMPLATE_NAMES:
            assert (TEMPLATES_DIR / lang / name).is_file(), f"{lang}/{name}"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ campaign.__init__.__globals__ }}",
        "{{ message.format.__globals__ }}",
        "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ 'x' * 1000000 }}",
        "{{ 9 ** 999999 }}",
        "{% set l = [] %}{{ l.append(1) }}",
    ],
)
def test_the_sandbox_refuses_unsafe_constructs(source: str) -> None:
    with pytest.raises(InvalidTemplate):
        Templates("en", {"letter.txt.j2": source}).render("letter.txt.j2", _sample())


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(InvalidTemplate, match="undefined"):
        Templates("en", {"letter.txt.j2": "Hello {{ nobody }}"}).render("letter.txt.j2", _sample())


def test_a_syntax_error_is_reported_with_its_line() -> None:
    with pytest.raises(InvalidTemplate, match="line 2"):
        Templates("en", {"letter.txt.j2": "ok\n{% if %}"}).render("letter.txt.j2", _sample())


def test_an_override_replaces_the_default_and_can_include_the_footer() -> None:
    source = "{{ salutation }} custom\n{% include '_footer.txt.j2' %}"
    text = Templates("en", {"letter.txt.j2": source}).render("letter.txt.j2", _sample())
    assert text.startswith("Dear Sam Jones, custom\n--\nJo <Smith> asked")


def test_autoescape_applies_to_html_templates_only() -> None:
    overrides = {"letter.txt.j2": "{{ message }}", "letter.html.j2": "{{ message }}"}
    text, html = Templates("en", overrides).render_pair("letter", _sample())
    assert "<b>bold</b>" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_check_template_validates_before_saving() -> None:
    assert check_template("en", "letter.txt.j2", "{{ salutation }}", _sample()) == (
        "Dear Sam Jones,"
    )
    with pytest.raises(InvalidTemplate):
        check_template("en", "letter.txt.j2", "{{ ''.__class__ }}", _sample())
    with pytest.raises(InvalidTemplate):
        check_template("en", "../../etc/passwd", "x", _sample())


def test_templates_cannot_include_files_outside_their_folder(tmp_path: Path) -> None:
    source = "{% include '../../../pyproject.toml' %}"
    with pytest.raises(InvalidTemplate):
        Templates("en", {"letter.txt.j2": source}).render("letter.txt.j2", _sample())


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidTemplate):
        Templates("de", {}).render("letter.txt.j2", _sample())


def test_dates_are_written_in_each_language() -> None:
    first = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
    assert format_date(first, "en", "Europe/London") == "1 December 2026"
    assert format_date(first, "fr", "Europe/Paris") == "1er décembre 2026"
    assert format_datetime(first, "en", "Europe/London") == "1 December 2026 at 09:05"
    assert format_datetime(first, "fr", "Europe/Paris") == "1er décembre 2026 à 10 h 05"


def _sample() -> dict[str, Any]:
    return letter_context(_view("en"), _recipient("uk-commons"), DRAFT)


def test_french_times_have_no_leading_zero() -> None:
    morning = datetime(2026, 12, 3, 8, 24, tzinfo=UTC)
    assert format_datetime(morning, "fr", "Europe/Paris").endswith("à 9 h 24")
    assert format_datetime(morning, "en", "Europe/London").endswith("at 08:24")

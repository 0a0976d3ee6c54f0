"""Templates are checked when saved: syntax, the documented variables only, every demand and
the supporter's paragraph in the letter, size limits; hostile templates are refused (one test
each), and the built-in templates themselves pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.campaigns.rendering import TEMPLATES_DIR, InvalidTemplate
from service.campaigns.schemas import CampaignView, DemandView
from service.letters.compose import Draft, Recipient, letter_context
from service.studio.checks import (
    BASES,
    LETTER_VARIABLES,
    MAX_BODY,
    MAX_SUBJECTS,
    NAMES,
    SUPPORTER_VARIABLES,
    Source,
    check,
)

NOW = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
VIEW = CampaignView(
    id=1,
    slug="test",
    lang="en",
    title="A campaign",
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
GOOD_LETTER = (
    "{{ salutation }}\n\n{{ message }}\n\n"
    "{% for demand in demands %}{{ loop.index }}. {{ demand.title }}. {{ demand.body }}\n"
    "{% endfor %}\n{{ sign_off }}\n{{ supporter.name }}\n"
)


def _letter(body: str, html: str | None = None, subjects: tuple[str, ...] = ()) -> Source:
    return Source("letter", "en", body, html, subjects)


def _refused(source: Source) -> InvalidTemplate:
    with pytest.raises(InvalidTemplate) as caught:
        check(source, VIEW)
    return caught.value


def test_a_good_letter_passes() -> None:
    check(_letter(GOOD_LETTER, subjects=("One", "Two")), VIEW)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
def test_the_built_in_templates_pass(name: str, lang: str) -> None:
    base = BASES[name]
    body = (TEMPLATES_DIR / lang / f"{base}.txt.j2").read_text()
    html = (TEMPLATES_DIR / lang / f"{base}.html.j2").read_text()
    if name == "follow_up":  # the built-in HTML has an empty block for its reminder
        html = html.replace("{% block intro %}{% endblock %}", "")
    check(Source(name, lang, body, html, ()), VIEW)


def test_the_documented_letter_variables_are_what_letters_render_with() -> None:
    recipient = Recipient("uk-1", "Sam Jones", "s@p.uk", "uk-commons", "Bath", "Europe/London")
    draft = Draft("Jo", "jo@example.org", "BA1 1AA", "1 High St", "Mine.", (1,), "Subject")
    context = letter_context(VIEW, recipient, draft)
    assert set(context) == set(LETTER_VARIABLES)
    for variable, fields in LETTER_VARIABLES.items():
        value = context[variable]
        if isinstance(value, dict):
            assert set(value) == set(fields)
        elif isinstance(value, list):
            assert set(value[0]) == set(fields)


def test_syntax_errors_say_where() -> None:
    refusal = _refused(_letter("ok\n{% if %}"))
    assert refusal.field == "body" and "line 2" in refusal.message


def test_unknown_variables_are_refused() -> None:
    assert "Unknown variable 'nobody'" in _refused(_letter(GOOD_LETTER + "{{ nobody }}")).message


def test_supporter_mails_have_their_own_variables() -> None:
    check(Source("confirm", "en", "Hello {{ supporter_name }}: {{ confirm_url }}", None, ()), VIEW)
    refusal = _refused(Source("confirm", "en", "{{ salutation }}", None, ()))
    assert "Unknown variable 'salutation'" in refusal.message
    assert "confirm_url" in SUPPORTER_VARIABLES


def test_every_demand_must_be_in_the_letter() -> None:
    only_first = GOOD_LETTER.replace(
        "{% for demand in demands %}", "{% for demand in demands[:1] %}"
    )
    assert "Use fields by name" in _refused(_letter(only_first)).message
    without = "{{ salutation }}\n{{ message }}\n{{ demands[0].title }} {{ demands[0].body }}"
    assert "demand 2 is missing" in _refused(_letter(without)).message


def test_the_supporters_paragraph_must_be_in_the_letter() -> None:
    refusal = _refused(_letter(GOOD_LETTER.replace("{{ message }}", "")))
    assert "own paragraph" in refusal.message


def test_the_html_part_is_checked_too() -> None:
    refusal = _refused(_letter(GOOD_LETTER, html="<p>{{ salutation }}</p>"))
    assert refusal.field == "html"


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (_letter("x" * (MAX_BODY + 1)), "body"),
        (_letter(""), "body"),
        (_letter(GOOD_LETTER, subjects=("s",) * (MAX_SUBJECTS + 1)), "subjects"),
        (_letter(GOOD_LETTER, subjects=("two\nlines",)), "subjects"),
        (Source("confirm", "en", "{{ supporter_name }}", None, ("One", "Two")), "subjects"),
    ],
)
def test_size_limits(source: Source, field: str) -> None:
    assert _refused(source).field == field


# Hostile templates: each is refused at save (and would be harmless in the sandbox anyway).
HOSTILE = {
    "class walk": "{{ message.__class__ }}",
    "mro": "{{ message.__class__.__mro__ }}",
    "mro attribute": "{{ demands.mro }}",
    "globals": "{{ salutation.__globals__ }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "item walk": "{{ message['__class__'] }}",
    "self": "{{ self }}",
    "self block": "{% block b %}x{% endblock %}{{ self.b() }}",
    "cycler": "{{ cycler.__init__.__globals__ }}",
    "cycler call": "{{ cycler(1, 2).next() }}",
    "joiner": "{{ joiner.__init__.__globals__.os }}",
    "namespace": "{% set ns = namespace() %}{{ ns }}",
    "huge range": "{% for i in range(10**9) %}x{% endfor %}",
    "range name": "{{ range }}",
    "recursion": "{% for d in demands recursive %}{{ loop(demands) }}{% endfor %}",
    "macro recursion": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "deep nesting": "{{ " + "[" * 40 + "]" * 40 + " }}",
    "parser recursion": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "nested ifs": "{% if message %}" * 30 + "x" + "{% endif %}" * 30,
    "nested loops": "{% for a in demands %}{% for b in demands %}{% for c in demands %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "format filter": '{{ "%s"|format(message) }}',
    "format method": '{{ "{0.__class__}".format(message) }}',
    "format_map": '{{ "{x}".format_map({}) }}',
    "attr filter": "{{ message|attr('__class__') }}",
    "doubling": "{% set x = message %}{% set x = x ~ x %}{{ x }}",
    "import": '{% import "letter.txt.j2" as l %}',
    "extends": '{% extends "letter.txt.j2" %}',
    "include any file": '{% include "../../../etc/passwd" %}',
    "lipsum": "{{ lipsum(1000000) }}",
    "safe": "{{ message|safe }}",
    "join attribute": "{{ demands|join(attribute='__class__') }}",
    "replace growth": "{{ message|replace('a', message)|replace('a', message) }}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_are_refused(source: str) -> None:
    refusal = _refused(_letter(GOOD_LETTER + source))
    assert refusal.field == "body"
    assert refusal.message


def test_repetition_is_bounded_by_the_sandbox() -> None:
    refusal = _refused(_letter(GOOD_LETTER + "{{ message * 100000 }}"))
    assert "may not use" in refusal.message

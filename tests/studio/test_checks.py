"""Templates are checked when saved: syntax, the documented variables only, every demand and
the supporter's paragraph in the letter, size limits; hostile templates are refused (one test
each), and the built-in templates themselves pass. A supporter email's subject line is a
template too: one line, its email's variables, refused when hostile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.campaigns.rendering import TEMPLATES_DIR, InvalidTemplate
from service.campaigns.schemas import CampaignView, DemandView
from service.letters.compose import Draft, Recipient, letter_context
from service.letters.messages import subject_source
from service.studio.checks import (
    BASES,
    LETTER_VARIABLES,
    MAX_BODY,
    MAX_RENDERED_SUBJECT,
    MAX_SUBJECT,
    MAX_SUBJECTS,
    NAMES,
    SUPPORTER_VARIABLES,
    Source,
    check,
    one_line,
    variables_of,
)
from service.studio.samples import sample_supporter_context

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


SUPPORTER_EMAILS = [name for name in NAMES if name != "letter"]


def _email(name: str, subject: str, lang: str = "en") -> Source:
    return Source(name, lang, "Hello {{ supporter_name }}", None, (subject,))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", SUPPORTER_EMAILS)
def test_the_built_in_subjects_pass_as_subject_lines(name: str, lang: str) -> None:
    check(_email(name, subject_source(BASES[name], lang), lang), VIEW)


def test_a_supporter_email_has_one_subject_line_with_its_variables() -> None:
    check(_email("confirm", "Confirm, {{ supporter_name | upper }}"), VIEW)
    check(_email("rejected", "{{ representative_name }}: {{ reason | truncate(40) }}"), VIEW)
    two = Source("notice", "en", "Hello", None, ("One", "Two"))
    assert _refused(two).message == "A supporter email has one subject line."


BAD_SUBJECTS = {
    "CR LF": "Hello\r\nBcc: someone@example.org",
    "LF": "Hello\nthere",
    "CR": "Hello\rthere",
    "line separator": "Hello\u2028there",
    "NUL": "Hello\x00",
    "too long": "x" * (MAX_SUBJECT + 1),
    "unknown variable": "Hello {{ nobody }}",
    "the letter's variables": "{{ salutation }}",
    "syntax": "Hello {{ supporter_name",
    "empty once rendered": "{{ hold_message }}",
    "class walk": "{{ supporter_name.__class__ }}",
    "globals": "{{ supporter_name.__globals__ }}",
    "self": "{{ self }}",
    "cycler": "{{ cycler.__init__.__globals__ }}",
    "namespace": "{% set ns = namespace() %}{{ ns }}",
    "range": "{% for i in range(10**9) %}x{% endfor %}",
    "format method": '{{ "{0.__class__}".format(supporter_name) }}',
    "format filter": '{{ "%s"|format(supporter_name) }}',
    "attr filter": "{{ supporter_name|attr('__class__') }}",
    "include any file": '{% include "../../../etc/passwd" %}',
    "lipsum": "{{ lipsum(1000000) }}",
    "repetition": "{{ supporter_name * 100000 }}",
}


@pytest.mark.parametrize("subject", BAD_SUBJECTS.values(), ids=BAD_SUBJECTS.keys())
def test_bad_subject_lines_are_refused(subject: str) -> None:
    refusal = _refused(_email("confirm", subject))
    assert refusal.field == "subjects" and refusal.message


@pytest.mark.parametrize("name", SUPPORTER_EMAILS)
def test_each_email_documents_what_its_context_holds(name: str) -> None:
    documented = set(variables_of(name))
    assert documented <= set(sample_supporter_context(VIEW))
    assert ("reason" in documented) == (name in ("rejected", "returned"))
    # A letter confirmed already has no confirmation link to give.
    assert ("confirm_url" in documented) == (name in ("confirm", "reminder", "notice", "follow_up"))


def test_the_reason_is_only_for_the_decision_emails() -> None:
    refusal = _refused(Source("confirm", "en", "{{ reason }}", None, ()))
    assert "Unknown variable 'reason'" in refusal.message
    refusal = _refused(Source("bounced", "en", "{{ confirm_url }}", None, ()))
    assert "Unknown variable 'confirm_url'" in refusal.message


def test_a_rendered_subject_is_one_line_of_bounded_length() -> None:
    assert one_line("  Dear\r\nAlex,\n\nhello\u2028there ") == "Dear Alex, hello there"
    long = one_line("word " * 200)
    assert len(long) == MAX_RENDERED_SUBJECT and long.endswith("…")

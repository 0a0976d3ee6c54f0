"""What an organiser's template may contain, checked when it is saved rather than when a
letter is sent: Jinja2 syntax; only the documented variables and their documented fields;
no function calls, macros, blocks, imports or assignments (which is what attribute walking,
`self`, `cycler`/`joiner`/`namespace`, `range` and `.format` all need); only a short list of
filters; shallow nesting and size limits; the letter keeps every demand and the supporter's
own paragraph. A supporter email's one subject line is a template too, checked the same way,
and is one line (no CR, LF or other control character). Then a trial render in the same
sandbox (StrictUndefined) letters use.

A refusal is InvalidTemplate (a 422 with the reason) naming the field: "body", "html" or
"subjects"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

from service.campaigns.rendering import InvalidTemplate, Templates
from service.campaigns.schemas import CampaignView
from service.studio.samples import sample_letter_context, sample_supporter_context

NAMES = (
    "letter",
    "confirm",
    "reminder",
    "notice",
    "follow_up",
    "bounced",
    "written_before",
    "rejected",
    "returned",
)
# The built-in template each name replaces (templates/emails/<lang>/<base>.txt.j2, .html.j2).
BASES = {
    "letter": "letter",
    "confirm": "confirm",
    "reminder": "reminder",
    "notice": "notice",
    "follow_up": "reply",
    "bounced": "bounced",  # the provider says the letter did not arrive
    "written_before": "written_before",  # the address already wrote to this representative
    "rejected": "rejected",  # a moderator decided not to send the letter
    "returned": "returned",  # a moderator asks the supporter to rewrite it
}
# Built-in templates that say the same as another and follow its version: the follow-up's
# reminder repeats the follow-up (its text, and its subject line when the version has one).
FOLLOWERS = {"reply": ("reply_reminder",)}

MAX_BODY = 20_000
MAX_HTML = 40_000
MAX_SUBJECTS = 20
MAX_SUBJECT = 200
MAX_RENDERED_SUBJECT = 250  # a supporter email's subject once its variables are filled in
MAX_NOTE = 500
MAX_OUTPUT = 200_000
MAX_DEPTH = 12  # nested statements and expressions
MAX_LOOPS = 2  # nested for-loops

# The variables each template may use, and the fields of those that are records (the demands
# are a list of records). Their meanings are listed beside the editor (service.web).
LETTER_VARIABLES: dict[str, tuple[str, ...]] = {
    "salutation": (),
    "sign_off": (),
    "message": (),
    "campaign": ("title", "sender_name", "intro", "closing"),
    "representative": ("name", "constituency"),
    "supporter": ("name", "postcode", "address", "lines"),
    "demands": ("number", "title", "body"),
}
# What every supporter email is rendered with (letters.compose.supporter_email). The emails
# about a letter already confirmed document only what means something there: no confirmation
# link; the bounce notice's `hold_message` says why the letter did not arrive; the decision
# emails add the moderator's `reason` (free text, a value: never read as a template).
_ABOUT_THE_LETTER = (
    "supporter_name",
    "representative_name",
    "campaign_title",
    "status_url",
    "written_on",
    "deadline_on",
    "letter_subject",
    "letter_text",
)
_SUPPORTER_NAMES = (
    "supporter_name",
    "representative_name",
    "campaign_title",
    "confirm_url",
    "status_url",
    "expires_on",
    "written_on",
    "deadline_on",
    "hold_message",
    "letter_subject",
    "letter_text",
)
SUPPORTER_VARIABLES: dict[str, tuple[str, ...]] = dict.fromkeys(_SUPPORTER_NAMES, ())
BOUNCED_VARIABLES: dict[str, tuple[str, ...]] = dict.fromkeys(
    (*_ABOUT_THE_LETTER, "hold_message"), ()
)
WRITTEN_BEFORE_VARIABLES: dict[str, tuple[str, ...]] = dict.fromkeys(_ABOUT_THE_LETTER, ())
DECISION_VARIABLES: dict[str, tuple[str, ...]] = dict.fromkeys((*_ABOUT_THE_LETTER, "reason"), ())
_VARIABLES = {
    "letter": LETTER_VARIABLES,
    "bounced": BOUNCED_VARIABLES,
    "written_before": WRITTEN_BEFORE_VARIABLES,
    "rejected": DECISION_VARIABLES,
    "returned": DECISION_VARIABLES,
}
_LOOP_FIELDS = ("index", "index0", "revindex", "revindex0", "first", "last", "length")
FILTERS = frozenset(
    {
        "e",
        "escape",
        "upper",
        "lower",
        "title",
        "capitalize",
        "trim",
        "length",
        "count",
        "first",
        "last",
        "join",
        "default",
        "d",
        "truncate",
        "wordcount",
        "striptags",
        "string",
        "paragraphs",
        "nl2br",
    }
)
# The footer that says how the letter was sent may be included as it is.
INCLUDES = frozenset({"_footer.txt.j2", "_footer.html.j2"})

_PARSER = ImmutableSandboxedEnvironment()
_REFUSED_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Macro: "macros",
    nodes.CallBlock: "call blocks",
    nodes.Block: "blocks",
    nodes.Extends: "extends",
    nodes.Import: "imports",
    nodes.FromImport: "imports",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.With: "with",
    nodes.Scope: "with",
}


def variables_of(name: str) -> dict[str, tuple[str, ...]]:
    return _VARIABLES.get(name, SUPPORTER_VARIABLES)


@dataclass(frozen=True, slots=True)
class Source:
    """A template as an organiser writes it."""

    name: str
    lang: str
    body: str
    html: str | None
    subjects: tuple[str, ...]


def check(source: Source, view: CampaignView) -> None:
    """InvalidTemplate, with the reason and the field, unless `source` is safe and renders."""
    _check_sizes(source)
    for field, text in (("body", source.body), ("html", source.html)):
        if text is not None:
            _check_tree(source.name, field, text)
    if source.name != "letter":  # a supporter email's subject is a template too
        for subject in source.subjects:
            _check_tree(source.name, "subjects", subject)
    _trial(source, view)


def _refuse(message: str, field: str) -> InvalidTemplate:
    return InvalidTemplate(message, field=field)


def _check_sizes(source: Source) -> None:
    if not source.body.strip():
        raise _refuse("Write the text of the email.", "body")
    if len(source.body) > MAX_BODY:
        raise _refuse(f"Keep the text under {MAX_BODY} characters.", "body")
    if source.html is not None and len(source.html) > MAX_HTML:
        raise _refuse(f"Keep the HTML under {MAX_HTML} characters.", "html")
    if source.name != "letter" and len(source.subjects) > 1:
        raise _refuse("A supporter email has one subject line.", "subjects")
    if len(source.subjects) > MAX_SUBJECTS:
        raise _refuse(f"Give at most {MAX_SUBJECTS} subject lines.", "subjects")
    for subject in source.subjects:
        if not subject.strip() or len(subject) > MAX_SUBJECT or not _one_line(subject):
            raise _refuse(
                f"Each subject line is one line of 1 to {MAX_SUBJECT} characters.", "subjects"
            )


def _one_line(text: str) -> bool:
    """No line break of any kind (CR, LF, and the Unicode separators) nor other control
    character: a subject line is one header line."""
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def one_line(text: str) -> str:
    """A rendered subject as one header line: whitespace (line breaks a variable brought in,
    such as the letter's text) made single spaces, and kept to a mail program's length."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_RENDERED_SUBJECT else line[: MAX_RENDERED_SUBJECT - 1] + "…"


def _check_tree(name: str, field: str, text: str) -> None:
    try:
        tree = _PARSER.parse(text)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise _refuse(f"The template is not valid Jinja: {exc.message}{where}.", field) from None
    except RecursionError:
        raise _refuse("The template is nested too deeply.", field) from None
    allowed = variables_of(name)
    fields = {f for subfields in allowed.values() for f in subfields} | set(_LOOP_FIELDS)
    stored = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node, depth, loops in _walk(tree, 0, 0):
        if depth > MAX_DEPTH:
            raise _refuse("The template is nested too deeply.", field)
        if loops > MAX_LOOPS:
            raise _refuse(f"Nest at most {MAX_LOOPS} for-loops.", field)
        _check_node(node, allowed, fields, stored, field)


def _walk(node: nodes.Node, depth: int, loops: int) -> Iterator[tuple[nodes.Node, int, int]]:
    yield node, depth, loops
    inner = loops + 1 if isinstance(node, nodes.For) else loops
    for child in node.iter_child_nodes():
        yield from _walk(child, depth + 1, inner)


def _check_node(
    node: nodes.Node,
    allowed: Mapping[str, tuple[str, ...]],
    fields: set[str],
    stored: set[str],
    field: str,
) -> None:
    for kind, what in _REFUSED_STATEMENTS.items():
        if isinstance(node, kind):
            raise _refuse(f"Templates may not use {what}.", field)
    if isinstance(node, nodes.Call):
        raise _refuse("Templates may not call functions or methods.", field)
    if isinstance(node, nodes.For) and node.recursive:
        raise _refuse("Templates may not use recursive loops.", field)
    if isinstance(node, nodes.Include):
        template = node.template
        if not (isinstance(template, nodes.Const) and template.value in INCLUDES):
            raise _refuse(
                "Only the footer (_footer.txt.j2, _footer.html.j2) may be included.", field
            )
    if (
        isinstance(node, nodes.Name)
        and node.ctx == "load"
        and node.name not in allowed
        and node.name not in stored
        and node.name != "loop"
    ):
        raise _refuse(f"Unknown variable {node.name!r}: use the variables listed.", field)
    if isinstance(node, nodes.Getattr) and node.attr not in fields:
        raise _refuse(f"Unknown field {node.attr!r}: use the fields listed.", field)
    if isinstance(node, nodes.Getitem):
        key = node.arg
        if not (isinstance(key, nodes.Const) and isinstance(key.value, int)):
            raise _refuse("Use fields by name (demand.title), or a list position.", field)
    if isinstance(node, nodes.Filter | nodes.FilterBlock):
        _check_filter(node, field)


def _check_filter(node: nodes.Filter | nodes.FilterBlock, field: str) -> None:
    filters = [node] if isinstance(node, nodes.Filter) else list(node.filter.find_all(nodes.Filter))
    if isinstance(node, nodes.FilterBlock):
        filters.append(node.filter)
    for one in filters:
        if one.name not in FILTERS:
            raise _refuse(f"The filter {one.name!r} is not available in templates.", field)
        if one.kwargs or one.dyn_args or one.dyn_kwargs:
            raise _refuse("Give filters their arguments in order, without names.", field)


def _trial(source: Source, view: CampaignView) -> None:
    base = BASES[source.name]
    overrides = {f"{base}.txt.j2": source.body}
    if source.html is not None:
        overrides[f"{base}.html.j2"] = source.html
    templates = Templates(source.lang, overrides)
    letter = source.name == "letter"
    context = sample_letter_context(view, source.lang) if letter else sample_supporter_context(view)
    parts = [("body", f"{base}.txt.j2", False)]
    if source.html is not None:
        parts.append(("html", f"{base}.html.j2", True))
    for field, template, is_html in parts:
        try:
            output = templates.render(template, context)
        except InvalidTemplate as exc:
            raise _refuse(exc.message, field) from None
        except (RecursionError, MemoryError, OverflowError):
            raise _refuse("The template asks for too much work to render.", field) from None
        if len(output) > MAX_OUTPUT:
            raise _refuse("The template makes an email far too long.", field)
        if letter:
            _check_letter_keeps(output, context, field, is_html)
    if not letter:
        _trial_subject(source, context)


def _trial_subject(source: Source, context: Mapping[str, Any]) -> None:
    for subject in source.subjects:
        name = f"{BASES[source.name]}.subject.j2"  # not .html: no autoescape, plain text
        try:
            output = Templates(source.lang, {name: subject}).render(name, context)
        except InvalidTemplate as exc:
            raise _refuse(exc.message, "subjects") from None
        except (RecursionError, MemoryError, OverflowError):
            raise _refuse("The subject asks for too much work to render.", "subjects") from None
        if not one_line(output):
            raise _refuse("The subject line comes out empty.", "subjects")


def _check_letter_keeps(output: str, context: Mapping[str, Any], field: str, html: bool) -> None:
    """The letter carries what the supporter chose and wrote: every demand (its title and
    text) and their own paragraph."""
    shown = (lambda text: str(escape(text))) if html else (lambda text: text)
    for demand in context["demands"]:
        if shown(demand["title"]) not in output or shown(demand["body"]) not in output:
            raise _refuse(
                f"The letter must include every demand the supporter chose, with its title "
                f"and text (demand {demand['number']} is missing).",
                field,
            )
    if shown(context["message"]) not in output:
        raise _refuse("The letter must include the supporter's own paragraph (message).", field)

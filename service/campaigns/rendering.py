"""Email templates are data organisers edit, so they are rendered only in Jinja2's immutable
sandbox, with autoescape for HTML, StrictUndefined, and a small explicit context of plain
values (never ORM objects). Defaults live in templates/emails/<lang>/; a campaign may
override any of them by name (CampaignTemplate rows)."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from service.config import PROJECT_ROOT
from service.errors import InvalidInput

TEMPLATES_DIR = PROJECT_ROOT / "templates" / "emails"
LANGUAGES = ("en", "fr")
# Templates organisers may override, by name.
TEMPLATE_NAMES = (
    "letter.txt.j2",
    "letter.html.j2",
    "confirm.txt.j2",
    "confirm.html.j2",
    "reminder.txt.j2",
    "reminder.html.j2",
    "notice.txt.j2",
    "notice.html.j2",
    "_footer.txt.j2",
    "_footer.html.j2",
)
_MAX_REPEAT = 10_000
_MAX_POWER = 64

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


class InvalidTemplate(InvalidInput):
    """A template that does not compile, or fails to render against its context."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Refuses the arithmetic that can exhaust memory or time (`'x' * 10**9`, `9**9**9`);
    intercepting them also keeps the compiler from folding them into constants."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > _MAX_POWER:
                raise SecurityError("exponent too large")
            return operator.pow(left, right)
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(count, int)
                    and count * max(len(seq), 1) > _MAX_REPEAT
                ):
                    raise SecurityError("repetition too large")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)


@lru_cache(maxsize=64)
def _environment(root: Path, lang: str, overrides: tuple[tuple[str, str], ...]) -> _Sandbox:
    env = _Sandbox(
        loader=ChoiceLoader([DictLoader(dict(overrides)), FileSystemLoader(root / lang)]),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The default templates are part of the release and overrides come with a new
        # environment: no stat() of the template files on every render.
        auto_reload=False,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["nl2br"] = nl2br
    # No global helpers (range, cycler, joiner, namespace, lipsum, dict): templates only ever
    # need their own context, and each of those is a way to ask for more work or more reach.
    env.globals.clear()
    return env


def paragraphs(text: str) -> list[str]:
    """Split free text on blank lines (for <p> elements in HTML)."""
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def nl2br(text: str) -> Markup:
    """Escaped text with its line breaks kept as <br> (HTML parts only)."""
    # One escape of the whole text (it leaves \n alone), then plain-string line breaks.
    return Markup(str(escape(str(text))).replace("\n", "<br>\n"))


@dataclass(frozen=True)
class Templates:
    """Renders the email templates of one language, with a campaign's overrides."""

    lang: str
    overrides: Mapping[str, str]
    root: Path = TEMPLATES_DIR

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        if self.lang not in LANGUAGES:
            raise InvalidTemplate(f"No templates for language {self.lang!r}.", field="lang")
        env = _environment(self.root, self.lang, tuple(sorted(self.overrides.items())))
        try:
            return env.get_template(name).render(**context)
        except TemplateError as exc:
            raise InvalidTemplate(
                f"The {self.lang} template {name!r} cannot be rendered: {_describe(exc)}",
                field="template",
            ) from None

    def render_pair(self, base: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """The plain-text and HTML parts of `base` ("letter", "confirm", ...)."""
        return self.render(f"{base}.txt.j2", context), self.render(f"{base}.html.j2", context)


def _describe(exc: TemplateError) -> str:
    if isinstance(exc, SecurityError):
        return f"it uses something templates may not use ({exc.message})"
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"{exc.message or type(exc).__name__}{where}"


def check_template(
    lang: str, name: str, source: str, sample: Mapping[str, Any], root: Path = TEMPLATES_DIR
) -> str:
    """Compile and trial-render an organiser's template against a sample context before it is
    saved; InvalidTemplate says what is wrong."""
    if name not in TEMPLATE_NAMES:
        raise InvalidTemplate(f"Unknown template {name!r}.", field="name")
    return Templates(lang, {name: source}, root).render(name, sample)


def format_date(moment: datetime, lang: str, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    month = MONTHS.get(lang, MONTHS["en"])[local.month - 1]
    if lang == "fr":
        day = "1er" if local.day == 1 else str(local.day)
        return f"{day} {month} {local.year}"
    return f"{local.day} {month} {local.year}"


def format_datetime(moment: datetime, lang: str, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    date = format_date(moment, lang, timezone)
    if lang == "fr":
        return f"{date} à {local.hour} h {local.minute:02d}"  # French style: "9 h 24"
    return f"{date} at {local.hour:02d}:{local.minute:02d}"

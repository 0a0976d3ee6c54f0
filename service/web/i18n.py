"""Page languages: which one a request gets, and the gettext catalogues behind the templates.

The catalogues are the `.po` files under `locale/` (extracted into `locale/messages.pot` with
`pybabel extract -F service/web/locale/babel.cfg -o service/web/locale/messages.pot service`).
They are compiled in memory the first time a language is used, so a fresh clone needs no build
step and no compiled `.mo` file can drift from its `.po`.

A request's language is, in order: `?lang=` (which is then remembered in a cookie), the
cookie, the browser's Accept-Language, English. The language of a *letter* is not this: it
follows the representative's chamber.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LOCALES: tuple[str, ...] = ("en", "fr")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Accept-Language headers longer than this are ignored rather than parsed.
MAX_ACCEPT_LANGUAGE = 500


def normalise_locale(value: str | None) -> str | None:
    """'fr', 'FR', 'fr-CA', 'fr_FR' → 'fr'; anything we do not serve → None."""
    if not value or len(value) > 35:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def parse_accept_language(header: str | None) -> list[str]:
    """The languages we serve, best first, from an Accept-Language header."""
    if not header or len(header) > MAX_ACCEPT_LANGUAGE:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, raw = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(raw)
                except ValueError:
                    quality = 0.0
        locale = normalise_locale(tag)
        if locale and quality > 0:
            weighted.append((-quality, position, locale))
    ordered: list[str] = []
    for _q, _pos, locale in sorted(weighted):
        if locale not in ordered:
            ordered.append(locale)
    return ordered


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (normalise_locale(query), normalise_locale(cookie)):
        if candidate:
            return candidate
    preferred = parse_accept_language(accept_language)
    return preferred[0] if preferred else DEFAULT_LOCALE


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The catalogue of one language, compiled from its .po file on first use."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return Translations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Translator:
    """The gettext functions of one language, for Python code and for templates."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self._catalogue = translations(self.locale)

    def gettext(self, message: str, /, **variables: Any) -> str:
        text = self._catalogue.ugettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        return self._catalogue.ungettext(singular, plural, num) % variables

    def translate_known(self, message: str) -> str:
        """A message from another layer (a lookup refusal, say): translated when the catalogue
        knows it word for word, otherwise left as it came."""
        return self._catalogue.ugettext(message) if message else message

    def template_globals(self) -> dict[str, Callable[..., str]]:
        """New-style gettext callables for Jinja (the same contract as jinja2.ext.i18n)."""
        catalogue = self._catalogue

        @pass_context
        def gettext(context: Context, message: str, /, **variables: Any) -> str:
            text = catalogue.ugettext(message)
            if context.eval_ctx.autoescape:
                text = Markup(text)
            return text % variables

        @pass_context
        def ngettext(
            context: Context, singular: str, plural: str, num: int, /, **variables: Any
        ) -> str:
            variables.setdefault("num", num)
            text = catalogue.ungettext(singular, plural, num)
            if context.eval_ctx.autoescape:
                text = Markup(text)
            return text % variables

        return {"gettext": gettext, "ngettext": ngettext, "_": gettext}


def N_(message: str) -> str:  # noqa: N802  (the name gettext tools look for)
    """Marks a message for extraction where it is defined; it is translated where shown."""
    return message

"""The Jinja environment of the web pages, and the per-request page context every public page
is rendered with: its language, its CSRF token, the cookies to set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlmodel import Session

from service.config import Settings
from service.deps import SessionDep, SettingsDep
from service.web import csrf
from service.web.campaign_runner import CampaignRunner, campaign_runner
from service.web.i18n import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    LOCALES,
    Translator,
    negotiate,
    normalise_locale,
)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
# Language names are shown in their own language, so each is tagged with its own lang.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Placeholders; every render passes the catalogue of its own language.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


templates = Jinja2Templates(env=_environment())
_R = TypeVar("_R", HTMLResponse, RedirectResponse)


@dataclass
class Page:
    """What every public page needs to render in the supporter's language."""

    request: Request
    settings: Settings
    locale: str
    csrf_token: str
    new_csrf_cookie: bool = False
    remember_locale: bool = False
    # For the footer's "who runs this campaign", read only when a page shows it.
    session: Session | None = None
    t: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.t = Translator(self.locale)

    @cached_property
    def runner(self) -> CampaignRunner | None:
        """Who runs the campaign this page is about (see service.web.campaign_runner)."""
        if self.session is None:
            return None
        slug = self.request.path_params.get("slug")
        return campaign_runner(
            self.session, self.settings, slug if isinstance(slug, str) else None, self.locale
        )

    def _(self, message: str, /, **variables: Any) -> str:
        return self.t.gettext(message, **variables)

    @property
    def babel_locale(self) -> str:
        # The campaign is Franco-British: English dates are written the British way.
        return "en_GB" if self.locale == "en" else self.locale

    def format_date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.babel_locale)

    def format_number(self, value: int) -> str:
        return _number(value, self.babel_locale)

    def domain_message(self, message: str, fallback: str = "", *, detail: bool = True) -> str:
        """A sentence from a use case (written in English): translated when the catalogue
        knows it; otherwise, on a page in another language, our own `fallback` sentence,
        followed by the original (tagged as English) when `detail` is wanted."""
        translated = self.t.translate_known(message)
        if not message or translated != message or self.locale == "en":
            return translated
        if not detail:
            return self._(fallback) if fallback else ""
        if not fallback:
            return Markup('<span lang="en">{}</span>').format(message)
        return Markup('{} <span lang="en">({})</span>').format(self._(fallback), message)

    def lang_url(self, locale: str) -> str:
        """This page's own URL in another language."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        params.append(("lang", locale))
        return f"{self.request.url.path}?{urlencode(params)}"

    def render(
        self,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        language_links: bool = True,
    ) -> HTMLResponse:
        values: dict[str, Any] = {
            "page": self,
            "lang": self.locale,
            "csrf_field": csrf.FIELD_NAME,
            "csrf_token": self.csrf_token,
            "languages": [
                {"code": code, "name": LANGUAGE_NAMES[code], "url": self.lang_url(code)}
                for code in LOCALES
                if code != self.locale
            ]
            if language_links
            else [],
            "errors": {},
            **self.t.template_globals(),
            **(context or {}),
        }
        response = templates.TemplateResponse(
            self.request, template, values, status_code=status_code
        )
        return self._finish(response)

    def redirect(self, url: str, *, status_code: int = 303) -> RedirectResponse:
        return self._finish(RedirectResponse(url, status_code=status_code))

    def _finish(self, response: _R) -> _R:
        secure = self.settings.base_url.startswith("https://")
        if self.new_csrf_cookie:
            response.set_cookie(
                csrf.COOKIE_NAME,
                self.csrf_token,
                httponly=True,
                samesite="lax",
                secure=secure,
                max_age=csrf.MAX_AGE_SECONDS,
            )
        if self.remember_locale:
            response.set_cookie(
                COOKIE_NAME, self.locale, samesite="lax", secure=secure, max_age=COOKIE_MAX_AGE
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


async def get_page(request: Request, settings: SettingsDep) -> Page:
    # Async, though it awaits nothing: see service.deps.
    query_lang = request.query_params.get("lang")
    locale = negotiate(
        query_lang, request.cookies.get(COOKIE_NAME), request.headers.get("accept-language")
    )
    existing = request.cookies.get(csrf.COOKIE_NAME)
    token = existing if existing and csrf.is_valid(settings.secret_key, existing) else None
    return Page(
        request=request,
        settings=settings,
        locale=locale,
        csrf_token=token or csrf.issue(settings.secret_key),
        new_csrf_cookie=token is None,
        remember_locale=normalise_locale(query_lang) == locale,
    )


async def get_page_with_session(
    request: Request, settings: SettingsDep, session: SessionDep
) -> Page:
    """A page that can say who runs its campaign (the request's own session reads it)."""
    page = await get_page(request, settings)
    page.session = session
    return page


PageDep = Annotated[Page, Depends(get_page_with_session)]


@lru_cache(maxsize=4096)
def _number(value: int, locale: str) -> str:
    """A number written the locale's way. Cached: the control room writes some 700 per
    view, most of them small and repeated (zeros), at about 9 µs each through Babel."""
    return format_decimal(value, locale=locale)

"""A supporter erases their own data: from their letter's status page they ask for a link,
which is emailed to the address the letter was written with; the link's page asks them to
confirm, and the erasure is the same as an admin's (service.web.personal_data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.db import lock_for_write
from service.delivery import service as delivery
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, NotFound
from service.letters import guards, privacy
from service.letters.guards import Hit, TooManyRequests
from service.letters.models import Letter
from service.letters.queries import campaign_of
from service.letters.tokens import MAX_TOKEN_LENGTH, LinkExpired, read_status_token
from service.web import csrf, personal_data
from service.web.i18n import N_, Translator
from service.web.public import forms
from service.web.public.letter_routes import PostedForm
from service.web.templating import Page, PageDep

router = APIRouter(include_in_schema=False)
# At most this many erasure emails per address per day: the button cannot flood a mailbox.
EMAILS_PER_DAY = 3

_SUBJECT = N_("Erase what the campaign holds about you")
_BODY = N_(
    "You asked us to erase everything we hold about you (%(email)s): your letters, their "
    "text and your contact details. Open this link to confirm:\n\n%(url)s\n\nThe link works "
    "until %(until)s (UTC). If you did not ask for this, ignore this email: nothing changes."
)


def _now() -> datetime:
    return datetime.now(UTC)


def _form_ok(page: Page, posted: object) -> bool:
    submitted = forms.text(posted, csrf.FIELD_NAME, 200) if posted is not None else ""  # type: ignore[arg-type]
    return csrf.verify(
        page.settings.secret_key, page.request.cookies.get(csrf.COOKIE_NAME), submitted
    )


def _message(page: Page, title: str, message: str, status_code: int = 200) -> HTMLResponse:
    return page.render(
        "public/erasure.html",
        {"title": page._(title), "message": page._(message), "confirm": None},
        status_code=status_code,
    )


def _expired_form(page: Page) -> HTMLResponse:
    return _message(
        page,
        N_("This form has expired"),
        N_(
            "Go back, reload the page and try again. If this keeps happening, allow "
            "cookies for this site."
        ),
        403,
    )


@router.post("/letters/{token}/erase", response_class=HTMLResponse)
def ask_for_erasure(
    token: str, page: PageDep, session: SessionDep, settings: SettingsDep, posted: PostedForm
) -> HTMLResponse:
    if not _form_ok(page, posted):
        return _expired_form(page)
    now = _now()
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise NotFound("")
        letter = session.get(Letter, read_status_token(settings.secret_key, token))
        if letter is None:
            raise NotFound("")
        lock_for_write(session)
        if letter.email:
            hit = Hit(
                bucket="erasure-email",
                key=guards.email_key(letter.email),
                limit=EMAILS_PER_DAY,
                window=timedelta(days=1),
                message="Too many erasure emails today.",
            )
            guards.count_hit(session, secret=settings.secret_key, hit=hit, now=now)
            _send_link(session, settings.privacy.erasure_link_valid_hours, page, letter, now)
        session.commit()
    except TooManyRequests:
        session.rollback()
        return _message(
            page,
            N_("Please wait a little"),
            N_(
                "We have already sent you several erasure emails today. Use the "
                "link in one of them."
            ),
            429,
        )
    except NotFound:
        return _message(
            page, N_("This link is not valid"), N_("Check that you copied all of it."), 404
        )
    return _message(
        page, N_("Check your inbox"), N_("We have emailed you a link to confirm the erasure.")
    )


def _send_link(session: SessionDep, hours: int, page: Page, letter: Letter, now: datetime) -> None:
    settings = page.settings
    expires = now + timedelta(hours=hours)
    link = privacy.erasure_token(settings.secret_key, letter.id, expires)
    campaign = campaign_of(session, letter)
    t = Translator(letter.ui_lang)
    url = f"{settings.base_url.rstrip('/')}/privacy/erase/{link}"
    delivery.enqueue(
        session,
        OutgoingEmail(
            kind=MessageKind.notice,
            sender=Address(campaign.sender_email, campaign.sender_name),
            to=Address(letter.email, letter.name or None),
            subject=t.gettext(_SUBJECT),
            text=t.gettext(
                _BODY, email=letter.email, url=url, until=expires.strftime("%Y-%m-%d %H:%M")
            ),
            letter_id=letter.id,
        ),
        expires_at=expires,
        now=now,
    )


def _letter_of_link(page: Page, session: SessionDep, token: str) -> Letter | HTMLResponse:
    try:
        letter_id = privacy.read_erasure_token(page.settings.secret_key, token, _now())
    except LinkExpired:
        return _message(
            page, N_("This link has expired"), N_("Ask for a new one from your letter's page."), 410
        )
    except DomainError:
        return _message(
            page, N_("This link is not valid"), N_("Check that you copied all of it."), 404
        )
    letter = session.get(Letter, letter_id)
    if letter is None or not letter.email:
        return _message(
            page, N_("Nothing left to erase"), N_("We hold no personal data about you any more.")
        )
    return letter


@router.get("/privacy/erase/{token}", response_class=HTMLResponse)
def confirm_erasure(token: str, page: PageDep, session: SessionDep) -> HTMLResponse:
    letter = _letter_of_link(page, session, token)
    if isinstance(letter, HTMLResponse):
        return letter
    return page.render(
        "public/erasure.html",
        {
            "title": page._("Erase your data"),
            "message": "",
            "confirm": token,
            "email": letter.email,
        },
    )


@router.post("/privacy/erase/{token}", response_class=HTMLResponse)
def erase(
    token: str, page: PageDep, session: SessionDep, settings: SettingsDep, posted: PostedForm
) -> HTMLResponse:
    if not _form_ok(page, posted):
        return _expired_form(page)
    letter = _letter_of_link(page, session, token)
    if isinstance(letter, HTMLResponse):
        return letter
    personal_data.erase(session, settings, None, letter.email, _now())
    return _message(
        page,
        N_("Your data is erased"),
        N_("We no longer hold your name, contact details or letters. Thank you for taking part."),
    )

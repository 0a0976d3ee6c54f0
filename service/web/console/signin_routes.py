"""Signing in and out of the console, the second factor, and the emailed links (accepting
an invitation, resetting a password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.accounts import links, signin
from service.accounts.current import (
    COOKIE_PATH,
    SESSION_COOKIE,
    address_hash_of,
    client_of,
    mailer_of,
    now_of,
    session_cookie_is_secure,
)
from service.accounts.errors import SignInRefused, SignInThrottled
from service.accounts.links import LinkPurpose
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput
from service.web.console.frame import (
    SECOND_FACTOR_PATH,
    ConsolePage,
    PublicConsolePage,
    console_page,
)

router = APIRouter()
HOME = "/console/"
ENROL_PATH = "/console/account/second-factor"

SignedInPartly = Annotated[ConsolePage, console_page(Permission.own_account, partial=True)]
ShortText = Annotated[str, Form(max_length=300)]
Password = Annotated[str, Form(max_length=300)]


def _safe_next(target: str | None) -> str:
    """Only a console path of ours: never another site (an open redirect)."""
    if (
        target
        and target.startswith("/console")
        and not target.startswith("//")
        and ("\\" not in target)
    ):
        return target
    return HOME


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    cp: PublicConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    next: str = "",
    done: str = "",
) -> Response:
    existing = signin.resolve(
        session, cp.request.cookies.get(SESSION_COOKIE), settings.accounts, now_of(cp.request)
    )
    if existing is not None and existing.complete:
        return cp.redirect(_safe_next(next))
    if done == "password":
        cp.notices.append(cp._("Your password is set. Sign in with it now."))
    if done == "signed-out":
        cp.notices.append(cp._("You are signed out."))
    return cp.render("console/sign_in.html", {"next": _safe_next(next), "email": ""})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    cp: PublicConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    email: ShortText = "",
    password: Password = "",
    next: ShortText = "",
) -> Response:
    request = cp.request
    try:
        signed_in, raw = signin.sign_in(
            session,
            email,
            password,
            client_of(request),
            settings.accounts,
            settings.secret_key,
            now_of(request),
        )
    except (SignInRefused, SignInThrottled) as exc:
        response = cp.render(
            "console/sign_in.html",
            {
                "next": _safe_next(next),
                "email": email,
                "errors": {"_form": cp.page.domain_message(exc.message)},
            },
            status_code=exc.status_code,
        )
        if isinstance(exc, SignInThrottled):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    target = _safe_next(next) if signed_in.complete else SECOND_FACTOR_PATH
    redirect = cp.redirect(target)
    redirect.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=session_cookie_is_secure(settings),
        path=COOKIE_PATH,
    )
    return redirect


@router.get("/second-factor", response_class=HTMLResponse)
def second_factor_form(cp: SignedInPartly) -> Response:
    assert cp.user is not None
    if cp.user.complete:
        return cp.redirect(HOME)
    if cp.user.must_enrol:
        return cp.redirect(ENROL_PATH)
    return cp.render("console/second_factor.html")


@router.post("/second-factor", response_class=HTMLResponse)
def second_factor(
    cp: SignedInPartly, session: SessionDep, settings: SettingsDep, code: ShortText = ""
) -> Response:
    assert cp.user is not None
    if cp.user.complete:
        return cp.redirect(HOME)
    try:
        signin.second_factor(session, cp.user, code, settings.accounts, now_of(cp.request))
    except (SignInRefused, SignInThrottled) as exc:
        return cp.render(
            "console/second_factor.html",
            {"errors": {"code": cp.page.domain_message(exc.message)}},
            status_code=exc.status_code,
        )
    return cp.redirect(HOME)


@router.post("/sign-out")
def sign_out(cp: SignedInPartly, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    signin.sign_out(session, cp.user, now_of(cp.request))
    response = cp.redirect("/console/sign-in?done=signed-out")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/reset", response_class=HTMLResponse)
def reset_request_form(cp: PublicConsolePage) -> Response:
    return cp.render("console/reset_request.html", {"sent": False})


@router.post("/reset", response_class=HTMLResponse)
def reset_request(
    cp: PublicConsolePage, session: SessionDep, settings: SettingsDep, email: ShortText = ""
) -> Response:
    request = cp.request
    links.request_reset(
        session,
        email,
        mailer_of(request),
        settings.accounts,
        settings.secret_key,
        settings.base_url,
        cp.page.locale,
        now_of(request),
        address_hash=address_hash_of(request, settings),
    )
    # The same answer whether or not the address has an account.
    return cp.render("console/reset_request.html", {"sent": True})


def _link_form(
    cp: ConsolePage, purpose: LinkPurpose, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    _link, account = links.open_link(
        session, purpose, token, settings.secret_key, now_of(cp.request)
    )
    return cp.render(
        "console/choose_password.html",
        {
            "purpose": purpose.value,
            "token": token,
            "email": account.email,
            "min_length": settings.accounts.password_min_length,
        },
    )


def _link_submit(
    cp: ConsolePage,
    purpose: LinkPurpose,
    token: str,
    password: str,
    confirm: str,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    request = cp.request
    try:
        if password != confirm:
            raise InvalidInput("The two passwords are not the same.", field="confirm")
        links.set_password_from_link(
            session,
            purpose,
            token,
            password,
            settings.accounts,
            settings.secret_key,
            now_of(request),
            address_hash=address_hash_of(request, settings),
        )
    except InvalidInput as exc:
        _link, account = links.open_link(
            session, purpose, token, settings.secret_key, now_of(request)
        )
        return cp.render(
            "console/choose_password.html",
            {
                "purpose": purpose.value,
                "token": token,
                "email": account.email,
                "min_length": settings.accounts.password_min_length,
                "errors": cp.form_errors(exc),
            },
            status_code=422,
        )
    return cp.redirect("/console/sign-in?done=password")


@router.get("/invitation/{token}", response_class=HTMLResponse)
def invitation_form(
    cp: PublicConsolePage, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    return _link_form(cp, LinkPurpose.invitation, token, session, settings)


@router.post("/invitation/{token}", response_class=HTMLResponse)
def accept_invitation(
    cp: PublicConsolePage,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    password: Password = "",
    confirm: Password = "",
) -> Response:
    return _link_submit(cp, LinkPurpose.invitation, token, password, confirm, session, settings)


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(
    cp: PublicConsolePage, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    return _link_form(cp, LinkPurpose.reset, token, session, settings)


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset_password(
    cp: PublicConsolePage,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    password: Password = "",
    confirm: Password = "",
) -> Response:
    return _link_submit(cp, LinkPurpose.reset, token, password, confirm, session, settings)

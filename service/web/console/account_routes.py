"""A person's own account: password, second factor and recovery codes, sessions, tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.accounts import credentials, service, signin, totp
from service.accounts.current import COOKIE_PATH, SESSION_COOKIE, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, InvalidInput
from service.web.console.frame import SECOND_FACTOR_PATH, ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/account")
NAV = [NavEntry("/account", N_("Your account"), Permission.own_account)]

Own = Annotated[ConsolePage, console_page(Permission.own_account)]
# The enrolment page is open before the second factor exists (it is how it comes to exist).
OwnPartly = Annotated[ConsolePage, console_page(Permission.own_account, partial=True)]
ShortText = Annotated[str, Form(max_length=300)]

_DONE = {
    "password": N_("Your password is changed. Your other sessions have been signed out."),
    "session": N_("That session is signed out."),
    "token": N_("That token is revoked: it no longer works."),
}


def _notice(cp: ConsolePage, done: str) -> None:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))


@router.get("", response_class=HTMLResponse)
def account(cp: Own, session: SessionDep, settings: SettingsDep, done: str = "") -> Response:
    _notice(cp, done)
    return _account_page(cp, session, settings)


def _account_page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert cp.user is not None
    account = cp.user.account
    return cp.render(
        "console/account.html",
        {
            "account": account,
            "recovery_left": credentials.unused_recovery_codes(session, account.id),
            "min_length": settings.accounts.password_min_length,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/password", response_class=HTMLResponse)
def change_password(
    cp: Own,
    session: SessionDep,
    settings: SettingsDep,
    current_password: ShortText = "",
    new_password: ShortText = "",
    confirm: ShortText = "",
) -> Response:
    assert cp.user is not None
    try:
        if new_password != confirm:
            raise InvalidInput("The two new passwords are not the same.", field="confirm")
        credentials.change_password(
            session,
            cp.user.actor(),
            current_password,
            new_password,
            settings.accounts,
            now_of(cp.request),
        )
    except InvalidInput as exc:
        errors = cp.form_errors(exc)
        if exc.field == "password":
            errors = {"new_password": errors["password"]}
        return _account_page(cp, session, settings, errors=errors, status_code=422)
    return cp.redirect("/console/account?done=password")


@router.get("/second-factor", response_class=HTMLResponse)
def second_factor(cp: OwnPartly, session: SessionDep, settings: SettingsDep) -> Response:
    assert cp.user is not None
    if not cp.user.complete and not cp.user.must_enrol:
        return cp.redirect(SECOND_FACTOR_PATH)
    return _enrolment_page(cp, session, settings)


def _enrolment_page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert cp.user is not None
    account = cp.user.account
    context: dict[str, object] = {"account": account, "errors": errors or {}}
    if account.totp_secret is None:
        secret = credentials.begin_totp_enrolment(session, cp.user.actor(), now_of(cp.request))
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["uri"] = totp.provisioning_uri(
            secret, account=account.email, issuer=settings.accounts.totp_issuer
        )
    else:
        context["recovery_left"] = credentials.unused_recovery_codes(session, account.id)
    return cp.render("console/second_factor_setup.html", context, status_code=status_code)


@router.post("/second-factor", response_class=HTMLResponse)
def confirm_second_factor(
    cp: OwnPartly, session: SessionDep, settings: SettingsDep, code: ShortText = ""
) -> Response:
    assert cp.user is not None
    if not cp.user.complete and not cp.user.must_enrol:
        return cp.redirect(SECOND_FACTOR_PATH)
    try:
        codes = credentials.confirm_totp_enrolment(
            session, cp.user.actor(), code, settings.accounts, now_of(cp.request)
        )
    except DomainError as exc:
        return _enrolment_page(cp, session, settings, errors=cp.form_errors(exc), status_code=422)
    cp.user.console_session.second_factor_done = True
    return cp.render("console/recovery_codes.html", {"codes": codes, "first_time": True})


@router.post("/recovery-codes", response_class=HTMLResponse)
def replace_recovery_codes(cp: Own, session: SessionDep, settings: SettingsDep) -> Response:
    assert cp.user is not None
    codes = credentials.regenerate_recovery_codes(
        session, cp.user.actor(), settings.accounts, now_of(cp.request)
    )
    return cp.render("console/recovery_codes.html", {"codes": codes, "first_time": False})


@router.get("/sessions", response_class=HTMLResponse)
def sessions(cp: Own, session: SessionDep, done: str = "") -> Response:
    assert cp.user is not None
    _notice(cp, done)
    rows = signin.active_sessions(session, cp.user.account.id, now_of(cp.request))
    return cp.render(
        "console/sessions.html",
        {"sessions": rows, "current_id": cp.user.console_session.id},
    )


@router.post("/sessions/{session_id}/end")
def end_session(cp: Own, session_id: str, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    signin.revoke_session(session, cp.user.actor(), session_id, now_of(cp.request))
    if session_id == cp.user.console_session.id:
        return _signed_out(cp)
    return cp.redirect("/console/account/sessions?done=session")


@router.post("/sessions/sign-out-everywhere")
def sign_out_everywhere(cp: Own, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    signin.sign_out_everywhere(session, cp.user.actor(), now_of(cp.request))
    return _signed_out(cp)


def _signed_out(cp: ConsolePage) -> RedirectResponse:
    response = cp.redirect("/console/sign-in?done=signed-out")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/tokens", response_class=HTMLResponse)
def tokens(cp: Own, session: SessionDep, done: str = "") -> Response:
    _notice(cp, done)
    return _tokens_page(cp, session)


def _tokens_page(
    cp: ConsolePage,
    session: SessionDep,
    *,
    new_token: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert cp.user is not None
    return cp.render(
        "console/tokens.html",
        {
            "tokens": service.active_tokens(session, cp.user.account.id),
            "new_token": new_token,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/tokens", response_class=HTMLResponse)
def create_token(cp: Own, session: SessionDep, name: ShortText = "") -> Response:
    assert cp.user is not None
    try:
        _token, raw = credentials.create_token(session, cp.user.actor(), name, now_of(cp.request))
    except DomainError as exc:
        return _tokens_page(cp, session, errors=cp.form_errors(exc), status_code=exc.status_code)
    return _tokens_page(cp, session, new_token=raw)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(cp: Own, token_id: str, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    credentials.revoke_token(session, cp.user.actor(), token_id, now_of(cp.request))
    return cp.redirect("/console/account/tokens?done=token")

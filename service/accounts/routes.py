"""The accounts part of the admin JSON API: the twin of the console's account, people and
audit pages. Every route is guarded by ApiUser (personal API tokens)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from service.accounts import audit, credentials, links, service, signin, totp
from service.accounts.audit import Actor
from service.accounts.current import ApiUser, mailer_of, now_of
from service.accounts.roles import ROLE_PERMISSIONS, Permission
from service.accounts.schemas import (
    AuditEntryOut,
    AuditOut,
    CodeIn,
    EnrolmentOut,
    InvitationIn,
    MeOut,
    NewTokenOut,
    PasswordChangeIn,
    PeopleOut,
    PersonChangeIn,
    PersonOut,
    RecoveryCodesOut,
    SecondFactorOut,
    SessionOut,
    SessionsOut,
    SignedOutOut,
    TokenIn,
    TokenOut,
    TokensOut,
)
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody

_REFUSALS: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    400: {"description": "The body is not valid JSON"},
    401: {"model": ErrorBody, "description": "No valid API token"},
    403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    409: {"model": ErrorBody, "description": "Conflicts with the current state"},
}
router = APIRouter(prefix="/api/admin", tags=["admin: accounts"], responses=_REFUSALS)

Own = Annotated[Actor, Depends(ApiUser(Permission.own_account))]
PeopleAdmin = Annotated[Actor, Depends(ApiUser(Permission.manage_people))]
AuditReader = Annotated[Actor, Depends(ApiUser(Permission.view_audit))]


@router.get("/me")
def me(actor: Own, session: SessionDep) -> MeOut:
    account = service.get_account(session, actor.id or "")
    return MeOut(
        person=PersonOut.of(account),
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[account.role]),
    )


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChangeIn,
    actor: Own,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> Response:
    credentials.change_password(
        session, actor, body.current_password, body.new_password, settings.accounts, now_of(request)
    )
    return Response(status_code=204)


@router.get("/me/second-factor")
def second_factor_state(actor: Own, session: SessionDep) -> SecondFactorOut:
    account = service.get_account(session, actor.id or "")
    return SecondFactorOut(
        enrolled=account.totp_secret is not None,
        recovery_codes_left=credentials.unused_recovery_codes(session, account.id),
    )


@router.post("/me/second-factor")
def begin_enrolment(
    actor: Own, session: SessionDep, settings: SettingsDep, request: Request
) -> EnrolmentOut:
    secret = credentials.begin_totp_enrolment(session, actor, now_of(request))
    uri = totp.provisioning_uri(secret, account=actor.email, issuer=settings.accounts.totp_issuer)
    return EnrolmentOut(secret=secret, otpauth_uri=uri)


@router.post("/me/second-factor/confirm")
def confirm_enrolment(
    body: CodeIn, actor: Own, session: SessionDep, settings: SettingsDep, request: Request
) -> RecoveryCodesOut:
    codes = credentials.confirm_totp_enrolment(
        session, actor, body.code, settings.accounts, now_of(request)
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/me/recovery-codes")
def replace_recovery_codes(
    actor: Own, session: SessionDep, settings: SettingsDep, request: Request
) -> RecoveryCodesOut:
    codes = credentials.regenerate_recovery_codes(
        session, actor, settings.accounts, now_of(request)
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.get("/me/sessions")
def my_sessions(actor: Own, session: SessionDep, request: Request) -> SessionsOut:
    rows = signin.active_sessions(session, actor.id or "", now_of(request))
    return SessionsOut(sessions=[SessionOut.of(row, actor.session_id) for row in rows])


@router.delete("/me/sessions/{session_id}", status_code=204)
def end_session(session_id: str, actor: Own, session: SessionDep, request: Request) -> Response:
    signin.revoke_session(session, actor, session_id, now_of(request))
    return Response(status_code=204)


@router.post("/me/sign-out-everywhere")
def sign_out_everywhere(actor: Own, session: SessionDep, request: Request) -> SignedOutOut:
    return SignedOutOut(ended=signin.sign_out_everywhere(session, actor, now_of(request)))


@router.get("/me/tokens")
def my_tokens(actor: Own, session: SessionDep) -> TokensOut:
    return TokensOut(
        tokens=[TokenOut.of(t) for t in service.active_tokens(session, actor.id or "")]
    )


@router.post("/me/tokens", status_code=201)
def new_token(body: TokenIn, actor: Own, session: SessionDep, request: Request) -> NewTokenOut:
    token, raw = credentials.create_token(session, actor, body.name, now_of(request))
    return NewTokenOut(**TokenOut.of(token).model_dump(), token=raw)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, actor: Own, session: SessionDep, request: Request) -> Response:
    credentials.revoke_token(session, actor, token_id, now_of(request))
    return Response(status_code=204)


@router.get("/people")
def people(_actor: PeopleAdmin, session: SessionDep) -> PeopleOut:
    return PeopleOut(people=[PersonOut.of(a) for a in service.list_accounts(session)])


@router.post("/people", status_code=201)
def invite(
    body: InvitationIn,
    actor: PeopleAdmin,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> PersonOut:
    account = links.invite(
        session,
        actor,
        body.email,
        body.role,
        mailer_of(request),
        settings.accounts,
        settings.secret_key,
        settings.base_url,
        body.lang,
        now_of(request),
    )
    return PersonOut.of(account)


@router.patch("/people/{account_id}")
def change_person(
    account_id: str,
    body: PersonChangeIn,
    actor: PeopleAdmin,
    session: SessionDep,
    request: Request,
) -> PersonOut:
    now = now_of(request)
    account = service.get_account(session, account_id)
    if body.role is not None:
        account = service.change_role(session, actor, account_id, body.role, now)
    if body.disabled is not None:
        account = service.set_disabled(session, actor, account_id, body.disabled, now)
    return PersonOut.of(account)


@router.post("/people/{account_id}/unlock")
def unlock(account_id: str, actor: PeopleAdmin, session: SessionDep, request: Request) -> PersonOut:
    return PersonOut.of(service.lift_lockout(session, actor, account_id, now_of(request)))


def _audit_filter(
    person: Annotated[str | None, Query(max_length=254)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    since: date | None = None,
    until: date | None = None,
) -> audit.AuditFilter:
    return audit.filter_by_days(person, action, since, until)


AuditQuery = Annotated[audit.AuditFilter, Depends(_audit_filter)]


@router.get("/audit")
def audit_log(
    _actor: AuditReader,
    session: SessionDep,
    criteria: AuditQuery,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditOut:
    entries = audit.search(session, criteria, limit=limit + 1, offset=offset)
    more = len(entries) > limit
    return AuditOut(
        entries=[AuditEntryOut.of(e) for e in entries[:limit]],
        next_offset=offset + limit if more else None,
    )


AUDIT_CSV_LIMIT = 100_000


@router.get("/audit.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def audit_csv(_actor: AuditReader, session: SessionDep, criteria: AuditQuery) -> Response:
    entries = audit.search(session, criteria, limit=AUDIT_CSV_LIMIT)
    return Response(
        audit.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "no-store",
        },
    )

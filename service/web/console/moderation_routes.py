"""The moderation queue (moderators): held letters by representative and by cluster of
look-alikes, one letter's full text beside its closest letters (opening it is recorded), and
decisions on one letter or a selection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.campaigns.service import campaign_snapshot
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, InvalidInput
from service.letters.review import MAX_REASON, AlreadyDecided, Decision
from service.letters.review_queue import waiting, waiting_groups
from service.letters.states import HoldReason, LetterStatus
from service.web import moderation
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/moderation")
NAV = [NavEntry("/moderation", N_("Held letters"), Permission.moderate_letters)]

ModeratorPage = Annotated[ConsolePage, console_page(Permission.moderate_letters)]
Reason = Annotated[str, Form(max_length=MAX_REASON + 100)]

HOLD_REASONS = {
    HoldReason.similar: N_("Reads like other letters"),
    HoldReason.empty: N_("No personal paragraph"),
    HoldReason.representative_unavailable: N_("Representative unavailable"),
    HoldReason.returned: N_("Returned to the supporter"),
}
STATUS_NAMES = {
    LetterStatus.pending_confirmation: N_("waiting for confirmation"),
    LetterStatus.confirmed: N_("confirmed"),
    LetterStatus.queued: N_("queued for sending"),
    LetterStatus.sent: N_("sent"),
    LetterStatus.delivered: N_("delivered"),
    LetterStatus.bounced: N_("bounced"),
    LetterStatus.held: N_("held"),
    LetterStatus.expired: N_("expired"),
    LetterStatus.rejected: N_("rejected"),
}
_DONE = {
    "release": N_("The letter is released: it is in the queue."),
    "reject": N_("The letter is rejected; the supporter is told why."),
    "return": N_("The letter is returned; the supporter is asked to rewrite it."),
}
_REFUSALS = (
    N_("Give the supporter a reason."),
    N_("Choose release, reject or return."),
    N_("Tick at least one letter."),
    N_("Keep the reason under 1000 characters."),
    N_("The campaign's deadline has passed: this letter can no longer be sent."),
)


def _decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        raise InvalidInput("Choose release, reject or return.", field="decision") from None


def _labels(cp: ConsolePage) -> dict[str, dict[str, str]]:
    return {
        "hold_reasons": {k.value: cp._(v) for k, v in HOLD_REASONS.items()},
        "statuses": {k.value: cp._(v) for k, v in STATUS_NAMES.items()},
    }


def _queue_page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    campaign: str | None,
    *,
    errors: dict[str, str] | None = None,
    refused: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    campaign_id = campaign_snapshot(session, campaign).id if campaign else None
    return cp.render(
        "console/moderation.html",
        {
            "groups": waiting_groups(session, settings, campaign_id=campaign_id),
            "waiting": waiting(session),
            "campaign": campaign or "",
            "errors": errors or {},
            "refused": refused or [],
            **_labels(cp),
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def queue(
    cp: ModeratorPage,
    session: SessionDep,
    settings: SettingsDep,
    campaign: Annotated[str | None, Query(max_length=80)] = None,
    done: str = "",
    count: int = 0,
) -> HTMLResponse:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    if done == "bulk":
        cp.notices.append(
            cp.page.t.ngettext("%(num)s letter decided.", "%(num)s letters decided.", count)
        )
    return _queue_page(cp, session, settings, campaign)


@router.post("/decisions", response_class=HTMLResponse)
def decide_selection(
    cp: ModeratorPage,
    session: SessionDep,
    settings: SettingsDep,
    ids: Annotated[list[str] | None, Form()] = None,
    decision: Reason = "",
    reason: Reason = "",
) -> Response:
    assert cp.user is not None
    try:
        if not ids:
            raise InvalidInput("Tick at least one letter.", field="ids")
        report = moderation.decide_many(
            session,
            settings,
            cp.user.actor(),
            ids[:200],
            _decision(decision),
            reason,
            now_of(cp.request),
        )
    except InvalidInput as exc:
        return _queue_page(cp, session, settings, None, errors=cp.form_errors(exc), status_code=422)
    if report.refused:
        refused = [(letter_id, _refusal(cp, exc)) for letter_id, exc in report.refused.items()]
        cp.notices.append(
            cp.page.t.ngettext(
                "%(num)s letter decided.", "%(num)s letters decided.", len(report.done)
            )
        )
        return _queue_page(cp, session, settings, None, refused=refused, status_code=409)
    return cp.redirect(f"/console/moderation?done=bulk&count={len(report.done)}")


def _refusal(cp: ConsolePage, exc: DomainError) -> str:
    if isinstance(exc, AlreadyDecided):
        if exc.hold_reason == HoldReason.returned and exc.status == LetterStatus.held:
            return cp._("Someone else decided first: it was returned to the supporter.")
        return cp._(
            "Someone else decided first: the letter is now %(status)s.",
            status=cp._(STATUS_NAMES[exc.status]),
        )
    return cp.page.domain_message(exc.message)


def _letter_page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    letter_id: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert cp.user is not None
    found = moderation.open_letter(
        session, settings, cp.user.actor(), letter_id, now_of(cp.request)
    )
    return cp.render(
        "console/moderation_letter.html",
        {
            "review": found,
            "letter": found.letter,
            "waiting_decision": found.letter.status == LetterStatus.held
            and found.letter.hold_reason != HoldReason.returned,
            "errors": errors or {},
            "form": form or {"decision": "", "reason": ""},
            **_labels(cp),
        },
        status_code=status_code,
    )


@router.get("/{letter_id}", response_class=HTMLResponse)
def letter_page(
    cp: ModeratorPage, letter_id: str, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    return _letter_page(cp, session, settings, letter_id)


@router.post("/{letter_id}/decision", response_class=HTMLResponse)
def decide(
    cp: ModeratorPage,
    letter_id: str,
    session: SessionDep,
    settings: SettingsDep,
    decision: Reason = "",
    reason: Reason = "",
) -> Response:
    assert cp.user is not None
    form = {"decision": decision, "reason": reason}
    try:
        chosen = _decision(decision)
        moderation.decide(
            session, settings, cp.user.actor(), letter_id, chosen, reason, now_of(cp.request)
        )
    except AlreadyDecided as exc:
        return _letter_page(
            cp,
            session,
            settings,
            letter_id,
            errors={"_form": _refusal(cp, exc)},
            form=form,
            status_code=409,
        )
    except DomainError as exc:
        # Invalid input, or a release the letter's state forbids (a deadline passed).
        return _letter_page(
            cp,
            session,
            settings,
            letter_id,
            errors=cp.form_errors(exc),
            form=form,
            status_code=exc.status_code,
        )
    return cp.redirect(f"/console/moderation?done={chosen.value}")

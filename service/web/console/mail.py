"""accounts.links.AccountMailer over the delivery outbox: invitation and reset emails are
queued in the transaction that creates their link (accounts may not import delivery; the
app wires this in at start-up)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from sqlmodel import Session

from service.accounts.links import LinkPurpose
from service.config import AccountsSettings
from service.delivery import service as delivery
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.web.i18n import N_, Translator

_SUBJECTS = {
    LinkPurpose.invitation: N_("You are invited to the campaign console"),
    LinkPurpose.reset: N_("Choose a new password for the campaign console"),
}
_BODIES = {
    LinkPurpose.invitation: N_(
        "You have been invited to help run the campaign. Open this link to choose your "
        "password:\n\n%(url)s\n\nThe link works once, until %(until)s (UTC). If you did not "
        "expect this invitation, ignore this email."
    ),
    LinkPurpose.reset: N_(
        "Someone asked to reset the password of your console account. Open this link to "
        "choose a new one:\n\n%(url)s\n\nThe link works once, until %(until)s (UTC). If it "
        "was not you, ignore this email: your password stays as it is."
    ),
}


class OutboxAccountMailer:
    def __init__(self, settings: AccountsSettings) -> None:
        self._sender = Address(settings.sender_email, settings.sender_name)

    def send_link(
        self,
        session: Session,
        *,
        to: str,
        purpose: LinkPurpose,
        url: str,
        expires_at: datetime,
        lang: str,
    ) -> None:
        t = Translator(lang)
        until = format_datetime(
            expires_at, "d MMMM y, HH:mm", locale="en_GB" if t.locale == "en" else t.locale
        )
        email = OutgoingEmail(
            kind=MessageKind.notice,
            sender=self._sender,
            to=Address(to),
            subject=t.gettext(_SUBJECTS[purpose]),
            text=t.gettext(_BODIES[purpose], url=url, until=until),
        )
        delivery.enqueue(session, email, expires_at=expires_at)

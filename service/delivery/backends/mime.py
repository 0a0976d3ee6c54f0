"""RFC 5322 messages for the backends that speak it (file, smtp)."""

from __future__ import annotations

from email.headerregistry import Address as MimeAddress
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate

from service.delivery.schemas import Address, OutgoingEmail


def message_id(outbox_id: str, sender: str) -> str:
    """Stable per outbox row, so a resend after an ambiguous outcome carries the same
    Message-ID and receiving servers can recognise the duplicate."""
    domain = sender.rpartition("@")[2] or "repmail.invalid"
    return f"<{outbox_id}@{domain}>"


def build_mime(email: OutgoingEmail, *, outbox_id: str) -> EmailMessage:
    message = EmailMessage(policy=default_policy)
    message["From"] = _address(email.sender)
    message["To"] = _address(email.to)
    if email.reply_to:
        message["Reply-To"] = _address(email.reply_to)
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(outbox_id, email.sender.email)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text, subtype="plain", charset="utf-8")
    if email.html is not None:
        message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message


def _address(address: Address) -> MimeAddress:
    return MimeAddress(display_name=address.name or "", addr_spec=address.email)

"""RFC 5322 messages for the backends that speak it (file, smtp).

Built with the email package's classic (compat32) classes rather than EmailMessage and the
modern policy: that policy parses every header back into objects as it is set, which made
building a message cost more than the rest of a send. The bytes are equivalent: RFC 2047
encoded names and subject, UTF-8 bodies in quoted-printable, multipart/alternative when there
is HTML."""

from __future__ import annotations

from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate

from service.delivery.schemas import Address, OutgoingEmail

_UTF8_QP = Charset("utf-8")
_UTF8_QP.header_encoding = QP
_UTF8_QP.body_encoding = QP


def message_id(outbox_id: str, sender: str) -> str:
    """Stable per outbox row, so a resend after an ambiguous outcome carries the same
    Message-ID and receiving servers can recognise the duplicate."""
    domain = sender.rpartition("@")[2] or "repmail.invalid"
    return f"<{outbox_id}@{domain}>"


def build_mime(email: OutgoingEmail, *, outbox_id: str) -> Message:
    # MIMEText takes a Charset as well as a name (typeshed allows only the name).
    text = MIMEText(email.text, "plain", _UTF8_QP)  # type: ignore[arg-type]
    message: Message
    if email.html is None:
        message = text
    else:
        message = MIMEMultipart("alternative")
        message.attach(text)
        message.attach(MIMEText(email.html, "html", _UTF8_QP))  # type: ignore[arg-type]
    message["From"] = _address(email.sender)
    message["To"] = _address(email.to)
    if email.reply_to:
        message["Reply-To"] = _address(email.reply_to)
    message["Subject"] = _header("Subject", email.subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(outbox_id, email.sender.email)
    for name, value in email.headers.items():
        message[name] = _header(name, value)
    return message


def _header(name: str, value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode()  # folded after "Name: "


def _address(address: Address) -> str:
    return formataddr((address.name or "", address.email), charset="utf-8")

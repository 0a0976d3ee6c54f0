"""RFC 5322 messages for the backends that speak it (file, smtp).

Written out directly rather than through the email package's message objects and generator:
every message here has the same simple shape (a few headers, one text part or text and HTML
as multipart/alternative), and building then flattening objects cost more CPU than the rest
of a send, inside `repmail serve` on the embedded default. The header encoders are still the
email package's: RFC 2047 names and subject, folded as its generator folds them. Bodies are
UTF-8 in quoted-printable. tests/delivery/backends/test_mime.py reads every part back with
the standard parser."""

from __future__ import annotations

import binascii
import uuid
from email.header import Header
from email.utils import formataddr, formatdate

import idna

from service.delivery.backends.base import PermanentSendError
from service.delivery.schemas import Address, OutgoingEmail

# Quoted-printable output never contains "=_" (an "=" is followed by two hex digits or a line
# break), so a boundary starting with it cannot occur in an encoded part.
_BOUNDARY_PREFIX = "=_repmail_"
_FOLD_AT = 78  # RFC 5322's recommended line length (998 is the limit)


def ascii_mailbox(mailbox: str) -> str:
    """`local@domain` as it travels without SMTPUTF8: the domain in IDNA (`a@bücher.de` →
    `a@xn--bcher-kva.de`). No backend here speaks SMTPUTF8, so a non-ASCII local part cannot
    be sent at all: PermanentSendError (submission refuses such addresses; this guards rows
    written before it did)."""
    if mailbox.isascii():
        return mailbox
    local, at, domain = mailbox.rpartition("@")
    if not at or not local.isascii():
        raise PermanentSendError("address needs SMTPUTF8 (non-ASCII before the @)")
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise PermanentSendError("address domain is not a valid internationalised name") from exc
    return f"{local}@{encoded}"


def message_id(outbox_id: str, sender: str) -> str:
    """Stable per outbox row, so a resend after an ambiguous outcome carries the same
    Message-ID and receiving servers can recognise the duplicate."""
    domain = sender.rpartition("@")[2] or "repmail.invalid"
    return f"<{outbox_id}@{domain}>"


def mime_bytes(email: OutgoingEmail, *, outbox_id: str, linesep: str = "\n") -> bytes:
    """The whole message; `linesep` "\\r\\n" for SMTP, "\\n" for a file."""
    lines = [f"From: {_address('From', email.sender)}", f"To: {_address('To', email.to)}"]
    if email.reply_to:
        lines.append(f"Reply-To: {_address('Reply-To', email.reply_to)}")
    lines += [
        f"Subject: {_header('Subject', email.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id(outbox_id, email.sender.email)}",
    ]
    lines += [f"{name}: {_header(name, value)}" for name, value in email.headers.items()]
    lines.append("MIME-Version: 1.0")
    if email.html is None:
        lines += _part("plain", email.text)
    else:
        boundary = f"{_BOUNDARY_PREFIX}{uuid.uuid4().hex}"
        lines += [f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
        lines += [f"--{boundary}", *_part("plain", email.text)]
        lines += [f"--{boundary}", *_part("html", email.html)]
        lines.append(f"--{boundary}--")
    text = "\n".join(lines)
    if linesep != "\n":
        text = text.replace("\n", linesep)
    return text.encode("ascii")


def _part(subtype: str, body: str) -> list[str]:
    """Headers, blank line, body. The line break before the next boundary belongs to the
    boundary (RFC 2046), so the body reads back exactly as given."""
    # One kind of line break in, so the message has one kind out (after `linesep`).
    plain = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(plain.encode("utf-8"), istext=True).decode("ascii")
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        encoded,
    ]


def _header(name: str, value: str) -> str:
    if value.isascii() and len(name) + 2 + len(value) <= _FOLD_AT:
        return value
    # RFC 2047 encoded words for anything else than ASCII, folded after "Name: ".
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode()


def _address(name: str, address: Address) -> str:
    """`Display Name <mailbox>`, the name quoted or RFC 2047-encoded as one word (as the email
    package encodes it: readers split names across several words inconsistently), folded
    before the mailbox when the line would run long."""
    value = formataddr((address.name or "", ascii_mailbox(address.email)), charset="utf-8")
    shown, _, mailbox = value.rpartition(" <")
    if not shown:
        return value
    joint = " " if len(name) + 2 + len(value) <= _FOLD_AT else "\n "
    return f"{shown}{joint}<{mailbox}"

"""SMTP with the standard library: smtp://user:pass@host:587 (STARTTLS), smtps://…:465
(implicit TLS). `?starttls=false` allows a plain local sink (aiosmtpd, Mailpit) only."""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from service.delivery.backends.base import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
)
from service.delivery.backends.mime import ascii_mailbox, message_id, mime_bytes
from service.delivery.schemas import OutgoingEmail


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("REPMAIL_SMTP_URL must look like smtp://user:pass@host:587 or smtps://…")
    implicit = parts.scheme == "smtps"
    query = parse_qs(parts.query)
    starttls = not implicit and query.get("starttls", ["true"])[0].lower() not in ("false", "0")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        implicit_tls=implicit,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpBackend:
    name = "smtp"

    def __init__(self, url: str, *, timeout: float = 15.0) -> None:
        self.target = parse_smtp_url(url)
        self.timeout = timeout
        self._local = threading.local()  # smtplib connections are not thread-safe
        self._all: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        data = mime_bytes(email, outbox_id=outbox_id, linesep="\r\n")
        connection = self._connection()
        try:
            connection.sendmail(
                ascii_mailbox(email.sender.email), [ascii_mailbox(email.to.email)], data
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _by_code(code, f"recipient refused: {_text(text)}") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise _by_code(exc.smtp_code, f"sender refused: {_text(exc.smtp_error)}", True) from exc
        except smtplib.SMTPDataError as exc:
            raise _by_code(exc.smtp_code, f"message refused: {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _by_code(exc.smtp_code, f"SMTP error: {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # The connection died or timed out mid-conversation: it may have been accepted.
            self._drop()
            raise AmbiguousSendError(f"SMTP connection lost ({type(exc).__name__})") from exc
        return message_id(outbox_id, email.sender.email)

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def _connection(self) -> smtplib.SMTP:
        connection: smtplib.SMTP | None = getattr(self._local, "connection", None)
        if connection is not None:
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        try:
            connection = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentSendError(
                f"SMTP login refused ({exc.smtp_code})", account_level=True
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentSendError(
                "the SMTP server does not offer STARTTLS", account_level=True
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(f"SMTP server unreachable ({type(exc).__name__})") from exc
        self._local.connection = connection
        with self._lock:
            self._all.append(connection)
        return connection

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if target.implicit_tls:
            connection = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            if target.starttls:
                connection.starttls(context=context)  # raises if the server does not offer it
            if target.username:
                connection.login(target.username, target.password or "")
        except BaseException:
            connection.close()  # a refused STARTTLS or login must not leave the socket open
            raise
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                if connection in self._all:
                    self._all.remove(connection)
            connection.close()


def _by_code(
    code: int, reason: str, account_level: bool = False
) -> TransientSendError | PermanentSendError:
    if 400 <= code < 500:
        return TransientSendError(f"{code} {reason}")
    return PermanentSendError(f"{code} {reason}", account_level=account_level)


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text[:300]

"""SendGrid v3 Mail Send over one pooled httpx.Client, shared by the worker's threads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from service.delivery.backends.base import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
)
from service.delivery.backends.mime import ascii_mailbox
from service.delivery.schemas import Address, OutgoingEmail

GLOBAL_HOST = "https://api.sendgrid.com"
EU_HOST = "https://api.eu.sendgrid.com"
MAIL_SEND = "/v3/mail/send"
ACCOUNT_ERRORS = {401, 403}  # a bad key or an unverified sender: every message would fail

# Tracking rewrites links (signed confirmation links included) and adds pixels; never wanted.
NO_TRACKING = {
    "click_tracking": {"enable": False, "enable_text": False},
    "open_tracking": {"enable": False},
    "subscription_tracking": {"enable": False},
}


def mail_send_body(
    email: OutgoingEmail, *, outbox_id: str, sandbox: bool = False
) -> dict[str, Any]:
    """The v3 Mail Send JSON for one email. SendGrid echoes custom_args in every event about
    it: the outbox row's id names exactly this email (a letter's confirmation, reminder and
    notice share the letter id), and the letter id is kept beside it. Both are opaque;
    nothing personal goes there."""
    custom_args = {"outbox_id": outbox_id}
    if email.letter_id:
        custom_args["letter_id"] = email.letter_id
    personalization: dict[str, Any] = {"to": [_address(email.to)], "custom_args": custom_args}
    content = [{"type": "text/plain", "value": email.text}]  # text/plain must come first
    if email.html is not None:
        content.append({"type": "text/html", "value": email.html})
    body: dict[str, Any] = {
        "personalizations": [personalization],
        "from": _address(email.sender),
        "subject": email.subject,
        "content": content,
        "tracking_settings": NO_TRACKING,
    }
    if email.reply_to:
        body["reply_to"] = _address(email.reply_to)
    if email.headers:
        body["headers"] = dict(email.headers)
    if sandbox:
        body["mail_settings"] = {"sandbox_mode": {"enable": True}}
    return body


class SendGridBackend:
    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        *,
        host: str = GLOBAL_HOST,
        timeout: float = 15.0,
        connections: int = 16,
        sandbox: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.sandbox = sandbox
        self._client = httpx.Client(
            base_url=host.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "repmail"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            transport=transport,
        )

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        body = mail_send_body(email, outbox_id=outbox_id, sandbox=self.sandbox)
        try:
            response = self._client.post(MAIL_SEND, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransientSendError(f"SendGrid unreachable ({type(exc).__name__})") from exc
        except (httpx.WriteError, httpx.WriteTimeout) as exc:
            # The body never fully left: SendGrid cannot have accepted it.
            raise TransientSendError(f"request not sent ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            # Read timeout, reset or closed connection after the request went out.
            raise AmbiguousSendError(f"no answer from SendGrid ({type(exc).__name__})") from exc
        return _outcome(response, outbox_id=outbox_id)

    def close(self) -> None:
        self._client.close()


def _outcome(response: httpx.Response, *, outbox_id: str) -> str:
    status = response.status_code
    if status in (200, 202):
        # 200 is sandbox mode: validated, not sent, no id.
        return response.headers.get("X-Message-Id") or f"sandbox-{outbox_id}"
    if status == 429:
        raise TransientSendError(
            "SendGrid 429: too many requests",
            retry_at=_reset_time(response.headers.get("X-RateLimit-Reset")),
            rate_limited=True,
        )
    reason = f"SendGrid {status}{_error_summary(response)}"
    if status >= 500:
        raise TransientSendError(reason)
    raise PermanentSendError(reason, account_level=status in ACCOUNT_ERRORS)


def _reset_time(header: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(header or ""), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _error_summary(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        first = errors[0]
        field = f" ({first['field']})" if first.get("field") else ""
        return f": {str(first.get('message', ''))[:300]}{field}"
    except (ValueError, AttributeError, IndexError, KeyError, TypeError):
        return ""


def _address(address: Address) -> dict[str, str]:
    mailbox = ascii_mailbox(address.email)
    return {"email": mailbox, "name": address.name} if address.name else {"email": mailbox}

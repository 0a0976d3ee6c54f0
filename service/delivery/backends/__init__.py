"""Email backends behind one Protocol; build_backend() picks the configured one."""

from __future__ import annotations

from service.config import EmailBackendName, Settings
from service.delivery.backends.base import (
    AmbiguousSendError,
    EmailBackend,
    PermanentSendError,
    SendError,
    TransientSendError,
)
from service.delivery.backends.file import FileBackend
from service.delivery.backends.memory import MemoryBackend
from service.delivery.backends.sendgrid import EU_HOST, GLOBAL_HOST, SendGridBackend
from service.delivery.backends.smtp import SmtpBackend

__all__ = [
    "AmbiguousSendError",
    "EmailBackend",
    "PermanentSendError",
    "SendError",
    "TransientSendError",
    "build_backend",
    "sendgrid_host",
]


def sendgrid_host(settings: Settings) -> str:
    """REPMAIL_SENDGRID_HOST wins when set to anything but the default; otherwise the
    region decides (EU data residency: api.eu.sendgrid.com, for EU subusers)."""
    host = settings.sendgrid_host.rstrip("/")
    if host == GLOBAL_HOST and settings.delivery.sendgrid_region == "eu":
        return EU_HOST
    return host


def build_backend(settings: Settings, *, connections: int | None = None) -> EmailBackend:
    chosen = settings.effective_email_backend
    timeout = settings.delivery.send_timeout_seconds
    if chosen is EmailBackendName.sendgrid:
        if not settings.sendgrid_api_key:
            raise ValueError("the sendgrid backend needs REPMAIL_SENDGRID_API_KEY")
        return SendGridBackend(
            settings.sendgrid_api_key,
            host=sendgrid_host(settings),
            timeout=timeout,
            connections=connections or settings.delivery.concurrency,
            sandbox=settings.delivery.sendgrid_sandbox,
        )
    if chosen is EmailBackendName.smtp:
        if not settings.smtp_url:
            raise ValueError("the smtp backend needs REPMAIL_SMTP_URL")
        return SmtpBackend(settings.smtp_url, timeout=timeout)
    if chosen is EmailBackendName.memory:
        return MemoryBackend()
    return FileBackend(settings.outbox_dir)

"""The links in a supporter's emails: the confirmation link and the long-lived status link."""

from __future__ import annotations

from service.config import Settings
from service.letters.models import Letter
from service.letters.tokens import confirmation_token, status_token


def status_url(settings: Settings, letter_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/letters/{status_token(settings.secret_key, letter_id)}"


def confirm_url(settings: Settings, letter: Letter) -> str:
    token = confirmation_token(settings.secret_key, letter.id, letter.confirm_expires_at)
    return f"{settings.base_url.rstrip('/')}/confirm/{token}"

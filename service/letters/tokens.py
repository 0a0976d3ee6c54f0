"""Signed links. A confirmation token carries the letter id and its expiry, signed with
HMAC-SHA256 under the secret key; only its SHA-256 is stored. A status token is separate
(another key) and long-lived. Both can be rebuilt from the letter, so a reminder carries the
same link as the first email."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime
from functools import lru_cache

from service.errors import DomainError, NotFound

CONFIRM = "confirm"
STATUS = "status"
REPLY = "reply"
MAX_TOKEN_LENGTH = 128
_TOKEN = re.compile(r"^[0-9a-f]{32}(\.[0-9]{1,12})?\.[A-Za-z0-9_-]{43}$")


class LinkExpired(DomainError):
    status_code = 410
    code = "expired"


@lru_cache(maxsize=32)  # a few purposes under one secret (two while a test swaps it)
def _key(secret: str, purpose: str) -> bytes:
    return hmac.digest(secret.encode(), f"repmail:{purpose}".encode(), "sha256")


def _mac(secret: str, purpose: str, payload: str) -> str:
    digest = hmac.digest(_key(secret, purpose), payload.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def confirmation_token(secret: str, letter_id: str, expires_at: datetime) -> str:
    payload = f"{letter_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(secret, CONFIRM, payload)}"


def status_token(secret: str, letter_id: str) -> str:
    return f"{letter_id}.{_mac(secret, STATUS, letter_id)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """A stable, non-reversible key for a personal value (an IP address, an email)."""
    return hmac.digest(_key(secret, purpose), value.encode(), "sha256").hex()


def _split(token: str) -> list[str]:
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.match(token):
        raise NotFound("This link is not valid. Check that it was copied in full.", field="token")
    return token.split(".")


def _require_mac(secret: str, purpose: str, payload: str, mac: str) -> None:
    if not hmac.compare_digest(_mac(secret, purpose, payload), mac):
        raise NotFound("This link is not valid. Check that it was copied in full.", field="token")


def read_confirmation_token(secret: str, token: str, now: datetime) -> str:
    """The letter id in a genuine, unexpired confirmation token (NotFound, LinkExpired)."""
    parts = _split(token)
    if len(parts) != 3:
        raise NotFound("This link is not valid. Check that it was copied in full.", field="token")
    letter_id, expires, mac = parts
    _require_mac(secret, CONFIRM, f"{letter_id}.{expires}", mac)
    if now >= datetime.fromtimestamp(int(expires), UTC):
        raise LinkExpired(
            "This confirmation link has expired and the letter was not sent. "
            "You are welcome to write your letter again.",
            field="token",
        )
    return letter_id


def read_status_token(secret: str, token: str) -> str:
    parts = _split(token)
    if len(parts) != 2:
        raise NotFound("This link is not valid. Check that it was copied in full.", field="token")
    letter_id, mac = parts
    _require_mac(secret, STATUS, letter_id, mac)
    return letter_id


def reply_token(secret: str, letter_id: str) -> str:
    """The signed link asking whether the representative replied (single use: the answer is
    recorded once)."""
    return f"{letter_id}.{_mac(secret, REPLY, letter_id)}"


def read_reply_token(secret: str, token: str) -> str:
    parts = _split(token)
    if len(parts) != 2:
        raise NotFound("This link is not valid. Check that it was copied in full.", field="token")
    letter_id, mac = parts
    _require_mac(secret, REPLY, letter_id, mac)
    return letter_id

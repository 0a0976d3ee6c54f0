"""Random secrets handed to people (session cookies, API tokens, recovery codes, emailed
links) and the hashes stored in their place.

These secrets carry 256 random bits, so a plain SHA-256 is enough to store them: there is
nothing to guess, and a slow hash would only slow every request down. Emailed link tokens
are also signed with the service's secret key, so a forged or mangled link is refused before
the database is asked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "rmt_"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{cleaned[:5]}-{cleaned[5:]}"


def _link_signature(secret_key: str, purpose: str, nonce: str) -> str:
    message = f"account-link:{purpose}:{nonce}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_link_token(secret_key: str, purpose: str) -> str:
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_link_signature(secret_key, purpose, nonce)}"


def link_is_signed(secret_key: str, purpose: str, token: str) -> bool:
    if len(token) > 200 or token.count(".") != 1:
        return False
    nonce, signature = token.split(".")
    expected = _link_signature(secret_key, purpose, nonce)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))

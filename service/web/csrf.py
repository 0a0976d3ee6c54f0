"""CSRF protection for the public forms, without a server-side session: a signed
double-submit token.

The token is `<nonce>.<issued-at>.<signature>`, signed with settings.secret_key. It is set in
an HttpOnly, SameSite=Lax cookie and repeated in a hidden field of every form; a POST is
accepted only when both are present, equal, correctly signed and not older than MAX_AGE.
Another site can make a browser send our cookie, but it cannot read it to copy it into the
form, and it cannot mint a token of its own without the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

COOKIE_NAME = "repmail_csrf"
FIELD_NAME = "csrf_token"
# Long enough for a supporter who leaves the letter open overnight.
MAX_AGE_SECONDS = 2 * 24 * 3600
_MAX_TOKEN_LENGTH = 200


def _signature(secret_key: str, payload: str) -> str:
    digest = hmac.new(secret_key.encode(), f"csrf:{payload}".encode(), hashlib.sha256)
    return digest.hexdigest()


def issue(secret_key: str, *, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = f"{secrets.token_urlsafe(18)}.{issued}"
    return f"{payload}.{_signature(secret_key, payload)}"


def is_valid(secret_key: str, token: str, *, now: float | None = None) -> bool:
    if not token or len(token) > _MAX_TOKEN_LENGTH or token.count(".") != 2:
        return False
    nonce, issued_raw, signature = token.split(".")
    if not nonce or not issued_raw.isascii() or not issued_raw.isdigit():
        return False
    expected = _signature(secret_key, f"{nonce}.{issued_raw}")
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return False
    age = (now if now is not None else time.time()) - int(issued_raw)
    return -300 <= age <= MAX_AGE_SECONDS


def verify(secret_key: str, cookie: str | None, submitted: str | None) -> bool:
    """The double-submit check: the form's copy matches the cookie, and the cookie is ours."""
    if not cookie or not submitted:
        return False
    same = hmac.compare_digest(
        cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace")
    )
    return same and is_valid(secret_key, cookie)

"""Refusals of the accounts domain; service.app maps DomainError subclasses once."""

from __future__ import annotations

from service.errors import DomainError


class NotSignedIn(DomainError):
    """No valid session or API token (or it expired, was revoked, or its owner disabled)."""

    status_code = 401
    code = "not_signed_in"


class SignInRefused(DomainError):
    """Wrong email, password or code; deliberately not saying which."""

    status_code = 401
    code = "sign_in_refused"


class SignInThrottled(DomainError):
    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class SecondFactorNeeded(DomainError):
    """Signed in with a password, but the second factor (or its enrolment) is still due."""

    status_code = 403
    code = "second_factor_needed"


class LinkNotValid(DomainError):
    """An invitation or reset link that is unknown, used, or past its time."""

    status_code = 410
    code = "link_not_valid"

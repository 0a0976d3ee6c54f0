"""Refusals of the letter use cases beyond the shared ones in service.errors."""

from __future__ import annotations

from service.errors import Conflict
from service.letters.states import LetterStatus


class DuplicateLetter(Conflict):
    """This supporter already wrote to this representative for this campaign."""

    code = "duplicate_letter"

    def __init__(self, message: str, *, status: LetterStatus, resent: bool) -> None:
        super().__init__(message, field="email")
        self.status = status
        self.resent = resent

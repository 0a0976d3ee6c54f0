"""What the import commands need from higher layers, passed in by the command line at
registration (this package must not import bootstrap or the letters domain)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.config import Settings

# Brings a database up to date before an import: migrate, and load the bundled data the
# imports are checked against.
PrepareDatabase = Callable[[Engine, Settings], object]


class DeparturesListener(Protocol):
    """Told, inside the import's transaction, which members the import took off their seat
    (letters to them must not go out); returns lines for the person running the import."""

    def __call__(self, session: Session, representative_ids: Sequence[str]) -> list[str]: ...


def no_departures_listener(session: Session, representative_ids: Sequence[str]) -> list[str]:
    return []

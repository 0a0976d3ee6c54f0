"""Bring a database up to date: migrate, then load the bundled data where it changed."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.campaigns.seed import seed_campaigns
from service.clock import SYSTEM_CLOCK
from service.config import Settings
from service.letters.departures import hold_letters_for_departed
from service.migrate import upgrade_database
from service.representatives.snapshot import load_bundled

log = logging.getLogger("repmail.bootstrap")


def prepare_database(engine: Engine, settings: Settings) -> dict[str, int | None]:
    upgrade_database(engine)
    with Session(engine) as session:
        # A newer bundled roster can take members off their seat: letters waiting for them
        # are held for the organisers, in the same transaction.
        loaded = load_bundled(session, settings.data_dir, _hold_letters_of_departed)
        seed_campaigns(session, settings)
        session.commit()
    for name, rows in loaded.items():
        log.info("bundled dataset", extra={"dataset": name, "rows_loaded": rows})
    return loaded


def _hold_letters_of_departed(session: Session, representative_ids: Sequence[str]) -> None:
    hold_letters_for_departed(session, representative_ids, now=SYSTEM_CLOCK.now())

"""Bring a database up to date: migrate, then load the bundled data where it changed."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.campaigns.seed import seed_campaigns
from service.config import Settings
from service.migrate import upgrade_database
from service.representatives.snapshot import load_bundled

log = logging.getLogger("repmail.bootstrap")


def prepare_database(engine: Engine, settings: Settings) -> dict[str, int | None]:
    upgrade_database(engine)
    with Session(engine) as session:
        loaded = load_bundled(session, settings.data_dir)
        seed_campaigns(session, settings)
        session.commit()
    for name, rows in loaded.items():
        log.info("bundled dataset", extra={"dataset": name, "rows_loaded": rows})
    return loaded

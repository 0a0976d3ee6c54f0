"""Request-scoped dependencies shared by every router: the database session and the settings.

They are `async def` although none of them awaits anything on the way in: FastAPI runs a plain
`def` dependency on the thread pool, and a thread hop per dependency per request cost more
than the attribute reads they do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service.config import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Creating a session touches no connection; one is checked out at its first statement.
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            # Closing rolls the open transaction back, a round trip to the database: not on
            # the event loop. (A use case that committed has released its connection.)
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

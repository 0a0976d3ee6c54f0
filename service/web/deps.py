"""Request-scoped dependencies shared by every router."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from service.config import Settings
from service.lookup.service import LookupDependencies


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def get_lookup_dependencies(request: Request) -> LookupDependencies:
    deps: LookupDependencies = request.app.state.lookup
    return deps


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
LookupDeps = Annotated[LookupDependencies, Depends(get_lookup_dependencies)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

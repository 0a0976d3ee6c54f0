"""The console's navigation. A page module adds its entry with `add()` (or lists it in
service.web.console.PAGES); each entry names the permission that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from service.accounts.roles import Permission, has_permission
from service.accounts.signin import SignedIn


@dataclass(frozen=True)
class NavEntry:
    path: str  # under /console
    label: str  # an English message, marked with N_ where it is defined
    permission: Permission


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def visible_entries(
    entries: list[NavEntry], user: SignedIn | None, current_path: str
) -> list[NavEntry]:
    if user is None or not user.complete:
        return []
    return [e for e in entries if has_permission(user.account.role, e.permission)]


def is_current(entry: NavEntry, current_path: str) -> bool:
    full = "/console" + entry.path
    if entry.path == "/":
        return current_path in ("/console", "/console/")
    return current_path == full or current_path.startswith(full + "/")

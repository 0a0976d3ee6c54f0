"""Roles and what each may do. Routes ask for a permission, never for a role, so a new page
states what it needs and the table below decides who has it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    organiser = "organiser"
    moderator = "moderator"
    staff = "staff"


class Permission(StrEnum):
    # Everyone signed in: their own password, second factor, sessions and tokens.
    own_account = "own_account"
    view_dashboard = "view_dashboard"
    export_aggregates = "export_aggregates"
    edit_campaigns = "edit_campaigns"
    care_representatives = "care_representatives"
    moderate_letters = "moderate_letters"
    manage_people = "manage_people"
    view_audit = "view_audit"
    # Personal data of supporters: separate from everything else, on purpose.
    export_personal_data = "export_personal_data"
    erase_personal_data = "erase_personal_data"


_EVERYONE = {Permission.own_account, Permission.view_dashboard}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.organiser: frozenset(
        _EVERYONE
        | {
            Permission.export_aggregates,
            Permission.edit_campaigns,
            Permission.care_representatives,
        }
    ),
    Role.moderator: frozenset(_EVERYONE | {Permission.moderate_letters}),
    Role.staff: frozenset(_EVERYONE | {Permission.export_aggregates}),
}

# Roles that may change what supporters' letters say or where they go: a stolen password
# alone must not be enough.
SECOND_FACTOR_REQUIRED = frozenset({Role.admin, Role.organiser, Role.moderator})


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def needs_second_factor(role: Role) -> bool:
    return role in SECOND_FACTOR_REQUIRED

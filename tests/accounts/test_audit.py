"""The audit log is append-only and keeps secrets and contact details out."""

from __future__ import annotations

import ast

import pytest
from sqlmodel import Session, select

from service.accounts import audit
from service.accounts.audit import CLI_ACTOR, AuditLogIsAppendOnly
from service.accounts.models import AuditEntry
from service.config import PROJECT_ROOT
from tests.accounts.conftest import NOW


def _entry(session: Session) -> AuditEntry:
    audit.record(session, CLI_ACTOR, "test.done", NOW, after={"count": 1})
    session.flush()
    return session.exec(select(AuditEntry).where(AuditEntry.action == "test.done")).one()


def test_entries_cannot_be_changed_or_removed_through_the_orm(session: Session) -> None:
    entry = _entry(session)
    entry.action = "test.rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    entry = _entry(session)
    session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_no_code_updates_or_deletes_audit_entries() -> None:
    """No UPDATE or DELETE statement on the table anywhere in the service, nor raw SQL
    naming it."""
    offenders = []
    for path in (PROJECT_ROOT / "service").rglob("*.py"):
        source = path.read_text()
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"update", "delete"}
                and any(isinstance(a, ast.Name) and a.id == "AuditEntry" for a in node.args)
            ):
                offenders.append(f"{path}:{node.lineno}")
        lowered = source.lower()
        for verb in ("update audit_entry", "delete from audit_entry"):
            if verb in lowered:
                offenders.append(f"{path}: {verb}")
    assert offenders == []


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_token",
        "totp_secret",
        "email",
        "body",
        "message",
        "recovery_codes",
        "postcode",
        "full_name",
    ],
)
def test_summaries_refuse_secret_or_personal_keys(session: Session, key: str) -> None:
    with pytest.raises(ValueError, match="never carry"):
        audit.record(session, CLI_ACTOR, "test.leak", NOW, after={key: "x"})


def test_addresses_are_hashed_and_the_key_rotates_monthly() -> None:
    secret = "s" * 40
    march = audit.address_hash(secret, "192.0.2.1", NOW)
    assert march and "192.0.2.1" not in march
    assert audit.address_hash(secret, "192.0.2.1", NOW) == march
    assert audit.address_hash(secret, "192.0.2.1", NOW.replace(month=1)) != march
    assert audit.address_hash(secret, None, NOW) is None


def test_csv_defuses_formulas() -> None:
    entry = AuditEntry(at=NOW, actor_label="=cmd|' /C calc'!A0", action="x", after={"n": 1})
    text = audit.to_csv([entry])
    assert "'=cmd" in text and text.splitlines()[0].startswith("at,actor")

"""What an import changes, seat by seat, so that a person sees it before it is applied: the
members added, those changed (name, party, address, civility, seat; or back on a seat), and
those who left theirs. Computed by applying the import in the caller's transaction and
comparing the chamber before and after: the same code that applies the data describes it,
so the preview cannot disagree with the import. A dry run rolls the transaction back; an
import applied on confirmation checks the diff is still the one that was shown (its digest)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from service.representatives.models import ChamberId, Representative, RepresentativeStatus
from service.representatives.schemas import (
    ConstituencyRecord,
    ImportReport,
    RepresentativeRecord,
)
from service.representatives.service import Progress, apply_import

# The fields a person checks, in the order they are shown.
FIELDS = ("name", "party", "email", "civility", "constituency_id", "status")


@dataclass(frozen=True, slots=True)
class SeatChange:
    representative_id: str
    name: str
    constituency_id: str
    # field -> (before, after); for an added member, every field with before None.
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(slots=True)
class ImportDiff:
    chamber_id: str
    added: list[SeatChange] = field(default_factory=list)
    changed: list[SeatChange] = field(default_factory=list)
    vacated: list[SeatChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.vacated)

    @property
    def email_changes(self) -> list[tuple[str, str | None, str | None]]:
        """(representative, old address, new address) for every changed address."""
        return [
            (change.representative_id, *change.fields["email"])
            for change in self.changed
            if "email" in change.fields
        ]

    def lines(self) -> list[str]:
        """The diff in plain words, one line per seat (the command line prints these)."""
        out = [f"added: {c.constituency_id} {c.name} ({c.representative_id})" for c in self.added]
        for c in self.changed:
            what = "; ".join(
                f"{name} {before or '-'} -> {after or '-'}"
                for name, (before, after) in c.fields.items()
            )
            out.append(f"changed: {c.constituency_id} {c.name} ({c.representative_id}): {what}")
        out += [
            f"vacated: {c.constituency_id} {c.name} ({c.representative_id})" for c in self.vacated
        ]
        return out

    @property
    def digest(self) -> str:
        """Names this exact diff: applying on confirmation checks it is still the one shown."""
        text = "\n".join([self.chamber_id, *self.lines()])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


Values = dict[str, str | None]


def _chamber(session: Session, chamber_id: ChamberId) -> dict[str, Values]:
    rows = session.exec(
        select(Representative)
        .where(Representative.chamber_id == chamber_id)
        .execution_options(populate_existing=True)
    ).all()
    return {
        rep.id: {name: (str(value) if (value := getattr(rep, name)) else None) for name in FIELDS}
        for rep in rows
    }


def apply_with_diff(
    session: Session,
    chamber_id: ChamberId,
    constituencies: Sequence[ConstituencyRecord],
    representatives: Sequence[RepresentativeRecord],
    *,
    complete: bool = True,
    progress: Progress | None = None,
) -> tuple[ImportReport, ImportDiff]:
    """Apply the import (the caller commits or rolls back) and say what it changed."""
    before = _chamber(session, chamber_id)
    report = apply_import(
        session, chamber_id, constituencies, representatives, complete=complete, progress=progress
    )
    after = _chamber(session, chamber_id)
    return report, compare(chamber_id, before, after)


def compare(chamber_id: str, before: dict[str, Values], after: dict[str, Values]) -> ImportDiff:
    diff = ImportDiff(chamber_id)
    vacant = RepresentativeStatus.vacant.value
    for rep_id in sorted(after, key=lambda i: (after[i]["constituency_id"] or "", i)):
        now = after[rep_id]
        was = before.get(rep_id)
        change = SeatChange(rep_id, now["name"] or "", now["constituency_id"] or "")
        if was is None:
            change.fields.update({name: (None, now[name]) for name in FIELDS if now[name]})
            diff.added.append(change)
            continue
        if was["status"] != vacant and now["status"] == vacant:
            diff.vacated.append(change)
            continue
        change.fields.update(
            {name: (was[name], now[name]) for name in FIELDS if was[name] != now[name]}
        )
        if change.fields:
            diff.changed.append(change)
    return diff

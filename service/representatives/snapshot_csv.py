"""How snapshot CSVs are written and read: sorted rows, a fixed header, LF line ends."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write rows sorted, with a fixed header and LF line ends, so re-runs give identical
    bytes and the committed snapshot only changes when the data does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(["" if v is None else str(v) for v in row] for row in rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(ordered)
    return len(ordered)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))

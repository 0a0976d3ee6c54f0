"""The bundled UK "nearby" table (representatives/uk/postcode_nearby.csv.gz): for every
Great Britain postcode district, the constituencies holding its postcodes, and for each
postcode whose short list is narrower than its district's, that short list.

It is a short list, not an answer: the constituencies a postcode lies in or near on
generalised boundaries, kept only where the official district table agrees. Written by
importers/uk_nearby_build.py, read by the lookup into a compact in-memory index.

File format (gzip, UTF-8 CSV, rows sorted, so a rebuild from the same sources gives the same
bytes): `district,constituencies,inward_codes`, with constituencies `|`-joined. A row whose
inward_codes is `*` gives the district's own list (what an outward code alone gets, and any
postcode not listed); other rows list, as concatenated 3-character inward codes ("1AA1AB"),
the postcodes with that narrower list.
"""

from __future__ import annotations

import csv
import gzip
import io
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.postcode_format import postcode_number

NEARBY_FILE = "uk/postcode_nearby.csv.gz"
COLUMNS = ("district", "constituencies", "inward_codes")
DISTRICT_ROW = "*"
_INWARD_LENGTH = 3
_SET_BITS = 16
_SET_MASK = (1 << _SET_BITS) - 1


@dataclass(frozen=True, slots=True)
class NearbyRows:
    """What the file holds, before it is packed for lookups."""

    districts: Mapping[str, tuple[str, ...]]
    # (district, constituencies) → inward codes of the postcodes with that short list.
    postcodes: Mapping[tuple[str, tuple[str, ...]], Sequence[str]]


def write_nearby(path: Path, rows: NearbyRows) -> int:
    """Write the table; returns the number of postcodes listed individually."""
    lines: list[tuple[str, str, str]] = [
        (district, "|".join(seats), DISTRICT_ROW) for district, seats in rows.districts.items()
    ]
    listed = 0
    for (district, seats), inwards in rows.postcodes.items():
        if inwards:
            lines.append((district, "|".join(seats), "".join(sorted(inwards))))
            listed += len(inwards)
    lines.sort()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same table always compresses to the same bytes.
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(text.getvalue().encode())
    return listed


class NearbyIndex:
    """Postcode → its short list, district → its list. Immutable; about 8 bytes a postcode."""

    __slots__ = ("_districts", "_entries", "_sets")

    def __init__(
        self,
        districts: dict[str, tuple[str, ...]],
        entries: array[int],
        sets: list[tuple[str, ...]],
    ) -> None:
        self._districts = districts
        self._entries = entries
        self._sets = sets

    @classmethod
    def build(cls, rows: Iterable[tuple[str, tuple[str, ...], str]]) -> NearbyIndex:
        districts: dict[str, tuple[str, ...]] = {}
        set_numbers: dict[tuple[str, ...], int] = {}
        packed: list[int] = []
        for district, seats, inwards in rows:
            if inwards == DISTRICT_ROW:
                districts[district] = seats
                continue
            number = set_numbers.setdefault(seats, len(set_numbers))
            if number > _SET_MASK:
                raise ImportFailed("too many distinct short lists for the nearby index")
            for start in range(0, len(inwards), _INWARD_LENGTH):
                key = district + inwards[start : start + _INWARD_LENGTH]
                packed.append(postcode_number(key) << _SET_BITS | number)
        packed.sort()
        sets: list[tuple[str, ...]] = [()] * len(set_numbers)
        for seats, number in set_numbers.items():
            sets[number] = seats
        return cls(districts, array("q", packed), sets)

    def for_postcode(self, key: str) -> tuple[str, ...]:
        """The short list of a full postcode key ("SW1A1AA"); empty when its district is not
        in the table (Northern Ireland, or a district unknown to the data)."""
        wanted = postcode_number(key)
        entries = self._entries
        position = bisect_left(entries, wanted << _SET_BITS)
        if position < len(entries) and entries[position] >> _SET_BITS == wanted:
            return self._sets[entries[position] & _SET_MASK]
        return self.for_district(key[:-_INWARD_LENGTH])

    def for_district(self, outward: str) -> tuple[str, ...]:
        return self._districts.get(outward, ())

    @property
    def postcodes_listed(self) -> int:
        return len(self._entries)

    @property
    def districts(self) -> int:
        return len(self._districts)


def read_nearby(path: Path) -> NearbyIndex:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if tuple(next(reader, ())) != COLUMNS:
                raise ImportFailed(f"{path.name} is not a nearby postcode table.")
            return NearbyIndex.build(
                (district, tuple(seats.split("|")), inwards) for district, seats, inwards in reader
            )
    except (OSError, EOFError, ValueError, csv.Error) as exc:
        raise ImportFailed(f"{path.name} cannot be read: {exc}") from exc

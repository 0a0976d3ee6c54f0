"""The local-table resolver: the imported uk_postcode table, held in memory as a compact
sorted index so a lookup costs a binary search rather than a database round trip.

About 1.8 million live postcodes fit in ~15 MB: each postcode key ("SW1A1AA") read as a
base-36 number fits in 37 bits, so key and constituency number share one 64-bit integer
(key << 16 | constituency number), kept sorted in an array('q') and searched with bisect.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from service.errors import ServiceUnavailable
from service.representatives.models import UK_POSTCODES_DATASET, DatasetLoad, UkPostcode
from service.representatives.postcode_format import postcode_number

log = logging.getLogger("repmail.lookup.uk")

_SEAT_BITS = 16
_SEAT_MASK = (1 << _SEAT_BITS) - 1
# How often a running process checks whether a new import has landed.
RECHECK_SECONDS = 30.0


class PostcodeIndex:
    """An immutable postcode → constituency map. Build a new one to change it."""

    __slots__ = ("_entries", "_seats")

    def __init__(self, entries: array[int], seats: list[str]) -> None:
        self._entries = entries
        self._seats = seats

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str]]) -> PostcodeIndex:
        seat_numbers: dict[str, int] = {}
        packed: list[int] = []
        for key, seat in rows:
            number = seat_numbers.setdefault(seat, len(seat_numbers))
            if number > _SEAT_MASK:
                raise ValueError("too many constituencies for the postcode index")
            packed.append(postcode_number(key) << _SEAT_BITS | number)
        packed.sort()
        seats = [""] * len(seat_numbers)
        for seat, number in seat_numbers.items():
            seats[number] = seat
        return cls(array("q", packed), seats)

    def constituency_for(self, key: str) -> str | None:
        try:
            wanted = postcode_number(key)
        except ValueError:  # not base-36 text, so not a key the table can hold
            return None
        entries = self._entries
        position = bisect_left(entries, wanted << _SEAT_BITS)
        if position < len(entries) and entries[position] >> _SEAT_BITS == wanted:
            return self._seats[entries[position] & _SEAT_MASK]
        return None

    def __len__(self) -> int:
        return len(self._entries)


def load_postcode_index(connection: Connection) -> PostcodeIndex:
    # Streamed in chunks (a server-side cursor on PostgreSQL): the rows never sit in memory
    # as a list, only the packed integers do. The option is set on this statement alone.
    query = select(UkPostcode.postcode, UkPostcode.constituency_id)  # type: ignore[call-overload]
    rows = connection.execute(query, execution_options={"yield_per": 50_000})
    return PostcodeIndex.build((key, seat) for key, seat in rows)


def dataset_marker(connection: Connection) -> tuple[str, object] | None:
    """What identifies the imported table's contents: checksum and load time."""
    row = connection.execute(
        select(DatasetLoad.checksum, DatasetLoad.loaded_at).where(  # type: ignore[call-overload]
            DatasetLoad.name == UK_POSTCODES_DATASET
        )
    ).first()
    return None if row is None else (row[0], row[1])


Connect = Callable[[], AbstractContextManager[Connection]]


@dataclass(frozen=True, slots=True)
class _Loaded:
    index: PostcodeIndex
    marker: tuple[str, object] | None
    checked_at: float


Background = Callable[[Callable[[], None]], None]


def in_daemon_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="uk-postcode-index", daemon=True).start()


class LocalTableResolver:
    """PostcodeResolver over the uk_postcode table, via the in-memory index.

    `connect` opens a connection (engine.connect in the service; tests pass one bound to
    their rolled-back transaction). The index is built on first use, or ahead of it with
    start_warm_up(). Every `recheck_seconds` the "uk-postcodes" load record is checked and,
    when a new import landed, the index rebuilt. Once an index exists no request waits for
    that: the check and the rebuild run in `background` while lookups use the index they have.
    """

    def __init__(
        self,
        connect: Connect,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        background: Background = in_daemon_thread,
    ) -> None:
        self._connect = connect
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._background = background
        # Held by whoever is building or checking; released by the thread that did the work.
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def constituency_for(self, key: str) -> str | None:
        loaded = self._loaded
        if loaded is None:
            loaded = self._load_first()
        elif self._clock() - loaded.checked_at >= self._recheck_seconds:
            self._recheck_in_background()
        return loaded.index.constituency_for(key)

    def warm_up(self) -> int:
        """Build (or re-check) the index now and wait for it; returns its size."""
        with self._lock:
            self._loaded = self._check(self._loaded)
            return len(self._loaded.index)

    def start_warm_up(self) -> None:
        """Build the index in the background (at start-up), so the first supporter does
        not wait for it; lookups arriving meanwhile wait for this build, not their own."""
        self._lock.acquire()
        self._background(self._check_and_release)

    def _load_first(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:  # nobody built it while this thread waited
                self._loaded = self._check(None)
            return self._loaded

    def _recheck_in_background(self) -> None:
        if self._lock.acquire(blocking=False):  # else a check is already under way
            self._background(self._check_and_release)

    def _check_and_release(self) -> None:
        try:
            self._loaded = self._check(self._loaded)
        except ServiceUnavailable:
            pass  # logged by _check; the first lookup will try again and say so
        finally:
            self._lock.release()

    def _check(self, current: _Loaded | None) -> _Loaded:
        try:
            with self._connect() as connection:
                marker = dataset_marker(connection)
                if current is not None and marker == current.marker:
                    return _Loaded(current.index, marker, self._clock())
                started = self._clock()
                index = load_postcode_index(connection)
        except SQLAlchemyError as exc:
            log.warning("uk postcode index not refreshed", extra={"error": type(exc).__name__})
            if current is None:
                raise ServiceUnavailable("The postcode table cannot be read just now.") from exc
            return _Loaded(current.index, current.marker, self._clock())
        log.info(
            "uk postcode index loaded",
            extra={"postcodes": len(index), "seconds": round(self._clock() - started, 2)},
        )
        return _Loaded(index, marker, self._clock())

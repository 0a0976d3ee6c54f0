"""The UK short list a supporter gets when no exact source knows their postcode: the bundled
nearby table (service.representatives.uk_nearby), read once into memory.

Reading the table takes about a second, so the service starts it in the background; a
lookup arriving first waits for that read rather than starting its own. A missing or broken
file is logged once and leaves the short list empty: supporters then search by name, as
they did before the table existed.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from functools import lru_cache
from pathlib import Path

from service.errors import ImportFailed
from service.lookup.uk_postcode_index import Background, in_daemon_thread
from service.representatives.uk_nearby import NEARBY_FILE, NearbyIndex, read_nearby

log = logging.getLogger("repmail.lookup.uk")

_EMPTY = NearbyIndex({}, array("q"), [])


@lru_cache(maxsize=2)
def _read_once(path: Path, mtime_ns: int, size: int) -> NearbyIndex:
    """One read per file version and process: the index is immutable, so every app built in
    the process (tests build many) shares it."""
    return read_nearby(path)


class NearbyShortList:
    """Postcode or outward code → the constituencies it lies in or near."""

    def __init__(self, path: Path | None, *, background: Background = in_daemon_thread) -> None:
        self._path = path
        self._background = background
        self._lock = threading.Lock()
        self._index: NearbyIndex | None = None if path is not None else _EMPTY

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> NearbyShortList:
        return cls(data_dir / NEARBY_FILE)

    @classmethod
    def empty(cls) -> NearbyShortList:
        return cls(None)

    def for_postcode(self, key: str) -> tuple[str, ...]:
        return self._loaded().for_postcode(key)

    def for_district(self, outward: str) -> tuple[str, ...]:
        return self._loaded().for_district(outward)

    def start_warm_up(self) -> None:
        if self._index is None:
            self._lock.acquire()
            self._background(self._read_and_release)

    def _loaded(self) -> NearbyIndex:
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = self._read()
            return self._index

    def _read_and_release(self) -> None:
        try:
            if self._index is None:
                self._index = self._read()
        finally:
            self._lock.release()

    def _read(self) -> NearbyIndex:
        assert self._path is not None
        started = time.monotonic()
        try:
            stat = self._path.stat()
            index = _read_once(self._path, stat.st_mtime_ns, stat.st_size)
        except OSError:
            log.warning("uk nearby table not loaded", extra={"reason": "no such file"})
            return _EMPTY
        except ImportFailed as exc:
            log.warning("uk nearby table not loaded", extra={"reason": exc.message})
            return _EMPTY
        log.info(
            "uk nearby table loaded",
            extra={
                "districts": index.districts,
                "postcodes": index.postcodes_listed,
                "seconds": round(time.monotonic() - started, 2),
            },
        )
        return index

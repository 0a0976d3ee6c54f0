"""Import postcode → constituency from the ONS NSPL or ONSPD (CSV, or the zip as published).

The whole table is replaced in the caller's transaction, so readers see either the previous
import or the new one. Columns are found by header name, because ONS renames them between
releases (pcon → pcon24cd). Only live postcodes (empty doterm) with a constituency the
directory knows are kept; everything else is counted and reported.

Memory stays bounded whatever the file size: rows stream from the file to the database
(COPY on PostgreSQL, large executemany batches on SQLite). The only thing that grows is the
set of postcodes seen, kept as integers to refuse duplicates before they reach the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import delete
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from service.errors import ImportFailed
from service.representatives.models import (
    UK_POSTCODES_DATASET,
    ChamberId,
    Constituency,
    DatasetLoad,
    UkPostcode,
)
from service.representatives.postcode_format import POSTCODE_KEY, postcode_number
from service.representatives.snapshot import record_load

# The DatasetLoad row of the imported table; the lookup's in-memory index reloads when it
# changes.
DATASET_NAME = UK_POSTCODES_DATASET
BATCH_ROWS = 20_000
_CONSTITUENCY_COLUMN = re.compile(r"^pcon(\d\d)?(cd)?$")
# ONS "pseudo" codes: the postcode has no constituency (Channel Islands, Isle of Man, no grid
# reference). L and M are the Channel Islands and the Isle of Man.
_PSEUDO_CODE = re.compile(r"^[EWSNLM]99999999$")
_INSERT_SQL = "INSERT INTO uk_postcode (postcode, constituency_id) VALUES (?, ?)"
_COPY_SQL = "COPY uk_postcode (postcode, constituency_id) FROM STDIN"

Progress = Callable[[int], None]


@dataclass(slots=True)
class PostcodeImportReport:
    checksum: str
    files: list[str] = field(default_factory=list)
    # True when this exact file was already imported: nothing was touched.
    unchanged: bool = False
    rows_read: int = 0
    imported: int = 0
    terminated: int = 0
    no_constituency: int = 0
    malformed: int = 0
    duplicates: int = 0
    northern_ireland_skipped: int = 0
    unknown_codes: Counter[str] = field(default_factory=Counter)
    seats_without_postcodes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CsvSource:
    """One CSV to read: a plain file, or a member of the published zip."""

    name: str
    size: int
    open: Callable[[], AbstractContextManager[IO[bytes]]]


def import_uk_postcodes(
    session: Session,
    path: Path,
    *,
    include_northern_ireland: bool = True,
    progress: Progress | None = None,
) -> PostcodeImportReport:
    """Replace the uk_postcode table with the live postcodes in `path`. The caller commits."""
    sources = find_csv_sources(path)
    checksum = file_checksum(path, include_northern_ireland=include_northern_ireland)
    report = PostcodeImportReport(checksum=checksum, files=[s.name for s in sources])
    current = session.get(DatasetLoad, DATASET_NAME)
    if current is not None and current.checksum == checksum:
        report.unchanged = True
        return report

    seats = set(
        session.exec(select(Constituency.id).where(Constituency.chamber_id == ChamberId.uk_commons))
    )
    if not seats:
        raise ImportFailed("Load the UK constituencies before importing postcodes.")
    connection = session.connection()
    connection.execute(delete(UkPostcode))
    with _postcode_writer(connection) as write:
        rows = _RowImporter(seats, write, report, include_northern_ireland, progress)
        for source in sources:
            rows.import_source(source)
    if report.imported == 0:
        raise ImportFailed(
            "No postcode in the file matched a 2024 constituency; the file may predate the "
            "July 2024 boundaries. Nothing was changed."
        )
    report.seats_without_postcodes = sorted(seats - rows.covered)
    record_load(session, DATASET_NAME, checksum, report.imported)
    return report


def find_csv_sources(path: Path) -> list[CsvSource]:
    """The CSV file itself, or from a zip: the main CSV under Data/, else Data/multi_csv/."""
    if not path.is_file():
        raise ImportFailed(f"{path} is not a file.")
    if not zipfile.is_zipfile(path):
        return [CsvSource(path.name, path.stat().st_size, lambda: path.open("rb"))]
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{path.name} is not a readable zip: {exc}") from exc

    def parent(info: zipfile.ZipInfo) -> str:
        return PurePosixPath(info.filename).parent.name.lower()

    main = [m for m in members if parent(m) == "data"]
    split = sorted((m for m in members if parent(m) == "multi_csv"), key=lambda m: m.filename)
    if main:
        chosen = [max(main, key=lambda m: m.file_size)]
    elif split:
        chosen = split
    elif len(members) == 1:
        chosen = members
    else:
        raise ImportFailed(
            f"{path.name} has no Data/*.csv or Data/multi_csv/*.csv, as NSPL and ONSPD do."
        )
    return [_zip_source(path, member) for member in chosen]


def file_checksum(path: Path, *, include_northern_ireland: bool = True) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    # The same file imported with different options gives a different table.
    digest.update(b"" if include_northern_ireland else b"without-northern-ireland")
    return digest.hexdigest()


def _zip_source(path: Path, member: zipfile.ZipInfo) -> CsvSource:
    @contextmanager
    def open_member() -> Iterator[IO[bytes]]:
        with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
            yield handle

    return CsvSource(member.filename, member.file_size, open_member)


@dataclass(frozen=True, slots=True)
class _Columns:
    postcode: int
    terminated: int
    constituency: int


def find_columns(header: list[str], source_name: str) -> _Columns:
    names = [name.strip().lower() for name in header]

    def position(*candidates: str) -> int | None:
        for candidate in candidates:
            if candidate in names:
                return names.index(candidate)
        return None

    postcode = position("pcds", "pcd")
    terminated = position("doterm")
    constituency_names = [n for n in names if _CONSTITUENCY_COLUMN.match(n)]
    missing = [
        label
        for label, found in (
            ("pcds or pcd", postcode),
            ("doterm", terminated),
            ("pcon (or pcon24cd)", constituency_names or None),
        )
        if found is None
    ]
    if postcode is None or terminated is None or missing:
        raise ImportFailed(
            f"{source_name} is not an NSPL/ONSPD file: no column {', '.join(missing)}."
        )
    # Several constituency columns (e.g. pcon and pcon24cd): the newest boundaries win,
    # read from the two-digit year ("pcon" alone counts as the oldest).
    newest = max(constituency_names, key=lambda name: re.sub(r"\D", "", name))
    return _Columns(postcode, terminated, names.index(newest))


class _RowImporter:
    """Filters rows from one or more CSV files and hands the keepers to `write`."""

    def __init__(
        self,
        seats: set[str],
        write: Callable[[list[tuple[str, str]]], None],
        report: PostcodeImportReport,
        include_northern_ireland: bool,
        progress: Progress | None,
    ) -> None:
        self.seats = seats
        self.write = write
        self.report = report
        self.include_northern_ireland = include_northern_ireland
        self.progress = progress
        self.covered: set[str] = set()
        # Postcodes kept so far, as integers (a third of the memory of strings), shared by
        # every file of a multi_csv import.
        self.seen: set[int] = set()

    def import_source(self, source: CsvSource) -> None:
        try:
            with source.open() as binary:
                text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
                reader = csv.reader(text)
                header = next(reader, None)
                if header is None:
                    raise ImportFailed(f"{source.name} is empty.")
                columns = find_columns(header, source.name)
                try:
                    reported_at = self._stream(reader, columns, binary)
                except csv.Error as exc:
                    raise ImportFailed(f"{source.name} line {reader.line_num}: {exc}") from exc
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            # A truncated download or a damaged zip member.
            raise ImportFailed(f"{source.name} cannot be read to the end: {exc}") from exc
        if self.progress:
            self.progress(max(source.size - reported_at, 0))

    def _stream(self, reader: Iterator[list[str]], columns: _Columns, binary: IO[bytes]) -> int:
        # The hot loop of the import (millions of rows): locals only, no per-row calls
        # beyond what each check needs.
        report, seats, seen, covered = self.report, self.seats, self.seen, self.covered
        postcode_at, terminated_at, seat_at = (
            columns.postcode,
            columns.terminated,
            columns.constituency,
        )
        needed = max(postcode_at, terminated_at, seat_at) + 1
        is_key = POSTCODE_KEY.fullmatch
        is_pseudo = _PSEUDO_CODE.match
        skip_ni = not self.include_northern_ireland
        batch: list[tuple[str, str]] = []
        reported_at = 0
        for row in reader:
            report.rows_read += 1
            if len(row) < needed:
                report.malformed += 1
                continue
            if row[terminated_at].strip():
                report.terminated += 1
                continue
            seat = row[seat_at].strip().upper()
            if not seat or is_pseudo(seat):
                report.no_constituency += 1
                continue
            if seat not in seats:
                report.unknown_codes[seat] += 1
                continue
            if skip_ni and seat.startswith("N"):
                report.northern_ireland_skipped += 1
                continue
            key = row[postcode_at].replace(" ", "").upper()
            if not is_key(key):
                report.malformed += 1
                continue
            number = postcode_number(key)
            if number in seen:
                report.duplicates += 1
                continue
            seen.add(number)
            covered.add(seat)
            batch.append((key, seat))
            if len(batch) >= BATCH_ROWS:
                self._flush(batch)
                batch = []
                if self.progress:
                    position = binary.tell()
                    self.progress(position - reported_at)
                    reported_at = position
        self._flush(batch)
        return reported_at

    def _flush(self, batch: list[tuple[str, str]]) -> None:
        if batch:
            self.write(batch)
            self.report.imported += len(batch)


@contextmanager
def _postcode_writer(
    connection: Connection,
) -> Iterator[Callable[[list[tuple[str, str]]], None]]:
    """A function that appends rows to uk_postcode inside the connection's transaction."""
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:

            def copy_rows(rows: list[tuple[str, str]]) -> None:
                for row in rows:
                    copy.write_row(row)

            yield copy_rows
        return
    cursor = driver.cursor()
    try:

        def insert_rows(rows: list[tuple[str, str]]) -> None:
            cursor.executemany(_INSERT_SQL, rows)

        yield insert_rows
    finally:
        cursor.close()

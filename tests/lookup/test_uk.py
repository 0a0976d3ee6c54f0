"""UK lookup: resolvers in order, fall-through to pick-by-name, and the local-table resolver
with its in-memory index (built on first use, rebuilt when a new import lands)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from service.app import create_app
from service.config import LookupSettings, Settings
from service.deps import get_session
from service.errors import InvalidInput, ServiceUnavailable
from service.lookup.postcodes_io import PostcodesIoResolver
from service.lookup.schemas import LookupStatus, Question
from service.lookup.service import LookupDependencies
from service.lookup.uk import build_uk_resolvers, resolve_uk, start_warm_up
from service.lookup.uk_postcode_index import LocalTableResolver, PostcodeIndex
from service.representatives.models import DatasetLoad, UkPostcode
from service.representatives.snapshot import record_load

ALDERSHOT = "E14001063"
BOLTON_SOUTH = "E14001111"  # its MP publishes no email address


class TableResolver:
    """A resolver that knows a fixed table and counts the questions it was asked."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    def constituency_for(self, key: str) -> str | None:
        self.asked.append(key)
        return self.table.get(key)


class DownResolver:
    def constituency_for(self, key: str) -> str | None:
        raise ServiceUnavailable("down")


def test_a_known_postcode_matches_its_mp(session: Session) -> None:
    result = resolve_uk(session, "gu11 1aa", [TableResolver({"GU111AA": ALDERSHOT})])
    assert result.status is LookupStatus.matched
    [mp] = result.representatives
    assert (mp.id, mp.name, mp.constituency.id, mp.constituency.name) == (
        "uk-5173",
        "Alex Baker",
        ALDERSHOT,
        "Aldershot",
    )
    assert mp.chamber == "uk-commons"
    assert mp.can_write
    assert result.message == ""


def test_an_mp_without_email_is_matched_but_not_writable(session: Session) -> None:
    result = resolve_uk(session, "BL3 1AA", [TableResolver({"BL31AA": BOLTON_SOUTH})])
    assert result.status is LookupStatus.matched
    assert not result.representatives[0].can_write
    assert "cannot be written to" in result.message


def test_resolvers_are_asked_in_order_until_one_knows(session: Session) -> None:
    first, second = TableResolver({}), TableResolver({"GU111AA": ALDERSHOT})
    third = TableResolver({"GU111AA": BOLTON_SOUTH})
    result = resolve_uk(session, "GU11 1AA", [first, second, third])
    assert result.representatives[0].constituency.id == ALDERSHOT
    assert first.asked == second.asked == ["GU111AA"]
    assert third.asked == []


@pytest.mark.parametrize(
    "resolvers",
    [[], [TableResolver({})], [DownResolver()], [TableResolver({}), DownResolver()]],
    ids=["none", "unknown", "down", "unknown-then-down"],
)
def test_nothing_known_asks_to_pick_by_name(session: Session, resolvers: list[object]) -> None:
    result = resolve_uk(session, "GU11 1AA", resolvers)  # type: ignore[arg-type]
    assert result.status is LookupStatus.unresolved
    assert result.question is Question.constituency
    assert result.representatives == []
    assert "by name" in result.message


def test_a_live_resolver_that_is_down_is_skipped(session: Session) -> None:
    result = resolve_uk(
        session, "GU11 1AA", [DownResolver(), TableResolver({"GU111AA": ALDERSHOT})]
    )
    assert result.status is LookupStatus.matched


def test_a_code_the_directory_lacks_falls_through(session: Session) -> None:
    resolvers = [TableResolver({"GU111AA": "E14999999"}), TableResolver({"GU111AA": ALDERSHOT})]
    assert resolve_uk(session, "GU11 1AA", resolvers).status is LookupStatus.matched
    alone = resolve_uk(session, "GU11 1AA", resolvers[:1])
    assert alone.status is LookupStatus.unresolved


def test_overseas_territory_is_unresolved_without_asking_resolvers(session: Session) -> None:
    resolver = TableResolver({})
    result = resolve_uk(session, "FIQQ 1ZZ", [resolver])
    assert result.status is LookupStatus.unresolved
    assert result.question is Question.constituency
    assert "Falkland Islands" in result.message
    assert resolver.asked == []


def test_malformed_postcodes_are_invalid_input(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_uk(session, "JE2 3AB", [TableResolver({})])
    assert caught.value.field == "postcode"


def test_build_resolvers_adds_postcodes_io_only_when_configured(
    settings: Settings, engine: Engine
) -> None:
    offline = build_uk_resolvers(settings, engine)
    assert [type(r) for r in offline] == [LocalTableResolver]
    online = settings.model_copy(
        update={"lookup": LookupSettings(postcodes_io_url="https://postcodes.invalid")}
    )
    assert [type(r) for r in build_uk_resolvers(online, engine)] == [
        LocalTableResolver,
        PostcodesIoResolver,
    ]


def test_start_warm_up_builds_the_local_index(settings: Settings, engine: Engine) -> None:
    resolvers = build_uk_resolvers(settings, engine)
    start_warm_up(resolvers)
    assert resolvers[0].constituency_for("SW1A1AA") is None  # nothing imported in this DB


# --- the API, with the resolvers injected --------------------------------------------------


@pytest.fixture
def uk_client(settings: Settings, engine: Engine, session: Session) -> Iterator[TestClient]:
    deps = LookupDependencies(uk_resolvers=[DownResolver(), TableResolver({"GU111AA": ALDERSHOT})])
    app = create_app(settings, engine=engine, lookup_deps=deps)

    def test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = test_session
    with TestClient(app) as client:
        yield client


def test_api_matches_a_postcode(uk_client: TestClient) -> None:
    response = uk_client.get("/api/lookup", params={"country": "uk", "postcode": "gu111aa"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "matched"
    assert body["representatives"][0]["id"] == "uk-5173"


@pytest.mark.parametrize(
    ("postcode", "wording"),
    [
        ("JE2 3AB", "no MP at Westminster"),
        ("BFPO 801", "BFPO"),
        ("75001", "French code postal"),
        ("SW1Ａ 1AA\u0410", "only the letters A to Z"),
    ],
)
def test_api_refusals_are_422_with_the_reason(
    uk_client: TestClient, postcode: str, wording: str
) -> None:
    response = uk_client.get("/api/lookup", params={"country": "uk", "postcode": postcode})
    assert response.status_code == 422
    assert response.json()["field"] == "postcode"
    assert wording in response.json()["message"]


def test_api_unknown_postcode_offers_pick_by_name(uk_client: TestClient) -> None:
    body = uk_client.get("/api/lookup", params={"country": "uk", "postcode": "SW1A 1AA"}).json()
    assert (body["status"], body["question"]) == ("unresolved", "constituency")


# --- the in-memory index --------------------------------------------------------------------


def test_index_finds_exactly_the_postcodes_it_holds() -> None:
    rows = [("SW1A1AA", "E14001172"), ("M11AE", "E14001363"), ("B338TH", ALDERSHOT)]
    rows += [(f"ZE{d}1AA", "S14000079") for d in range(1, 4)]
    index = PostcodeIndex.build(rows)
    assert len(index) == 6
    for key, seat in rows:
        assert index.constituency_for(key) == seat
    for absent in ("SW1A1AB", "M11AD", "A00AA", "ZZ999ZZ", "", "SW1A 1AA", "é"):
        assert index.constituency_for(absent) is None


def test_empty_index_knows_nothing() -> None:
    assert PostcodeIndex.build([]).constituency_for("SW1A1AA") is None


def _store_postcodes(session: Session, rows: dict[str, str], checksum: str) -> None:
    session.exec(delete(UkPostcode))
    session.add_all(UkPostcode(postcode=k, constituency_id=v) for k, v in rows.items())
    record_load(session, "uk-postcodes", checksum, len(rows))
    session.flush()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingConnect:
    """Hands out the test's own connection (inside its rolled-back transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.calls = 0

    def __call__(self) -> AbstractContextManager[Connection]:
        self.calls += 1
        return nullcontext(self.session.connection())


class Deferred:
    """A background runner that holds the work until the test runs it."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.pending.append(work)

    def run(self) -> None:
        while self.pending:
            self.pending.pop(0)()


def test_local_resolver_reloads_only_when_a_new_import_landed(session: Session) -> None:
    _store_postcodes(session, {"GU111AA": ALDERSHOT}, "first")
    clock, connect, background = Clock(), CountingConnect(session), Deferred()
    resolver = LocalTableResolver(connect, recheck_seconds=30, clock=clock, background=background)
    assert resolver.constituency_for("GU111AA") == ALDERSHOT  # first use builds, and waits
    assert resolver.constituency_for("BL31AA") is None
    assert connect.calls == 1

    _store_postcodes(session, {"BL31AA": BOLTON_SOUTH}, "second")
    clock.now += 29  # within the recheck interval: nothing is even checked
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    assert background.pending == []

    clock.now += 2  # due: a check starts in the background, lookups keep the old index
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    assert len(background.pending) == 1  # one check at a time
    background.run()
    assert resolver.constituency_for("BL31AA") == BOLTON_SOUTH
    assert resolver.constituency_for("GU111AA") is None
    assert connect.calls == 2

    clock.now += 31  # checked again, nothing new: the same index is kept
    resolver.constituency_for("BL31AA")
    background.run()
    assert resolver.constituency_for("BL31AA") == BOLTON_SOUTH
    assert connect.calls == 3


def test_local_resolver_notices_a_reload_of_the_same_file(session: Session) -> None:
    _store_postcodes(session, {"GU111AA": ALDERSHOT}, "same")
    clock = Clock()
    resolver = LocalTableResolver(
        CountingConnect(session), recheck_seconds=30, clock=clock, background=lambda w: w()
    )
    assert resolver.warm_up() == 1
    load = session.get(DatasetLoad, "uk-postcodes")
    assert load is not None
    session.add(UkPostcode(postcode="BL31AA", constituency_id=BOLTON_SOUTH))
    load.loaded_at = datetime(2030, 1, 1, tzinfo=UTC)
    session.add(load)
    session.flush()
    clock.now += 60
    resolver.constituency_for("BL31AA")  # notices, and (here at once) rebuilds
    assert resolver.constituency_for("BL31AA") == BOLTON_SOUTH


def test_local_resolver_with_no_import_knows_nothing(session: Session) -> None:
    resolver = LocalTableResolver(CountingConnect(session))
    assert resolver.constituency_for("SW1A1AA") is None


def test_local_resolver_unreadable_table_is_unavailable_not_a_crash() -> None:
    from sqlalchemy import create_engine

    empty = create_engine("sqlite://")  # no tables at all
    resolver = LocalTableResolver(empty.connect)
    with pytest.raises(ServiceUnavailable):
        resolver.constituency_for("SW1A1AA")


def test_local_resolver_keeps_answering_when_a_recheck_fails(session: Session) -> None:
    _store_postcodes(session, {"GU111AA": ALDERSHOT}, "first")
    clock = Clock()
    healthy = CountingConnect(session)
    broken = {"now": False}

    @contextmanager
    def connect() -> Iterator[Connection]:
        if broken["now"]:
            from sqlalchemy.exc import OperationalError

            raise OperationalError("SELECT", {}, Exception("database went away"))
        with healthy() as connection:
            yield connection

    resolver = LocalTableResolver(connect, clock=clock, background=lambda w: w())
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    broken["now"] = True
    clock.now += 120
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    assert resolver.constituency_for("GU111AA") == ALDERSHOT


def test_first_use_from_many_threads_builds_the_index_once(session: Session) -> None:
    _store_postcodes(session, {f"GU11{d}AA": ALDERSHOT for d in range(10)}, "threads")
    connect = CountingConnect(session)
    resolver = LocalTableResolver(connect)
    start = threading.Barrier(8)
    answers: list[str | None] = []

    def ask() -> None:
        start.wait()
        answers.append(resolver.constituency_for("GU113AA"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [ALDERSHOT] * 8
    assert connect.calls == 1


def test_warm_up_in_the_background_serves_the_first_lookups(session: Session) -> None:
    _store_postcodes(session, {"GU111AA": ALDERSHOT}, "warm")
    connect, background = CountingConnect(session), Deferred()
    resolver = LocalTableResolver(connect, background=background)
    resolver.start_warm_up()
    assert connect.calls == 0
    background.run()
    assert resolver.constituency_for("GU111AA") == ALDERSHOT
    assert connect.calls == 1


def test_warm_up_in_a_real_thread(session: Session) -> None:
    _store_postcodes(session, {"GU111AA": ALDERSHOT}, "thread")
    connect = CountingConnect(session)
    resolver = LocalTableResolver(connect)
    resolver.start_warm_up()
    assert resolver.constituency_for("GU111AA") == ALDERSHOT  # waits for the warm-up
    assert connect.calls == 1

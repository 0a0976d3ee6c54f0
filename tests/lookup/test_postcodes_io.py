"""The postcodes.io resolver against recorded answers: codes read from the documented field,
404 is "unknown", every failure is ServiceUnavailable, and answers are cached for a while."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from service.config import LookupSettings
from service.errors import ServiceUnavailable
from service.lookup.postcodes_io import NEGATIVE_TTL_CAP_SECONDS, PostcodesIoResolver
from service.lookup.schemas import LookupStatus
from service.lookup.ttl_cache import TtlCache
from service.lookup.uk import resolve_uk
from tests.fakes.postcodes_io import BASE_URL, FakePostcodesIo, recorded_answer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakePostcodesIo:
    return FakePostcodesIo()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def resolver(fake: FakePostcodesIo, clock: Clock) -> PostcodesIoResolver:
    return PostcodesIoResolver(
        fake.client(),
        BASE_URL + "/",
        timeout_seconds=1.5,
        cache=TtlCache(100, clock=clock),
        ttl_seconds=24 * 3600,
    )


def test_known_postcode_gives_the_2024_constituency_code(
    resolver: PostcodesIoResolver, fake: FakePostcodesIo
) -> None:
    assert resolver.constituency_for("GU119ZX") == "E14001063"
    assert resolver.constituency_for("LL779ZX") == "W07000112"
    [first, _] = fake.requests
    assert str(first.url) == f"{BASE_URL}/postcodes/GU119ZX"
    assert first.extensions["timeout"]["read"] == 1.5


def test_unknown_postcode_is_none(resolver: PostcodesIoResolver) -> None:
    assert resolver.constituency_for("SW1A1ZX") is None


def test_postcode_outside_every_constituency_is_none(resolver: PostcodesIoResolver) -> None:
    assert resolver.constituency_for("ZE19ZX") is None  # pseudo code S99999999


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        recorded_answer("server_error"),
        httpx.Response(503, text="<html>maintenance</html>"),
        httpx.Response(429, json={"status": 429, "error": "Too many requests"}),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"status": 200, "result": None}),
        httpx.Response(200, json=[1, 2, 3]),
        httpx.Response(200, json={"status": 200, "result": {"codes": {"x": 1}}}),
    ],
    ids=lambda f: type(f).__name__ if isinstance(f, Exception) else str(f.status_code),
)
def test_failures_are_service_unavailable_and_not_cached(
    resolver: PostcodesIoResolver, fake: FakePostcodesIo, failure: object
) -> None:
    fake.failure = failure  # type: ignore[assignment]
    with pytest.raises(ServiceUnavailable):
        resolver.constituency_for("GU119ZX")
    fake.failure = None
    assert resolver.constituency_for("GU119ZX") == "E14001063"


def test_answers_are_cached_until_they_expire(
    resolver: PostcodesIoResolver, fake: FakePostcodesIo, clock: Clock
) -> None:
    for _ in range(3):
        assert resolver.constituency_for("GU119ZX") == "E14001063"
    assert len(fake.requests) == 1
    clock.now += 24 * 3600
    resolver.constituency_for("GU119ZX")
    assert len(fake.requests) == 2


def test_unknown_postcodes_are_cached_for_a_shorter_time(
    resolver: PostcodesIoResolver, fake: FakePostcodesIo, clock: Clock
) -> None:
    assert resolver.constituency_for("SW1A1ZX") is None
    assert resolver.constituency_for("SW1A1ZX") is None
    assert len(fake.requests) == 1
    clock.now += NEGATIVE_TTL_CAP_SECONDS
    resolver.constituency_for("SW1A1ZX")
    assert len(fake.requests) == 2


def test_cache_size_is_bounded() -> None:
    cache: TtlCache[str, int] = TtlCache(2)
    for number, key in enumerate("abc"):
        cache.put(key, number, 60)
    assert len(cache) == 2
    assert cache.get("a") == (False, None)
    assert cache.get("c") == (True, 2)


def test_a_zero_sized_cache_stores_nothing() -> None:
    cache: TtlCache[str, int] = TtlCache(0)
    cache.put("a", 1, 60)
    assert cache.get("a") == (False, None)


def test_built_from_settings(fake: FakePostcodesIo) -> None:
    settings = LookupSettings(postcodes_io_url=BASE_URL, postcodes_io_timeout_seconds=0.5)
    resolver = PostcodesIoResolver.from_settings(settings, client=fake.client())
    assert resolver.constituency_for("LL779ZX") == "W07000112"
    assert fake.requests[0].extensions["timeout"]["connect"] == 0.5
    with pytest.raises(ValueError):
        PostcodesIoResolver.from_settings(LookupSettings())


def test_resolve_uk_through_postcodes_io(
    session: Session, resolver: PostcodesIoResolver, fake: FakePostcodesIo
) -> None:
    result = resolve_uk(session, "ll77 9zx", [resolver])
    assert result.status is LookupStatus.matched
    assert result.representatives[0].constituency.name == "Ynys Môn"

    fake.failure = httpx.ConnectError("offline")
    down = resolve_uk(session, "GU11 1ZX", [resolver])
    assert down.status is LookupStatus.unresolved
    assert "by name" in down.message

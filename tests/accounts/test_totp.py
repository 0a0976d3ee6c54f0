"""RFC 6238's own test vectors, the window either side, and single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.accounts import totp

# RFC 6238 appendix B: the seeds are ASCII "12345678901234567890" repeated to the key size.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_vectors(unix: int, sha1: str, sha256: str, sha512: str) -> None:
    step = unix // 30
    assert totp.code_at_step(SEEDS["sha1"], step, digits=8) == sha1
    assert totp.code_at_step(SEEDS["sha256"], step, digits=8, algorithm="sha256") == sha256
    assert totp.code_at_step(SEEDS["sha512"], step, digits=8, algorithm="sha512") == sha512


def _code(secret: str, moment: datetime) -> str:
    return totp.code_at_step(totp._key(secret), totp.time_step(moment))


def test_one_step_either_side_is_accepted_and_no_further() -> None:
    secret = totp.new_secret()
    now = datetime(2026, 12, 3, 10, 0, 15, tzinfo=UTC)
    step = totp.time_step(now)
    for offset in (-1, 0, 1):
        code = _code(secret, now + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, now) == step + offset
    for offset in (-3, -2, 2, 3):
        code = _code(secret, now + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, now) is None


def test_a_code_works_once() -> None:
    secret = totp.new_secret()
    now = datetime(2026, 12, 3, 10, 0, 15, tzinfo=UTC)
    code = _code(secret, now)
    used = totp.matching_step(secret, code, now)
    assert used is not None
    assert totp.matching_step(secret, code, now, after=used) is None
    # An older code from the window is refused too once a newer one was used.
    older = _code(secret, now - timedelta(seconds=30))
    assert totp.matching_step(secret, older, now, after=used) is None


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(junk: str) -> None:
    assert totp.matching_step(totp.new_secret(), junk, datetime.now(UTC)) is None


def test_provisioning_uri_names_issuer_account_and_secret() -> None:
    uri = totp.provisioning_uri("ABCDEFGH", account="ann@example.org", issuer="repmail")
    assert uri.startswith("otpauth://totp/repmail:ann@example.org?")
    assert "secret=ABCDEFGH" in uri and "issuer=repmail" in uri and "period=30" in uri

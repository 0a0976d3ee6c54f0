"""The signed double-submit token."""

from __future__ import annotations

from service.web import csrf

KEY = "k" * 40


def test_a_token_verifies_against_itself_only() -> None:
    token = csrf.issue(KEY)
    assert csrf.verify(KEY, token, token)
    assert not csrf.verify(KEY, token, csrf.issue(KEY))
    assert not csrf.verify(KEY, None, token)
    assert not csrf.verify(KEY, token, None)
    assert not csrf.verify("other" * 10, token, token)


def test_tampered_and_malformed_tokens_are_invalid() -> None:
    token = csrf.issue(KEY)
    nonce, issued, signature = token.split(".")
    for bad in (
        f"{nonce}x.{issued}.{signature}",
        f"{nonce}.{int(issued) + 1}.{signature}",
        f"{nonce}.{issued}",
        "",
        "a.b.c",
        "é.1.ü",
        "x" * 500,
        f"{nonce}.{issued}.{signature}\x00",
    ):
        assert not csrf.is_valid(KEY, bad), bad


def test_tokens_expire() -> None:
    token = csrf.issue(KEY, now=1_000_000)
    assert csrf.is_valid(KEY, token, now=1_000_000 + 60)
    assert not csrf.is_valid(KEY, token, now=1_000_000 + csrf.MAX_AGE_SECONDS + 1)

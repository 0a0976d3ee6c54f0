"""Tokens, the state machine, text guards and shingle similarity, on their own."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from service.errors import NotFound
from service.letters import guards, similarity
from service.letters.states import (
    TRANSITIONS,
    InvalidTransition,
    LetterStatus,
    require_move,
)
from service.letters.tokens import (
    LinkExpired,
    confirmation_token,
    keyed_hash,
    read_confirmation_token,
    read_status_token,
    status_token,
    token_hash,
)

SECRET = "a-secret-key-that-is-long-enough-for-the-tests"
LETTER = "0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_confirmation_tokens_round_trip_until_they_expire() -> None:
    token = confirmation_token(SECRET, LETTER, NOW + timedelta(days=7))
    assert read_confirmation_token(SECRET, token, NOW) == LETTER
    assert read_confirmation_token(SECRET, token, NOW + timedelta(days=7, seconds=-1)) == LETTER
    with pytest.raises(LinkExpired):
        read_confirmation_token(SECRET, token, NOW + timedelta(days=7))


def test_tokens_are_bound_to_key_purpose_and_content() -> None:
    token = confirmation_token(SECRET, LETTER, NOW + timedelta(days=7))
    with pytest.raises(NotFound):
        read_confirmation_token("another" + SECRET, token, NOW)
    letter, expires, mac = token.split(".")
    with pytest.raises(NotFound):
        read_confirmation_token(SECRET, f"{letter}.{int(expires) + 1}.{mac}", NOW)
    with pytest.raises(NotFound):
        read_status_token(SECRET, f"{letter}.{mac}")
    status = status_token(SECRET, LETTER)
    assert read_status_token(SECRET, status) == LETTER
    with pytest.raises(NotFound):
        read_confirmation_token(SECRET, status, NOW)


def test_tokens_are_deterministic_so_a_reminder_carries_the_same_link() -> None:
    expires = NOW + timedelta(days=7)
    assert confirmation_token(SECRET, LETTER, expires) == confirmation_token(
        SECRET, LETTER, expires
    )
    assert token_hash("a") != token_hash("b") and len(token_hash("a")) == 64


def test_keyed_hashes_depend_on_the_secret() -> None:
    assert keyed_hash(SECRET, "ip", "192.0.2.1") != keyed_hash("x" + SECRET, "ip", "192.0.2.1")
    assert "192.0.2.1" not in keyed_hash(SECRET, "ip", "192.0.2.1")


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(LetterStatus)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (LetterStatus.pending_confirmation, LetterStatus.confirmed),
        (LetterStatus.confirmed, LetterStatus.queued),
        (LetterStatus.confirmed, LetterStatus.held),
        (LetterStatus.held, LetterStatus.queued),
        (LetterStatus.held, LetterStatus.rejected),
        (LetterStatus.queued, LetterStatus.sent),
        (LetterStatus.sent, LetterStatus.delivered),
        (LetterStatus.delivered, LetterStatus.bounced),
        (LetterStatus.pending_confirmation, LetterStatus.expired),
        (LetterStatus.pending_confirmation, LetterStatus.rejected),
    ],
)
def test_allowed_moves(current: LetterStatus, target: LetterStatus) -> None:
    require_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (LetterStatus.pending_confirmation, LetterStatus.queued),  # never before the click
        (LetterStatus.pending_confirmation, LetterStatus.sent),
        (LetterStatus.expired, LetterStatus.confirmed),
        (LetterStatus.rejected, LetterStatus.queued),
        (LetterStatus.sent, LetterStatus.queued),
        (LetterStatus.queued, LetterStatus.confirmed),
    ],
)
def test_forbidden_moves_raise(current: LetterStatus, target: LetterStatus) -> None:
    with pytest.raises(InvalidTransition):
        require_move(current, target)


@pytest.mark.parametrize(
    "value", ["a\r\nb", "a\nb", "a\rb", "a\x00b", "a\x1bb", "a\x85b", "a\u2028b", "a\u2029b"]
)
def test_single_line_refuses_breaks_and_controls(value: str) -> None:
    with pytest.raises(ValueError):
        guards.single_line(value)


def test_exactly_the_unicode_controls_and_separators_are_refused() -> None:
    """Every code point Unicode classes as a control (Cc), the line and paragraph
    separators, and the text-direction embeddings, overrides and isolates are refused on one
    line; nothing else is; a paragraph keeps only newlines."""
    direction = {chr(n) for n in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    refused = {"\u2028", "\u2029"} | {
        chr(n) for n in range(0x110000) if unicodedata.category(chr(n)) == "Cc"
    }
    refused_on_one_line = refused | direction
    for n in range(0x110000):
        char = chr(n)
        if 0xD800 <= n <= 0xDFFF:
            continue  # surrogates never arrive in decoded text
        try:
            guards.single_line(f"a{char}b")
            accepted = True
        except ValueError:
            accepted = False
        assert accepted != (char in refused_on_one_line), hex(n)
    assert guards.paragraph("one\ntwo") == "one\ntwo"
    for char in refused - {"\n", "\r", "\t"}:
        with pytest.raises(ValueError):
            guards.paragraph(f"one{char}two")


def test_single_line_collapses_spaces() -> None:
    assert guards.single_line("  Jo   Smith\u00a0 ") == "Jo Smith"


def test_paragraph_keeps_line_breaks_and_drops_excess_blank_lines() -> None:
    assert guards.paragraph("  One\r\nTwo\r\n\r\n\r\n\r\nThree\t! \n") == "One\nTwo\n\nThree !"
    with pytest.raises(ValueError):
        guards.paragraph("bell\x07")


def test_email_key_lowercases_and_trims_but_keeps_dots_and_tags() -> None:
    assert guards.email_key("  A.B+x@Gmail.COM ") == "a.b+x@gmail.com"


def test_shingles_ignore_case_accents_and_punctuation() -> None:
    a = similarity.shingles("Élan vital, the BORDER kills; please act now!", 4)
    b = similarity.shingles("elan vital the border kills please act now", 4)
    assert a == b and len(a) == 5


def test_short_paragraphs_are_one_shingle_and_empty_ones_none() -> None:
    assert len(similarity.shingles("Please act", 4)) == 1
    assert similarity.shingles("  ... ", 4) == frozenset()


def test_fingerprints_round_trip() -> None:
    prints = similarity.shingles("one two three four five six seven", 4)
    assert similarity.unpack(similarity.pack(prints)) == prints
    assert len(similarity.pack(prints)) == 4 * len(prints)


def test_copying_is_caught_and_quoting_is_not() -> None:
    k = 4
    base = (
        "I am writing because the situation in Calais shames both our countries and "
        "children are dying in the channel every winter"
    )
    mine_copied = similarity.shingles(base + " and I want this to stop", k)
    mine_original = similarity.shingles(
        "My daughter teaches French in Dover and her pupils ask why people drown. "
        "I do not know what to tell them. " + base[:40],
        k,
    )
    others = [similarity.pack(similarity.shingles(base, k))]
    copied = similarity.compare(mine_copied, others, 0.5)
    assert copied.similar_letters == 1 and copied.score >= 0.5
    original = similarity.compare(mine_original, others, 0.5)
    assert original.similar_letters == 0 and original.score < 0.5


def test_an_empty_paragraph_scores_zero() -> None:
    assert similarity.compare(frozenset(), [b"\x01\x00\x00\x00"], 0.5).score == 0.0

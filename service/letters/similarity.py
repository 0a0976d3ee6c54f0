"""How much of a personal paragraph is already in other letters to the same representative.

A paragraph becomes a set of shingles: hashes of every run of `k` consecutive words, after
case folding, accent stripping and dropping punctuation. The score against another letter is
the share of this paragraph's shingles found in it (containment), so copying someone's text
and adding a line is still caught, while quoting a short line inside a long letter of one's
own is not. The sets are stored with each letter (4 bytes a shingle) and compared exactly.
"""

from __future__ import annotations

import hashlib
import re
import struct
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

_WORD = re.compile(r"\w+")


@cache
def _without_marks() -> dict[int, None]:
    """str.translate table deleting every combining mark (the accents NFKD splits off). Built
    once, on the first accented text: one C-level pass per paragraph, not a Python step per
    character."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def words(text: str) -> list[str]:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_without_marks())
    return _WORD.findall(text.casefold())


def shingles(text: str, k: int) -> frozenset[int]:
    return shingles_of(words(text), k)


def shingles_of(tokens: list[str], k: int) -> frozenset[int]:
    """The shingles of a paragraph already split by `words`."""
    if not tokens:
        return frozenset()
    runs = (
        [" ".join(tokens)]
        if len(tokens) < k
        else [" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]
    )
    return frozenset(
        int.from_bytes(hashlib.blake2b(run.encode(), digest_size=4).digest(), "little")
        for run in runs
    )


def pack(values: frozenset[int]) -> bytes:
    ordered = sorted(values)
    return struct.pack(f"<{len(ordered)}I", *ordered)


def unpack(blob: bytes) -> frozenset[int]:
    count = len(blob) // 4
    return frozenset(struct.unpack(f"<{count}I", blob[: count * 4]))


def containment(mine: frozenset[int], other: frozenset[int]) -> float:
    if not mine:
        return 0.0
    return len(mine & other) / len(mine)


@dataclass(frozen=True, slots=True)
class SimilarityReport:
    similar_letters: int  # letters whose text covers at least `threshold` of this paragraph
    score: float  # the highest share of this paragraph found in any one letter, 0..1


def compare(mine: frozenset[int], others: Iterable[bytes], threshold: float) -> SimilarityReport:
    similar = 0
    best = 0.0
    if not mine:
        return SimilarityReport(0, 0.0)
    for blob in others:
        score = containment(mine, unpack(blob))
        best = max(best, score)
        if score >= threshold:
            similar += 1
    return SimilarityReport(similar, round(best, 3))

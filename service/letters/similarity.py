"""How much of a personal paragraph is already in other letters to the same representative.

A paragraph becomes a set of shingles: hashes of every run of `k` consecutive words, after
normalising what a reader cannot see: compatibility forms (fullwidth letters, ligatures),
invisible characters (zero-width spaces and joiners, soft hyphens, direction marks), Latin
look-alikes from other scripts (Cyrillic "а", Greek "ο"), case, accents and punctuation.
Otherwise a copy dressed in any of these would read the same to a person and differ to us.
The score against another letter is the share of this paragraph's shingles found in it
(containment), so copying someone's text and adding a line is still caught, while quoting a
short line inside a long letter of one's own is not. The sets are stored with each letter
(4 bytes a shingle) and compared exactly.
"""

from __future__ import annotations

import hashlib
import re
import struct
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

_WORD = re.compile(r"\w+")

# Letters of other scripts drawn like Latin ones (after Unicode's confusables list, for the
# scripts a copy would borrow from): Cyrillic, then Greek, capitals and small letters.
_LOOKALIKES = {
    **dict(zip("АВЕЅІЈКМНОРСТХУЁЇ", "ABESIJKMHOPCTXYEI", strict=True)),
    **dict(zip("аеѕіјорсухԁԛԝһӏёї", "aesijopcyxdqwhlei", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
    **dict(zip("αοιυνκτρχ", "aoiuvktpx", strict=True)),
}


@cache
def _fold_table() -> dict[int, str | None]:
    """str.translate table applied after NFKD: deletes every combining mark (the accents NFKD
    splits off) and every invisible formatting character (Unicode category Cf), and maps the
    look-alikes to Latin. Built once, on the first non-ASCII text: one C-level pass per
    paragraph, not a Python step per character."""
    table: dict[int, str | None] = {
        code: None
        for code in range(sys.maxunicode + 1)
        if unicodedata.combining(chr(code)) or unicodedata.category(chr(code)) == "Cf"
    }
    table.update({ord(other): latin for other, latin in _LOOKALIKES.items()})
    return table


def normalise(text: str) -> str:
    """The text as fingerprinting sees it (see the module's docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_fold_table())
    return text.casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


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


@lru_cache(maxsize=64)
def shingles_of_texts(texts: tuple[str, ...], k: int) -> frozenset[int]:
    """The shingles of several separate texts (a campaign's intro, closing and demands), no
    shingle spanning two of them. Cached: a campaign's texts change rarely and every
    submission to it compares against them."""
    return frozenset().union(*(shingles(text, k) for text in texts))


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

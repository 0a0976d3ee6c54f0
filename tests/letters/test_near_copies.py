"""How much of a set of generated near-copies the similarity hold catches (the figure is in
the README), and that paragraphs by different people are not caught."""

from __future__ import annotations

import random
from collections import Counter

from service.config import LetterSettings
from service.letters import similarity
from tests.letters.near_copies import DISTINCT, ORIGINALS, near_copies

SETTINGS = LetterSettings()
# Walk-arounds a person cannot see or that change almost nothing: every one must be caught.
ALWAYS_CAUGHT = {
    "1 words replaced",
    "2 words replaced",
    "3 words replaced",
    "4 words replaced",
    "4 words replaced, spread out",
    "3 words inserted",
    "a sentence added",
    "a sentence put first",
    "cyrillic and greek look-alikes",
    "zero-width characters",
    "case and punctuation",
    "fullwidth letters",
    "look-alikes and 3 words replaced",
    "invisible and 2 words inserted",
}


def _score(copy: str, original: str) -> float:
    k = SETTINGS.shingle_words
    return similarity.containment(similarity.shingles(copy, k), similarity.shingles(original, k))


def catch_rates(seeds: int = 5) -> tuple[dict[str, float], float]:
    caught: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    for seed in range(seeds):
        rng = random.Random(seed)
        for original in ORIGINALS:
            for kind, copy in near_copies(original, rng):
                tried[kind] += 1
                caught[kind] += _score(copy, original) >= SETTINGS.similarity_threshold
    by_kind = {kind: caught[kind] / tried[kind] for kind in tried}
    return by_kind, sum(caught.values()) / sum(tried.values())


def test_the_hold_catches_near_copies() -> None:
    by_kind, overall = catch_rates()
    missed = {kind: rate for kind, rate in by_kind.items() if kind in ALWAYS_CAUGHT and rate < 1}
    assert missed == {}
    # 8 of ~38 words replaced at random is past what shingles of 3 words can see; the rest is
    # caught. README, "Similarity holds", quotes this figure.
    assert overall >= 0.9, by_kind
    print(f"\nnear-copies caught: {overall:.1%}")
    for kind, rate in by_kind.items():
        print(f"  {kind}: {rate:.0%}")


def test_paragraphs_by_different_people_are_not_held() -> None:
    for mine in DISTINCT:
        for other in DISTINCT:
            if mine is not other:
                assert _score(mine, other) < SETTINGS.similarity_threshold / 2, (mine, other)


def test_normalising_undoes_what_a_reader_cannot_see() -> None:
    plain = "the border kills people every winter"
    for dressed in (
        "Тһе ВОRDЕR kіlls реорlе еvеrу wіntеr",  # Cyrillic look-alikes
        "the bor\u200bder ki\u00adlls peo\u2060ple every\ufeff winter",
        "THE BORDER, KILLS... PEOPLE; EVERY WINTER!!!",
        "ｔｈｅ ｂｏｒｄｅｒ ｋｉｌｌｓ ｐｅｏｐｌｅ ｅｖｅｒｙ ｗｉｎｔｅｒ",
    ):
        assert similarity.words(dressed) == plain.split(), dressed

"""Personal paragraphs and the ways people (or scripts) dress up a copy of one, for measuring
the similarity hold. Every paragraph here was written for these tests.

`near_copies(text, rng)` yields (kind, text) pairs: each kind is a walk-around the review tried
or an obvious next one. A copy is "caught" when its score against the original reaches the
hold threshold.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

# Paragraphs a first supporter might write (30 to 45 words each).
ORIGINALS = [
    "Last winter I drove a van of blankets to the camps near Calais and met a boy of fifteen "
    "who had tried the crossing six times. He wanted to study engineering. Nobody should have "
    "to risk drowning for that chance.",
    "My grandfather came to Dover on a fishing boat in 1956 and spent forty years repairing "
    "ships in the harbour. When I read about families dying in the Channel I think of him and "
    "of how lucky we were that someone let him in.",
    "I am a nurse in Kent and every month we treat people pulled out of the water with "
    "hypothermia and burns from fuel. Safe routes would save lives and would also spare our "
    "emergency services a great deal of avoidable work.",
    "As a teacher in a primary school I have pupils whose parents arrived by lorry after "
    "months of waiting at the border. They are bright, kind children who deserve to grow up "
    "without the fear that shaped their first years.",
    "Je suis bénévole dans une association de Grande-Synthe et je vois chaque semaine des "
    "familles épuisées dormir sous la pluie. Ouvrir des voies légales coûterait moins cher que "
    "les clôtures et sauverait des vies dès cet hiver.",
    "Mon fils est marin-pêcheur à Boulogne et il a déjà remonté deux corps dans ses filets. "
    "Il ne dort plus correctement depuis. Personne ne devrait vivre cela, ni ceux qui meurent "
    "ni ceux qui les retrouvent au large.",
    "I run a small bakery and two of my best bakers crossed the Channel in a dinghy years "
    "ago. They pay their taxes, train apprentices and volunteer at the food bank. I want the "
    "next people like them to arrive safely.",
    "Our church has hosted refugee families for three years. What strikes me most is how "
    "ordinary their hopes are: a job, a school, a quiet street. A fair asylum process at the "
    "border would let them start sooner and safer.",
]

# Paragraphs by different people on the same subject: none should hold another as a copy.
DISTINCT = [
    *ORIGINALS,
    "I live in Folkestone and watch the lifeboats go out almost every calm night now. The "
    "crews are volunteers and they are exhausted. Please push for a treaty that gives people "
    "a legal way to ask for protection.",
    "My daughter volunteers with a legal aid clinic and tells me most of the people she meets "
    "would qualify for asylum if they could only reach an office. Making them gamble with the "
    "sea first makes no sense to me.",
    "Before I retired I was a customs officer at Coquelles. I saw how fences simply moved the "
    "danger somewhere else. Cooperation between our two countries should focus on safe "
    "passage, not on ever higher walls.",
    "J'enseigne l'anglais à Calais et certains de mes élèves ont vu des gens mourir près de la "
    "plage. Je vous demande de soutenir un accord franco-britannique qui protège d'abord les "
    "personnes plutôt que les frontières.",
    "Nous avons accueilli un jeune Soudanais pendant six mois l'an dernier. Il parle "
    "maintenant trois langues et veut devenir infirmier. Son parcours aurait pu s'arrêter "
    "dans la Manche sans l'aide de sauveteurs épuisés.",
    "As a GP I see the long term harm that dangerous journeys leave behind: untreated "
    "injuries, trauma, children who stop speaking. A humane system at the border would be "
    "better medicine than anything I can prescribe.",
]

_SUBSTITUTES = [
    "really",
    "truly",
    "often",
    "kind",
    "people",
    "young",
    "many",
    "several",
    "vraiment",
    "souvent",
]
# Latin letters and the Cyrillic or Greek letters drawn like them.
_LOOKALIKE = {"a": "а", "e": "е", "o": "ο", "p": "р", "c": "с", "x": "х", "i": "і", "y": "у"}
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]


def _replace_words(text: str, count: int, rng: random.Random) -> str:
    words = text.split()
    for position in rng.sample(range(len(words)), count):
        words[position] = rng.choice(_SUBSTITUTES)
    return " ".join(words)


def _replace_spread(text: str, count: int) -> str:
    """`count` words replaced as far apart as possible: each change breaks the most shingles
    (the review's "4 of 33 words")."""
    words = text.split()
    step = len(words) // count
    for n in range(count):
        words[step // 2 + n * step] = _SUBSTITUTES[n % len(_SUBSTITUTES)]
    return " ".join(words)


def _insert_words(text: str, count: int, rng: random.Random) -> str:
    words = text.split()
    for _ in range(count):
        words.insert(rng.randrange(len(words) + 1), rng.choice(_SUBSTITUTES))
    return " ".join(words)


def _lookalikes(text: str, share: float, rng: random.Random) -> str:
    return "".join(_LOOKALIKE[c] if c in _LOOKALIKE and rng.random() < share else c for c in text)


def _invisible(text: str, share: float, rng: random.Random) -> str:
    return "".join(
        c + rng.choice(_INVISIBLE) if c.isalpha() and rng.random() < share else c for c in text
    )


def _restyled(text: str) -> str:
    """Shouting, and every full stop turned into an exclamation with extra punctuation."""
    return text.upper().replace(".", "!!! ...").replace(",", " ;")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def near_copies(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    for count in (1, 2, 3, 4, 5, 6, 8):
        yield f"{count} words replaced", _replace_words(text, count, rng)
    for count in (4, 5):
        yield f"{count} words replaced, spread out", _replace_spread(text, count)
    yield "3 words inserted", _insert_words(text, 3, rng)
    yield "a sentence added", text + " I hope you will listen to us this time."
    yield "a sentence put first", "Thank you for reading this. " + text
    yield "cyrillic and greek look-alikes", _lookalikes(text, 0.5, rng)
    yield "zero-width characters", _invisible(text, 0.3, rng)
    yield "case and punctuation", _restyled(text)
    yield "fullwidth letters", _fullwidth(text)
    yield "look-alikes and 3 words replaced", _lookalikes(_replace_words(text, 3, rng), 0.5, rng)
    yield "invisible and 2 words inserted", _invisible(_insert_words(text, 2, rng), 0.3, rng)

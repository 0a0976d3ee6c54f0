"""Whether the supporter's paragraph repeats the campaign's own text: the preview says so (the
script-free twin of the compose page's advice), since a letter whose "own words" are the
campaign's reads as a copy and is held for a person to read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# This many words in a row, as the campaign wrote them, is a pasted sentence, not a phrase
# two people could both write.
RUN = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def repeats_campaign_text(message: str, campaign_texts: Iterable[str]) -> bool:
    """True when `message` holds RUN or more consecutive words of any of the texts."""
    mine = _runs(_words(message))
    if not mine:
        return False
    return any(mine & _runs(_words(text)) for text in campaign_texts if text)

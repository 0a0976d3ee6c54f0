"""Name normalisation for matching and searching across sources that spell names differently
("Glyndwr"/"Glyndŵr", "the Wolds"/"The Wolds", "&"/"and")."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form: "Ynys Môn" → "ynys mon"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", ascii_only.casefold()).strip()

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


# The Assemblée's ordinals as its data writes them ("1re", "7e", "13e") before "circonscription".
_ORDINAL = re.compile(r"\b(\d+)(re|er|e|ème)\s+(circonscription)\b")
# French typography: the ordinal's letters raised ("1ʳᵉ", "13ᵉ"), and a no-break space so the
# number never ends a line apart from its word.
_RAISED = {"re": "\u02b3\u1d49", "er": "\u1d49\u02b3", "e": "\u1d49", "ème": "\u1d49"}


def shown_name(name: str) -> str:
    """A constituency's name as pages and letters show it: "Nord (13e circonscription)" →
    "Nord (13ᵉ circonscription)" (raised letters, no-break space); other names unchanged.
    search_key folds the raised letters back, so a shown name still finds its seat."""
    return _ORDINAL.sub(lambda m: f"{m[1]}{_RAISED[m[2]]}\u00a0{m[3]}", name)

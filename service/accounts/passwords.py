"""Password hashing (argon2id) and the rules a new password must meet.

The refusal list is our own: a few dozen words people reach for first (in English and French),
keyboard walks and counting runs. A password is refused when, once lower-cased, with common
letter-for-digit swaps undone and the digits and symbols around it stripped, what is left is
one of those words (or one repeated), or nothing at all: "Password2026!", "azertyuiop123",
"S0leil-soleil" and "123456789012" all go. Length does the rest.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from service.errors import InvalidInput

# OWASP's argon2id recommendation: 19 MiB of memory, two passes, one lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
MAX_LENGTH = 256

_COMMON_WORDS = frozenset(
    """
    password passw0rd passwort motdepasse secret letmein welcome bienvenue admin administrator
    root login iloveyou jetaime monkey dragon football soccer baseball master sunshine princess
    shadow superman batman trustno qwerty azerty qwertz abc abcdef abcdefgh changeme default
    hello bonjour salut soleil chocolat doudou loulou nicolas camille marseille paris london
    liberte freedom whatever starwars pokemon computer internet repmail campaign campagne
    letter lettre depute representative parliament parlement summer winter spring autumn
    automne hiver printemps ete december decembre
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
_KEYBOARD_WALKS = (
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn",
    "abcdefghijklmnopqrstuvwxyz",
)
_UNSWAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def is_common(password: str) -> bool:
    lowered = password.lower()
    if len(set(lowered)) <= 2 or _is_run(lowered):
        return True
    if any(len(lowered) >= 6 and lowered[:8] in walk for walk in _KEYBOARD_WALKS):
        return True
    core = _EDGES.sub("", _EDGES.sub("", lowered).translate(_UNSWAP))
    core = re.sub(r"[\W_]+", "", core)
    if not core:
        return True
    return any(core == word * (len(core) // len(word)) for word in _COMMON_WORDS)


def _is_run(text: str) -> bool:
    """Counting up or down one step at a time: '123456789012', 'zyxwvu...'."""
    steps = {
        (ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
        for a, b in zip(text, text[1:], strict=False)
    }
    return steps <= {1} or steps <= {-1, 9}


def check_new_password(password: str, *, min_length: int, email: str | None = None) -> None:
    """Refuse a password a person should not choose, saying why."""
    if len(password) < min_length:
        raise InvalidInput(
            f"Choose a password of at least {min_length} characters.", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"Choose a password of at most {MAX_LENGTH} characters.", field="password"
        )
    if is_common(password):
        raise InvalidInput(
            "That password is too easy to guess: avoid common words, keyboard patterns and "
            "runs of digits.",
            field="password",
        )
    local_part = (email or "").partition("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        raise InvalidInput(
            "Choose a password that does not contain your email address.", field="password"
        )

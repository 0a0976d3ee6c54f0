"""argon2id hashing and the refusal list."""

from __future__ import annotations

import pytest

from service.accounts import passwords
from service.errors import InvalidInput


def test_hash_is_argon2id_with_owasp_parameters_and_verifies() -> None:
    stored = passwords.hash_password("a long and unusual phrase")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(stored, "a long and unusual phrase")
    assert not passwords.verify_password(stored, "a long and unusual phrasE")
    assert not passwords.verify_password("not a hash", "anything")


@pytest.mark.parametrize(
    "common",
    [
        "password1234",
        "Password2026!",
        "P@ssw0rd2026",
        "motdepasse123",
        "azertyuiop12",
        "qwertyuiop123",
        "123456789012",
        "aaaaaaaaaaaa",
        "soleilsoleil",
        "iloveyou2026",
        "Welcome123456",
        "repmail-2026!",
        "abcdefghijkl",
        "987654321098",
    ],
)
def test_common_passwords_are_refused(common: str) -> None:
    with pytest.raises(InvalidInput, match="too easy to guess"):
        passwords.check_new_password(common, min_length=12)


@pytest.mark.parametrize(
    "fine", ["correct horse battery staple", "Brume-sur-Calais 7 ponts", "tulip lantern 42 ravine"]
)
def test_uncommon_passwords_pass(fine: str) -> None:
    passwords.check_new_password(fine, min_length=12, email="ann@example.org")


def test_too_short_and_containing_the_email_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        passwords.check_new_password("short one", min_length=12)
    with pytest.raises(InvalidInput, match="email"):
        passwords.check_new_password(
            "annabelle river 2026", min_length=12, email="annabelle@example.org"
        )

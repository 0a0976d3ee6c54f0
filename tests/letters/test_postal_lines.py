"""How a letter is signed: the supporter's address lines in the country's order, and the
campaign's sender address shown only once it is a real one."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from service.letters.compose import is_placeholder_address, postal_lines, salutation
from service.letters.drafting import write_target
from service.letters.queries import recipient_of


@pytest.mark.parametrize(
    ("address", "postcode", "lines"),
    [
        ("8 rue Royale, Calais", "62100", ["8 rue Royale", "62100 Calais"]),
        ("8 rue Royale, 62100 Calais", "62100", ["8 rue Royale", "62100 Calais"]),
        ("8 rue Royale", "62100", ["8 rue Royale", "62100"]),
        ("10 Station Road, Bath", "BA1 1AA", ["10 Station Road", "Bath", "BA1 1AA"]),
        ("10 Station Road, Bath BA1 1AA", "ba11aa", ["10 Station Road", "Bath BA1 1AA"]),
        ("", "BA1 1AA", ["BA1 1AA"]),
    ],
)
def test_postal_lines(address: str, postcode: str, lines: list[str]) -> None:
    assert postal_lines(address, postcode) == lines


def test_placeholder_addresses_are_recognised() -> None:
    assert is_placeholder_address("letters@repmail.invalid")
    assert is_placeholder_address("letters@example.org")
    assert not is_placeholder_address("lettres@frontiere-calais.fr")


def test_salutations() -> None:
    assert salutation("fr-an", "Valérie Létard", "Mme") == "Madame la Députée,"
    assert salutation("fr-an", "Marc de Fleurian", "M.") == "Monsieur le Député,"
    assert salutation("fr-an", "Someone", None) == "Madame la Députée, Monsieur le Député,"
    assert salutation("uk-commons", "Wera Hobhouse") == "Dear Wera Hobhouse,"


def test_a_letter_names_the_circonscription_as_french_writes_it(session: Session) -> None:
    recipient = recipient_of(session, "fr-PA841613")  # Marc de Fleurian, Pas-de-Calais 7
    assert recipient.constituency == "Pas-de-Calais (7ᵉ\u00a0circonscription)"
    target = write_target(session, "fr-PA841613")  # the pages read the same Recipient
    assert target.representative.constituency.name == recipient.constituency
    assert target.representative.constituency.id == "62-07"

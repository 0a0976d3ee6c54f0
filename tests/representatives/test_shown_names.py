"""A circonscription's name as pages and letters show it: the Assemblée's ordinal written the
French way (raised letters, a no-break space), and still found by the name search."""

from __future__ import annotations

import pytest

from service.representatives.names import search_key, shown_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Ain (1re circonscription)", "Ain (1ʳᵉ\u00a0circonscription)"),
        ("Nord (13e circonscription)", "Nord (13ᵉ\u00a0circonscription)"),
        (
            "Français établis hors de France (3e circonscription)",
            "Français établis hors de France (3ᵉ\u00a0circonscription)",
        ),
        ("Bath", "Bath"),
        ("Na h-Eileanan an Iar", "Na h-Eileanan an Iar"),
    ],
)
def test_ordinals_are_raised(name: str, shown: str) -> None:
    assert shown_name(name) == shown
    assert shown_name(shown) == shown  # shown twice, unchanged
    assert search_key(shown) == search_key(name)  # a shown name still finds its seat

"""UK postcode parsing: every valid format accepted in any spacing and case, everything else
refused with a message a person can act on, and nothing but InvalidInput ever raised."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.errors import InvalidInput
from service.lookup.uk_postcodes import (
    POSTCODE_AREAS,
    ParsedPostcode,
    overseas_territory_message,
    parse_uk_postcode,
)

# The format rules, restated here independently of the module under test.
FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
THIRD_AFTER_ONE = "ABCDEFGHJKPSTUW"
FOURTH_AFTER_TWO = "ABEHMNPRVWXY"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
DIGITS = "0123456789"
# A busy CI machine must not turn one slow example into a failure.
NO_DEADLINE = settings(deadline=None)


@pytest.mark.parametrize(
    ("typed", "key", "display"),
    [
        ("M1 1AE", "M11AE", "M1 1AE"),  # A9 9AA
        ("B33 8TH", "B338TH", "B33 8TH"),  # A99 9AA
        ("CR2 6XH", "CR26XH", "CR2 6XH"),  # AA9 9AA
        ("DN55 1PT", "DN551PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 0AX", "W1A0AX", "W1A 0AX"),  # A9A 9AA
        ("EC1A 1BB", "EC1A1BB", "EC1A 1BB"),  # AA9A 9AA
        ("GIR 0AA", "GIR0AA", "GIR 0AA"),
        ("sw1a1aa", "SW1A1AA", "SW1A 1AA"),
        ("  sW1a \t 1Aa\n", "SW1A1AA", "SW1A 1AA"),
        ("S W 1 A 1 A A", "SW1A1AA", "SW1A 1AA"),
        ("ＳＷ１Ａ\u3000１ＡＡ", "SW1A1AA", "SW1A 1AA"),  # full-width, ideographic space
        ("SW1A\u00a01AA", "SW1A1AA", "SW1A 1AA"),  # no-break space
        ("SW1A\u200b1AA", "SW1A1AA", "SW1A 1AA"),  # zero-width space pasted from a page
        ("BT1 1AA", "BT11AA", "BT1 1AA"),  # Northern Ireland is part of the UK
    ],
)
def test_valid_postcodes_are_normalised(typed: str, key: str, display: str) -> None:
    assert parse_uk_postcode(typed) == ParsedPostcode(key, display)


def _refusal(typed: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_uk_postcode(typed)
    assert caught.value.field == "postcode"
    return caught.value.message


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "\u200b"])
def test_empty_input_asks_for_a_postcode(typed: str) -> None:
    assert _refusal(typed).startswith("Enter your postcode")


@pytest.mark.parametrize("typed", ["SW1A 1AA please", "X" * 41, "SW1A1AA" * 10])
def test_too_long(typed: str) -> None:
    assert "too long" in _refusal(typed)


@pytest.mark.parametrize("typed", ["JE2 3AB", "je23ab", "GY1 1AA", "IM1 1AD", "IM99 1PS"])
def test_crown_dependencies_have_no_mp(typed: str) -> None:
    assert _refusal(typed) == "Jersey, Guernsey and the Isle of Man have no MP at Westminster."


@pytest.mark.parametrize("typed", ["BFPO 1234", "bfpo 57", "BFPO", "BF1 3AD"])
def test_bfpo_points_to_search_by_name(typed: str) -> None:
    message = _refusal(typed)
    assert message.startswith("BFPO addresses have no constituency")
    assert "by name" in message


@pytest.mark.parametrize("typed", ["75001", "97110", " 2 0 0 0 0 "])
def test_french_code_postal_is_named_as_such(typed: str) -> None:
    message = _refusal(typed)
    assert message.startswith("This does not look like a UK postcode")
    assert "France" in message


@pytest.mark.parametrize(
    "typed",
    ["hello", "1234 AB", "ZZ1 1AA", "QA1 1AA", "SW1A 1AC", "SW1A-1AA", "10115", "A1", "XX"],
)
def test_other_strings_are_not_uk_postcodes(typed: str) -> None:
    assert _refusal(typed).startswith("This does not look like a UK postcode")


def test_outward_code_alone_parses_as_an_outward_code() -> None:
    parsed = parse_uk_postcode(" sw1a ")
    assert (parsed.key, parsed.display, parsed.outward_only) == ("SW1A", "SW1A", True)
    assert not parse_uk_postcode("SW1A 1AA").outward_only


@pytest.mark.parametrize(
    "typed",
    ["SW1\u0410 1AA", "SW1A 1ΑA", "ŚW1A 1AA", "SW1A 1AA\u0301"],  # Cyrillic А, Greek Α, accents
)
def test_look_alike_letters_are_refused(typed: str) -> None:
    assert "only the letters A to Z" in _refusal(typed)


@pytest.mark.parametrize(
    ("typed", "territory"),
    [
        ("ASCN 1ZZ", "Ascension Island"),
        ("biqq1zz", "the British Antarctic Territory"),
        ("FIQQ 1ZZ", "the Falkland Islands"),
        ("STHL 1ZZ", "Saint Helena"),
        ("TDCU 1ZZ", "Tristan da Cunha"),
        ("GX11 1AA", "Gibraltar"),
        ("KY1-1001", "the Cayman Islands"),
    ],
)
def test_overseas_territories_parse_but_have_no_mp(typed: str, territory: str) -> None:
    parsed = parse_uk_postcode(typed)
    assert parsed.overseas_territory == territory
    message = overseas_territory_message(parsed)
    assert "no MP at Westminster" in message
    assert territory in message


def test_every_listed_area_obeys_the_letter_rules() -> None:
    for area in POSTCODE_AREAS:
        assert area[0] in FIRST
        assert len(area) == 1 or area[1] not in "IJZ"


@st.composite
def valid_postcodes(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.sampled_from(sorted(POSTCODE_AREAS)))
    digit = draw(st.sampled_from(DIGITS))
    if len(area) == 1:
        tail = draw(st.sampled_from(["", *DIGITS, *THIRD_AFTER_ONE]))
    else:
        tail = draw(st.sampled_from(["", *DIGITS, *FOURTH_AFTER_TWO]))
    inward = draw(st.sampled_from(DIGITS)) + draw(st.text(INWARD, min_size=2, max_size=2))
    return area + digit + tail, inward


def _spaced(text: str, data: st.DataObject) -> str:
    pieces = []
    for char in text:
        pieces.append(data.draw(st.sampled_from(["", "", " ", "\t"])))
        pieces.append(char.lower() if data.draw(st.booleans()) else char)
    return "".join(pieces) + data.draw(st.sampled_from(["", " ", "\n"]))


@NO_DEADLINE
@given(postcode=valid_postcodes(), data=st.data())
@example(postcode=("GIR", "0AA"), data=None)
def test_every_valid_postcode_round_trips(postcode: tuple[str, str], data: st.DataObject) -> None:
    outward, inward = postcode
    typed = f"{outward} {inward}" if data is None else _spaced(outward + inward, data)
    parsed = parse_uk_postcode(typed)
    assert parsed.key == outward + inward
    assert parsed.display == f"{outward} {inward}"
    assert parse_uk_postcode(parsed.display) == parsed
    assert parse_uk_postcode(parsed.key) == parsed


@NO_DEADLINE
@given(postcode=valid_postcodes())
def test_full_width_forms_of_valid_postcodes_are_accepted(postcode: tuple[str, str]) -> None:
    outward, inward = postcode
    wide = "".join(chr(ord(c) + 0xFEE0) for c in outward + inward)
    assert parse_uk_postcode(wide).display == f"{outward} {inward}"


def _parse_or_refuse(text: str) -> None:
    try:
        parsed = parse_uk_postcode(text)
    except InvalidInput as refusal:
        assert refusal.field == "postcode"
        assert refusal.message
        # What was typed is never echoed back (it may be anything at all).
        assert len(text.strip()) < 9 or text not in refusal.message
        return
    assert parsed.key.isascii() and parsed.key == parsed.key.upper()


@NO_DEADLINE
@given(st.text(max_size=60))
def test_arbitrary_text_raises_nothing_but_invalid_input(text: str) -> None:
    _parse_or_refuse(text)


@NO_DEADLINE
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 -\t\u00a0ＳＷ１", max_size=12))
def test_postcode_like_text_raises_nothing_but_invalid_input(text: str) -> None:
    _parse_or_refuse(text)

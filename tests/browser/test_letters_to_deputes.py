"""Letters to a named députée, a named député and a named MP, written in the browser,
confirmed from the email, and read as they were sent (the .eml the file backend writes): a
député's letter opens with their own title and closes with it; an MP's opens "Dear <name>,"."""

from __future__ import annotations

import email
import email.policy
import time
from typing import Any

import pytest

from tests.browser.conftest import MAIL_WAIT_SECONDS, Server
from tests.browser.test_journeys import Journey

pytestmark = pytest.mark.browser

CALAIS = "/campaigns/calais-border"


def _letter_sent_to(server: Server, address: str, supporter: str) -> str:
    """The text of the letter `supporter` wrote to `address`, as it left."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS * 2
    while time.monotonic() < deadline:
        for path in sorted(server.outbox.rglob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if (
                address.casefold() in str(message["To"]).casefold()
                and supporter.casefold() in str(message["Reply-To"]).casefold()
            ):
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                return str(body.get_content())
        time.sleep(0.5)
    raise AssertionError(f"no letter to {address} in {server.outbox}\n{server.log_tail()}")


@pytest.mark.parametrize(
    ("rep", "address", "title"),
    [
        ("fr-PA718674", "Olga.Givernet@assemblee-nationale.fr", "Madame la Députée"),
        ("fr-PA330008", "Xavier.Breton@assemblee-nationale.fr", "Monsieur le Député"),
    ],
)
def test_a_named_depute_is_addressed_by_their_own_title(
    page: Any, server: Server, rep: str, address: str, title: str
) -> None:
    supporter = f"sam.{rep.lower()}@example.org"
    journey = Journey(page, server, f"title-{rep}")
    page.goto(f"{CALAIS}/write?rep={rep}&country=fr&postcode=01000&lang=fr")
    page.fill("#f-postcode", "01000")
    journey.write_letter(supporter)
    journey.confirm(supporter)
    letter = _letter_sent_to(server, address, supporter)
    assert letter.startswith(f"{title},\n"), letter[:200]
    assert f"Je vous prie d'agréer, {title}, l'expression" in letter
    other = "Monsieur le Député" if title == "Madame la Députée" else "Madame la Députée"
    assert other not in letter
    assert "01000" in letter and "via" not in letter.split("\n", 1)[0]


def test_a_named_mp_is_addressed_the_uk_way(page: Any, server: Server) -> None:
    supporter = "sam.salutation@example.org"
    journey = Journey(page, server, "title-mp")
    page.goto(f"{CALAIS}/write?rep=uk-4602&country=uk&postcode=BA1+1AA&lang=en")
    journey.write_letter(supporter)
    journey.confirm(supporter)
    letter = _letter_sent_to(server, "wera.hobhouse.mp@parliament.uk", supporter)
    assert letter.startswith("Dear Wera Hobhouse,\n"), letter[:200]
    assert "Yours sincerely," in letter
    assert "Dear Sir or Madam" not in letter and "Dear Wera Hobhouse MP" not in letter

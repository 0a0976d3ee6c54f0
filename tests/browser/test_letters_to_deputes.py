"""Letters to a named députée and a named député, written in the browser, confirmed from the
email, and read as they were sent (the .eml the file backend writes): each opens with the
député's own title and closes with it."""

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


def _letter_sent_to(server: Server, address: str) -> str:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS * 2
    while time.monotonic() < deadline:
        for path in sorted(server.outbox.rglob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address.casefold() in str(message["To"]).casefold():
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
    letter = _letter_sent_to(server, address)
    assert letter.startswith(f"{title},\n"), letter[:200]
    assert f"Je vous prie d'agréer, {title}, l'expression" in letter
    other = "Monsieur le Député" if title == "Madame la Députée" else "Madame la Députée"
    assert other not in letter
    assert "01000" in letter and "via" not in letter.split("\n", 1)[0]

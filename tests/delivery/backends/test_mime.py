"""The RFC 5322 bytes the file and SMTP backends send: a standard parser reads back exactly the
names, subject and bodies that went in, whatever their accents and length."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.delivery.backends.base import PermanentSendError
from service.delivery.backends.mime import ascii_mailbox, mime_bytes
from service.delivery.backends.sendgrid import mail_send_body
from service.delivery.schemas import Address, MessageKind, OutgoingEmail

SUBJECT = "Frontière de Calais : quatre demandes avant le sommet franco-britannique " * 2


def _email(html: str | None) -> OutgoingEmail:
    return OutgoingEmail(
        kind=MessageKind.letter,
        sender=Address("letters@campaign.example", "Élodie Martin via Calais Campaign"),
        to=Address("depute@assemblee.example", "Mme Hélène Député"),
        reply_to=Address("elodie@mail.example", "Élodie Martin"),
        subject=SUBJECT,
        text="Madame la députée,\n\nÇa compte pour moi. " + "Long line. " * 40 + "\n",
        html=html,
        letter_id="letter-1",
        headers={"X-Repmail-Letter": "letter-1"},
    )


def _parsed(email: OutgoingEmail) -> EmailMessage:
    raw = mime_bytes(email, outbox_id="0123abcd")
    assert all(len(line) <= 998 for line in raw.splitlines())
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_headers_read_back_as_written() -> None:
    message = _parsed(_email(None))
    assert message["From"] == "Élodie Martin via Calais Campaign <letters@campaign.example>"
    assert message["To"] == "Mme Hélène Député <depute@assemblee.example>"
    assert message["Reply-To"] == "Élodie Martin <elodie@mail.example>"
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == "<0123abcd@campaign.example>"
    assert message["X-Repmail-Letter"] == "letter-1"


def test_text_and_html_parts_read_back_as_written() -> None:
    email = _email("<p>Ça compte pour moi.</p>")
    message = _parsed(email)
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == email.text
    assert html.get_content() == email.html
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"


def test_a_text_only_email_is_a_single_part() -> None:
    message = _parsed(_email(None))
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == _email(None).text


def test_smtp_gets_crlf_line_breaks_only() -> None:
    email = _email("<p>Ça compte pour moi.</p>\n<p>Deux.</p>")
    raw = mime_bytes(email, outbox_id="0123abcd", linesep="\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    html = message.get_body(("html",))
    # A CRLF message reads back with CRLF line breaks.
    assert html is not None and html.get_content().replace("\r\n", "\n") == email.html


@settings(max_examples=200, deadline=None)
@given(
    body=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r")),
    html=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r")),
)
def test_any_text_reads_back_as_written(body: str, html: str) -> None:
    # Lines of dashes, "=", dots, trailing spaces, controls, astral characters: whatever
    # the templates and the supporter produce, the parser returns it unchanged.
    email = replace(_email(html), text=body)
    message = _parsed(email)
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content() == body
    assert rich.get_content() == html


def test_long_headers_are_folded() -> None:
    email = replace(
        _email(None),
        subject="Four demands before the summit " * 5,
        sender=Address("letters@campaign.example", "Élodie Martin-Dufresne " * 4 + "via Calais"),
    )
    raw = mime_bytes(email, outbox_id="0123abcd")
    head = raw.split(b"\n\n", 1)[0].splitlines()
    # The sender's name is one encoded word, however long; every other line is folded.
    assert all(len(line) <= 78 for line in head if not line.startswith(b"From: =?utf-8?"))
    message = _parsed(email)
    assert message["Subject"] == email.subject
    assert message["From"].addresses[0].display_name == email.sender.name


def test_an_internationalised_domain_travels_in_idna() -> None:
    email = replace(
        _email(None),
        reply_to=Address("anne@bücher.de", "Anne"),
    )
    parsed = _parsed(email)
    assert parsed["Reply-To"].addresses[0].addr_spec == "anne@xn--bcher-kva.de"


def test_a_non_ascii_local_part_is_a_permanent_failure_not_a_crash() -> None:
    email = replace(_email(None), reply_to=Address("jösé@example.org", "José"))
    with pytest.raises(PermanentSendError, match="SMTPUTF8"):
        mime_bytes(email, outbox_id="0123abcd")
    with pytest.raises(PermanentSendError):
        mail_send_body(email, outbox_id="o1")
    assert ascii_mailbox("ann@example.org") == "ann@example.org"
    changed = replace(email, reply_to=Address("a@bücher.de"))
    assert mail_send_body(changed, outbox_id="o1")["reply_to"] == {"email": "a@xn--bcher-kva.de"}

"""The SMTP backend against a local aiosmtpd server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from service.delivery.backends import AmbiguousSendError, PermanentSendError, TransientSendError
from service.delivery.backends.smtp import SmtpBackend, parse_smtp_url
from service.delivery.schemas import Address
from tests.delivery.support import make_email


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("gone"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_parse_smtp_urls() -> None:
    target = parse_smtp_url("smtp://apikey:p%40ss@smtp.sendgrid.net:587")
    assert (target.host, target.port, target.starttls, target.implicit_tls) == (
        "smtp.sendgrid.net",
        587,
        True,
        False,
    )
    assert (target.username, target.password) == ("apikey", "p@ss")
    secure = parse_smtp_url("smtps://relay.example")
    assert (secure.port, secure.implicit_tls, secure.starttls) == (465, True, False)
    assert parse_smtp_url("smtp://127.0.0.1:1025?starttls=false").starttls is False
    with pytest.raises(ValueError):
        parse_smtp_url("http://relay.example")


def test_sends_and_reuses_the_connection(sink: tuple[Sink, int]) -> None:
    handler, port = sink
    backend = SmtpBackend(f"smtp://127.0.0.1:{port}?starttls=false", timeout=5)
    email = make_email(3)
    provider_id = backend.send(email, outbox_id="e" * 32)
    backend.send(make_email(4), outbox_id="f" * 32)
    backend.close()
    assert provider_id == f"<{'e' * 32}@campaign.example>"
    mail_from, rcpt_tos, content = handler.messages[0]
    assert (mail_from, rcpt_tos) == ("letters@campaign.example", ["mp3@parliament.example"])
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert message["Reply-To"].addresses[0].addr_spec == "supporter3@mail.example"
    assert message["Message-ID"] == provider_id
    assert len(handler.messages) == 2


def test_refused_recipient(sink: tuple[Sink, int]) -> None:
    _, port = sink
    backend = SmtpBackend(f"smtp://127.0.0.1:{port}?starttls=false", timeout=5)
    with pytest.raises(PermanentSendError) as gone:
        backend.send(make_email(to=Address("gone@x.example")), outbox_id="1")
    assert gone.value.reason.startswith("550 recipient refused")
    with pytest.raises(TransientSendError) as busy:
        backend.send(make_email(to=Address("busy@x.example")), outbox_id="2")
    assert not isinstance(busy.value, AmbiguousSendError)
    backend.close()


def test_starttls_is_required_unless_turned_off(sink: tuple[Sink, int]) -> None:
    _, port = sink
    backend = SmtpBackend(f"smtp://127.0.0.1:{port}", timeout=5)
    with pytest.raises(PermanentSendError) as refused:
        backend.send(make_email(), outbox_id="3")
    assert refused.value.account_level


def test_unreachable_server_is_transient() -> None:
    backend = SmtpBackend("smtp://127.0.0.1:1?starttls=false", timeout=1)
    with pytest.raises(TransientSendError) as failed:
        backend.send(make_email(), outbox_id="4")
    assert not isinstance(failed.value, AmbiguousSendError)

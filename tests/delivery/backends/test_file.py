"""The file backend writes one parseable .eml per message, atomically, named by outbox id."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy.engine import Engine

from service.clock import FakeClock
from service.config import DeliverySettings, Environment, Settings
from service.delivery.backends import build_backend
from service.delivery.backends.file import FileBackend
from service.delivery.states import OutboxState
from service.delivery.worker import Worker
from tests.delivery.support import make_email, queue_emails, row


def _parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_eml_has_the_headers_and_both_parts(tmp_path: Path) -> None:
    email = make_email(2, headers={"X-Campaign": "calais"})
    name = FileBackend(tmp_path).send(email, outbox_id="ab" * 16)
    assert name == f"{'ab' * 16}.eml"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind
    message = _parse(tmp_path / name)
    assert message["From"].addresses[0].display_name == "Élodie Martin via Calais Campaign"
    assert message["From"].addresses[0].addr_spec == "letters@campaign.example"
    assert message["To"].addresses[0].addr_spec == "mp2@parliament.example"
    assert message["Reply-To"].addresses[0].addr_spec == "supporter2@mail.example"
    assert message["Subject"] == "Please back the campaign (2)"
    assert message["Message-ID"] == f"<{'ab' * 16}@campaign.example>"
    assert message["X-Campaign"] == "calais"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content() == email.text
    assert html is not None and html.get_content().strip() == email.html


def test_text_only_email(tmp_path: Path) -> None:
    name = FileBackend(tmp_path).send(make_email(html=None, reply_to=None), outbox_id="c" * 32)
    message = _parse(tmp_path / name)
    assert message.get_content_type() == "text/plain"
    assert message["Reply-To"] is None


def test_a_resend_replaces_the_file(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path / "new" / "dir")
    backend.send(make_email(subject="first"), outbox_id="d" * 32)
    backend.send(make_email(subject="second"), outbox_id="d" * 32)
    [only] = (tmp_path / "new" / "dir").iterdir()
    assert _parse(only)["Subject"] == "second"


def test_file_is_the_embedded_default(tmp_path: Path, db: Engine, clock: FakeClock) -> None:
    settings = Settings(env=Environment.test, outbox_dir=tmp_path)
    backend = build_backend(settings)
    assert isinstance(backend, FileBackend)
    ids = queue_emails(db, clock, 3)
    Worker(db, backend, DeliverySettings(), clock=clock).drain()
    for outbox_id in ids:
        assert row(db, outbox_id).state == OutboxState.sent
        assert (tmp_path / f"{outbox_id}.eml").is_file()

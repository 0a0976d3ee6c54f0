"""The embedded default: one .eml file per message under settings.outbox_dir."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from service.delivery.backends.base import TransientSendError
from service.delivery.backends.mime import mime_bytes
from service.delivery.schemas import OutgoingEmail


class FileBackend:
    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        """Write `<outbox id>.eml` atomically (temporary file, fsync, rename): a reader never
        sees half a message, and a resend of the same row replaces the file."""
        name = f"{outbox_id}.eml"
        data = mime_bytes(email, outbox_id=outbox_id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{outbox_id}.", dir=self.directory)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            # A full disk or a permission problem is the outbox's, not the message's, and may
            # clear up: like a provider's rate limit it uses up none of the message's attempts
            # (it is kept until its own deadline), and the worker holds back a minute at a time.
            raise TransientSendError(
                f"cannot write the outbox file: {exc.strerror}", retry_after=60, rate_limited=True
            ) from exc
        return name

    def close(self) -> None:
        return None

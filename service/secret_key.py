"""The key that signs links and CSRF tokens, when none is configured.

A run without REPMAIL_SECRET_KEY (`make run`, a development machine) must not sign with a
value anyone can read in the source: the first start writes a random key to a file beside the
database, readable only by its owner, and every later start (and every process sharing that
directory: `repmail worker`, the in-process worker) reads the same one. Production refuses to
start without a configured key instead (service.config).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("repmail.secret_key")

MIN_LENGTH = 32
FILE_NAME = "secret_key"


class SecretKeyFileError(RuntimeError):
    """The key file exists but cannot serve (unreadable, or too short to be a key)."""


def default_key_file(database_url: str) -> Path:
    """Beside the SQLite file; for PostgreSQL (or an in-memory SQLite) under ./var, where the
    embedded defaults keep the rest of a machine's state. Several servers sharing one
    PostgreSQL must share one key: set REPMAIL_SECRET_KEY (or point REPMAIL_SECRET_KEY_FILE at
    the same file) on each."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / FILE_NAME
    return Path("var") / FILE_NAME


def load_or_create_key(path: Path) -> str:
    """The key kept at `path`, created (0600, never overwritten) when the file is missing."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting together cannot both write; the loser reads.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.info("generated a secret key", extra={"path": str(path)})
    return key


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Someone loosened it: a key others can read signs nothing safely. Tighten it back.
        os.chmod(path, 0o600)
        log.warning("secret key file was readable by others; now 0600", extra={"path": str(path)})
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyFileError(
            f"{path} holds no usable key (at least {MIN_LENGTH} characters): delete it to "
            "have a new one generated, or set REPMAIL_SECRET_KEY."
        )
    return key

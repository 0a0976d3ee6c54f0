"""A real server and a real browser: `repmail serve` in a subprocess on a temporary SQLite
database with the file mail backend, driven by Debian's chromium through Playwright, with
axe-core injected into every page.

Without chromium (or Playwright, or the npm-installed axe-core) these tests are skipped with
the reason; under CI=true they fail instead (see _missing_dependency in tests/conftest.py).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.config import PROJECT_ROOT
from tests.conftest import DatabaseFactory, _missing_dependency

CHROMIUM = Path(os.environ.get("REPMAIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
# One NSPL row, in the published column layout, so the UK journey can go by postcode.
NSPL_CSV = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,"
    "nhser,ctry,rgn,pcon,ttwa,itl,npark,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,"
    "lep1,lep2,pfa,imd,icb\n"
    "BA1 1AA,BA1  1AA,BA1 1AA,198001,,0,375000,164900,1,E00072500,E99999999,E99999999,"
    "E06000022,E05013099,E40000006,E92000001,E12000009,E14001080,E30000164,E06000022,"
    "E65000001,E01014370,E02003012,E33040021,E38000231,E63012345,C1,5B1,51.38,-2.36,"
    "E37000040,,E23000036,12345,E54000039\n"
)
SERVER_START_SECONDS = 60
MAIL_WAIT_SECONDS = 30


@dataclass
class Server:
    base_url: str
    outbox: Path
    log: Path
    database_url: str
    # The server's environment and directory, for running `repmail` commands against it.
    env: dict[str, str] = field(default_factory=dict)
    root: Path = Path()

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run a `repmail` command on the server's database; returns its standard output."""
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            env=self.env,
            cwd=self.root,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"repmail {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def link_in_mail(self, to: str, path: str) -> str:
        """The first link to `path` (e.g. /console/invitation/) in a text email sent to `to`."""
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        pattern = re.compile(re.escape(self.base_url + path) + r"[A-Za-z0-9._-]+")
        while time.monotonic() < deadline:
            for eml in sorted(self.outbox.rglob("*.eml")):
                message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",))
                if to in str(message["To"]) and body is not None:
                    found = pattern.search(body.get_content())
                    if found:
                        return found.group(0)
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} with {path} in {self.outbox}")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def confirmation_link(self, to: str) -> str:
        """The link in the confirmation email sent to `to`, read from the outbox's .eml."""
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        pattern = re.compile(re.escape(self.base_url) + r"/confirm/[A-Za-z0-9._-]+")
        while time.monotonic() < deadline:
            for path in sorted(self.outbox.rglob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to not in str(message["To"]):
                    continue
                body = message.get_body(preferencelist=("plain",))
                assert body is not None, f"{path} has no text part"
                found = pattern.search(body.get_content())
                if found:
                    return found.group(0)
            time.sleep(0.25)
        raise AssertionError(f"no confirmation email to {to} in {self.outbox}\n{self.log_tail()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_cli(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"repmail {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


# Module scope, not session: Playwright's sync API keeps an event loop running on the main
# thread while it is open, and tests elsewhere that call asyncio.run() must not see it.
@pytest.fixture(scope="module")
def playwright_api() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing_dependency(
            f"chromium is not installed at {CHROMIUM} (Debian: apt-get install -y chromium)"
        )
    if not AXE.exists():
        _missing_dependency(f"axe-core is not installed at {AXE} (run: npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_dependency(
            "the Python package playwright is not installed (pip install -e '.[dev]')"
        )
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def browser(playwright_api: Any) -> Iterator[Any]:
    browser = playwright_api.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@contextmanager
def running_server(
    databases: DatabaseFactory,
    tmp_path_factory: pytest.TempPathFactory,
    prepare: Callable[[str], None] | None = None,
) -> Iterator[Server]:
    """`repmail serve` on a fresh, migrated database; `prepare(database_url)` adds what a test
    module needs (a second campaign) before the server starts."""
    root = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    database_url = databases.create()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPMAIL_")},
        "REPMAIL_ENV": "development",
        # A fresh database of the backend under test (SQLite file, or PostgreSQL database).
        "REPMAIL_DATABASE_URL": database_url,
        # One server process, so it sends its own mail on PostgreSQL too.
        "REPMAIL_DELIVERY__IN_PROCESS_WORKER": "true",
        "REPMAIL_OUTBOX_DIR": str(root / "outbox"),
        "REPMAIL_EMAIL_BACKEND": "file",
        "REPMAIL_BASE_URL": f"http://127.0.0.1:{port}",
        "REPMAIL_SECRET_KEY": "browser-test-secret-key-that-is-long-enough",
        "REPMAIL_LOG_LEVEL": "WARNING",
    }
    nspl = root / "nspl.csv"
    nspl.write_text(NSPL_CSV)
    _run_cli(env, root, "db", "upgrade")
    _run_cli(env, root, "import", "uk-postcodes", str(nspl))
    if prepare is not None:
        prepare(database_url)
    log = root / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env,
            cwd=root,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(env["REPMAIL_BASE_URL"], process, log)
            yield Server(env["REPMAIL_BASE_URL"], root / "outbox", log, database_url, env, root)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(databases, tmp_path_factory) as running:
        yield running


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"repmail serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"repmail serve did not answer within {SERVER_START_SECONDS}s")


@pytest.fixture
def page(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile per journey. CSP is bypassed only so that axe-core can be
    injected; the pages themselves run under their own Content-Security-Policy otherwise."""
    context = browser.new_context(
        bypass_csp=True,
        base_url=server.base_url,
        locale="en-GB",
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"

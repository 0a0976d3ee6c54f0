"""The dependency direction of design.md is checked by import-linter (`make lint`): the tree as
it is keeps it, and an upward import added anywhere breaks the lint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"import-linter is a dev dependency; {LINT_IMPORTS} is missing")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        PROJECT_ROOT / "service", tmp_path / "service", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_dependency_direction() -> None:
    result = _lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("delivery/queue.py", "import service.letters.models"),  # delivery imports no domain
        ("representatives/service.py", "import service.lookup.service"),  # lookup is above
        ("campaigns/service.py", "import service.web.templating"),  # no domain imports web
        ("db.py", "import service.delivery.models"),  # infrastructure imports no domain
    ],
)
def test_an_upward_import_breaks_the_lint(tree_copy: Path, module: str, upward: str) -> None:
    target = tree_copy / "service" / module
    target.write_text(target.read_text() + f"\n{upward}  # the deliberate mistake\n")
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout.lower()

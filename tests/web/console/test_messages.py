"""The accounts refusals listed for translation are the ones the use cases say."""

from __future__ import annotations

from service.config import PROJECT_ROOT
from service.web.console.messages import ACCOUNTS_REFUSALS
from service.web.i18n import Translator


def test_every_listed_refusal_is_worded_so_by_a_use_case_and_translated() -> None:
    sources = "".join(
        " ".join(path.read_text().split())
        for folder in ("service/accounts", "service/web", "service/web/console")
        for path in (PROJECT_ROOT / folder).glob("*.py")
        if path.name != "messages.py"
    )
    # Source text may be split over adjacent string literals.
    joined = sources.replace('" "', "")
    missing = [m for m in ACCOUNTS_REFUSALS if m not in joined]
    assert missing == []
    fr = Translator("fr")
    assert all(fr.translate_known(m) != m for m in ACCOUNTS_REFUSALS)

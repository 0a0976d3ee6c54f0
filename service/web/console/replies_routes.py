"""Did representatives reply? Supporters' answers counted per chamber, party and
representative, always beside the number of letters that office received (an answer count
alone would say nothing). The JSON twin is /api/admin/tracking/replies (tracking_api)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from service.accounts.roles import Permission
from service.deps import SessionDep
from service.letters.replies import ReplyAnswer, reply_summary
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter()
NAV = [NavEntry("/replies", N_("Replies"), Permission.view_dashboard)]

Reader = Annotated[ConsolePage, console_page(Permission.view_dashboard)]

# The answers' column headings, in the order the question offers them.
ANSWER_LABELS = {
    ReplyAnswer.useful: N_("Replied, useful"),
    ReplyAnswer.not_useful: N_("Replied, not useful"),
    ReplyAnswer.no_reply: N_("No reply yet"),
    ReplyAnswer.not_expected: N_("Did not expect one"),
}


@router.get("/replies", response_class=HTMLResponse)
def replies(cp: Reader, session: SessionDep) -> Response:
    summary = reply_summary(session)
    return cp.render(
        "console/replies.html",
        {
            "answers": [(answer.value, cp._(label)) for answer, label in ANSWER_LABELS.items()],
            "chambers": sorted(summary.by_chamber.items()),
            "parties": sorted(summary.by_party.items()),
            "representatives": sorted(
                summary.by_representative,
                key=lambda line: (-line.letters_received, line.representative),
            ),
        },
    )

"""The answer links of the "did your representative reply?" email: opening one records
nothing (mail scanners open links); it shows the answer and a button that records it, once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from service.deps import SessionDep, SettingsDep
from service.errors import Conflict, DomainError, InvalidInput, NotFound
from service.letters.replies import ReplyAnswer, ReplyQuestion, record_reply, reply_question
from service.letters.tokens import MAX_TOKEN_LENGTH
from service.web import csrf
from service.web.i18n import N_
from service.web.public import forms
from service.web.public.error_pages import refusal
from service.web.public.letter_routes import PostedForm
from service.web.templating import Page, PageDep

router = APIRouter(include_in_schema=False)
TokenParam = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]
AnswerParam = Annotated[str, Path(max_length=20)]

ANSWERS = {
    ReplyAnswer.useful: N_("They replied, and it was useful"),
    ReplyAnswer.not_useful: N_("They replied, but it was not useful"),
    ReplyAnswer.no_reply: N_("No reply yet"),
    ReplyAnswer.not_expected: N_("I did not expect a reply"),
}


def _bad_link(page: Page) -> HTMLResponse:
    return refusal(
        page,
        page._("This link is not valid"),
        page._("Check that you copied the whole link from the email."),
        404,
    )


def _render(
    page: Page, question: ReplyQuestion, token: str, *, done: bool, errors: dict[str, str]
) -> HTMLResponse:
    return page.render(
        "public/reply.html",
        {
            "question": question,
            "answer_text": page._(ANSWERS[question.answer]),
            "recorded_text": page._(ANSWERS[question.answered]) if question.answered else "",
            "token": token,
            "done": done,
            "errors": errors,
        },
        status_code=403 if errors else 200,
    )


@router.get("/replies/{token}/{answer}", response_class=HTMLResponse, response_model=None)
def reply_page(
    token: TokenParam,
    answer: AnswerParam,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HTMLResponse:
    try:
        question = reply_question(session, settings, token, answer)
    except (NotFound, InvalidInput):
        return _bad_link(page)
    return _render(page, question, token, done=question.answered is not None, errors={})


@router.post("/replies/{token}/{answer}", response_class=HTMLResponse, response_model=None)
def reply(
    token: TokenParam,
    answer: AnswerParam,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    posted: PostedForm,
) -> HTMLResponse:
    sent_token = forms.text(posted, csrf.FIELD_NAME, 200) if posted is not None else ""
    try:
        if not csrf.verify(
            settings.secret_key, page.request.cookies.get(csrf.COOKIE_NAME), sent_token
        ):
            question = reply_question(session, settings, token, answer)
            errors = {
                "_form": page._(
                    "For your security this page has expired. Press the button again. If this "
                    "keeps happening, allow cookies for this site."
                )
            }
            return _render(page, question, token, done=False, errors=errors)
        question = record_reply(session, settings, token, answer, now=datetime.now(UTC))
    except (NotFound, InvalidInput):
        return _bad_link(page)
    except Conflict:
        question = reply_question(session, settings, token, answer)
        return _render(page, question, token, done=True, errors={})
    except DomainError:
        return refusal(page, page._("Please try again"), page._("Nothing was saved."), 503)
    return _render(page, question, token, done=True, errors={})

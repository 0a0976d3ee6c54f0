"""JSON API for letters and campaigns. Thin: parse, call one use case, return. The HTML
variants of /confirm/{token} and /letters/{token} come from the web pages, on the same use
cases."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from service.campaigns.listing import describe_open_campaigns
from service.campaigns.schemas import CampaignOut, OpenCampaignOut
from service.deps import SessionDep, SettingsDep
from service.letters.progress import describe_campaign
from service.letters.schemas import (
    MAX_BODY_BYTES,
    MAX_MESSAGE,
    ErrorOut,
    Lang,
    LetterIn,
    LetterStatusOut,
    Paragraph,
    SimilarityIn,
    SimilarityOut,
    SubmitOut,
)
from service.letters.service import (
    check_similarity,
    confirm_letter,
    letter_status,
    revise_message,
    submit_letter,
)
from service.letters.tokens import MAX_TOKEN_LENGTH


async def get_now() -> datetime:
    """The request's clock (tests override this dependency with a fixed time). Async: a plain
    `def` dependency would cost a thread hop (see service.deps)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]
TokenParam = Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH)]


class LimitedBodyRoute(APIRoute):
    """Refuses a request body over MAX_BODY_BYTES with 413 before it is parsed (whether or
    not the client declared its length)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            if declared and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
                return _too_large()
            if request.method in ("POST", "PUT", "PATCH"):
                body = bytearray()
                async for chunk in request.stream():
                    body.extend(chunk)
                    if len(body) > MAX_BODY_BYTES:
                        return _too_large()
                request._body = bytes(body)
            try:
                return await handler(request)
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                # FastAPI's "error parsing the body": malformed input is a 422 here.
                return JSONResponse(
                    {
                        "error": "invalid_input",
                        "message": "The request body is not valid JSON.",
                        "field": None,
                    },
                    status_code=422,
                )

        return limited


def _too_large() -> JSONResponse:
    return JSONResponse(
        {
            "error": "too_large",
            "message": f"The request is larger than {MAX_BODY_BYTES // 1024} kB; "
            "shorten your message.",
            "field": None,
        },
        status_code=413,
    )


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}


_HTML = {"text/html": {"schema": {"type": "string"}}}


def _page_or_json(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Paths the web pages share: browsers get HTML, `Accept: application/json` gets JSON."""
    documented: dict[int | str, dict[str, Any]] = {200: {"content": _HTML}}
    for code in codes:
        documented[code] = {"model": ErrorOut, "content": _HTML}
    return documented


router = APIRouter(tags=["letters"], route_class=LimitedBodyRoute)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post(
    "/api/letters",
    status_code=202,
    response_model=SubmitOut,
    responses=_errors(404, 409, 413, 429, 503),
)
def post_letter(
    data: LetterIn, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> SubmitOut:
    """Write a letter: it is stored, and a confirmation email goes to the supporter. Nothing
    reaches the representative before the supporter clicks the link in it."""
    return submit_letter(session, settings, data, client_ip=_client_ip(request), now=now)


@router.post(
    "/api/letters/similarity",
    response_model=SimilarityOut,
    responses=_errors(413, 429),
)
def post_similarity(
    data: SimilarityIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> SimilarityOut:
    """How many recent letters to this representative read like this paragraph (0..1)."""
    return check_similarity(session, settings, data, client_ip=_client_ip(request), now=now)


@router.get(
    "/confirm/{token}", response_model=LetterStatusOut, responses=_page_or_json(404, 410, 503)
)
def get_confirm(
    token: TokenParam, session: SessionDep, settings: SettingsDep, now: NowDep
) -> LetterStatusOut:
    """The link in the confirmation email: sends the letter on (once). JSON with
    `Accept: application/json`; browsers get the page."""
    return confirm_letter(session, settings, token, now=now)


@router.get("/letters/{token}", response_model=LetterStatusOut, responses=_page_or_json(404, 503))
def get_letter(token: TokenParam, session: SessionDep, settings: SettingsDep) -> LetterStatusOut:
    """Where a letter is. JSON with `Accept: application/json`; browsers get the page (on the
    same use case)."""
    return letter_status(session, settings, token)


class MessageIn(BaseModel):
    message: Annotated[Paragraph, Field(max_length=MAX_MESSAGE)]


@router.put(
    "/api/letters/{token}/message",
    response_model=LetterStatusOut,
    responses=_errors(404, 409, 413, 503),
)
def put_message(
    token: TokenParam, data: MessageIn, session: SessionDep, settings: SettingsDep, now: NowDep
) -> LetterStatusOut:
    """Rewrite the personal paragraph of a letter not yet confirmed, or held for review."""
    return revise_message(session, settings, token, data.message, now=now)


@router.get("/api/campaigns", response_model=list[OpenCampaignOut])
def get_open_campaigns(
    session: SessionDep, now: NowDep, lang: Annotated[Lang, Query()] = Lang.en
) -> list[OpenCampaignOut]:
    """The campaigns taking letters now, the nearest deadline first, in English or French."""
    return describe_open_campaigns(session, lang.value, now)


@router.get("/api/campaigns/{slug}", response_model=CampaignOut, responses=_errors(404))
def get_campaign(
    slug: Annotated[str, Path(max_length=60)],
    session: SessionDep,
    now: NowDep,
    lang: Annotated[Lang, Query()] = Lang.en,
) -> CampaignOut:
    """A campaign's texts, demands, dates and progress, in English or French."""
    return describe_campaign(session, slug, lang.value, now)

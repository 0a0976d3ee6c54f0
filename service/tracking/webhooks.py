"""POST /webhooks/sendgrid: verify, store, answer 204 at once; the events are applied right
after the answer (a background task of this process, BatchApplier: in transactions of its
own, several waiting batches at a time), and any batch that processing did not finish is
applied by the workers' periodic job. Refusals (403 signature, 413 size, 422 body) store
nothing.

Why a background task and not only the periodic job: letters' pages should say "delivered"
seconds after SendGrid says so, and the batch's events are already in this process; why not
inside the request: SendGrid waits for the answer and retries a slow one, and a failure in
processing must not turn a stored batch into an error it would send again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Self

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service.config import Settings, TrackingSettings
from service.deps import SessionDep
from service.errors import DomainError, ErrorBody
from service.tracking.listeners import LetterOutcomes, NoLetters
from service.tracking.schemas import BatchResult
from service.tracking.service import apply_fresh, process_batch, store_batch
from service.tracking.verify import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookVerifier,
    parse_public_keys,
)

router = APIRouter(tags=["tracking"])


class BodyTooLarge(DomainError):
    status_code = 413
    code = "body_too_large"


@lru_cache(maxsize=8)
def _verifier(keys: str | None, max_age: int, max_skew: int) -> WebhookVerifier:
    return WebhookVerifier(
        parse_public_keys(keys), max_age_seconds=max_age, max_skew_seconds=max_skew
    )


def verifier_for(settings: Settings) -> WebhookVerifier:
    tracking = settings.tracking
    return _verifier(
        settings.sendgrid_webhook_public_key,
        tracking.max_signature_age_seconds,
        tracking.max_clock_skew_seconds,
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it passes `limit` bytes (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"The body is over {limit} bytes.", field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"The body is over {limit} bytes.", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


BatchProcessor = Callable[[int], None]


class BatchApplier:
    """Applies this process's stored batches after the answers, one round at a time.

    A post that comes while a round runs only raises a flag (kick): the running thread
    applies its batch in its next round, together with any others that came meanwhile
    (service.apply_fresh). So concurrent posts never wait on each other's row locks (their
    events are about the same letters: SendGrid repeats them), and a burst costs a few
    rounds of set-based statements rather than one per post. Other processes' appliers
    skip the batches a round holds (FOR UPDATE SKIP LOCKED)."""

    def __init__(self, apply_round: Callable[[], BatchResult | None]) -> None:
        self._apply_round = apply_round
        self._running = threading.Lock()
        self._more = threading.Event()

    def kick(self) -> None:
        """Apply what is waiting, unless another thread is at it (it will, then)."""
        self._more.set()
        while self._more.is_set():
            if not self._running.acquire(blocking=False):
                return  # the running thread sees the flag once its round ends
            try:
                self._more.clear()
                while self._round() is not None:
                    pass
            finally:
                self._running.release()

    def _round(self) -> BatchResult | None:
        try:
            return self._apply_round()
        except Exception:  # logged and noted on the batches; the periodic job applies them
            return None

    @classmethod
    def on(cls, engine: Engine, settings: TrackingSettings, letters: LetterOutcomes) -> Self:
        """The application's: each round in a session of its own on `engine`."""

        def apply_round() -> BatchResult | None:
            with Session(engine, expire_on_commit=False) as session:
                return apply_fresh(session, letters, settings, now=datetime.now(UTC))

        return cls(apply_round)


async def get_batch_processor(request: Request) -> BatchProcessor:
    """What applies a stored batch after the answer: the app's BatchApplier (tests override
    this dependency to apply each batch on their own session)."""
    applier: BatchApplier | None = getattr(request.app.state, "webhook_applier", None)
    if applier is None:  # an app built without create_app's wiring: tracking on its own
        settings: Settings = request.app.state.settings
        applier = BatchApplier.on(request.app.state.engine, settings.tracking, NoLetters())
        request.app.state.webhook_applier = applier
    return lambda _batch_id: applier.kick()


def apply_stored(
    session: Session, batch_id: int, letters: LetterOutcomes, settings: TrackingSettings
) -> None:
    try:
        process_batch(session, batch_id, letters, settings, now=datetime.now(UTC))
    except Exception:  # logged and noted on the batch; the periodic job applies it later
        return


@router.post(
    "/webhooks/sendgrid",
    status_code=204,
    responses={
        403: {"model": ErrorBody, "description": "Not signed by SendGrid (or no key set)"},
        413: {"model": ErrorBody, "description": "The body is over the size limit"},
        422: {"model": ErrorBody, "description": "The body is not a JSON array of events"},
    },
    summary="SendGrid's signed Event Webhook",
)
async def sendgrid_events(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    apply: Annotated[BatchProcessor, Depends(get_batch_processor)],
) -> Response:
    settings: Settings = request.app.state.settings
    verifier = verifier_for(settings)
    raw = await _read_body(request, settings.tracking.max_body_bytes)
    now = datetime.now(UTC)
    verifier.check(
        raw, request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER), now
    )
    batch_id = await run_in_threadpool(store_batch, session, raw, now=now)
    background.add_task(apply, batch_id)
    return Response(status_code=204)

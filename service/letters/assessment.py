"""Judging a personal paragraph: too short to be one's own, or a near-copy of recent letters
to the same representative; and the words that tell the supporter their letter is held."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.config import Settings
from service.letters import messages, similarity
from service.letters.queries import recent_fingerprints
from service.letters.states import HoldReason


def assess(
    session: Session,
    settings: Settings,
    representative_id: str,
    message: str,
    now: datetime,
    *,
    email_key: str | None = None,
    letter_id: str | None = None,
) -> tuple[bytes, HoldReason | None, similarity.SimilarityReport]:
    cfg = settings.letters
    tokens = similarity.words(message)
    mine = similarity.shingles_of(tokens, cfg.shingle_words)
    others = recent_fingerprints(
        session,
        settings,
        representative_id,
        now,
        exclude_email_key=email_key,
        exclude_letter_id=letter_id,
    )
    report = similarity.compare(mine, others, cfg.similarity_threshold)
    hold: HoldReason | None = None
    if len(tokens) < cfg.min_personal_words:
        hold = HoldReason.empty
    elif report.score >= cfg.similarity_threshold:
        hold = HoldReason.similar
    return similarity.pack(mine), hold, report


def hold_message(reason: str | None, lang: str, representative: str, similar: int) -> str:
    if reason is None:
        return ""
    table = messages.HOLD[HoldReason(reason)]
    return messages.pick(table, lang, representative=representative, similar=max(similar, 1))

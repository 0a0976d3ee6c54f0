"""Judging a personal paragraph: too short to be one's own, a near-copy of the campaign's own
texts (which the letter already carries) or of recent letters to the same representative; and
the words that tell the supporter their letter is held."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.campaigns.schemas import CampaignView
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
    campaign: CampaignView | None = None,
    held_before: bytes | None = None,
) -> tuple[bytes, HoldReason | None, similarity.SimilarityReport]:
    """The paragraph's fingerprint, the reason to hold it (or None), and how it compares with
    other letters. `campaign`: compare with its texts too. `held_before`: the fingerprint of
    the paragraph this one replaces in a letter held for its text; an edit that leaves most
    of it in place is still that paragraph, and stays held."""
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
    elif campaign is not None and (
        similarity.containment(mine, campaign_shingles(campaign, cfg.shingle_words))
        >= cfg.similarity_threshold
    ):
        hold = HoldReason.campaign_text
    elif report.score >= cfg.similarity_threshold or (
        held_before is not None
        and similarity.containment(mine, similarity.unpack(held_before)) >= cfg.similarity_threshold
    ):
        hold = HoldReason.similar
    return similarity.pack(mine), hold, report


def campaign_shingles(view: CampaignView, k: int) -> frozenset[int]:
    """The shingles of everything the campaign writes itself: summary, the letter's opening
    and closing, every demand."""
    texts = (
        view.summary,
        view.letter_intro,
        view.letter_closing,
        *(f"{demand.title}. {demand.body}" for demand in view.demands),
    )
    return similarity.shingles_of_texts(texts, k)


def hold_message(reason: str | None, lang: str, representative: str, similar: int) -> str:
    if reason is None:
        return ""
    table = messages.HOLD[HoldReason(reason)]
    return messages.pick(table, lang, representative=representative, similar=max(similar, 1))

"""What moderators read: the held letters waiting for a decision, grouped by representative
and, within one representative, into clusters of letters that read alike; and one letter's
full text beside the letters closest to it and the campaign's own text, with the words they
share marked."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from service.campaigns.schemas import CampaignView
from service.config import Settings
from service.letters import similarity
from service.letters.models import Letter
from service.letters.queries import campaign_of, campaign_view, find_letter, recipient_of
from service.letters.states import DEAD, HoldReason, LetterStatus

CLOSEST = 3
_WORD = re.compile(r"\w+")


def waiting_filter() -> ColumnElement[bool]:
    """Held letters a moderator has to decide on (a returned one waits for its supporter)."""
    return and_(
        col(Letter.status) == LetterStatus.held,
        col(Letter.hold_reason).is_(None) | (col(Letter.hold_reason) != HoldReason.returned),
    )


def letters_by_status(
    session: Session,
    *,
    campaign_id: int | None,
    status: LetterStatus | None,
    limit: int,
    offset: int = 0,
) -> list[Letter]:
    statement = select(Letter)
    if campaign_id is not None:
        statement = statement.where(Letter.campaign_id == campaign_id)
    if status is not None:
        statement = statement.where(Letter.status == status)
    statement = statement.order_by(col(Letter.created_at), col(Letter.id))
    return list(session.exec(statement.offset(offset).limit(limit)))


@dataclass(frozen=True, slots=True)
class Waiting:
    count: int
    oldest: datetime | None  # when the longest-waiting letter was confirmed


def waiting(session: Session) -> Waiting:
    statement = select(
        func.count(), func.min(func.coalesce(Letter.confirmed_at, Letter.created_at))
    )
    count, oldest = session.exec(statement.where(waiting_filter())).one()
    return Waiting(int(count or 0), oldest)


@dataclass(frozen=True, slots=True)
class Cluster:
    letters: list[Letter]  # letters that read alike (one letter alone is a cluster of one)


@dataclass(frozen=True, slots=True)
class RepresentativeGroup:
    representative_id: str
    representative_name: str
    clusters: list[Cluster]

    @property
    def count(self) -> int:
        return sum(len(c.letters) for c in self.clusters)


def waiting_groups(
    session: Session, settings: Settings, *, campaign_id: int | None, limit: int = 500
) -> list[RepresentativeGroup]:
    """Waiting letters (oldest first), by representative, each split into clusters: two
    letters are in one cluster when either's paragraph is mostly found in the other."""
    statement = select(Letter).where(waiting_filter())
    if campaign_id is not None:
        statement = statement.where(Letter.campaign_id == campaign_id)
    statement = statement.order_by(col(Letter.created_at), col(Letter.id)).limit(limit)
    by_representative: dict[str, list[Letter]] = defaultdict(list)
    for letter in session.exec(statement):
        by_representative[letter.representative_id].append(letter)
    threshold = settings.letters.similarity_threshold
    groups = [
        RepresentativeGroup(
            representative_id=rep_id,
            representative_name=recipient_of(session, rep_id).name,
            clusters=_clusters(letters, threshold),
        )
        for rep_id, letters in by_representative.items()
    ]
    return sorted(groups, key=lambda g: (-g.count, g.representative_name))


def _clusters(letters: list[Letter], threshold: float) -> list[Cluster]:
    sets = [similarity.unpack(letter.fingerprint) for letter in letters]
    parent = list(range(len(letters)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(letters)):
        for j in range(i + 1, len(letters)):
            alike = max(
                similarity.containment(sets[i], sets[j]), similarity.containment(sets[j], sets[i])
            )
            if alike >= threshold:
                parent[root(j)] = root(i)
    members: dict[int, list[Letter]] = defaultdict(list)
    for i, letter in enumerate(letters):
        members[root(i)].append(letter)
    return sorted((Cluster(group) for group in members.values()), key=lambda c: -len(c.letters))


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    shared: bool  # this run of words is also in the text it is compared with


@dataclass(frozen=True, slots=True)
class Neighbour:
    letter: Letter
    score: float  # the share of the reviewed paragraph found in this letter
    marked: list[Span]  # the reviewed paragraph, with what this letter shares marked


@dataclass(frozen=True, slots=True)
class LetterReview:
    letter: Letter
    representative_name: str
    campaign: CampaignView
    closest: list[Neighbour]
    against_campaign: list[Span]  # the paragraph, with what it shares with the campaign text


def review_of(session: Session, settings: Settings, letter_id: str) -> LetterReview:
    letter = find_letter(session, letter_id)
    k = settings.letters.shingle_words
    mine = similarity.unpack(letter.fingerprint)
    others = session.exec(
        select(Letter).where(
            Letter.representative_id == letter.representative_id,
            Letter.id != letter.id,
            col(Letter.status).not_in(list(DEAD)),
        )
    )
    scored = sorted(
        ((similarity.containment(mine, similarity.unpack(o.fingerprint)), o) for o in others),
        key=lambda pair: -pair[0],
    )[:CLOSEST]
    view = campaign_view(session, campaign_of(session, letter), letter.language)
    campaign_text = "\n".join(
        [view.letter_intro, view.letter_closing] + [f"{d.title}\n{d.body}" for d in view.demands]
    )
    return LetterReview(
        letter=letter,
        representative_name=recipient_of(session, letter.representative_id).name,
        campaign=view,
        closest=[
            Neighbour(
                other,
                round(score, 3),
                mark_shared(letter.message, similarity.unpack(other.fingerprint), k),
            )
            for score, other in scored
            if score > 0
        ],
        against_campaign=mark_shared(letter.message, similarity.shingles(campaign_text, k), k),
    )


def mark_shared(text: str, other: frozenset[int], k: int) -> list[Span]:
    """`text` cut into spans, each marked when its words belong to a run of `k` words that
    is also in `other` (a set of shingles, as similarity stores them)."""
    matches = list(_WORD.finditer(text))
    tokens: list[str] = []
    owner: list[int] = []  # the match each normalised token comes from
    for index, match in enumerate(matches):
        for token in similarity.words(match.group()):
            tokens.append(token)
            owner.append(index)
    shared_match = [False] * len(matches)
    if tokens:
        starts = range(max(len(tokens) - k + 1, 1))
        for start in starts:
            window = tokens[start : start + k]
            if similarity.shingles_of(window, k) <= other:
                for position in range(start, start + len(window)):
                    shared_match[owner[position]] = True
    spans: list[Span] = []
    cursor = 0
    for index, match in enumerate(matches):
        # What lies between two words is marked only when both words are.
        between = index > 0 and shared_match[index - 1] and shared_match[index]
        _append(spans, text[cursor : match.start()], between)
        _append(spans, match.group(), shared_match[index])
        cursor = match.end()
    _append(spans, text[cursor:], False)
    return spans


def _append(spans: list[Span], piece: str, shared: bool) -> None:
    if not piece:
        return
    if spans and spans[-1].shared == shared:
        spans[-1] = Span(spans[-1].text + piece, shared)
    else:
        spans.append(Span(piece, shared))

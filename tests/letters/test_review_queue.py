"""The moderation queue's reading aids: the words a paragraph shares with another text are
marked, and look-alike letters to one representative fall into one cluster."""

from __future__ import annotations

from datetime import UTC, datetime

from service.letters import similarity
from service.letters.models import Letter
from service.letters.review_queue import Span, _clusters, mark_shared

K = 5
COPIED = "people are dying in the channel because there is no safe way"


def test_only_runs_of_shared_words_are_marked() -> None:
    text = f"My own opening line. {COPIED.capitalize()}! And my own ending."
    spans = mark_shared(text, similarity.shingles(COPIED, K), K)
    assert "".join(s.text for s in spans) == text
    marked = [s.text for s in spans if s.shared]
    assert marked == ["People are dying in the channel because there is no safe way"]


def test_matching_ignores_case_and_accents_but_keeps_the_original_text() -> None:
    other = similarity.shingles("les enfants dorment sous la pluie a calais", K)
    text = "Les ENFANTS dorment sous la pluie à Calais, c'est tout."
    spans = mark_shared(text, other, K)
    assert [s.text for s in spans if s.shared] == ["Les ENFANTS dorment sous la pluie à Calais"]


def test_nothing_shared_nothing_marked() -> None:
    assert mark_shared("", frozenset(), K) == []
    spans = mark_shared("Short words here.", similarity.shingles("other things", K), K)
    assert spans == [Span("Short words here.", False)]


def _letter(n: int, message: str) -> Letter:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    return Letter(
        id=f"{n:032d}",
        campaign_id=1,
        representative_id="uk-1",
        language="en",
        ui_lang="en",
        name="x",
        email="x@example.org",
        email_key="x@example.org",
        postcode="x",
        address="x",
        message=message,
        demands="1",
        subject="s",
        consent_at=at,
        fingerprint=similarity.pack(similarity.shingles(message, K)),
        confirm_token_hash=str(n),
        confirm_expires_at=at,
        confirmation_sent_at=at,
        created_at=at,
        updated_at=at,
    )


def test_look_alikes_cluster_together_and_originals_stand_alone() -> None:
    letters = [
        _letter(1, COPIED),
        _letter(2, "I am a nurse in Leeds and I have seen what cold nights do to a child."),
        _letter(3, COPIED + " and I am ashamed of it"),
        _letter(4, "Thank you. " + COPIED),
    ]
    clusters = _clusters(letters, 0.6)
    assert [sorted(int(x.id) for x in c.letters) for c in clusters] == [[1, 3, 4], [2]]

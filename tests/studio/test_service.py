"""Template versions as use cases: numbering across languages, the approval rules, restore,
diff, the warning when one language changed alone, approved versions that never change, and
the templates mail is rendered with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from service.campaigns.seed import SLUG
from service.campaigns.service import get_campaign
from service.errors import InvalidInput, NotFound
from service.studio import rendering
from service.studio import service as studio
from service.studio.checks import NAMES
from service.studio.models import ApprovedVersionIsFinal
from service.studio.service import (
    AlreadyApproved,
    DraftIn,
    SelfApproval,
    Superseded,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LETTER = (
    "{{ salutation }}\n\n{{ message }}\n\n"
    "{% for demand in demands %}{{ demand.title }}. {{ demand.body }}\n{% endfor %}"
)


def _save(session: Session, lang: str = "en", author: str = "a", **changes: object) -> int:
    draft = DraftIn(lang=lang, body=str(changes.get("body", LETTER)), note="n")
    return studio.save_draft(session, SLUG, "letter", draft, author, NOW).number


def _approve(session: Session, number: int, by: str = "b", second: bool = True) -> studio.Approval:
    return studio.approve(
        session, SLUG, "letter", number, by, "ok", NOW + timedelta(minutes=number),
        second_person=second,
    )  # fmt: skip


def test_versions_are_numbered_across_languages(session: Session) -> None:
    assert [_save(session, "en"), _save(session, "fr"), _save(session, "en")] == [1, 2, 3]


def test_the_approval_rules(session: Session) -> None:
    first, second = _save(session), _save(session)
    with pytest.raises(SelfApproval):
        _approve(session, first, by="a")
    assert _approve(session, first, by="a", second=False).version.approved_by == "a"
    with pytest.raises(AlreadyApproved):
        _approve(session, first)
    approval = _approve(session, second)
    assert approval.unchanged_languages == ["fr"]
    third = _save(session)
    _approve(session, _save(session))
    with pytest.raises(Superseded):
        _approve(session, third)
    with pytest.raises(NotFound):
        _approve(session, 99)
    with pytest.raises(NotFound):
        studio.approve(session, SLUG, "nothing", 1, "b", "", NOW, second_person=True)


def test_a_change_in_both_languages_leaves_no_warning(session: Session) -> None:
    english, french = _save(session, "en"), _save(session, "fr")
    assert _approve(session, english).unchanged_languages == []
    assert _approve(session, french).unchanged_languages == []
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    assert studio.out_of_step(studio.versions_of(session, campaign.id, "letter")) == []


def test_approval_moves_the_campaign_revision_and_mail_uses_the_version(
    session: Session,
) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    before = campaign.updated_at
    number = _save(session, body=LETTER + "\nStudio words.")
    assert rendering.active_templates(session, campaign.id, "en").letter_version is None
    _approve(session, number)
    assert campaign.updated_at > before
    templates = rendering.active_templates(session, campaign.id, "en")
    assert templates.letter_version == number
    assert "letter" in templates.text_only
    assert rendering.active_templates(session, campaign.id, "fr").letter_version is None


def test_an_approved_version_never_changes(session: Session) -> None:
    number = _save(session)
    version = _approve(session, number).version
    session.flush()
    version.body = "changed"
    with pytest.raises(ApprovedVersionIsFinal):
        session.flush()
    session.rollback()


def test_restore_and_diff(session: Session) -> None:
    first = _save(session)
    second = _save(session, body=LETTER + "\nAdded line.")
    restored = studio.restore(session, SLUG, "letter", first, "c", NOW)
    assert restored.number == 3 and restored.restored_from == first
    assert restored.status == "draft" and restored.body == LETTER
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    old = studio.version_of(session, campaign.id, "letter", first)
    new = studio.version_of(session, campaign.id, "letter", second)
    lines = studio.diff(old, new)
    assert ("added", "Added line.") in [(x.kind, x.text) for x in lines]
    assert studio.diff(old, restored) == []


def test_refusals_at_save(session: Session) -> None:
    with pytest.raises(InvalidInput):
        studio.save_draft(session, SLUG, "letter", DraftIn("de", LETTER), "a", NOW)
    with pytest.raises(InvalidInput):
        studio.save_draft(session, SLUG, "letter", DraftIn("en", LETTER, note="x" * 501), "a", NOW)
    with pytest.raises(NotFound):
        studio.save_draft(session, "nope", "letter", DraftIn("en", LETTER), "a", NOW)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_built_in_sources_save_as_they_are(session: Session, name: str, lang: str) -> None:
    body, html = studio.built_in_source(name, lang)
    draft = DraftIn(lang, body, html)
    assert studio.save_draft(session, SLUG, name, draft, "a", NOW).status == "draft"


def test_the_follow_up_reminder_follows_the_follow_up(session: Session) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    body = "Hello {{ supporter_name }}, did they reply? {{ confirm_url }}/useful"
    number = studio.save_draft(session, SLUG, "follow_up", DraftIn("en", body), "a", NOW).number
    studio.approve(session, SLUG, "follow_up", number, "a", "", NOW, second_person=True)
    templates = rendering.active_templates(session, campaign.id, "en")
    context = {"supporter_name": "Sam", "confirm_url": "https://x.example/r/t"}
    for base in ("reply", "reply_reminder"):
        text, html = templates.render_pair(base, context)
        assert text == "Hello Sam, did they reply? https://x.example/r/t/useful"
        assert "<p>Hello Sam, did they reply?" in html


def test_a_supporter_email_version_carries_its_subject_line(session: Session) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    draft = DraftIn("en", "{{ supporter_name }}: {{ reason }}", subjects=("  About {{ reason }} ",))
    version = studio.save_draft(session, SLUG, "rejected", draft, "a", NOW)
    assert version.subjects == ["About {{ reason }}"]
    context = {"supporter_name": "Sam", "reason": "Too\nclose\r\nto the sample."}
    assert (
        rendering.active_templates(session, campaign.id, "en").subject("rejected", context) is None
    )
    studio.approve(session, SLUG, "rejected", version.number, "a", "", NOW, second_person=True)
    templates = rendering.active_templates(session, campaign.id, "en")
    assert templates.subject("rejected", context) == "About Too close to the sample."
    assert templates.subject("returned", context) is None  # the built-in subject stays
    assert (
        rendering.active_templates(session, campaign.id, "fr").subject("rejected", context) is None
    )


def test_the_follow_up_reminder_follows_the_follow_up_subject(session: Session) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    draft = DraftIn("fr", "{{ confirm_url }}", subjects=("Et {{ representative_name }} ?",))
    number = studio.save_draft(session, SLUG, "follow_up", draft, "a", NOW).number
    studio.approve(session, SLUG, "follow_up", number, "a", "", NOW, second_person=True)
    templates = rendering.active_templates(session, campaign.id, "fr")
    context = {"representative_name": "Alex", "confirm_url": "https://x.example/r/t"}
    assert templates.subject("reply", context) == "Et Alex ?"
    assert templates.subject("reply_reminder", context) == "Et Alex ?"


def test_a_subject_line_is_in_the_diff(session: Session) -> None:
    first = studio.save_draft(session, SLUG, "notice", DraftIn("en", "Late."), "a", NOW)
    second = studio.save_draft(
        session, SLUG, "notice", DraftIn("en", "Late.", subjects=("Too late",)), "a", NOW
    )
    lines = [(x.kind, x.text) for x in studio.diff(first, second)]
    assert lines == [("gap", "[subjects]"), ("gap", "@@ -0,0 +1 @@"), ("added", "Too late")]


def test_refused_subject_lines_save_nothing(session: Session) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.id is not None
    for subject in ("Hello\r\nBcc: x@example.org", "{{ nobody }}", "x" * 201):
        draft = DraftIn("en", "Hello", subjects=(subject,))
        with pytest.raises(InvalidInput) as caught:
            studio.save_draft(session, SLUG, "confirm", draft, "a", NOW)
        assert caught.value.field == "subjects"
    assert studio.versions_of(session, campaign.id, "confirm") == []

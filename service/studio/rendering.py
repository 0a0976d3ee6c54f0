"""The templates mail is rendered with: a campaign's approved versions, in one language,
over the built-in templates (and any file-level overrides of campaigns.CampaignTemplate).
letters.queries.templates_for is the one way letters and supporter mail get them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlmodel import Session, col, select

from service.campaigns.rendering import Templates, paragraphs
from service.campaigns.schemas import CampaignView
from service.campaigns.service import template_overrides
from service.studio.checks import BASES, FOLLOWERS, NAMES, one_line
from service.studio.models import TemplateVersion
from service.studio.service import current_versions


@dataclass(frozen=True)
class MailTemplates:
    """The templates mail of one campaign and language is rendered with: the approved
    versions over the built-in ones. A version written without an HTML part has its HTML
    made from its text, so both parts of an email always say the same thing."""

    templates: Templates
    # The approved letter version (None: the built-in letter) and its subject lines.
    letter_version: int | None = None
    subjects: tuple[str, ...] = ()
    text_only: frozenset[str] = frozenset()
    # The supporter emails whose approved version has its own subject line (a template in
    # the sources as "<base>.subject.j2"); the others keep the built-in subject.
    with_subject: frozenset[str] = frozenset()

    @property
    def lang(self) -> str:
        return self.templates.lang

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.templates.render(name, context)

    def render_pair(self, base: str, context: Mapping[str, Any]) -> tuple[str, str]:
        text = self.templates.render(f"{base}.txt.j2", context)
        if base in self.text_only:
            return text, html_of_text(text, self.lang)
        return text, self.templates.render(f"{base}.html.j2", context)

    def subject(self, base: str, context: Mapping[str, Any]) -> str | None:
        """The approved version's subject line for `base`, filled in and made one line;
        None when there is none (or it comes out empty): the caller's built-in subject."""
        if base not in self.with_subject:
            return None
        return one_line(self.templates.render(f"{base}.subject.j2", context)) or None


def html_of_text(text: str, lang: str) -> str:
    body = "\n".join(
        "<p>" + str(escape(part)).replace("\n", "<br>\n") + "</p>" for part in paragraphs(text)
    )
    return f'<!DOCTYPE html>\n<html lang="{lang}">\n<body>\n{body}\n</body>\n</html>\n'


def mail_templates(
    lang: str, versions: Mapping[str, TemplateVersion], overrides: Mapping[str, str]
) -> MailTemplates:
    """`versions`: the approved version per template name, for this language."""
    sources = dict(overrides)
    text_only = set()
    with_subject = set()
    for name, version in versions.items():
        for base in (BASES[name], *FOLLOWERS.get(BASES[name], ())):
            sources[f"{base}.txt.j2"] = version.body
            if version.html is not None:
                sources[f"{base}.html.j2"] = version.html
            else:
                text_only.add(base)
            if name != "letter" and version.subjects:
                sources[f"{base}.subject.j2"] = version.subjects[0]
                with_subject.add(base)
    letter = versions.get("letter")
    return MailTemplates(
        templates=Templates(lang, sources),
        letter_version=letter.number if letter else None,
        subjects=tuple(letter.subjects) if letter else (),
        text_only=frozenset(text_only),
        with_subject=frozenset(with_subject),
    )


def active_templates(session: Session, campaign_id: int, lang: str) -> MailTemplates:
    """What mail in `lang` is rendered with now (campaigns.catalog keeps it per revision)."""
    rows = session.exec(
        select(TemplateVersion)
        .where(
            TemplateVersion.campaign_id == campaign_id,
            TemplateVersion.lang == lang,
            col(TemplateVersion.approved_at).is_not(None),
        )
        .order_by(col(TemplateVersion.number).desc())
    )
    approved: dict[str, TemplateVersion] = {}
    for row in rows:
        approved.setdefault(row.name, row)
    return mail_templates(lang, approved, template_overrides(session, campaign_id, lang))


def draft_templates(
    session: Session, view: CampaignView, version: TemplateVersion
) -> MailTemplates:
    """The templates as they would be once `version` is approved (for its preview)."""
    approved = {
        name: v
        for name in NAMES
        if (v := current_versions(session, view.id, name).get(version.lang)) is not None
    }
    approved[version.name] = version
    return mail_templates(
        version.lang, approved, template_overrides(session, view.id, version.lang)
    )

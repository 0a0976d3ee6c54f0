"""A letter's status as the status and confirmation pages show it: the steps behind and ahead,
a sentence on where it is, and links to share the campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from service.letters.schemas import LetterStatusOut
from service.letters.states import LetterStatus
from service.web.i18n import N_
from service.web.public.campaign_scope import campaign_root
from service.web.templating import Page

S = LetterStatus
CHAMBER_TIMEZONES = {
    "en": ("Europe/London", N_("London time")),
    "fr": ("Europe/Paris", N_("Paris time")),
}

STATUS_LABELS = {
    S.pending_confirmation: N_("Waiting for you to confirm"),
    S.confirmed: N_("Confirmed"),
    S.queued: N_("In the queue to be sent"),
    S.sent: N_("Sent"),
    S.delivered: N_("Delivered"),
    S.bounced: N_("Refused by the representative's mail server"),
    S.held: N_("Held for a person to read"),
    S.expired: N_("Not confirmed in time"),
    S.rejected: N_("Not sent"),
}

EXPLANATIONS = {
    S.pending_confirmation: N_(
        "We have emailed you a link. Your letter goes nowhere until you open it, so please "
        "check your inbox, and your spam folder."
    ),
    S.confirmed: N_("You confirmed your letter. It is being passed on for sending."),
    S.queued: N_(
        "Your letter is in the queue. Letters leave at a steady pace so that each office can "
        "read them; yours will reach %(name)s before the summit."
    ),
    S.sent: N_("Your letter has been sent to %(name)s."),
    S.delivered: N_("Your letter has reached %(name)s's mailbox."),
    S.bounced: N_(
        "%(name)s's mail server refused your letter. The organisers have been told and will "
        "look for another way to reach this office."
    ),
    S.expired: N_("This letter was not confirmed in time, so it was not sent."),
    S.rejected: N_(
        "This letter was not sent: it could no longer arrive before the deadline, or the "
        "organisers decided not to send it."
    ),
}

# Why a bounced letter did not arrive (LetterStatusOut.delivery_failure), before the rest.
FAILURE_REASONS = {
    "bounced": N_("%(name)s's mail server refused it."),
    "blocked": N_(
        "%(name)s's mail server blocked mail from the campaign, probably because of a filter "
        "on their side."
    ),
    "invalid_address": N_("The address we have for %(name)s no longer works."),
    "dropped": N_("Our email service would not send it to %(name)s's address."),
}

# When the confirmation email could not go: said instead of "we have emailed you a link".
CONFIRMATION_TROUBLE = {
    "delayed": N_(
        "Your letter is saved, but we have not been able to send you the confirmation email "
        "yet: our mail service has a problem. We keep trying, and the email will reach you as "
        "soon as it can. Nothing goes to %(name)s until you confirm."
    ),
    "failed": N_(
        "Your letter is saved, but we could not send you the confirmation email. Check that "
        "your email address is right; if it is not, write your letter again with the right "
        "one. Nothing goes to %(name)s until you confirm."
    ),
}

# The usual path of a letter, in order.
PATH = (S.pending_confirmation, S.confirmed, S.queued, S.sent, S.delivered)
STEP_LABELS = {
    S.pending_confirmation: N_("Written"),
    S.confirmed: N_("Confirmed by you"),
    S.queued: N_("Queued"),
    S.sent: N_("Sent"),
    S.delivered: N_("Delivered"),
}


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done" | "next" (what the letter waits for) | "todo" | "final" (an end)
    at: str = ""


def _steps(page: Page, result: LetterStatusOut) -> list[Step]:
    lang = result.language.value
    reached: dict[LetterStatus, datetime] = {}
    for event in result.events:
        reached.setdefault(event.status, event.at)

    def done(step: LetterStatus) -> Step:
        at = reached.get(step)
        return Step(page._(STEP_LABELS[step]), "done", _when(page, at, lang) if at else "")

    status = result.status
    if status in PATH:
        position = PATH.index(status)
        steps = [done(step) for step in PATH[: position + 1]]
        later = [Step(page._(STEP_LABELS[step]), "todo") for step in PATH[position + 1 :]]
        if later:
            later[0] = Step(later[0].label, "next")
        return steps + later
    if status is S.held:
        steps = [done(step) for step in PATH[:2]]
        steps.append(Step(page._(STATUS_LABELS[status]), "next"))
        return steps + [Step(page._(STEP_LABELS[step]), "todo") for step in PATH[2:]]
    # An end: bounced after sending, or expired / rejected wherever the letter was.
    passed = [step for step in PATH if step in reached]
    if status is S.bounced:
        passed = [step for step in PATH if step is not S.delivered]
    steps = [done(step) for step in passed or PATH[:1]]
    at = reached.get(status)
    steps.append(Step(page._(STATUS_LABELS[status]), "final", _when(page, at, lang) if at else ""))
    return steps


def _when(page: Page, moment: datetime, letter_lang: str = "en") -> str:
    """A moment in the letter's chamber's timezone (London or Paris), named in the page."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    zone, zone_name = CHAMBER_TIMEZONES.get(letter_lang, CHAMBER_TIMEZONES["en"])
    # French writes times "9 h 24", as the emails do.
    pattern = "d MMMM y 'à' H 'h' mm" if page.locale == "fr" else "d MMMM y, HH:mm"
    when = format_datetime(aware, pattern, tzinfo=ZoneInfo(zone), locale=page.babel_locale)
    return f"{when} ({page._(zone_name)})"


SHARE_TARGETS = (
    ("WhatsApp", "https://wa.me/?", "text"),
    ("Bluesky", "https://bsky.app/intent/compose?", "text"),
    ("Mastodon", "https://mastodon.social/share?", "text"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?", "url"),
    ("X", "https://x.com/intent/post?", "text"),
)


def share_links(page: Page, url: str) -> list[dict[str, str]]:
    """Plain links to share the campaign page at `url`: no scripts, no tracking, no status
    token."""
    text = page._(
        "I have written to my MP or député before the Franco-British summit. You can too:"
    )
    both = f"{text} {url}"
    email = {"subject": page._("Write to your representative"), "body": both}
    links = [{"name": page._("email"), "href": "mailto:?" + urlencode(email, quote_via=quote)}]
    for name, base, kind in SHARE_TARGETS:
        query = {"u": url} if kind == "url" else {"text": both}
        links.append({"name": name, "href": base + urlencode(query)})
    return links


def status_context(page: Page, result: LetterStatusOut, base_url: str) -> dict[str, object]:
    # The letter's own campaign, whichever others are open.
    campaign_url = base_url.rstrip("/") + campaign_root(result.campaign)
    name = result.representative.name
    if result.status is S.held:
        explanation = result.explanation
    elif result.confirmation_email:
        explanation = page._(CONFIRMATION_TROUBLE[result.confirmation_email], name=name)
    else:
        explanation = page._(EXPLANATIONS[result.status], name=name)
    if result.status is S.bounced and result.delivery_failure in FAILURE_REASONS:
        reason = page._(FAILURE_REASONS[result.delivery_failure], name=name)
        explanation = f"{reason} {explanation}"
    return {
        "letter": result,
        "status_label": page._(STATUS_LABELS[result.status]),
        "explanation": explanation,
        "steps": _steps(page, result),
        "editable": result.status in (S.pending_confirmation, S.held),
        "pending": result.status is S.pending_confirmation,
        "mail_trouble": bool(result.confirmation_email),
        "confirm_by": (
            _when(page, result.confirm_by, result.language.value) if result.confirm_by else ""
        ),
        "share": share_links(page, campaign_url),
        "campaign_url": campaign_url,
    }

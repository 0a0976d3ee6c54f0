"""The invented supporter, letter and moderator's words templates are tried with when saved
and previewed with in the studio (nobody real)."""

from __future__ import annotations

from typing import Any

from service.campaigns.schemas import CampaignView

# An invented supporter for trial renders and previews (tests/fakes-style: nobody real).
SAMPLE_NAME = "Sam Sample"
SAMPLE_EMAIL = "sam.sample@example.org"
SAMPLE_POSTCODE = {"en": "B34 7AA", "fr": "62100"}
SAMPLE_ADDRESS = {"en": "1 Sample Street, Birmingham", "fr": "1 rue de l'Exemple, Calais"}
# What a moderator might write to a supporter (the decision emails' `reason`).
SAMPLE_REASON = {
    "en": "Your paragraph repeats the campaign's sample text; please say it in your own words.",
    "fr": "Votre paragraphe reprend l'exemple de la campagne ; dites-le avec vos propres mots.",
}
SAMPLE_MESSAGE = {
    "en": "I live near the border and see every week why this matters to families here.",
    "fr": "J'habite près de la frontière et je vois chaque semaine pourquoi cela compte.",
}


def sample_letter_context(view: CampaignView, lang: str) -> dict[str, Any]:
    """The letter's context with every demand chosen (the shape of letters.compose's)."""
    return {
        "salutation": "Dear Alex Example," if lang == "en" else "Madame la Députée,",
        "sign_off": "Yours sincerely," if lang == "en" else "Je vous prie d'agréer…",
        "message": SAMPLE_MESSAGE[lang],
        "campaign": {
            "title": view.title,
            "sender_name": view.sender_name,
            "intro": view.letter_intro,
            "closing": view.letter_closing,
        },
        "representative": {"name": "Alex Example", "constituency": "Exampleton"},
        "supporter": {
            "name": SAMPLE_NAME,
            "postcode": SAMPLE_POSTCODE[lang],
            "address": SAMPLE_ADDRESS[lang],
            "lines": [SAMPLE_ADDRESS[lang], SAMPLE_POSTCODE[lang]],
        },
        "demands": [{"number": d.number, "title": d.title, "body": d.body} for d in view.demands],
    }


def sample_supporter_context(view: CampaignView) -> dict[str, Any]:
    return {
        "supporter_name": SAMPLE_NAME,
        "representative_name": "Alex Example",
        "campaign_title": view.title,
        "confirm_url": "https://example.org/confirm/sample",
        "status_url": "https://example.org/letters/sample",
        "expires_on": "1 December 2026",
        "written_on": "24 November 2026",
        "deadline_on": "18 December 2026",
        "hold_message": "",
        "letter_subject": "A letter",
        "letter_text": "Dear Alex Example,\n\nA letter.",
        "reason": SAMPLE_REASON.get(view.lang, SAMPLE_REASON["en"]),
    }

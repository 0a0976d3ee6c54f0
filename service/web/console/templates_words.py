"""The template studio's words (console): each template's title, what each variable means
beside the editor (in general, and where one email gives it another sense), the notices after
an action, and the domain's refusals the page translates."""

from __future__ import annotations

from service.web.i18n import N_

TITLES = {
    "letter": N_("The letter to representatives"),
    "confirm": N_("Confirmation email"),
    "reminder": N_("Reminder email"),
    "notice": N_("Deadline notice email"),
    "follow_up": N_("Follow-up email (did they reply?)"),
    "bounced": N_("Notice that the letter did not arrive"),
    "written_before": N_("Email to an address that has already written"),
    "rejected": N_("Moderation: the letter will not be sent"),
    "returned": N_("Moderation: the letter is returned to rewrite"),
}
LANGUAGE_NAMES = {"en": N_("English"), "fr": N_("French")}
MEANINGS = {
    "salutation": N_("How the letter opens, in the chamber's form (“Dear Ann Example,”)."),
    "sign_off": N_("How the letter closes, in the chamber's form (“Yours sincerely,”)."),
    "message": N_("The supporter's own paragraph (required in the letter)."),
    "campaign": N_("The campaign: title, sender_name, intro and closing (its letter texts)."),
    "representative": N_("The representative: name and constituency."),
    "supporter": N_(
        "The supporter: name, postcode, address and lines (the address, line by line)."
    ),
    "demands": N_(
        "The demands the supporter chose, each with number, title and body (all required)."
    ),
    "supporter_name": N_("The supporter's name."),
    "representative_name": N_("The representative's name."),
    "campaign_title": N_("The campaign's title."),
    "confirm_url": N_(
        "The link to confirm the letter (in the follow-up: the answers' address, to which "
        "/useful, /not_useful, /no_reply or /not_expected is added)."
    ),
    "status_url": N_("The letter's status page."),
    "expires_on": N_("When the confirmation link stops working."),
    "written_on": N_("When the letter was written."),
    "deadline_on": N_("The campaign's deadline."),
    "hold_message": N_("Why the letter is held, when it is (otherwise empty)."),
    "letter_subject": N_("The letter's subject line."),
    "letter_text": N_("The letter's full text."),
    "reason": N_(
        "The moderator's words to the supporter, as they wrote them (shown as text, never "
        "read as a template)."
    ),
}
# Where a variable means something else in one email than in the others.
MEANINGS_IN = {
    "bounced": {
        "hold_message": N_(
            "Why the letter did not arrive (the mail server's refusal, in the supporter's "
            "language)."
        ),
    },
    "written_before": {
        "status_url": N_("The status page of the letter this address wrote first."),
        "written_on": N_("When the first letter was written."),
        "letter_subject": N_("The first letter's subject line."),
        "letter_text": N_("The first letter's full text."),
    },
}
DONE = {
    "saved": N_("The draft is saved. Another organiser can now approve it."),
    "approved": N_("The version is approved: mail is now written with it."),
    "restored": N_("The old version is restored as a new draft."),
    "test": N_("A test email is on its way to your own address."),
}
REFUSALS = (
    N_("Another organiser must approve a change to the letter you wrote."),
    N_("Write the text of the email."),
    N_("A supporter email has one subject line."),
    N_("The subject line comes out empty."),
    N_("The letter must include the supporter's own paragraph (message)."),
    N_("Templates may not call functions or methods."),
    N_("The template is nested too deeply."),
    N_("Choose en or fr."),
    N_("There is no campaign with that name."),
)

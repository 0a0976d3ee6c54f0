"""Sentences for supporters, in their language (en, fr): the built-in email subjects (an
approved studio version may give its own), why a letter is held, and where a letter is."""

from __future__ import annotations

from service.letters.states import HoldReason, LetterStatus

SUBJECTS = {
    "confirm": {
        "en": "Please confirm your letter to {representative}",
        "fr": "Confirmez votre lettre à {representative}",
    },
    "reminder": {
        "en": "Reminder: your letter to {representative} has not been sent yet",
        "fr": "Rappel : votre lettre à {representative} n'est pas encore partie",
    },
    "notice": {
        "en": "Your letter to {representative} could not be sent in time",
        "fr": "Votre lettre à {representative} n'a pas pu partir à temps",
    },
    "bounced": {
        "en": "Your letter to {representative} did not arrive",
        "fr": "Votre lettre à {representative} n'est pas arrivée",
    },
    "reply": {
        "en": "Did {representative} reply to your letter?",
        "fr": "{representative} a-t-il ou a-t-elle répondu à votre lettre ?",
    },
    "reply_reminder": {
        "en": "Reminder: did {representative} reply to your letter?",
        "fr": "Rappel : {representative} a-t-il ou a-t-elle répondu à votre lettre ?",
    },
    "written_before": {
        "en": "You have already written to {representative}",
        "fr": "Vous avez déjà écrit à {representative}",
    },
    # A moderator's decision about a held letter (letters.review_mail).
    "rejected": {
        "en": "Your letter to {representative} will not be sent",
        "fr": "Votre lettre à {representative} ne sera pas envoyée",
    },
    "returned": {
        "en": "Your letter to {representative}: please make it your own",
        "fr": "Votre lettre à {representative} : merci de vous l'approprier",
    },
}


def subject_source(base: str, lang: str) -> str:
    """The built-in subject of `base` as a studio template (where an organiser's first
    subject line starts): the same words, the representative as its variable."""
    table = SUBJECTS[base]
    return (table.get(lang) or table["en"]).replace("{representative}", "{{ representative_name }}")


HOLD = {
    HoldReason.similar: {
        "en": (
            "Your personal paragraph reads very much like {similar} other letter(s) to "
            "{representative}. Offices tend to set aside letters that look alike, so an "
            "organiser will read yours before it is sent. To have it go straight through, "
            "rewrite the paragraph in your own words, saying why this matters to you or to "
            "people where you live; you can change it from your letter's status page until you "
            "confirm."
        ),
        "fr": (
            "Votre paragraphe personnel ressemble beaucoup à {similar} autre(s) lettre(s) "
            "adressée(s) à {representative}. Les équipes parlementaires écartent souvent les "
            "lettres qui se ressemblent : une personne de la campagne relira donc la vôtre "
            "avant son envoi. Pour qu'elle parte directement, réécrivez ce paragraphe avec vos "
            "propres mots, en disant pourquoi le sujet compte pour vous ou pour votre région ; "
            "vous pouvez le modifier depuis la page de suivi de votre lettre tant que vous ne "
            "l'avez pas confirmée."
        ),
    },
    HoldReason.campaign_text: {
        "en": (
            "Your personal paragraph repeats the campaign's own text, which your letter "
            "already includes. Offices set aside letters that only repeat a campaign, so an "
            "organiser will read yours before it is sent. To have it go straight through, "
            "replace that paragraph with a few sentences of your own; you can do so from your "
            "letter's status page."
        ),
        "fr": (
            "Votre paragraphe personnel reprend le texte de la campagne, que votre lettre "
            "contient déjà. Les équipes parlementaires écartent les lettres qui ne font que "
            "répéter une campagne : une personne de la campagne relira donc la vôtre avant son "
            "envoi. Pour qu'elle parte directement, remplacez ce paragraphe par quelques "
            "phrases de votre main ; vous pouvez le faire depuis la page de suivi de votre "
            "lettre."
        ),
    },
    HoldReason.empty: {
        "en": (
            "Your letter has no paragraph of your own. Offices pay most attention to letters in "
            "the writer's own words, so an organiser will read yours before it is sent. To have "
            "it go straight through, add a few sentences on why this matters to you; you can do "
            "so from your letter's status page until you confirm."
        ),
        "fr": (
            "Votre lettre ne contient pas de paragraphe personnel. Les équipes parlementaires "
            "lisent d'abord les lettres écrites avec les mots de leur auteur : une personne de "
            "la campagne relira donc la vôtre avant son envoi. Pour qu'elle parte directement, "
            "ajoutez quelques phrases sur ce que ce sujet représente pour vous ; vous pouvez le "
            "faire depuis la page de suivi de votre lettre tant que vous ne l'avez pas "
            "confirmée."
        ),
    },
    HoldReason.representative_unavailable: {
        "en": (
            "{representative} cannot receive letters at the moment (the seat may be vacant). "
            "Your letter is kept until the organisers have checked."
        ),
        "fr": (
            "{representative} ne peut pas recevoir de lettres pour le moment (le siège est "
            "peut-être vacant). Votre lettre est conservée en attendant une vérification par "
            "la campagne."
        ),
    },
    HoldReason.returned: {
        "en": (
            "The organisers read your letter and ask you to make it your own before it goes to "
            "{representative}: rewrite your personal paragraph below, in your own words. Once "
            "it reads as yours, it is sent."
        ),
        "fr": (
            "La campagne a lu votre lettre et vous demande de vous l'approprier avant qu'elle "
            "parte à {representative} : réécrivez ci-dessous votre paragraphe personnel, avec "
            "vos propres mots. Dès qu'il est bien le vôtre, la lettre est envoyée."
        ),
    },
}

STATUS = {
    LetterStatus.pending_confirmation: {
        "en": (
            "Your letter is waiting for you to confirm your email address: open the link in "
            "the email we sent you. Nothing is sent until you do."
        ),
        "fr": (
            "Votre lettre attend que vous confirmiez votre adresse électronique : ouvrez le "
            "lien du message que nous vous avons envoyé. Rien n'est envoyé avant."
        ),
    },
    LetterStatus.confirmed: {
        "en": "You confirmed your letter; it is being passed on for sending.",
        "fr": "Vous avez confirmé votre lettre ; elle est transmise pour envoi.",
    },
    LetterStatus.queued: {
        "en": (
            "Your letter is in the queue. Letters are sent at a steady pace so that each office "
            "can read them; yours will reach {representative} before {deadline}."
        ),
        "fr": (
            "Votre lettre est dans la file d'envoi. Les lettres partent à un rythme régulier "
            "pour que chaque équipe puisse les lire ; la vôtre parviendra à {representative} "
            "avant le {deadline}."
        ),
    },
    LetterStatus.sent: {
        "en": "Your letter has been sent to {representative}.",
        "fr": "Votre lettre a été envoyée à {representative}.",
    },
    LetterStatus.delivered: {
        "en": "Your letter has reached {representative}'s mailbox.",
        "fr": "Votre lettre est arrivée dans la boîte de {representative}.",
    },
    LetterStatus.bounced: {
        "en": (
            "{representative}'s mail server refused your letter. The organisers have been told "
            "and will look for another way to reach this office."
        ),
        "fr": (
            "Le serveur de messagerie de {representative} a refusé votre lettre. La campagne "
            "est prévenue et cherchera un autre moyen de joindre ce bureau."
        ),
    },
    LetterStatus.expired: {
        "en": "This letter was not confirmed in time, so it was not sent.",
        "fr": "Cette lettre n'a pas été confirmée à temps ; elle n'a donc pas été envoyée.",
    },
    LetterStatus.rejected: {
        "en": (
            "This letter was not sent: it could no longer arrive before the campaign's "
            "deadline, or the organisers decided not to send it."
        ),
        "fr": (
            "Cette lettre n'a pas été envoyée : elle ne pouvait plus arriver avant la date "
            "limite de la campagne, ou la campagne a décidé de ne pas l'envoyer."
        ),
    },
}


def pick(table: dict[str, str], lang: str, **values: object) -> str:
    return (table.get(lang) or table["en"]).format(**values)


# Shown on the status page when the email provider refused the letter for good.
DELIVERY_FAILED = {
    "en": (
        "The email service refused to send this letter ({reason}). The campaign team can see "
        "this and will send it again once the cause is fixed; you do not need to write again."
    ),
    "fr": (
        "Le service d'envoi a refusé cette lettre ({reason}). L'équipe de la campagne le voit "
        "et la renverra une fois la cause corrigée ; inutile de l'écrire à nouveau."
    ),
}


# Why a letter did not arrive (the failure tracking reports; the letter event's detail), in
# words for the supporter: the status page and the "did not arrive" email.
BOUNCE_REASONS = {
    "bounced": {
        "en": "{representative}'s mail server refused it.",
        "fr": "Le serveur de messagerie de {representative} l'a refusée.",
    },
    "blocked": {
        "en": (
            "{representative}'s mail server blocked mail from the campaign, "
            "probably because of a filter on their side."
        ),
        "fr": (
            "Le serveur de messagerie de {representative} a bloqué les messages de la "
            "campagne, sans doute à cause d'un filtre de son côté."
        ),
    },
    "invalid_address": {
        "en": "The address we have for {representative} no longer works.",
        "fr": "L'adresse dont nous disposons pour {representative} ne fonctionne plus.",
    },
    "dropped": {
        "en": "Our email service would not send it to {representative}'s address.",
        "fr": "Notre service d'envoi a refusé de l'envoyer à l'adresse de {representative}.",
    },
}


def bounce_reason(failure: str | None, lang: str, representative: str) -> str:
    table = BOUNCE_REASONS.get(failure or "", BOUNCE_REASONS["bounced"])
    return pick(table, lang, representative=representative)


# When the confirmation email could not go (status.py): the truth, not "we sent you an email".
CONFIRMATION_TROUBLE = {
    "delayed": {
        "en": (
            "Your letter is saved, but we have not been able to send you the confirmation "
            "email yet: our mail service has a problem. We keep trying, and the email will "
            "reach you as soon as it can. Nothing goes to {representative} until you confirm."
        ),
        "fr": (
            "Votre lettre est enregistrée, mais nous n'avons pas encore pu vous envoyer le "
            "message de confirmation : notre service de messagerie rencontre un problème. Nous "
            "réessayons, et le message vous parviendra dès que possible. Rien ne part vers "
            "{representative} avant votre confirmation."
        ),
    },
    "failed": {
        "en": (
            "Your letter is saved, but we could not send you the confirmation email. Check that "
            "your email address is right; if it is not, write your letter again with the right "
            "one. Nothing goes to {representative} until you confirm."
        ),
        "fr": (
            "Votre lettre est enregistrée, mais nous n'avons pas pu vous envoyer le message de "
            "confirmation. Vérifiez votre adresse électronique ; si elle est erronée, écrivez "
            "de nouveau votre lettre avec la bonne adresse. Rien ne part vers {representative} "
            "avant votre confirmation."
        ),
    },
}

"""The letter form: read what the browser sent, check every field at once, and say what to
fix next to each field, in the supporter's language. Never raises on odd input: CR/LF in a
name, 100 kB in a field, lone surrogates, NUL bytes all become field errors, and every value
the supporter typed is kept to fill the form again."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from service.letters.guards import UnsendableText, mailbox, paragraph, single_line
from service.letters.schemas import (
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_POSTCODE,
    MAX_SUBJECT,
    LetterIn,
)

# A request body larger than this is refused before it is parsed (5 000 characters of emoji,
# percent-encoded, stay well below it).
MAX_FORM_BYTES = 256 * 1024
# What is kept of a field to show it again: enough to let the supporter trim it.
_KEEP = MAX_MESSAGE * 2

# The issue asks for the address line to be optional but encouraged; the letters schema
# decides. The form follows it, so its label never promises what submission refuses.
ADDRESS_REQUIRED = LetterIn.model_fields["address"].is_required()

FIELD_ORDER = ("name", "email", "postcode", "address", "demands", "subject", "message", "consent")

Translate = Callable[..., str]


class FormTooLarge(Exception):
    """The body is too large, or is not a form a browser would send for a letter."""


async def read_form(request: Request) -> FormData:
    """The posted form; FormTooLarge when the body is bigger than any real letter."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    request._body = bytes(body)  # the stream is spent; Starlette parses the form from this
    try:
        return await request.form(max_files=0, max_fields=200)
    except Exception as exc:  # a malformed multipart body, a file upload: not a letter
        raise FormTooLarge from exc


def text(form: Mapping[str, Any] | FormData, name: str, keep: int = _KEEP) -> str:
    """One text value as a str, whatever arrived (a file part, a missing field)."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    # Lone surrogates cannot be encoded into a page or a database: drop them.
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        value = "".join(c for c in value if not 0xD800 <= ord(c) <= 0xDFFF)
    return value[:keep]


@dataclass
class LetterForm:
    """What the supporter typed, as typed (for showing again)."""

    campaign: str = ""
    rep: str = ""
    country: str = ""
    name: str = ""
    email: str = ""
    postcode: str = ""
    address: str = ""
    demands: list[int] = field(default_factory=list)
    subject: str = ""
    message: str = ""
    consent: bool = False
    updates: bool = False
    website: str = ""

    @classmethod
    def from_form(cls, form: FormData) -> LetterForm:
        demands: list[int] = []
        for raw in form.getlist("demands")[:20]:
            if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 2:
                demands.append(int(raw))
        return cls(
            campaign=text(form, "campaign", 60),
            rep=text(form, "rep", 40),
            country=text(form, "country", 10),
            name=text(form, "name"),
            email=text(form, "email"),
            postcode=text(form, "postcode"),
            address=text(form, "address"),
            demands=sorted(set(demands)),
            subject=text(form, "subject"),
            # Whole, however long: a refusal gives it back with its true length to trim.
            message=text(form, "message", MAX_FORM_BYTES),
            consent=text(form, "consent") in ("yes", "on", "true"),
            updates=text(form, "updates") in ("yes", "on", "true"),
            website=text(form, "website", 200),
        )


def _line(value: str, limit: int, required: bool, _: Translate, what: str) -> tuple[str, str]:
    """A one-line field: (clean value, error or ''). The rules are the letters schema's
    (guards.single_line), so the form and the JSON API refuse the same text."""
    try:
        clean = single_line(value)
    except UnsendableText as exc:
        if exc.reason == "direction":
            return value, _(
                "%(what)s contains invisible characters that change the direction of the "
                "text. Type it again without copying and pasting it.",
                what=what,
            )
        if exc.reason == "encoded_word":
            return value, _(
                "%(what)s contains a mail encoding sequence (like =?utf-8?q?…?=). Write the "
                "text itself instead.",
                what=what,
            )
        return value, _("%(what)s must be on one line, without line breaks.", what=what)
    if required and not clean:
        return clean, ""  # the caller says what is missing, in its own words
    if len(clean) > limit:
        return clean, _(
            "%(what)s must be %(max)s characters or fewer (it is %(len)s).",
            what=what,
            max=limit,
            len=len(clean),
        )
    return clean, ""


def check_message(value: str, _: Translate) -> tuple[str, str]:
    """The personal paragraph: (clean text, error or '')."""
    try:
        clean = unicodedata.normalize("NFC", paragraph(value))
    except ValueError:
        return value, _("Your paragraph contains characters that cannot be sent.")
    if len(clean) > MAX_MESSAGE:
        return clean, _(
            "Your paragraph must be %(max)s characters or fewer (it is %(len)s).",
            max=MAX_MESSAGE,
            len=len(clean),
        )
    return clean, ""


def validate(
    form: LetterForm, demand_numbers: Sequence[int] | None, _: Translate
) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean values, errors by field in FIELD_ORDER). Errors are in the page's language.
    With `demand_numbers` None, which demands exist is left to the use case."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    clean["name"], error = _line(form.name, MAX_NAME, True, _, _("Your name"))
    if error or not clean["name"]:
        errors["name"] = error or _("Enter your name, as your representative should see it.")

    email_value, error = _line(form.email, MAX_EMAIL, True, _, _("Your email address"))
    if error or not email_value:
        errors["email"] = error or _("Enter your email address: we send the letter's link there.")
    else:
        try:
            clean["email"] = mailbox(email_value)
        except UnsendableText as exc:
            errors["email"] = (
                _(
                    "We cannot send email to an address with accented or non-Latin letters "
                    "before the @. Please use another address."
                )
                if exc.reason == "email_local_part"
                else _("Enter an email address in the right format, like name@example.org.")
            )
    clean.setdefault("email", email_value)

    clean["postcode"], error = _line(form.postcode, MAX_POSTCODE, True, _, _("Your postcode"))
    if error or not clean["postcode"]:
        errors["postcode"] = error or _("Enter your postcode.")

    clean["address"], error = _line(
        form.address, MAX_ADDRESS, ADDRESS_REQUIRED, _, _("Your address")
    )
    if error or (ADDRESS_REQUIRED and not clean["address"]):
        errors["address"] = error or _(
            "Enter your street address: offices ask for it to check you live in the constituency."
        )

    unknown = [n for n in form.demands if demand_numbers is not None and n not in demand_numbers]
    if not form.demands:
        errors["demands"] = _("Choose at least one demand for your letter.")
    elif unknown:
        errors["demands"] = _("Choose among the demands listed.")
    clean["demands"] = form.demands

    clean["subject"], error = _line(form.subject, MAX_SUBJECT, False, _, _("The subject"))
    if error:
        errors["subject"] = error

    clean["message"], error = check_message(form.message, _)
    if error:
        errors["message"] = error

    if not form.consent:
        errors["consent"] = _("Tick the box to agree that we send this letter in your name.")
    ordered = {name: errors[name] for name in FIELD_ORDER if name in errors}
    return clean, ordered


def letter_in(form: LetterForm, clean: Mapping[str, Any], lang: str) -> LetterIn:
    """The use cases' input; call only once validate() found nothing to fix."""
    return LetterIn.model_validate(
        {
            "campaign": form.campaign,
            "representative_id": form.rep,
            "name": clean["name"],
            "email": clean["email"],
            "postcode": clean["postcode"],
            "address": clean["address"],
            "demands": clean["demands"],
            "message": clean["message"],
            "subject": clean["subject"] or None,
            "consent": form.consent,
            "updates": form.updates,
            "lang": lang,
            "website": form.website or None,
        }
    )


_FIELD_OF_INPUT = {"representative_id": "_form", "campaign": "_form", "website": "_form"}


def errors_from_validation(exc: ValidationError, _: Translate) -> dict[str, str]:
    """Field errors from the use cases' own schema, for rules this form did not know."""
    fallback = {
        "name": _("Enter your name, as your representative should see it."),
        "email": _("Enter an email address in the right format, like name@example.org."),
        "postcode": _("Enter your postcode."),
        "address": _(
            "Enter your street address: offices ask for it to check you live in the constituency."
        ),
        "demands": _("Choose at least one demand for your letter."),
        "subject": _("Check the subject."),
        "message": _("Check your paragraph."),
        "consent": _("Tick the box to agree that we send this letter in your name."),
    }
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ("",)
        name = _FIELD_OF_INPUT.get(str(loc[0]), str(loc[0]))
        if name in fallback:
            errors.setdefault(name, fallback[name])
        else:
            errors.setdefault(
                "_form",
                _("Something in the form could not be used; please check it and try again."),
            )
    return errors

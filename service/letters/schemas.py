"""What the letters API takes and gives, shared by the JSON routes and the web pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from service.errors import InvalidInput
from service.letters import guards
from service.letters.states import LetterStatus
from service.representatives.schemas import RepresentativeId
from service.validation_messages import explain_first

MAX_NAME = 100
MAX_EMAIL = 254
MAX_POSTCODE = 16
MAX_ADDRESS = 300
MAX_MESSAGE = 5_000
MAX_SUBJECT = 150
MAX_BODY_BYTES = 64 * 1024


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def _single_line(value: str) -> str:
    try:
        return guards.single_line(value)
    except ValueError as exc:
        raise PydanticCustomError("control_characters", str(exc)) from None


def _paragraph(value: str) -> str:
    try:
        return guards.paragraph(value)
    except ValueError as exc:
        raise PydanticCustomError("control_characters", str(exc)) from None


def _required(value: str) -> str:
    if not value:
        raise PydanticCustomError("missing_text", "must not be empty")
    return value


def _email(value: str) -> str:
    try:
        return guards.mailbox(value)
    except guards.UnsendableText as exc:
        raise PydanticCustomError("email", str(exc)) from None


OneLine = Annotated[str, AfterValidator(_single_line)]
RequiredLine = Annotated[str, AfterValidator(_single_line), AfterValidator(_required)]
Paragraph = Annotated[str, AfterValidator(_paragraph)]
Email = Annotated[str, AfterValidator(_email)]


def _empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class LetterIn(BaseModel):
    """A supporter's letter as submitted (POST /api/letters or the web form)."""

    model_config = ConfigDict(str_max_length=MAX_MESSAGE)

    campaign: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")
    representative_id: RepresentativeId
    name: Annotated[RequiredLine, Field(max_length=MAX_NAME)]
    email: Annotated[Email, Field(max_length=MAX_EMAIL)]
    postcode: Annotated[RequiredLine, Field(max_length=MAX_POSTCODE)]
    # Optional but encouraged: MPs' offices often ask for it as proof of constituency.
    address: Annotated[OneLine, Field(max_length=MAX_ADDRESS)] = ""
    demands: list[Annotated[int, Field(ge=1, le=99)]] = Field(min_length=1, max_length=20)
    message: Annotated[Paragraph, Field(max_length=MAX_MESSAGE)] = ""
    subject: Annotated[
        Annotated[OneLine, Field(max_length=MAX_SUBJECT)] | None, BeforeValidator(_empty_to_none)
    ] = None
    consent: bool
    updates: bool = False
    lang: Lang | None = None
    # Honeypot: people never see this field; a filled one is refused.
    website: str | None = Field(default=None, max_length=200)

    @field_validator("consent")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if value is not True:
            raise PydanticCustomError(
                "consent",
                "must be true: tick the box to agree that we send this letter in your name",
            )
        return value

    @field_validator("demands")
    @classmethod
    def _distinct_demands(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


class SimilarityIn(BaseModel):
    representative_id: RepresentativeId
    message: Annotated[Paragraph, Field(max_length=MAX_MESSAGE)] = ""
    # With a campaign, the paragraph is compared with its own texts too.
    campaign: str | None = Field(
        default=None, min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$"
    )


class SimilarityOut(BaseModel):
    similar_letters: int
    score: float = Field(ge=0, le=1)
    # True when the paragraph mostly repeats the campaign's own texts (and would be held).
    campaign_text: bool = False


class SubmitOut(BaseModel):
    id: str
    status: LetterStatus
    status_url: str
    # Set when the letter will be held for review once confirmed; `message` says why and how
    # to make it the supporter's own.
    hold_reason: str | None = None
    message: str = ""


class RepresentativeBrief(BaseModel):
    id: str
    name: str
    constituency: str


class EventOut(BaseModel):
    status: LetterStatus
    at: datetime


class LetterPreview(BaseModel):
    subject: str
    text: str


class LetterStatusOut(BaseModel):
    """GET /letters/{token} and the answer to a confirmation click."""

    id: str
    status: LetterStatus
    campaign: str
    representative: RepresentativeBrief
    language: Lang
    demands: list[int]
    hold_reason: str | None
    # A sentence for the supporter, in their language, about where the letter is.
    explanation: str
    # Set when the email provider refused the letter for good (with its reason), else None.
    delivery_problem: str | None = None
    # Why a bounced letter did not arrive: bounced, blocked, invalid_address or dropped.
    delivery_failure: str | None = None
    # While the letter waits for confirmation: "delayed" when its confirmation email could
    # not be sent yet (it is being retried), "failed" when it was given up; else None.
    confirmation_email: Literal["delayed", "failed"] | None = None
    created_at: datetime
    confirm_by: datetime | None
    events: list[EventOut]
    letter: LetterPreview


class ErrorOut(BaseModel):
    error: str
    message: str
    field: str | None = None


def parse_letter(data: Mapping[str, Any]) -> LetterIn:
    """Build a LetterIn from form data, turning validation failures into InvalidInput."""
    try:
        return LetterIn.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input(exc) from None


def invalid_input(exc: ValidationError) -> InvalidInput:
    field, message = explain_first(exc.errors())
    return InvalidInput(message, field=field)

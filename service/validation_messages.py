"""Validation errors as sentences a person can act on.

Pydantic's own messages describe its machinery ("Value should have at most 100 items after
validation", "322: JSON decode error" where 322 is a character offset, not a field). A refusal
here names the field and says what to do instead. Messages raised on purpose by our own
validators (PydanticCustomError) are already written that way and are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Where in a request an error was found; not part of a field's name.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def field_of(error: Mapping[str, Any]) -> str | None:
    """The field an error is about: `name`, `demands` (not `demands.3`), None for the body."""
    parts: list[str] = []
    for part in error.get("loc", ()):
        if isinstance(part, int):
            break  # a list position, or the offset of a JSON syntax error
        if part not in _LOCATIONS:
            parts.append(str(part))
    return ".".join(parts) or None


def explain(error: Mapping[str, Any]) -> str:
    """One validation error as a sentence, starting with the field it concerns."""
    field = field_of(error)
    reason = _reason(error)
    return f"{field}: {reason}" if field else reason


def explain_first(errors: Sequence[Mapping[str, Any]]) -> tuple[str | None, str]:
    if not errors:
        return None, "The request could not be read; check it against the API docs at /docs."
    return field_of(errors[0]), explain(errors[0])


def _reason(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "json_invalid":
        offset = next((p for p in error.get("loc", ()) if isinstance(p, int)), None)
        # The parser counts from 0; people count from 1.
        where = f" (near character {offset + 1})" if offset is not None else ""
        return (
            f"The request body is not valid JSON{where}. Check its quotes, commas and "
            "brackets, and send it with Content-Type: application/json."
        )
    if kind in ("too_long", "string_too_long"):
        limit, actual = ctx.get("max_length"), ctx.get("actual_length")
        if ctx.get("field_type") == "List":
            return f"choose at most {limit} (this has {actual}); remove some and send again"
        has = f" (it has {actual})" if actual is not None else ""
        return f"is too long: at most {limit} characters{has}. Shorten it and send again"
    if kind in ("too_short", "string_too_short"):
        limit = ctx.get("min_length")
        if ctx.get("field_type") == "List":
            return f"choose at least {limit}"
        return "must not be empty" if limit == 1 else f"must be at least {limit} characters long"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "enum":
        return f"must be one of: {ctx.get('expected')}"
    if kind in _REASONS:
        return _REASONS[kind]
    # Our own validators' refusals (PydanticCustomError), written to be acted on.
    return str(error.get("msg") or "is not valid; check it against the API docs at /docs")


_REASONS = {
    "missing": "is required: add it and send again",
    "string_type": "must be text (a JSON string)",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "list_type": "must be a list (a JSON array)",
    "string_pattern_mismatch": (
        "has characters that are not allowed here: use lower-case letters, digits and hyphens"
    ),
    "model_attributes_type": (
        "The request body must be a JSON object with the letter's fields; see the API docs at /docs"
    ),
    "dict_type": "must be a JSON object",
}

"""Read a saved download of the UK Parliament Members API (Open Parliament Licence v3.0).

The directory holds JSON files, found recursively and told apart by their content:
- `Members/Search` pages (`{"items": [{"value": Member}], "totalResults": N, ...}`), as
  returned for House=1&IsCurrentMember=true, 20 members a page;
- one `/Members/{id}/Contact` answer per member (`{"value": [ContactInformation], "links"}`),
  whose member id is read from its self link or, failing that, from the digits of the
  file name (`5173.json`, `contact-5173.json`).

The API gives Parliament's constituency names, not ONS codes, so names are matched to the
constituencies already known (bundled snapshot or database) by their normalised form. A name
that matches nothing is reported and its member left out; nothing is guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from service.errors import ImportFailed
from service.representatives.importers.uk_seats import ParsedUkSource
from service.representatives.names import search_key
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord

SOURCE_DESCRIPTION = "UK Parliament Members API"
COMMONS = 1
_CONTACT_LINK = re.compile(r"/Members/(\d+)/Contact", re.IGNORECASE)
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class _Member:
    id: int
    name: str
    party: str
    constituency_name: str


def parse_members_api(
    directory: Path, constituencies: Sequence[ConstituencyRecord], *, retrieved_on: date
) -> ParsedUkSource:
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a directory of Members API JSON files.")
    warnings: list[str] = []
    members, contacts = _read_directory(directory, warnings)
    seat_by_key = {search_key(c.name): c.id for c in constituencies}

    representatives: list[RepresentativeRecord] = []
    unmatched = 0
    for member in members:
        seat = seat_by_key.get(search_key(member.constituency_name))
        if seat is None:
            unmatched += 1
            warnings.append(
                f"member {member.id}: constituency {member.constituency_name!r} matches no "
                "known constituency; left out"
            )
            continue
        entries = contacts.get(member.id)
        if entries is None:
            warnings.append(f"member {member.id}: no contact file; no email recorded")
        representatives.append(
            RepresentativeRecord(
                id=f"uk-{member.id}",
                constituency_id=seat,
                name=member.name,
                party=member.party,
                email=choose_email(entries or []),
                source=SOURCE_DESCRIPTION,
                retrieved_on=retrieved_on,
            )
        )
    # With a member left out, absence from the data no longer means the seat is empty.
    return ParsedUkSource(
        list(constituencies), representatives, retrieved_on, warnings, complete=unmatched == 0
    )


def choose_email(entries: Iterable[dict[str, Any]]) -> str | None:
    """The preferred address, else one at parliament.uk, else the first one given."""
    emails = [
        (bool(entry.get("isPreferred")), email)
        for entry in entries
        if isinstance(entry, dict) and (email := _text(entry.get("email")))
        if "@" in email
    ]
    for preferred, email in emails:
        if preferred:
            return email
    for _preferred, email in emails:
        if email.lower().endswith("@parliament.uk"):
            return email
    return emails[0][1] if emails else None


def _read_directory(
    directory: Path, warnings: list[str]
) -> tuple[list[_Member], dict[int, list[dict[str, Any]]]]:
    members: dict[int, _Member] = {}
    contacts: dict[int, list[dict[str, Any]]] = {}
    expected = 0
    for path in sorted(directory.rglob("*.json")):
        body = _load_json(path)
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            expected = max(expected, _int(body.get("totalResults")) or 0)
            for item in body["items"]:
                member = _sitting_member(item, path, warnings)
                if member is not None:
                    members.setdefault(member.id, member)
                elif isinstance(item, dict) and isinstance(item.get("value"), dict):
                    expected -= 1  # listed, but not a sitting MP: not missing either
        elif isinstance(body, dict) and isinstance(body.get("value"), list):
            member_id = _contact_member_id(body, path)
            if member_id is None:
                warnings.append(f"{path.name}: contact file without a member id; ignored")
            else:
                contacts[member_id] = [e for e in body["value"] if isinstance(e, dict)]
        else:
            warnings.append(f"{path.name}: neither a search page nor a contact file; ignored")
    if not members:
        raise ImportFailed(f"{directory} holds no Members/Search page with sitting MPs.")
    if len(members) < expected:
        raise ImportFailed(
            f"The search pages list {len(members)} sitting MPs but announce {expected}: "
            "some pages are missing. Download them all and try again."
        )
    return sorted(members.values(), key=lambda m: m.id), contacts


def _sitting_member(item: Any, path: Path, warnings: list[str]) -> _Member | None:
    value = item.get("value") if isinstance(item, dict) else None
    if not isinstance(value, dict):
        warnings.append(f"{path.name}: an item without a member; ignored")
        return None
    member_id = _int(value.get("id"))
    membership = value.get("latestHouseMembership")
    if member_id is None or not isinstance(membership, dict):
        warnings.append(f"{path.name}: a member without id or membership; ignored")
        return None
    if _int(membership.get("house")) not in (None, COMMONS):
        return None
    if membership.get("membershipEndDate"):
        warnings.append(f"member {member_id}: membership ended; not counted as sitting")
        return None
    status = membership.get("membershipStatus")
    if isinstance(status, dict) and status.get("statusIsActive") is False:
        # Still the constituency's MP (suspended, for example): kept, and said so.
        description = _text(status.get("statusDescription")) or "inactive"
        warnings.append(f"member {member_id}: status {description!r}; kept as the MP")
    name = _text(value.get("nameDisplayAs"))
    constituency = _text(membership.get("membershipFrom"))
    if not name or not constituency:
        warnings.append(f"member {member_id}: name or constituency missing; ignored")
        return None
    party = value.get("latestParty")
    party_name = _text(party.get("name")) if isinstance(party, dict) else ""
    return _Member(member_id, name, party_name or "Independent", constituency)


def _contact_member_id(body: dict[str, Any], path: Path) -> int | None:
    for link in body.get("links") or []:
        href = link.get("href") if isinstance(link, dict) else None
        match = _CONTACT_LINK.search(href) if isinstance(href, str) else None
        if match:
            return int(match.group(1))
    digits = _DIGITS.findall(path.stem)
    return int(digits[-1]) if digits else None


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(f"{path.name} is not readable JSON: {exc}") from exc


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None

"""Writes a saved UK Parliament Members API download in the documented JSON shapes
(Members/Search pages and /Members/{id}/Contact answers), for the importer's tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FakeMember:
    id: int
    name: str
    constituency: str
    party: str = "Independent"
    emails: Sequence[tuple[str, bool]] = field(default_factory=list)  # (address, isPreferred)
    house: int = 1
    ended: str | None = None
    active: bool = True


def member_value(member: FakeMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "nameListAs": member.name,
        "nameDisplayAs": member.name,
        "nameFullTitle": f"{member.name} MP",
        "nameAddressAs": None,
        "latestParty": {
            "id": 8,
            "name": member.party,
            "abbreviation": member.party[:3],
            "backgroundColour": "909090",
            "foregroundColour": "ffffff",
            "isLordsMainParty": False,
            "isLordsSpiritualParty": False,
            "governmentType": None,
            "isIndependentParty": member.party == "Independent",
        },
        "gender": "F",
        "latestHouseMembership": {
            "membershipFrom": member.constituency,
            "membershipFromId": 4000 + member.id % 1000,
            "house": member.house,
            "membershipStartDate": "2024-07-04T00:00:00",
            "membershipEndDate": member.ended,
            "membershipEndReason": None,
            "membershipEndReasonNotes": None,
            "membershipEndReasonId": None,
            "membershipStatus": {
                "statusIsActive": member.active,
                "statusDescription": "Current Member" if member.active else "Suspended",
                "statusNotes": None,
                "statusId": 0,
                "status": 0,
                "statusStartDate": "2024-07-04T00:00:00",
            },
        },
        "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{member.id}/Thumbnail",
    }


def contact_body(member: FakeMember, *, with_link: bool = True) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {
            "type": "Website",
            "typeDescription": "Website",
            "typeId": 7,
            "isPreferred": False,
            "isWebAddress": True,
            "notes": None,
            "line1": "https://example.invalid",
        }
    ]
    for number, (email, preferred) in enumerate(member.emails):
        entries.append(
            {
                "type": "Parliamentary office" if number == 0 else "Constituency office",
                "typeDescription": "Office",
                "typeId": 1 if number == 0 else 4,
                "isPreferred": preferred,
                "isWebAddress": False,
                "notes": None,
                "line1": "House of Commons",
                "line2": "London",
                "postcode": "SW1A 0AA",
                "phone": "020 7219 3000",
                "fax": None,
                "email": email,
                "website": None,
            }
        )
    links = [{"rel": "self", "href": f"/Members/{member.id}/Contact", "method": "GET"}]
    return {"value": entries, "links": links if with_link else []}


def write_download(
    directory: Path,
    members: Sequence[FakeMember],
    *,
    take: int = 20,
    total: int | None = None,
    contacts_named_by_link: bool = True,
) -> Path:
    """Search pages under search/ and one contact file per member under contact/."""
    (directory / "search").mkdir(parents=True, exist_ok=True)
    (directory / "contact").mkdir(exist_ok=True)
    for skip in range(0, len(members), take):
        page = {
            "items": [
                {
                    "value": member_value(m),
                    "links": [{"rel": "self", "href": f"/Members/{m.id}", "method": "GET"}],
                }
                for m in members[skip : skip + take]
            ],
            "totalResults": len(members) if total is None else total,
            "resultContext": "House=1&IsCurrentMember=true",
            "skip": skip,
            "take": take,
            "links": [],
        }
        path = directory / "search" / f"members-search-{skip:04d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    for member in members:
        body = contact_body(member, with_link=contacts_named_by_link)
        path = directory / "contact" / f"{member.id}.json"
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return directory

"""Find your representative: the three paths, the lookup's questions, pick-by-name.

Every page here is a GET (a lookup changes nothing), so partners can link straight to any
step and the browser's back button always works.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from service.deps import SessionDep
from service.errors import DomainError, InvalidInput, ServiceUnavailable
from service.lookup.routes import LookupDeps
from service.lookup.schemas import Basis, Country, LookupResult, LookupStatus, Question
from service.lookup.service import find_constituencies, lookup
from service.web.i18n import N_
from service.web.public.campaign_scope import CampaignSlug, campaign_root
from service.web.public.journey import MAX_SEARCH, Where, clean_param, residence_options
from service.web.public.lookup_messages import CODE_POSTAL_REFUSALS  # noqa: F401  (the catalogue)
from service.web.templating import Page, PageDep

router = APIRouter(include_in_schema=False)

UNAVAILABLE = N_("The service that finds representatives did not answer in time.")
# Our own words for what the lookup says, on pages in a language its messages are not in.
RESULT_FALLBACKS = {
    "matched": "",
    "commune": N_(
        "Several communes share this code postal, and they do not all have the same "
        "representative. Which one do you live in?"
    ),
    "representative": N_(
        "Where you live is split between several constituencies, and the data we hold cannot "
        "tell which one your address is in. Choose yours: your town hall can tell you if you "
        "are not sure."
    ),
    "constituency": N_(
        "We could not find your constituency from what you entered. Search for it by name."
    ),
    "former": N_(
        "Your commune was formed by merging several communes, and it is divided between "
        "several constituencies: the former commune you live in tells us your député. If you "
        "do not know, say so, and you will choose among its députés."
    ),
    "nearby_one": "",  # the page words it from the candidate itself
    "nearby": N_(
        "Your postcode is near where these constituencies meet, and we cannot tell from the "
        "postcode alone which one it is in. Choose yours."
    ),
    "arrondissement": N_(
        "Your arrondissement lies in these circonscriptions. Choose your député; if yours is "
        "not in this list, ask for all the députés of the city."
    ),
    "northern_ireland": N_(
        "We cannot place Northern Ireland postcodes. Choose your constituency among the 18 "
        "seats of Northern Ireland."
    ),
}
# The lookup's option labels are English sentences; these two forms are translated here.
_UNKNOWN_FORMER = N_("I don't know / my former commune isn't listed")
_PART_OF = re.compile(r"^(?P<former>.+) \(part of (?P<commune>.+)\)$")
_WHOLE_CITY = re.compile(r"^Not in this list: all the députés of (?P<city>.+)$")

Param = Annotated[str | None, Query()]


def path_context(
    page: Page, where: Where, slug: str, errors: dict[str, str] | None = None
) -> dict[str, object]:
    """What the three start forms need (the campaign page and /find share them)."""
    return {
        "root": campaign_root(slug),
        "where": where,
        "residences": residence_options(page.locale),
        "errors": errors or {},
    }


@router.get("/campaigns/{slug}/find", response_class=HTMLResponse)
def find(
    page: PageDep,
    session: SessionDep,
    deps: LookupDeps,
    slug: CampaignSlug,
    country: Param = None,
    postcode: Param = None,
    commune: Param = None,
    residence: Param = None,
    unanswered: Param = None,
) -> HTMLResponse:
    """Look up the supporter's representative, or ask the question the data cannot answer.
    `unanswered` names the question the supporter was sent on from ("commune", "rep"): the
    page asked it again says it still needs an answer."""
    where = Where.from_params(country, postcode, commune, residence)
    if where.country is None or not where.complete:
        # A start form sent empty (its field is in the query, with no value) says what is
        # missing; a link to the form without a value is not an error.
        sent = residence if where.country is Country.abroad else postcode
        missing: dict[str, str] = {}
        if sent is not None and where.country is not None:
            missing = {_path_field(where): page._(_MISSING[where.country])}
        return page.render(
            "public/find_start.html",
            path_context(page, where, slug, missing),
            status_code=422 if missing else 200,
        )
    try:
        result = lookup(
            session,
            deps,
            country=where.country,
            postcode=where.postcode or None,
            commune=where.commune or None,
            residence=where.residence or None,
        )
    except InvalidInput as exc:
        errors = {_path_field(where): page.domain_message(exc.message, _fallback(where))}
        return page.render(
            "public/find_start.html", path_context(page, where, slug, errors), status_code=422
        )
    except (ServiceUnavailable, DomainError) as exc:
        return page.render(
            "public/find_unavailable.html",
            {
                "root": campaign_root(slug),
                "where": where,
                "message": page.domain_message(exc.message, UNAVAILABLE),
            },
            status_code=503 if isinstance(exc, ServiceUnavailable) else exc.status_code,
        )
    context = _result_context(page, where, slug, result)
    errors = _unanswered(page, where, result, clean_param(unanswered))
    return page.render(
        "public/find_result.html", {**context, "errors": errors}, status_code=422 if errors else 200
    )


# What each start form needs before anything can be looked up, by path.
_MISSING: dict[Country, str] = {
    Country.uk: N_("Enter your postcode to find your MP."),
    Country.fr: N_("Enter your code postal to find your député."),
    Country.abroad: N_("Choose the country where you live to find your député."),
}


def _unanswered(page: Page, where: Where, result: LookupResult, question: str) -> dict[str, str]:
    """The question asked again because the supporter went on without answering it."""
    if question == "commune" and not where.commune and result.question is Question.commune:
        return {"commune": page._("Choose your commune in the list, then continue.")}
    if question == "rep" and result.question is Question.representative:
        if where.country is Country.uk:
            return {"rep": page._("Choose your constituency in the list, then continue.")}
        return {"rep": page._("Choose your circonscription in the list, then continue.")}
    return {}


def _path_field(where: Where) -> str:
    """The start-form field an error belongs to: each path has its own field id."""
    return "abroad-residence" if where.country is Country.abroad else f"{where.country}-postcode"


def _result_context(page: Page, where: Where, slug: str, result: LookupResult) -> dict[str, object]:
    kind = _result_kind(result, where)
    return {
        "root": campaign_root(slug),
        "where": where,
        "result": result,
        "message": page.domain_message(
            result.message, RESULT_FALLBACKS.get(kind, ""), detail=False
        ),
        "matched": result.status is LookupStatus.matched,
        # One nearby candidate: a yes/no question about that MP, never a match.
        "nearby_one": kind == "nearby_one",
        "nearby": kind in ("nearby", "nearby_one"),
        "alternative": _alternative(page, where, result),
        "ask_commune": result.question is Question.commune,
        "ask_former": kind == "former",
        "options": [(o.value, _option_label(page, o.label)) for o in result.options],
        "ask_representative": result.question is Question.representative,
        "ask_constituency": result.status is LookupStatus.unresolved
        or result.question is Question.constituency,
        "search_country": _search_country(where),
    }


def _result_kind(result: LookupResult, where: Where) -> str:
    if result.status is LookupStatus.matched:
        return "matched"
    if result.basis is Basis.nearby:
        return "nearby_one" if len(result.representatives) == 1 else "nearby"
    if result.alternative is not None:
        return "arrondissement"
    if result.question is Question.commune and result.representatives:
        return "former"  # which former commune (commune déléguée); the députés come along
    if where.country is Country.uk and result.question is Question.representative:
        return "northern_ireland"  # the only UK choice that is not a short list
    return result.question.value if result.question else "constituency"


def _alternative(page: Page, where: Where, result: LookupResult) -> tuple[str, str] | None:
    """The link out of a short list (all of a city's députés): its URL and its words."""
    if result.alternative is None:
        return None
    country = where.country.value if where.country else ""
    query = [("country", country), ("postcode", where.postcode)]
    url = "/find?" + urlencode([*query, ("commune", result.alternative.value)])
    city = _WHOLE_CITY.match(result.alternative.label)
    if city and page.locale != "en":
        return url, page._("Not in this list: all the députés of %(city)s", **city.groupdict())
    return url, page.t.translate_known(result.alternative.label)


def _option_label(page: Page, label: str) -> str:
    part = _PART_OF.match(label)
    if part and page.locale != "en":
        return page._("%(former)s (part of %(commune)s)", **part.groupdict())
    return page.t.translate_known(label)


def _fallback(where: Where) -> str:
    return {
        Country.uk: N_("We could not use this postcode."),
        Country.fr: N_("We could not use this code postal."),
        Country.abroad: N_("We could not use this country."),
    }[where.country or Country.uk]


def _search_country(where: Where) -> str:
    return "uk" if where.country is Country.uk else "fr"


@router.get("/campaigns/{slug}/find/name", response_class=HTMLResponse)
def find_by_name(
    page: PageDep,
    session: SessionDep,
    slug: CampaignSlug,
    country: Param = None,
    q: Param = None,
    postcode: Param = None,
) -> HTMLResponse:
    """Pick-by-name: search constituencies by their name or their member's name."""
    raw_country = clean_param(country).lower()
    search_country = Country.fr if raw_country in ("fr", "abroad") else Country.uk
    query = clean_param(q, limit=MAX_SEARCH + 1)
    where = Where(country=search_country, postcode=clean_param(postcode))
    context: dict[str, object] = {
        "root": campaign_root(slug),
        "where": where,
        "country": search_country.value,
        "q": query[:MAX_SEARCH],
        "results": None,
        "errors": {},
    }
    if q is None:
        return page.render("public/find_name.html", context)
    errors: dict[str, str] = {}
    if not query:
        errors["q"] = page._("Enter a constituency name or a representative's name.")
    elif len(query) > MAX_SEARCH:
        errors["q"] = page._("Enter at most %(max)s characters.", max=MAX_SEARCH)
    if errors:
        return page.render("public/find_name.html", {**context, "errors": errors}, status_code=422)
    try:
        results = find_constituencies(session, country=search_country, query=query)
    except DomainError as exc:
        errors["q"] = page.t.translate_known(exc.message)
        return page.render("public/find_name.html", {**context, "errors": errors}, status_code=422)
    return page.render("public/find_name.html", {**context, "results": results})

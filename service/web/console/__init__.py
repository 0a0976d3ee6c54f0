"""The console: HTML pages under /console for the people who run the campaign, a mounted
sub-app with its own layout, navigation, error pages and language switch.

Adding a page: write a module with a `router` (its routes guarded by
`frame.console_page(Permission.x)`) and a `NAV` list, and add it to PAGES below. The JSON twin
of the page goes in the domain's own router under /api/admin."""

from __future__ import annotations

from types import ModuleType

from fastapi import Depends, FastAPI

from service.web.console import (
    account_routes,
    address_routes,
    audit_routes,
    campaign_content_api,
    campaign_content_routes,
    campaigns_api,
    campaigns_routes,
    exports_api,
    exports_routes,
    frame,
    home_routes,
    maps_api,
    maps_routes,
    moderation_api,
    moderation_routes,
    people_routes,
    privacy_api,
    privacy_routes,
    reimport_api,
    reimport_routes,
    replies_routes,
    representatives_api,
    representatives_routes,
    signin_routes,
    stats_api,
    stats_routes,
    templates_api,
    templates_routes,
    tracking_api,
)

PAGES: list[ModuleType] = [
    home_routes,
    account_routes,
    people_routes,
    privacy_routes,
    audit_routes,
    moderation_routes,
    representatives_routes,
    reimport_routes,
    # Before campaigns_routes: /campaigns/new is not a campaign's address.
    campaign_content_routes,
    campaigns_routes,
    templates_routes,
    address_routes,
    maps_routes,
    exports_routes,
    replies_routes,
    stats_routes,
]


def install(app: FastAPI) -> FastAPI:
    console = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(frame.check_csrf)],
    )
    # One state and one set of dependency overrides for both apps: the settings, engine,
    # clock and mailer are the main app's, and a test's session override reaches the console.
    console.state = app.state
    console.dependency_overrides = app.dependency_overrides
    console.include_router(signin_routes.router)
    frame.NAV.clear()
    for module in PAGES:
        console.include_router(module.router)
        frame.NAV.extend(module.NAV)
    frame.install_error_pages(console)
    app.mount("/console", console, name="console")
    # The JSON twins that need more than one domain (accounts' audit log and letters' data).
    app.include_router(privacy_api.router)
    app.include_router(moderation_api.router)
    app.include_router(representatives_api.router)
    app.include_router(representatives_api.freshness_router)
    app.include_router(reimport_api.router)
    app.include_router(campaign_content_api.router)
    app.include_router(campaigns_api.router)
    app.include_router(tracking_api.router)
    app.include_router(templates_api.router)
    app.include_router(maps_api.router)
    app.include_router(exports_api.router)
    app.include_router(stats_api.router)
    return console

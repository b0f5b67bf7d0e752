"""What every backend page needs to look like its municipality's site: names, colours, logo,
language links, the way back to the site, the quick exit to its neutral page, and the page's
language. Used by views and errors."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from portal.common.i18n import LANGUAGE_NAMES, LANGUAGES, t
from portal.common.paths import footer_links, hreflang_links, legal_page_path, neutral_page_url, site_page_url
from portal.municipal.config import Municipality
from portal.store import open_store


def municipalities() -> dict:
    return current_app.extensions["portal_municipalities"]


def site_and_lang(slug: str | None, lang: str | None) -> tuple[Municipality | None, str]:
    """The site for `slug` (None when unknown) and the best language for a page about it."""
    site = municipalities().get(slug or "")
    if site is None:
        return None, lang if lang in LANGUAGES else "nl"
    return site, lang if lang in site.languages else site.default_language


def site_for_request() -> tuple[Municipality | None, str]:
    """For error pages: the site and language the URL points at (/forms/<slug>/<lang>/...)."""
    args = request.view_args or {}
    if "slug" in args:
        return site_and_lang(args.get("slug"), args.get("lang"))
    parts = [p for p in request.path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "forms":
        return site_and_lang(parts[1], parts[2] if len(parts) > 2 else None)
    return None, "nl"


def site_base(site: Municipality) -> str:
    """Where the static site lives: on this server when it serves the sites too (`SITE_BASE`),
    else the `site_url` it is published at, else /<slug>/. Always ends with a slash."""
    local = current_app.config.get("SITE_BASE")
    base = local.format(slug=site.slug) if local else (site.site_url or f"/{site.slug}/")
    return base if base.endswith("/") else base + "/"


def site_home(site: Municipality, lang: str) -> str:
    """The static site's home page in `lang`."""
    base = site_base(site)
    return base if lang == site.default_language else f"{base}{lang}/"


def render_page(template: str, *, site: Municipality | None, lang: str, status: int = 200,
                alternates: dict | None = None, citizen_page: bool = True, **context):
    """Render a page inside templates/forms/base.html with the site's header and footer.

    `alternates`: {lang: url} of this same page in the site's languages (the language switch
    shows only on sites with more than one language; the hreflang links only on pages that a
    search engine may index, templates/forms/base.html). `citizen_page=False` (the staff
    inbox): no quick-exit button.
    """
    def tr(key, **values):
        return t(key, lang, **values)

    brand = None
    quick_exit = None
    legal = None
    footer = []
    if site is not None:
        # The site's privacy page and accessibility statement, and the footer every page has.
        base = site_base(site)
        legal = {page: site_page_url(base, legal_page_path(page, lang, site.default_language))
                 for page in ("privacy", "accessibility")}
        footer = [{"href": site_page_url(base, path), "text": t(key, lang)}
                  for key, path in footer_links(lang, site.default_language)]
    if site is not None and citizen_page:
        # The site's neutral page; the button's files come from this app (views.quick_exit_asset).
        quick_exit = {
            "href": neutral_page_url(site_base(site), lang, site.default_language),
            "css": url_for("forms.quick_exit_asset", name="quick-exit.css"),
            "js": url_for("forms.quick_exit_asset", name="quick-exit.js"),
        }
    if site is not None:
        brand = {
            "name": site.text(site.name, lang),
            "social_house": site.text(site.social_house, lang),
            "css": url_for("forms.brand_css", slug=site.slug),
            "logo": url_for("forms.logo", slug=site.slug) if site.branding.get("logo") else None,
            "home": site_home(site, lang),
        }
    switch, hreflang = [], []
    if site is not None and len(site.languages) > 1 and alternates:
        switch = [{"lang": other, "name": LANGUAGE_NAMES[other], "url": alternates[other], "current": other == lang}
                  for other in site.languages if other in alternates]
        # For search engines: fully qualified, on the published site's host when it is known
        # (the forms are served on it), else on the host that answered this request.
        hreflang = hreflang_links({other: alternates[other] for other in site.languages if other in alternates},
                                  site.default_language, site.site_url or request.host_url)
    html = render_template(template, site=site, lang=lang, t=tr, portal_t=t, brand=brand, switch=switch, hreflang=hreflang,
                           quick_exit=quick_exit, legal=legal, footer_links=footer, **context)
    # render_template output: Flask's autoescaping environment already escaped every value.
    return Markup(html), status  # nosec B704


def public_url() -> str:
    """Where staff open this backend, without a trailing slash: PORTAL_PUBLIC_URL, else the
    address of this request (see the setting's help for why production should set it)."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


def get_store():
    """The store, opened now if it could not be at start-up. Raises StoreUnavailable."""
    store = current_app.extensions.get("portal_store")
    if store is None:
        store = open_store(current_app.config["DATABASE_URL"])
        current_app.extensions["portal_store"] = store
    return store



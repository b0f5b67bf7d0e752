"""Addresses that the static sites and the form backend both link to: one rule each.

The sites are built by `portal.site`, the forms served by `portal.web`; neither imports the other,
so the paths they share live here.
"""

from __future__ import annotations

from urllib.parse import urljoin

# The quick exit's neutral page, one per language, in that language's root folder of the site.
NEUTRAL_PAGES = {"nl": "kalender.html", "fr": "calendrier.html", "de": "kalender.html"}


def form_url(slug: str, lang: str, form_id: str) -> str:
    """Where a form lives: the backend answers /forms/... on the same host as the site."""
    return f"/forms/{slug}/{lang}/{form_id}/"


def language_root(lang: str, default_language: str) -> str:
    """The folder of a language in a built site: "" for the default language, else "fr/"."""
    return "" if lang == default_language else f"{lang}/"


def page_path(name: str, lang: str, default_language: str) -> str:
    """Where the page made from `name` ("leefloon.md", "hulp/index.md") of `lang` is, relative
    to the site root, with MkDocs' directory URLs: "leefloon/", "fr/hulp/", "" for the home page.
    Other files keep their name: "plan.png", "fr/plan.png"."""
    if not name.endswith(".md"):
        return language_root(lang, default_language) + name
    stem = name.removesuffix(".md")
    stem = "" if stem == "index" else stem.removesuffix("/index")
    return language_root(lang, default_language) + (f"{stem}/" if stem else "")


def neutral_page_path(lang: str, default_language: str) -> str:
    """Where the neutral page of `lang` is, relative to the site root."""
    return language_root(lang, default_language) + NEUTRAL_PAGES[lang]


def neutral_page_url(site_base: str, lang: str, default_language: str) -> str:
    """Its address, given the site's base ("/opwijk/" under `portal serve`, or the site_url)."""
    return site_base.rstrip("/") + "/" + neutral_page_path(lang, default_language)


# The privacy notice and the accessibility statement: the same folder name in every language
# (DESIGN.md: footers, monitoring and the regulators' crawlers rely on it).
LEGAL_PAGES = ("privacy", "accessibility")
COOKIES_ANCHOR = "cookies"       # the cookie list's heading on the privacy page
# The home page's contact heading: `## Contact {: #contact }` in every content/<lang>/index.md. The id
# is written out because a heading's own id follows its words ("## Kontakt" would be #kontakt).
CONTACT_ANCHOR = "contact"


def legal_page_path(page: str, lang: str, default_language: str) -> str:
    """Where `page` ("privacy" or "accessibility") of `lang` is, relative to the site root."""
    if page not in LEGAL_PAGES:
        raise ValueError(f"unknown legal page {page!r}")
    return language_root(lang, default_language) + f"{page}/"


def footer_links(lang: str, default_language: str) -> list[tuple[str, str]]:
    """The footer of every page, site and forms alike: (message key, path from the site root)."""
    privacy = legal_page_path("privacy", lang, default_language)
    return [
        ("footer.privacy", privacy),
        ("footer.accessibility", legal_page_path("accessibility", lang, default_language)),
        ("footer.cookies", f"{privacy}#{COOKIES_ANCHOR}"),
        ("footer.contact", language_root(lang, default_language) + f"#{CONTACT_ANCHOR}"),
    ]


def site_page_url(site_base: str, path: str) -> str:
    """A page of the built site from its base ("/opwijk/" or the site_url) and its path."""
    return site_base.rstrip("/") + "/" + path


def hreflang_links(pages: dict[str, str], default_language: str, base: str | None) -> list[dict]:
    """The `<link rel="alternate" hreflang>` tags of a page published in several languages.

    `pages`: {language: address of this same page in that language}. With `base`, an absolute
    URL (the site's `site_url`, or the host that served a form), every address is made fully
    qualified: search engines want it so, and Lighthouse's `hreflang` audit fails relative ones.
    Without it (a site with no `site_url` yet) the addresses stay as given. Each language lists
    itself and the others (Google ignores tags that are not reciprocal), plus `x-default`, the
    default language's version, for readers of any other language. The codes are the bare
    languages (nl, fr, de): the same text serves a reader in Belgium or elsewhere. A page in
    one language has none.
    """
    if len(pages) < 2:
        return []
    links = [{"lang": lang, "link": urljoin(base, url) if base else url} for lang, url in pages.items()]
    default = next((link["link"] for link in links if link["lang"] == default_language), None)
    return links + ([{"lang": "x-default", "link": default}] if default is not None else [])

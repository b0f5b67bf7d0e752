"""Addresses that the static sites and the form backend both link to: one rule each.

The sites are built by `portal.site`, the forms served by `portal.web`; neither imports the other,
so the paths they share live here.
"""

from __future__ import annotations

# The quick exit's neutral page, one per language, in that language's root folder of the site.
NEUTRAL_PAGES = {"nl": "kalender.html", "fr": "calendrier.html", "de": "kalender.html"}


def form_url(slug: str, lang: str, form_id: str) -> str:
    """Where a form lives: the backend answers /forms/... on the same host as the site."""
    return f"/forms/{slug}/{lang}/{form_id}/"


def language_root(lang: str, default_language: str) -> str:
    """The folder of a language in a built site: "" for the default language, else "fr/"."""
    return "" if lang == default_language else f"{lang}/"


def neutral_page_path(lang: str, default_language: str) -> str:
    """Where the neutral page of `lang` is, relative to the site root."""
    return language_root(lang, default_language) + NEUTRAL_PAGES[lang]


def neutral_page_url(site_base: str, lang: str, default_language: str) -> str:
    """Its address, given the site's base ("/opwijk/" under `portal serve`, or the site_url)."""
    return site_base.rstrip("/") + "/" + neutral_page_path(lang, default_language)

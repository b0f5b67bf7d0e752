"""Macros in markdown pages, rendered through Jinja2 for one municipality and language.

Authors write `{{ contact_card() }}`, `{{ office_list() }}`, `{{ form_button("wijk-werken") }}`,
`{{ service_list() }}`, `{{ municipality }}` and `{{ social_house }}`. StrictUndefined makes a
typo fail with the page's file and line instead of printing nothing; `portal check` names every
mistake of a page before rendering (portal.checks.macros).
"""

from __future__ import annotations

import functools
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from portal.common import paths
from portal.common.findings import Finding, PortalError
from portal.common.i18n import t
from portal.common.typography import elide_before_macros, french_de
from portal.municipal.config import FORM_IDS, Municipality
from portal.municipal.contact import tel_href
from portal.site.content import front_matter, source_pages
from portal.site.hours_html import render_hours_html, render_status_html

MACRO_NAMES = ("contact_card", "office_list", "form_button", "service_list", "opening_hours", "municipality", "social_house",
               "has_form", "form_link", "open_now", "region")
FORM_MACROS = ("form_button", "has_form", "form_link")
TEMPLATE_NAME = "<template>"  # what Jinja calls a template made from a string


def form_url(municipality: Municipality, lang: str, form_id: str) -> str:
    """Where a form lives (see portal.common.paths.form_url)."""
    return paths.form_url(municipality.slug, lang, form_id)

def _one_block(html: str) -> Markup:
    """Raw HTML for markdown: a blank line would end the HTML block, so there is none."""
    # Callers pass HTML they built with every value escaped (contact card, opening hours).
    return Markup("\n".join(line for line in str(html).splitlines() if line.strip()))  # nosec B704


def contact_card_html(municipality: Municipality, office, lang: str, heading_level: int = 3) -> Markup:
    """An office's card (address, phone, e-mail, hours, notes), the same on every page."""
    return municipality.memo(("contact_card", office.id, lang, heading_level),
                             lambda: _contact_card_html(municipality, office, lang, heading_level))


def _label(key: str, lang: str) -> Markup:
    """'Telefoon:' / 'Téléphone\u00a0:' / 'Telefon:': a label with the colon its language writes
    (French a no-break space before it, as the receipt and the e-mails: `receipt.colon`)."""
    return escape(t(key, lang) + t("receipt.colon", lang))


def _contact_card_html(municipality: Municipality, office, lang: str, heading_level: int) -> Markup:
    name = municipality.text(office.name, lang)
    city = municipality.text(office.address.city, lang)
    h = f"h{heading_level}"
    notes = municipality.text(office.notes, lang) if office.notes else ""
    html = f"""
<section class="portal-contact" aria-labelledby="office-{office.id}-{lang}">
<{h} id="office-{office.id}-{lang}">{escape(name)}</{h}>
<address>{escape(office.address.street_in(lang))}<br>{escape(office.address.postcode)} {escape(city)}</address>
<ul class="portal-contact__ways">
<li>{_label("contact.phone", lang)} <a href="{escape(tel_href(office.phone))}">{escape(office.phone)}</a></li>
<li>{_label("contact.email", lang)} <a href="mailto:{escape(office.email)}">{escape(office.email)}</a></li>
</ul>
{render_hours_html(office, municipality, lang)}
{f'<p class="portal-contact__notes">{escape(notes)}</p>' if notes else ''}
</section>
"""
    return _one_block(html)


class MacroContext:
    """The functions and values a page of `municipality` in `lang` can use."""

    def __init__(self, municipality: Municipality, lang: str, root: Path, page: str = ""):
        self.municipality = municipality
        self.lang = lang
        self.root = root
        self.page = page             # the page's name: "spi" for content/fr/spi.md

    def _office(self, office_id: str | None):
        """The office named, else the one named after this page's service (Saint-Gilles' `spi`
        office on the SPI page: its own phone and hours), else the first."""
        if office_id is not None:
            return self.municipality.office(office_id)
        return next((o for o in self.municipality.offices if o.id == self.page), self.municipality.offices[0])

    def contact_card(self, office_id: str | None = None) -> Markup:
        return contact_card_html(self.municipality, self._office(office_id), self.lang)

    def office_list(self) -> Markup:
        return Markup("\n").join(contact_card_html(self.municipality, o, self.lang) for o in self.municipality.offices)

    def opening_hours(self, office_id: str | None = None) -> Markup:
        return _one_block(render_hours_html(self._office(office_id), self.municipality, self.lang))

    def form_button(self, form_id: str) -> Markup:
        if form_id not in FORM_IDS:
            raise KeyError(f"unknown form {form_id!r} (known: {', '.join(FORM_IDS)})")
        if form_id not in self.municipality.forms:
            return Markup("")
        label = t(f"form_button.{form_id}", self.lang)
        url = form_url(self.municipality, self.lang, form_id)
        # The URL and the label are escaped; the rest is constant markup.
        return Markup(f'<p class="portal-form-button"><a class="md-button md-button--primary" href="{escape(url)}">{escape(label)}</a></p>')  # nosec B704

    def has_form(self, form_id: str) -> bool:
        """For `{% if has_form("support-application") %}`: a shared page says what fits the site."""
        if form_id not in FORM_IDS:
            raise KeyError(f"unknown form {form_id!r} (known: {', '.join(FORM_IDS)})")
        return form_id in self.municipality.forms

    def form_link(self, form_id: str, text: str) -> Markup:
        """A link to the form inside a sentence; the plain `text` where the site has no form."""
        if not self.has_form(form_id):
            return escape(text)   # escape() returns Markup already
        url = form_url(self.municipality, self.lang, form_id)
        # The URL and the text are escaped; the rest is constant markup.
        return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')  # nosec B704

    def open_now(self, office_id: str | None = None) -> Markup:
        """Only the live "open now" line of an office (the full card stays at the end of a page)."""
        office = self.municipality.offices[0] if office_id is None else self.municipality.office(office_id)
        return _one_block(render_status_html(office, self.municipality, self.lang))

    def service_list(self) -> str:
        """Markdown list of the site's services with their descriptions, in config order."""
        pages = {p.stem: p for p in source_pages(self.municipality, self.root) if p.lang == self.lang}
        lines = []
        for service in self.municipality.services:
            page = pages.get(service)
            if page is None:
                continue
            meta = front_matter(page.path)
            title = meta.get("title", service)
            description = meta.get("description", "")
            lines.append(f"- [{title}]({page.name}){': ' + description if description else ''}")
        return "\n".join(lines)

    def variables(self) -> dict:
        return {
            "contact_card": self.contact_card,
            "office_list": self.office_list,
            "opening_hours": self.opening_hours,
            "form_button": self.form_button,
            "has_form": self.has_form,
            "form_link": self.form_link,
            "open_now": self.open_now,
            "service_list": self.service_list,
            # Config values are text: escaped, as the page's Markdown would pass HTML on as it is.
            "municipality": str(escape(self.municipality.text(self.municipality.name, self.lang))),
            "social_house": str(escape(self.municipality.text(self.municipality.social_house, self.lang))),
            # A catalogue page is per language, not per region: `{% if region == "german" %}` names
            # the service of the site's region (one of portal.municipal.region.REGIONS).
            "region": self.municipality.region,
        }


# Renders Markdown (not HTML) written by the site's editors in the repository: HTML escaping would
# corrupt the Markdown, and every macro that emits HTML escapes its values itself (Markup).
# portal.checks.macros lexes and parses pages with it, to name every mistake before rendering.
ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)  # nosec B701
ENV.filters["french_de"] = lambda name, de="de": french_de(str(name), de)


@functools.lru_cache(maxsize=256)
def _compile(source: str) -> jinja2.Template:
    """A page body as a template, compiled once: catalogue pages are the same for every site."""
    return ENV.from_string(source)


def _template_line(exc: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == TEMPLATE_NAME:
            return frame.lineno
    return getattr(exc, "lineno", None)


def render_markdown(markdown: str, municipality: Municipality, lang: str, root: Path,
                    source: Path, line_offset: int = 0) -> str:
    """Render the macros in a page body. Raises PortalError naming `source` and the line.

    `line_offset` is the number of front-matter lines above the body, so lines match the file.
    """
    if "{{" not in markdown and "{%" not in markdown and "{#" not in markdown:
        return markdown
    if lang == "fr":
        markdown = elide_before_macros(markdown)      # "le CPAS de {{ municipality }}" of Eupen
    try:
        template = _compile(markdown)
        return template.render(MacroContext(municipality, lang, root, page=Path(source).stem).variables())
    except jinja2.TemplateSyntaxError as exc:
        raise PortalError(Finding(source, (exc.lineno or 1) + line_offset, f"macro syntax: {exc.message}")) from exc
    except (jinja2.UndefinedError, KeyError, TypeError) as exc:
        line = (_template_line(exc) or 1) + line_offset
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(exc, jinja2.UndefinedError):
            message = f"{message}; known macros: {', '.join(MACRO_NAMES)}"
        raise PortalError(Finding(source, line, f"macro: {message}")) from exc

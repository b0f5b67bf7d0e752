"""`portal check`: everything that would break or mislead a published site, as file:line findings.

Configs (portal.municipal.config), branding contrast, front matter, macros and language parity are checked
here; links, anchors, images, headings and plain language in `portal.checks`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from portal.checks import active, check_site_content, shared
from portal.checks import markdown as checks_markdown
from portal.checks.macros import check_macros
from portal.checks.national import check_postcodes_national, check_service_regions
from portal.checks.publish import check_publishable
from portal.common.findings import ERROR, NOTE, WARNING, Finding, PortalError
from portal.common.i18n import check_messages
from portal.intake.forms import check_forms
from portal.intake.receipt import check_decisions
from portal.municipal.config import (
    COLOR_RE,
    SERVICE_IDS,
    YAML_HINT,
    check_municipality,
    check_postcodes_shared,
    config_path,
    project_root,
    yaml_error_finding,
)
from portal.municipal.hours import HoursError, parse_opening_hours
from portal.site import content

REQUIRED_FRONT_MATTER = ("title", "description")


def _contrast(hex_color: str, other: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio between two #rrggbb colours."""

    def luminance(color):
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(hex_color), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check_branding(municipality) -> list[Finding]:
    """The header and buttons put white text on the primary colour: it needs 4.5:1 (WCAG AA)."""
    color = municipality.branding.get("primary_color")
    if not isinstance(color, str) or not COLOR_RE.match(color):
        return []   # reported by the config check
    ratio = _contrast(color)
    if ratio < 4.5:
        return [Finding(municipality.path, municipality.line_of("branding", "primary_color"),
                        f"branding.primary_color {color}: white text on it has contrast {ratio:.2f}:1, below 4.5:1 (WCAG AA)",
                        hint="choose a darker colour")]
    return []


def check_front_matter(page, text: str) -> list[Finding]:
    """The block between the --- lines: valid YAML of `key: value` lines, with title and
    description, and `service:` on a catalogue page; each finding at the line to edit."""
    meta, end = {}, 0
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end == -1:
            return [Finding(page.path, 1, "front matter is not closed: no second --- line",
                            hint="end it with a line --- after its last `key: value` line, before the text")]
        try:
            meta = yaml.safe_load(text[3:end]) or {}
        except yaml.MarkedYAMLError as exc:   # its lines count from the first ---, as the file's
            finding = yaml_error_finding(page.path, exc)
            return [Finding(page.path, finding.line, "front matter is not valid YAML: " + finding.message.removeprefix("invalid YAML: "),
                            hint=finding.hint)]
        except yaml.YAMLError as exc:
            return [Finding(page.path, 2, f"front matter is not valid YAML: {exc}", hint=YAML_HINT)]
        if not isinstance(meta, dict):
            return [Finding(page.path, 2, "front matter: expected `key: value` lines",
                            hint="write title: ..., description: ... each on its own line between the --- lines")]
    closing = text[:end].count("\n") + 2 if end else 1
    findings = [Finding(page.path, closing if end else 1, f"front matter: missing {key!r}", hint=f"add `{key}: ...` between the --- lines")
                for key in REQUIRED_FRONT_MATTER if not meta.get(key)]
    if page.stem in SERVICE_IDS and meta.get("service") != page.stem:
        line = next((n for n, line in enumerate(text[:end].splitlines(), 1) if line.startswith("service:")), closing)
        findings.append(Finding(page.path, line, f"front matter: `service: {page.stem}` expected on a catalogue page",
                                hint=f"write `service: {page.stem}` between the --- lines: the file name without .md"))
    return findings


def check_pages(municipality, root: Path) -> list[Finding]:
    """Front matter, macros and language parity of every page the site publishes."""
    findings = []
    # Images and other files are checked where a page links to them.
    pages = [p for p in content.source_pages(municipality, root) if p.name.endswith(".md")]
    by_lang = {lang: {p.name for p in pages if p.lang == lang} for lang in municipality.languages}
    for page in pages:
        try:
            text = page.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = exc.object[:exc.start].count(b"\n") + 1
            findings.append(Finding(page.path, line, "the file is not UTF-8 text", hint="save it as UTF-8 in your editor"))
            continue
        findings.extend(check_front_matter(page, text))
        findings.extend(active.check_text(page.path, text))
        offset, lines = checks_markdown.body_start(text)
        findings.extend(check_macros(text[offset:], municipality, page.lang, root, page.path, lines))
        for lang in municipality.languages:
            if page.name not in by_lang[lang]:
                findings.append(Finding(page.path, 1, f"{page.name} has no {lang!r} version: this site is in {', '.join(municipality.languages)}",
                                        hint=f"add {lang}/{page.name} (catalogue: content/{lang}/, own pages: site_config/{municipality.own_dir.name}/content/{lang}/)"))
    return findings


def check_services(municipality, root: Path) -> list[Finding]:
    """A listed service needs its catalogue page (or an own page) in every language of the site."""
    findings = []
    published = {(p.lang, p.stem) for p in content.source_pages(municipality, root)}
    for i, service in enumerate(municipality.services):
        for lang in municipality.languages:
            if (lang, service) not in published:
                findings.append(Finding(
                    municipality.path, municipality.line_of("services", i),
                    f"service {service!r} is listed but has no {lang!r} page",
                    hint=f"write content/{lang}/{service}.md, or remove {service} from services"))
    return findings


def check_delivery(municipality) -> list[Finding]:
    """Explain each inbox's `delivery:` where it is not the plain recommendation (notes, never errors)."""
    findings = []
    if municipality.raw is not None and "delivery" not in municipality.raw:
        findings.append(Finding(
            municipality.path, 1, "no `delivery:` key, so every inbox uses secure: the office e-mail holds only the "
            "reference, form, kind of help, dates and a link; staff read the answers at /office/", NOTE,
            hint="write `delivery: secure` to make the choice visible (docs/deploy.md, 'Secure or full delivery')"))
    for form_id, inbox in municipality.inboxes.items():
        if municipality.delivery_for(form_id) == "full":
            findings.append(Finding(
                municipality.path, municipality.line_of("delivery"),
                f"delivery full for {form_id}: every answer (national number, address, message) is e-mailed to {inbox}, "
                "where copies outlive the retention period and cannot be erased", NOTE,
                hint="only with your data protection officer's agreement; the recommendation is secure (docs/deploy.md)"))
    return findings


# What the page checks need of a config: without them, every link to a service or form, and
# every office macro, would be reported for the config's mistake.
CONTENT_KEYS = {"languages": list, "services": list, "offices": list, "inboxes": dict}


def unreadable_keys(municipality) -> list[str]:
    raw = municipality.raw
    return [key for key, kind in CONTENT_KEYS.items() if not (isinstance(raw.get(key), kind) and raw.get(key))]


def checkable(municipality):
    """The municipality with every office's hours readable: an office whose hours have an error
    (reported on its own) shows as closed while the pages are checked, so its cards render."""
    offices = []
    for office in municipality.offices:
        try:
            parse_opening_hours(office.hours)
        except HoursError:
            office = dataclasses.replace(office, hours="Mo-Su off")
        offices.append(office)
    return dataclasses.replace(municipality, offices=offices, _memo={})


def check(slugs: list[str] | None = None, root: Path | None = None, *, production: bool = False) -> list[Finding]:
    """All findings for the named municipalities (every one when none), plus shared files.
    `production` (PORTAL_ENV=production): what a published site needs is an error, not a warning."""
    root = root or project_root()
    slugs = slugs or sorted(p.stem for p in (root / "site_config").glob("*.yml"))
    try:
        findings = list(check_messages())
    except PortalError as exc:  # a malformed messages file is a finding, not a crash
        findings = list(exc.findings)

    findings.extend(check_decisions())   # the legal receipt texts, per help type, in every language
    loaded = []
    # Page findings per site, merged below: a catalogue page is checked once for each site.
    page_findings: list[tuple[str, Finding]] = []
    published: dict[Path, list[str]] = {}
    for slug in slugs:
        path = config_path(slug, root)
        if not path.is_file():
            findings.append(Finding(path, 1, f"no municipality {slug!r}"))
            continue
        # A config with errors still has its pages checked, with what could be read of it: the
        # author sees every problem in one run, not the pages' only after the config is fixed.
        municipality, config_findings = check_municipality(path, partial=True)
        findings.extend(config_findings)
        findings.extend(active.check_file(path))
        if municipality is None:
            continue
        loaded.append(municipality)
        findings.extend(check_branding(municipality))
        findings.extend(check_delivery(municipality))
        findings.extend(check_publishable(municipality, production=production))
        findings.extend(check_service_regions(municipality) + check_postcodes_national(municipality))
        unread = unreadable_keys(municipality)
        if unread:
            findings.append(Finding(path, 1, f"the pages of {slug} were not checked: {', '.join(unread)} could not be read",
                                    NOTE, hint="fix the errors of this file, then run portal check again"))
            continue
        findings.extend(check_services(municipality, root))
        renderable = checkable(municipality)
        page_findings.extend((slug, f) for f in check_pages(renderable, root) + check_site_content(renderable, root))
        for page in content.source_pages(municipality, root):
            published.setdefault(page.path, []).append(slug)
    findings.extend(shared.merge(page_findings, root / "content", published))
    findings.extend(check_postcodes_shared([config_path(s, root) for s in slugs if config_path(s, root).is_file()], root))

    findings.extend(check_forms(root, loaded))   # forms/*.yml and site_config/<slug>/forms/
    # A page shared by several sites is reported once; by file, then line, as an editor lists them.
    return sorted(dict.fromkeys(findings), key=lambda f: (str(f.path), f.line))


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)

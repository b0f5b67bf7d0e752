"""`portal new`: a new municipality's `site_config/<slug>.yml` and logo, ready to check and build.

The file is written from a template with a comment on every key, so whoever opens it next knows
what to change. Values are written as JSON strings (valid YAML) so a name with a colon or a quote
cannot break the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from portal.common.findings import ERROR, Finding, PortalError
from portal.common.i18n import LANGUAGES
from portal.common.typography import french_de
from portal.municipal.config import EMAIL_RE, POSTCODE_RE, SERVICE_IDS, SLUG_RE, check_municipality, config_path

DEFAULT_HOURS = "Mo-Fr 09:00-12:00; PH off"
DEFAULT_PRIMARY = "#1f4e8c"
DEFAULT_ACCENT = "#e5a823"
# Pages of the catalogue that exist in both languages and apply in every region; a municipality
# adds the regional ones (twe, wijk-werken in Flanders; spi, art61 in Brussels and Wallonia).
DEFAULT_SERVICES = ("onthaal", "leefloon", "art60", "werk-zoeken")
SOCIAL_HOUSE = {"nl": "OCMW {name}", "fr": "CPAS {de_name}", "de": "ÖSHZ {name}"}   # de_name: "d'Ixelles"
REGION_BY_LANGUAGE = {"nl": "flemish-community", "fr": "french-community", "de": "german-community"}


@dataclass
class NewSite:
    """What `portal new` needs to know; everything else has a default the file explains."""

    slug: str
    names: dict                       # {lang: name}
    languages: list
    postcodes: list
    street: str
    phone: str
    email: str                        # the office's public address, shown on the site
    inbox: str                        # where support applications are delivered
    wijk_werken_inbox: str | None = None
    social_house: dict = field(default_factory=dict)
    hours: str = DEFAULT_HOURS
    primary_color: str = DEFAULT_PRIMARY
    accent_color: str = DEFAULT_ACCENT
    services: list = field(default_factory=lambda: list(DEFAULT_SERVICES))
    dpo: str | None = None            # the data protection officer's e-mail (default: dpo@ the inbox's domain)

    @property
    def dpo_email(self) -> str:
        """The DPO's address as given, else a placeholder on the inbox's domain (".example" while
        testing): the file says to replace it, and `portal check` accepts it meanwhile."""
        return self.dpo or "dpo@" + self.inbox.rpartition("@")[2]


def parse_names(values, languages) -> dict:
    """`--name Opwijk` (every language) or `--name nl=Sint-Gillis --name fr=Saint-Gilles`."""
    names = {}
    for value in values:
        match = re.match(r"^(nl|fr|de)=(.+)$", value.strip())
        if match:
            names[match.group(1)] = match.group(2).strip()
        else:
            for lang in languages:
                names.setdefault(lang, value.strip())
    return {lang: names[lang] for lang in languages if lang in names}


def split_list(value: str | None) -> list:
    """`nl,fr` or `nl fr` -> ["nl", "fr"]."""
    return [part for part in re.split(r"[,\s]+", value or "") if part]


def validate(site: NewSite) -> list[str]:
    """Problems with the answers, each a sentence naming the option to fix."""
    problems = []
    if not SLUG_RE.match(site.slug):
        problems.append(f"SLUG {site.slug!r}: use lowercase letters, digits and dashes, e.g. sint-gillis")
    bad = [lang for lang in site.languages if lang not in LANGUAGES]
    if bad or not site.languages or len(set(site.languages)) != len(site.languages):
        problems.append(f"--languages {','.join(site.languages)!r}: use nl, fr, nl,fr or fr,nl (default language first)")
    for lang in site.languages:
        if lang in LANGUAGES and not site.names.get(lang):
            problems.append(f"--name: no {lang} name; give one name, or one per language: --name nl=... --name fr=...")
    for code in site.postcodes:
        if not POSTCODE_RE.match(code):
            problems.append(f"--postcode {code!r}: expected four digits, like 1745")
    if not re.match(r"^\+?[0-9][0-9 ./]{5,}$", site.phone):
        problems.append(f"--phone {site.phone!r}: expected a phone number, like \"02 600 54 11\"")
    for option, address in (("--email", site.email), ("--inbox", site.inbox), ("--wijk-werken-inbox", site.wijk_werken_inbox),
                            ("--dpo", site.dpo)):
        if address is not None and not EMAIL_RE.match(address):
            problems.append(f"{option} {address!r}: expected an e-mail address")
    for service in site.services:
        if service not in SERVICE_IDS:
            problems.append(f"--services: unknown service {service!r}; known: {', '.join(SERVICE_IDS)}")
    return problems


def _text(values: dict, languages) -> str:
    """A translatable value as a one-line YAML map: {nl: "Opwijk", fr: "Opwijk"}."""
    return "{" + ", ".join(f"{lang}: {json.dumps(values[lang], ensure_ascii=False)}" for lang in languages) + "}"


def render_config(site: NewSite) -> str:
    """The YAML text of site_config/<slug>.yml, one comment per key."""
    langs = site.languages
    q = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731 - a YAML-safe scalar
    social_house = {lang: site.social_house.get(lang) or SOCIAL_HOUSE[lang].format(name=site.names[lang], de_name=french_de(site.names[lang])) for lang in langs}
    office_name = {lang: {"nl": "Sociale dienst", "fr": "Service social", "de": "Sozialdienst"}[lang] for lang in langs}
    inboxes = f"  support-application: {q(site.inbox)}\n"
    if site.wijk_werken_inbox:
        inboxes += f"  wijk-werken: {q(site.wijk_werken_inbox)}\n"
    else:
        inboxes += "  # wijk-werken: wijkwerken@example.example   # add to offer the wijk-werken form (Flanders)\n"
    region = REGION_BY_LANGUAGE[langs[0]]
    return f"""\
# {site.names[langs[0]]}: written by `portal new`. Check every value, then run
#   portal check {site.slug}     (lists what is wrong, with the line)
#   portal preview {site.slug}   (the site in your browser, reloads when you save)
# Every text is a map with one value per language of the site: {{{", ".join(f"{lang}: ..." for lang in langs)}}}.

# Short lowercase name: the file name, the folder of the built site and part of the form URLs.
slug: {site.slug}
# The municipality's name, per language.
name: {_text(site.names, langs)}
# The site's languages; the first is the default (at the root of the site, the others under /fr/ or /nl/).
languages: [{", ".join(langs)}]
# Where the static site will be published (the forms and the "not found" pages link to it).
# Required to publish (portal check --strict, deploy/render.py). Uncomment when known.
# site_url: https://www.{site.slug}.be/
# Colours as "#rrggbb" (keep the quotes); white text must stay readable on the primary colour.
# The logo is a file in site_config/{site.slug}/; replace the generated one with the real logo.
branding: {{primary_color: {q(site.primary_color)}, accent_color: {q(site.accent_color)}, logo: logo.svg}}
# The name of the OCMW / sociaal huis / CPAS, per language.
social_house: {_text(social_house, langs)}
# Postcodes of the residences this OCMW is competent for: support applications from these
# postcodes are delivered here, whichever municipality's site they were sent from.
postcodes: [{", ".join(q(code) for code in site.postcodes)}]
# The offices citizens can visit or call. Hours use the OpenStreetMap syntax:
#   "Mo-Fr 09:00-12:00, 13:00-16:00; PH off"   (PH off: closed on public holidays)
offices:
  - id: sociale-dienst
    name: {_text(office_name, langs)}
    address: {{street: {q(site.street)}, postcode: {q(site.postcodes[0])}, city: {_text(site.names, langs)}}}
    phone: {q(site.phone)}
    email: {q(site.email)}
    hours: {q(site.hours)}
    # notes: {_text({lang: "..." for lang in langs}, langs)}   # e.g. when to come without an appointment
# Days the offices are closed beyond the public holidays, e.g.
#   - {{date: 2026-12-24, note: {_text({"nl": "Kerstavond", "fr": "Veille de Noël", "de": "Heiligabend"}, langs)}}}
closures: []
# Regional days off the offices also close on (remove the line if they stay open).
regional_holidays: [{region}]
# Where each form's submissions are delivered. A form without an inbox is not offered.
# An address on .example is a placeholder that receives nothing: portal check warns about it and
# the forms refuse to start in production until the real ones are here.
inboxes:
{inboxes.rstrip()}
# How an inbox receives an application. secure (recommended): the e-mail holds only the reference,
# the form, the kind of help, the dates and a link; staff sign in at /office/ with the inbox address
# to read the answers, which never leave the server. full: every answer in the e-mail (national
# number, address, message...), which then stays in mailboxes and backups beyond any retention:
# choose it only with your data protection officer (docs/deploy.md). Per inbox:
#   delivery: {{default: secure, wijk-werken: full}}
delivery: secure
# Pages of the catalogue (content/nl/, content/fr/) this site shows, in menu order. Known:
#   {", ".join(SERVICE_IDS)}
services: [{", ".join(site.services)}]
# Days to keep an application's personal data once staff marked it done (default 30), and the
# hard maximum after receipt, whatever its state (default 90).
# retention_days: 30
# retention_max_days: 90
# The privacy page (/{site.slug}/privacy/) names the data protection officer (required while a
# form is offered): replace the address with the real one. Optional: phone, address (postal).
privacy:
  dpo: {{email: {q(site.dpo_email)}}}
# The accessibility statement (/{site.slug}/accessibility/): where citizens report a problem, and
# the date of the last manual review of the site (until there is one, the statement says so).
accessibility:
  contact: {q(site.email)}
  # evaluated: 2026-11-20
"""


def default_logo(site: NewSite) -> str:
    """A placeholder logo: the initials on the primary colour, named for screen readers."""
    name = site.names[site.languages[0]]
    initials = "".join(word[0] for word in re.split(r"[\s-]+", name) if word)[:2].upper() or "?"
    label = name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="{label}">
<rect width="64" height="64" rx="12" fill="{site.primary_color}"/>
<text x="32" y="42" font-family="system-ui, sans-serif" font-size="26" font-weight="700" text-anchor="middle" fill="#ffffff">{initials}</text>
</svg>
"""


def write_site(site: NewSite, root: Path, *, force: bool = False) -> list[Path]:
    """Write the config and logo; return the files written.

    Raises PortalError when the answers are invalid, the file exists (without `force`), or the
    written file does not pass the config check (a bug here, reported rather than left behind).
    """
    problems = validate(site)
    path = config_path(site.slug, root)
    if problems:
        raise PortalError([Finding(path, 1, problem) for problem in problems])
    if path.exists() and not force:
        raise PortalError(Finding(path, 1, f"{path.name} already exists", hint="choose another slug, or add --force to overwrite it"))
    logo = path.with_suffix("") / "logo.svg"
    logo.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_config(site), encoding="utf-8")
    if force or not logo.exists():
        logo.write_text(default_logo(site), encoding="utf-8")
    _, findings = check_municipality(path)
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        raise PortalError(errors)
    return [path, logo]

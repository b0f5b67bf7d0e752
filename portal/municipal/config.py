"""Municipality configuration: `site_config/<slug>.yml`, loaded and checked.

The schema is the table `KEYS` below: one row per top-level key. `portal check` reports every
problem as a Finding with file and line; `load_municipality` raises PortalError on any error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from portal.common.findings import ERROR, WARNING, Finding, PortalError, load_each
from portal.common.i18n import LANGUAGES
from portal.common.settings import project_root
from portal.common.yamlfile import LineDict, LineList, load_top_level_keys, load_yaml
from portal.municipal.hours import REGIONAL_HOLIDAYS, HoursError, check_schedule, parse_opening_hours
from portal.municipal.legal import Accessibility, Privacy, check_accessibility, check_privacy, check_region
from portal.municipal.plain_hours import PlainHoursError, author_language, example_line, to_osm
from portal.municipal.region import REGIONS

SERVICE_IDS = (
    "onthaal", "leefloon", "art60", "art61", "trajectbegeleiding",
    "twe", "wijk-werken", "ama", "spi", "werk-zoeken",
)
# The regions a service exists in (portal/municipal/region.py REGIONS); a service not
# listed here exists everywhere. Wijk-werken, VDAB trajectbegeleiding, TWE and AMA are Flemish
# measures; SPI (socioprofessionele inschakeling) is what the CPAS of Brussels and Wallonia and the
# ÖSHZ call their path to work. `portal check` errors when a site lists a service of another region.
SERVICE_REGIONS = {
    "trajectbegeleiding": ("flanders",),
    "twe": ("flanders",),
    "wijk-werken": ("flanders",),
    "ama": ("flanders",),
    "spi": ("brussels", "wallonia", "german"),
}
FORM_IDS = ("support-application", "wijk-werken")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
DEFAULT_RETENTION_DAYS = 30
# Whatever happens to an application (never marked done, an e-mail that keeps failing), its
# personal data is erased this many days after it was received.
DEFAULT_RETENTION_MAX_DAYS = 90
# secure: the office e-mail carries no answer, staff read them in the staff inbox (/office/);
# full: every answer in the office e-mail. secure is the default and the recommendation.
DELIVERY_MODES = ("secure", "full")
DEFAULT_DELIVERY = "secure"


@dataclass(frozen=True)
class Address:
    street: str                 # in the site's first language
    postcode: str
    city: dict
    streets: dict | None = None  # {nl: ..., fr: ...} where the street has a name per language (Brussels)

    def street_in(self, lang: str) -> str:
        """The street as written in `lang`: "Fernand Bernierstraat 40" on a Dutch page."""
        return (self.streets or {}).get(lang) or self.street


@dataclass(frozen=True)
class Office:
    id: str
    name: dict
    address: Address
    phone: str
    email: str
    hours: str
    notes: dict | None = None
    line: int = 1


@dataclass(frozen=True)
class Closure:
    date: dt.date
    note: dict
    line: int = 1


@dataclass
class Municipality:
    slug: str
    name: dict
    languages: list
    branding: dict
    social_house: dict
    postcodes: list
    offices: list
    closures: list
    inboxes: dict
    services: list
    site_url: str | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS
    retention_max_days: int = DEFAULT_RETENTION_MAX_DAYS
    delivery: dict = field(default_factory=lambda: {"default": DEFAULT_DELIVERY})   # "default" and form ids
    regional_holidays: list = field(default_factory=list)
    region: str = "flanders"
    privacy: Privacy = field(default_factory=Privacy)
    accessibility: Accessibility = field(default_factory=Accessibility)
    path: Path | None = None
    raw: LineDict | None = field(default=None, repr=False)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key, make):
        """`make()`, computed once per loaded configuration: a contact card or an office's
        opening-hours data is the same on every page of a build (a new load starts afresh)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def own_dir(self) -> Path:
        """site_config/<slug>/: the municipality's logo and own content pages."""
        return self.path.with_suffix("") if self.path else Path(self.slug)

    @property
    def forms(self) -> list:
        """Form ids this site offers: those its `inboxes` name."""
        return [form_id for form_id in FORM_IDS if form_id in self.inboxes]

    def delivery_for(self, form_id: str) -> str:
        """`secure` or `full`: how the inbox of `form_id` receives its applications."""
        return self.delivery.get(form_id) or self.delivery.get("default") or DEFAULT_DELIVERY

    def office(self, office_id: str) -> Office:
        for office in self.offices:
            if office.id == office_id:
                return office
        known = ", ".join(o.id for o in self.offices)
        raise KeyError(f"unknown office id {office_id!r} (known: {known})")

    def text(self, value: dict | None, lang: str) -> str:
        """The `lang` value of a translatable `{nl: ..., fr: ...}` map."""
        if not value:
            return ""
        return value.get(lang) or value[self.default_language]

    def line_of(self, *keys) -> int:
        """Line of a nested key path in the YAML file, as deep as it exists."""
        node, line = self.raw, 1
        for key in keys:
            if isinstance(node, LineDict) and key in node:
                line, node = node.line_of(key), node[key]
            elif isinstance(node, LineList) and isinstance(key, int) and key < len(node):
                line, node = node.line_of(key), node[key]
            else:
                break
        return line


# --- schema ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    name: str
    required: bool
    help: str


KEYS = (
    Key("slug", True, "short lowercase name; equals the file name"),
    Key("name", True, "the municipality's name, per language"),
    Key("languages", True, "site languages, default first: nl, fr, de"),
    Key("site_url", False, "where the static site is published, e.g. https://www.opwijk.be/ (required to publish: portal check --strict)"),
    Key("branding", True, "primary_color, accent_color (#rrggbb) and logo (file in site_config/<slug>/)"),
    Key("social_house", True, "name of the OCMW / sociaal huis / CPAS, per language"),
    Key("postcodes", True, "postcodes of the residences this OCMW is competent for"),
    Key("offices", True, "offices with id, name, address, phone, email, hours, notes"),
    Key("closures", False, "closed days beyond the public holidays: {date, note}"),
    Key("regional_holidays", False, "regional days the offices close: " + ", ".join(REGIONAL_HOLIDAYS)),
    Key("inboxes", True, "form id -> e-mail address receiving its submissions"),
    Key("services", True, "catalogue pages this site shows: " + ", ".join(SERVICE_IDS)),
    Key("retention_days", False, f"days to keep an application once it is marked done (default {DEFAULT_RETENTION_DAYS})"),
    Key("retention_max_days", False,
        f"days after receipt when an application is erased whatever its state (default {DEFAULT_RETENTION_MAX_DAYS})"),
    Key("delivery", False, "secure (default: the office e-mail has no answers, staff read them in /office/) or full; "
        "per inbox: {default: secure, wijk-werken: full}"),
    Key("region", False, "one of " + ", ".join(REGIONS) + " (default: from the first postcode)"),
    Key("privacy", False, "dpo: {email, phone, address} (the e-mail is required when a form is offered); processors: {hosting, mail}"),
    Key("accessibility", False, "contact (e-mail for accessibility feedback), evaluated (date of the last review), issues"),
)


class _Checker:
    """Collects findings while turning the raw YAML into a Municipality."""

    def __init__(self, path: Path, raw):
        self.path = path
        self.raw = raw
        self.findings: list[Finding] = []
        self.languages: list = list(LANGUAGES[:1])

    def error(self, line: int, message: str, hint: str = "", severity: str = ERROR):
        self.findings.append(Finding(self.path, line, message, severity, hint))

    def text(self, parent, key, where: str, required: bool = True) -> dict | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        line = parent.line_of(key) if isinstance(parent, LineDict) else 1
        if value is None:
            if required:
                self.error(line, f"{where}: missing value", f"write it as {{{', '.join(f'{lang}: ...' for lang in self.languages)}}}")
            return None
        if isinstance(value, str):
            value = {self.languages[0]: value}
            if len(self.languages) > 1:
                self.error(line, f"{where}: one text for a site in {', '.join(self.languages)}",
                           "write one value per language, e.g. {nl: ..., fr: ...}")
                return value
        if not isinstance(value, dict):
            self.error(line, f"{where}: expected a map of languages to text")
            return None
        for lang in value:
            if lang not in self.languages:
                self.error(value.line_of(lang), f"{where}: language {lang!r} is not one of this site's languages ({', '.join(self.languages)})")
        for lang in self.languages:
            if not str(value.get(lang) or "").strip():
                self.error(line, f"{where}: missing {lang!r} translation", f"add {lang}: ... next to the other languages")
        return {k: str(v) for k, v in value.items()}

    def run(self) -> Municipality | None:
        """The municipality as far as the file could be read (None when it is not a mapping);
        `self.findings` says what is wrong with it."""
        raw = self.raw
        if not isinstance(raw, LineDict):
            self.error(1, "expected a mapping of keys (slug, name, languages, ...)")
            return None
        known = {k.name for k in KEYS}
        for key in raw:
            if key not in known:
                close = [k for k in known if k[:4] == str(key)[:4]]
                self.error(raw.line_of(key), f"unknown key {key!r}", f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(sorted(known)))
        for key in KEYS:
            if key.required and key.name not in raw:
                self.error(1, f"missing required key {key.name!r}", key.help)

        slug = str(raw.get("slug", ""))
        if slug != self.path.stem:
            self.error(raw.line_of("slug"), f"slug {slug!r} must equal the file name {self.path.stem!r}")
        elif not SLUG_RE.match(slug):
            self.error(raw.line_of("slug"), f"slug {slug!r}: use lowercase letters, digits and dashes")

        languages = raw.get("languages")
        if not isinstance(languages, list) or not languages:
            self.error(raw.line_of("languages"), "languages: expected a list such as [nl] or [fr, nl]")
        else:
            bad = [lang for lang in languages if lang not in LANGUAGES]
            for lang in bad:
                self.error(languages.line_of(languages.index(lang)), f"unsupported language {lang!r}", "use nl, fr and/or de")
            if len(set(languages)) != len(languages):
                self.error(raw.line_of("languages"), "languages: a language is listed twice")
            good = [lang for lang in dict.fromkeys(languages) if lang in LANGUAGES]
            if good:
                self.languages = good

        name = self.text(raw, "name", "name")
        social_house = self.text(raw, "social_house", "social_house")
        site_url = raw.get("site_url")
        # Absolute https only, and nothing that could end the attribute it is written into
        # (the canonical link, the forms' links back): no quotes, angle brackets or spaces.
        if site_url is not None and not re.match(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s\"'<>`\\]*)?$", str(site_url)):
            self.error(raw.line_of("site_url"), f"site_url {site_url!r} is not an absolute https:// URL")
        branding = self.branding(raw.get("branding"), raw.line_of("branding"))
        postcodes = self.postcodes(raw.get("postcodes"), raw.line_of("postcodes"))
        offices = self.offices(raw.get("offices"), raw.line_of("offices"))
        closures = self.closures(raw.get("closures") or [], raw.line_of("closures"))
        regional = self.regional(raw.get("regional_holidays") or [], raw.line_of("regional_holidays"))
        inboxes = self.inboxes(raw.get("inboxes"), raw.line_of("inboxes"))
        services = self.services(raw.get("services"), raw.line_of("services"))
        retention = raw.get("retention_days", DEFAULT_RETENTION_DAYS)
        if not isinstance(retention, int) or isinstance(retention, bool) or not 1 <= retention <= 3650:
            self.error(raw.line_of("retention_days"), f"retention_days {retention!r}: expected a whole number of days between 1 and 3650")
            retention = DEFAULT_RETENTION_DAYS
        region = check_region(self, raw, postcodes)
        privacy = check_privacy(self, raw, list(inboxes))
        accessibility = check_accessibility(self, raw)
        retention_max = raw.get("retention_max_days", DEFAULT_RETENTION_MAX_DAYS)
        if not isinstance(retention_max, int) or isinstance(retention_max, bool) or not 1 <= retention_max <= 3650:
            self.error(raw.line_of("retention_max_days"),
                       f"retention_max_days {retention_max!r}: expected a whole number of days between 1 and 3650")
            retention_max = DEFAULT_RETENTION_MAX_DAYS
        elif retention_max < retention:
            self.error(raw.line_of("retention_max_days"),
                       f"retention_max_days {retention_max} is shorter than retention_days {retention}",
                       "the hard maximum must be at least the ordinary retention period")
        delivery = self.delivery(raw.get("delivery", DEFAULT_DELIVERY), raw.line_of("delivery"))
        return Municipality(
            slug=self.path.stem, name=name, languages=self.languages, branding=branding,
            social_house=social_house, postcodes=postcodes, offices=offices, closures=closures,
            inboxes=inboxes, services=services, site_url=site_url, retention_days=retention,
            regional_holidays=regional, region=region, privacy=privacy, accessibility=accessibility,
            retention_max_days=retention_max, delivery=delivery, path=self.path, raw=raw,
        )

    def branding(self, value, line) -> dict:
        if not isinstance(value, dict):
            self.error(line, "branding: expected primary_color, accent_color and logo")
            return {}
        for key in ("primary_color", "accent_color"):
            color = value.get(key)
            if not isinstance(color, str) or not COLOR_RE.match(color):
                self.error(value.line_of(key), f"branding.{key} {color!r}: expected a colour like \"#00594f\"", "quote it: a bare # starts a YAML comment")
        logo = value.get("logo")
        if logo is not None:
            if not (self.path.with_suffix("") / str(logo)).is_file():
                self.error(value.line_of("logo"), f"branding.logo {logo!r}: no such file in site_config/{self.path.with_suffix('').name}/",
                           f"put the file in site_config/{self.path.with_suffix('').name}/, or correct its name (capitals and extension included)")
        for key in value:
            if key not in ("primary_color", "accent_color", "logo"):
                self.error(value.line_of(key), f"branding: unknown key {key!r}")
        return dict(value)

    def postcodes(self, value, line) -> list:
        if not isinstance(value, list) or not value:
            self.error(line, "postcodes: expected a list of quoted postcodes such as [\"1745\"]")
            return []
        result = []
        for i, code in enumerate(value):
            if not isinstance(code, str) or not POSTCODE_RE.match(code):
                self.error(value.line_of(i), f"postcode {code!r}: expected four digits in quotes, like \"1745\"")
            else:
                result.append(code)
        return result

    def offices(self, value, line) -> list:
        if not isinstance(value, list) or not value:
            self.error(line, "offices: expected a list with at least one office")
            return []
        result, seen = [], set()
        for i, item in enumerate(value):
            item_line = value.line_of(i)
            if not isinstance(item, LineDict):
                self.error(item_line, "office: expected id, name, address, phone, email, hours")
                continue
            office_id = str(item.get("id", ""))
            where = f"office {office_id or i + 1}"
            if not SLUG_RE.match(office_id):
                self.error(item.line_of("id"), f"{where}: id must be lowercase letters, digits and dashes")
            elif office_id in seen:
                self.error(item.line_of("id"), f"{where}: id is used twice")
            seen.add(office_id)
            for key in item:
                if key not in ("id", "name", "address", "phone", "email", "hours", "notes"):
                    self.error(item.line_of(key), f"{where}: unknown key {key!r}")
            name = self.text(item, "name", f"{where}.name")
            notes = self.text(item, "notes", f"{where}.notes", required=False)
            address = item.get("address")
            if not isinstance(address, LineDict):
                self.error(item.line_of("address"), f"{where}: address needs street, postcode and city")
                address = LineDict()
                address.key_lines = {}
            streets = None
            if isinstance(address.get("street"), dict):   # a street name per language
                streets = self.text(address, "street", f"{where}.address.street") or {}
                address = LineDict(address, street=streets.get(self.languages[0], ""))
                address.key_lines, address.line = item["address"].key_lines, item["address"].line
            for key in ("street", "postcode"):
                if not str(address.get(key) or "").strip():
                    self.error(address.line_of(key, item.line_of("address")), f"{where}.address: missing {key}")
            if address.get("postcode") and not POSTCODE_RE.match(str(address["postcode"])):
                self.error(address.line_of("postcode"), f"{where}.address.postcode {address['postcode']!r}: expected four digits in quotes")
            city = self.text(address, "city", f"{where}.address.city")
            phone = str(item.get("phone") or "")
            if not re.match(r"^\+?[0-9][0-9 ./]{5,}$", phone):
                self.error(item.line_of("phone"), f"{where}: phone {phone!r} is not a phone number")
            email = str(item.get("email") or "")
            if not EMAIL_RE.match(email):
                self.error(item.line_of("email"), f"{where}: email {email!r} is not an e-mail address")
            hours = self.hours(item, where)
            result.append(Office(
                id=office_id, name=name or {}, address=Address(str(address.get("street", "")), str(address.get("postcode", "")), city or {}, streets),
                phone=phone, email=email, hours=hours, notes=notes, line=item_line,
            ))
        return result

    def hours(self, item, where: str) -> str:
        """The office's hours as an OSM string, from that string or from plain words (one line a day).

        Hints take the form the author used: plain words in the language of the days written.
        """
        hours, line = item.get("hours"), item.line_of("hours")
        form = "OpenStreetMap syntax, e.g. \"Mo-Fr 09:00-12:00,13:00-16:00; PH off\", or plain words (docs/authors.md)"
        plain = author_language(hours, self.languages[0]) if isinstance(hours, dict) else None
        if plain:
            written = hours
            try:
                hours = to_osm(hours, self.languages[0])
            except PlainHoursError as exc:
                at = written.line_of(exc.key) if isinstance(written, LineDict) and exc.key in written else line
                self.error(at, f"{where}: hours: {exc}", exc.hint or f"one line per day, e.g. {example_line(plain)}")
                return ""
        if not isinstance(hours, str) or not hours.strip():
            self.error(line, f"{where}: hours missing",
                       f'e.g. "Mo-Fr 09:00-12:00; PH off", or one line per day: {example_line(self.languages[0])}')
            return ""
        try:
            schedule = parse_opening_hours(hours)
        except HoursError as exc:
            self.error(line, f"{where}: hours {hours!r}: {exc}", form)
            return hours
        # notes without translation, no PH rule, a rule replacing hours it meant to add
        for severity, message, hint in check_schedule(schedule, self.languages, plain):
            if not plain:
                self.error(line, f"{where}: hours {hours!r}: {message}", hint, severity=severity)
                continue
            # The author never saw the OSM string: name the day line the note is written on.
            note = re.search(r'note "([^"]*)"', message)
            at = next((written.line_of(key) for key, value in written.items()
                       if note and isinstance(written, LineDict) and note.group(1) in str(value)), line)
            self.error(at, f"{where}: hours: {message}", hint, severity=severity)
        return hours

    def closures(self, value, line) -> list:
        if not isinstance(value, list):
            self.error(line, "closures: expected a list of {date: YYYY-MM-DD, note: ...}")
            return []
        today = dt.date.today()
        result = []
        for i, item in enumerate(value):
            item_line = value.line_of(i)
            date = item.get("date") if isinstance(item, dict) else None
            if not isinstance(date, dt.date):
                self.error(item_line, f"closure: date {date!r} is not a date like 2026-12-24")
                continue
            if not today - dt.timedelta(days=366) <= date <= today + dt.timedelta(days=2 * 366):
                self.error(item_line, f"closure {date}: outside the sensible range (from a year ago to two years ahead)")
            elif date < today:
                self.error(item_line, f"closure {date} is in the past", "remove it", severity=WARNING)
            note = self.text(item, "note", f"closure {date}.note")
            result.append(Closure(date, note or {}, item_line))
        return result

    def regional(self, value, line) -> list:
        if not isinstance(value, list):
            self.error(line, "regional_holidays: expected a list such as [flemish-community]")
            return []
        for i, code in enumerate(value):
            if code not in REGIONAL_HOLIDAYS:
                self.error(value.line_of(i), f"regional holiday {code!r} is unknown", "known: " + ", ".join(REGIONAL_HOLIDAYS))
        return [code for code in value if code in REGIONAL_HOLIDAYS]

    def inboxes(self, value, line) -> dict:
        if not isinstance(value, dict):
            self.error(line, "inboxes: expected form id -> e-mail address")
            return {}
        for form_id, address in value.items():
            if form_id not in FORM_IDS:
                self.error(value.line_of(form_id), f"inboxes: unknown form {form_id!r}", "known: " + ", ".join(FORM_IDS))
            if not isinstance(address, str) or not EMAIL_RE.match(address):
                self.error(value.line_of(form_id), f"inboxes.{form_id}: {address!r} is not an e-mail address")
        return {k: v for k, v in value.items() if k in FORM_IDS}

    def delivery(self, value, line) -> dict:
        """`secure`, `full`, or a map {default: ..., <form id>: ...}; as {"default": mode, form id: mode}."""
        hint = "write delivery: secure (recommended) or delivery: full, or per inbox {default: secure, wijk-werken: full}"
        if isinstance(value, str):
            value = {"default": value}
        if not isinstance(value, dict):
            self.error(line, f"delivery {value!r}: expected secure or full", hint)
            return {"default": DEFAULT_DELIVERY}
        result = {"default": DEFAULT_DELIVERY}
        for key, mode in value.items():
            where = value.line_of(key) if isinstance(value, LineDict) else line
            if key != "default" and key not in FORM_IDS:
                self.error(where, f"delivery: unknown inbox {key!r}", "use default or a form id: " + ", ".join(FORM_IDS))
            elif mode not in DELIVERY_MODES:
                self.error(where, f"delivery {mode!r}: expected secure or full", hint)
            else:
                result[key] = mode
        return result

    def services(self, value, line) -> list:
        if not isinstance(value, list):
            self.error(line, "services: expected a list of catalogue ids")
            return []
        for i, service in enumerate(value):
            if service not in SERVICE_IDS:
                close = difflib.get_close_matches(str(service).lower(), SERVICE_IDS, n=1)
                self.error(value.line_of(i), f"unknown service {service!r}", f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(SERVICE_IDS))
        return [s for s in value if s in SERVICE_IDS]


YAML_HINT = "check the brackets, quotes and indentation on this line or the one before"
_UNCLOSED = ("flow mapping", "flow sequence", "quoted scalar")


def yaml_error_finding(path: Path, exc: yaml.MarkedYAMLError, first_line: int = 1) -> Finding:
    """A YAML syntax error as a Finding at the line an author should look at.

    The parser notices an unclosed `{`, `[` or quote only lines later (where something else
    starts); its context mark says where the bracket or quote was opened, which is the line to fix.
    """
    problem, context = exc.problem_mark, exc.context_mark
    line = (problem.line if problem else 0) + first_line
    message = f"invalid YAML: {exc.problem or exc}"
    if context is not None and exc.context and any(kind in exc.context for kind in _UNCLOSED):
        what = {"flow mapping": "the { on this line", "flow sequence": "the [ on this line",
                "quoted scalar": "the quote on this line"}[next(k for k in _UNCLOSED if k in exc.context)]
        noticed = f"; noticed on line {line}" if problem is not None and context.line != problem.line else ""
        return Finding(path, context.line + first_line, f"{message} ({what} is not closed{noticed})",
                       hint="close it on the same line: {nl: ..., fr: ...}, [a, b] or \"text\"")
    return Finding(path, line, message, hint=YAML_HINT)


def check_municipality(path: Path, partial: bool = False) -> tuple[Municipality | None, list[Finding]]:
    """Load and check one config file: (the municipality or None on errors, all findings).

    With `partial`, the municipality is what could be read despite the errors (a YAML syntax
    error: the other top-level keys, each parsed on its own), for `portal check` to check the
    pages too; None only when the file is not a mapping. Never hand a partial one to a build.
    """
    path = Path(path)
    try:
        raw = load_yaml(path)
    except PortalError as exc:
        findings = exc.findings
        try:  # the parser's own marks give a better line and hint than load_yaml's message
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as marked:
            findings = [yaml_error_finding(path, marked)]
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            pass
        if not partial:
            return None, findings
        try:
            raw, unread = load_top_level_keys(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None, findings
        checker = _Checker(path, raw)
        municipality = checker.run()
        # A key on the broken lines is absent to the checker ("missing required key 'name'" on
        # line 1, "privacy.dpo.email missing"): keep only what it found about the keys it read.
        absent = re.compile(r"\b(?:" + "|".join(map(re.escape, unread)) + r")\b") if unread else None
        return municipality, findings + [f for f in checker.findings
                                         if f.line > 1 and not (absent and absent.search(f.message))]
    checker = _Checker(path, raw)
    municipality = checker.run()
    if not partial and any(f.severity == ERROR for f in checker.findings):
        municipality = None
    return municipality, checker.findings


def config_path(slug: str, root: Path | None = None) -> Path:
    return (root or project_root()) / "site_config" / f"{slug}.yml"


def load_municipality(slug: str, root: Path | None = None) -> Municipality:
    """The checked municipality `slug`. Raises PortalError (with file:line findings) on errors."""
    path = config_path(slug, root)
    if not path.is_file():
        known = ", ".join(all_slugs(root)) or "none"
        raise PortalError(Finding(path, 1, f"no municipality {slug!r} (known: {known})"))
    municipality, findings = check_municipality(path)
    if municipality is None:
        raise PortalError([f for f in findings if f.severity == ERROR])
    return municipality


def all_slugs(root: Path | None = None) -> list:
    folder = (root or project_root()) / "site_config"
    return sorted(p.stem for p in folder.glob("*.yml"))


def load_all(root: Path | None = None) -> dict:
    """Every municipality by slug. Raises PortalError listing every broken config."""
    return load_each(all_slugs(root), lambda slug: load_municipality(slug, root))


def check_postcodes_shared(checked: list[Path], root: Path | None = None) -> list[Finding]:
    """A postcode two municipalities list: routing would depend on the site a citizen used.

    Each config in `checked` is compared with every config of the project (also those not being
    checked), so `portal check zuid` still finds that zuid claims Opwijk's 1745. A pair that is
    checked on both sides is reported once, on the file that comes second.
    """
    folder = (root or project_root()) / "site_config"
    every = sorted(set(folder.glob("*.yml")) | {Path(p) for p in checked})
    claims: dict[str, list[tuple[Path, int]]] = {}
    for path in every:
        try:
            raw = load_yaml(path)
        except PortalError:
            continue  # reported by check_municipality
        codes = raw.get("postcodes") if isinstance(raw, LineDict) else None
        if not isinstance(codes, LineList):
            continue
        for i, code in enumerate(codes):
            claims.setdefault(str(code), []).append((path, codes.line_of(i)))
    checked = {Path(p) for p in checked}
    findings = []
    for code, where in sorted(claims.items()):
        for i, (path, line) in enumerate(where):
            if path not in checked:
                continue
            others = [(p, n) for j, (p, n) in enumerate(where) if p != path and not (p in checked and j > i)]
            for other, other_line in others:
                findings.append(Finding(
                    path, line,
                    f"postcode {code!r} is also listed by {other.parent.name}/{other.name}:{other_line}: "
                    "applications from it would go to whichever OCMW's site was used",
                    hint=f"one OCMW is competent per postcode: remove {code} from {path.name} or from {other.name}"))
    return findings

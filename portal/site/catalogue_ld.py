"""The site's services as a CPSV-AP-style JSON-LD catalogue, one file per language.

CPSV-AP (the EU Core Public Service Vocabulary Application Profile) is what Belgian and European
service catalogues harvest. Each service page becomes a `cpsv:PublicService` with its name,
description, language, the OCMW as competent authority (with its address), the contact points of
the offices the page shows, the online form as a channel where the page offers one, and the
postcodes the OCMW serves as spatial coverage. The facts come from what the built pages show,
so the catalogue cannot promise a form or an office the site does not.

It validates against the official SEMIC CPSV-AP 3.2.0 SHACL shapes (tests/test_cpsv_shacl.py):
the organisation is also an `org:Organization` with a `dct:spatial` location, address values are
language-tagged, languages are `dct:LinguisticSystem`s of the EU authority table, opening hours
are `time:TemporalEntity` nodes carrying the schema.org day/opens/closes, and every channel has
one `dct:type` (a concept shared by all online forms).

Identifiers are the page URLs. Without a `site_url` they are relative, and JSON-LD resolves
them against the catalogue file's own address (which sits in the language's root folder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal.common.i18n import t
from portal.municipal.config import Municipality
from portal.municipal.contact import tel_href
from portal.municipal.hours import hhmm, parse_opening_hours
from portal.site.hours_html import SCHEMA_DAYS
from portal.site.render import form_url as default_form_url

FILE_NAME = "catalogue.jsonld"
CONTEXT = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "locn": "http://www.w3.org/ns/locn#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
}
# The EU Publications Office language authority table (what dct:language expects).
EU_LANGUAGE = {"nl": "http://publications.europa.eu/resource/authority/language/NLD",
               "fr": "http://publications.europa.eu/resource/authority/language/FRA",
               "de": "http://publications.europa.eu/resource/authority/language/DEU"}
COUNTRY = {"nl": "België", "fr": "Belgique", "de": "Belgien"}
AUTHORITY_ID = "#competent-authority"
ONLINE_FORM_TYPE = "#channel-type-online-form"


@dataclass
class ServicePage:
    """What one built service page shows, as collected by the MkDocs plugin."""

    service: str               # catalogue id, e.g. "leefloon"
    title: str
    description: str
    url: str                   # relative to the language's root folder, e.g. "leefloon/"
    forms: list = field(default_factory=list)     # form ids the page links to
    offices: list = field(default_factory=list)   # office ids whose contact card it shows


def _text(value: str, lang: str) -> dict:
    return {"@value": value, "@language": lang}


def _address(municipality: Municipality, address, lang: str) -> dict:
    return {
        "@type": "locn:Address",
        "locn:thoroughfare": _text(address.street_in(lang), lang),
        "locn:postCode": address.postcode,
        "locn:postName": _text(municipality.text(address.city, lang), lang),
        "locn:adminUnitL1": _text(COUNTRY.get(lang, "BE"), lang),
    }


def opening_hours(office, lang: str) -> list[dict]:
    """The office's week as CPSV-AP opening hours: one `time:TemporalEntity` per opening span,
    also a schema.org OpeningHoursSpecification (days with equal hours grouped), with a sentence
    for people ("maandag, dinsdag 09:00–12:00")."""
    groups: dict = {}
    for weekday, intervals in enumerate(parse_opening_hours(office.hours).weekly()):
        key = tuple((i.start, i.end) for i in intervals)
        if key:
            groups.setdefault(key, []).append(weekday)
    result = []
    for key, weekdays in groups.items():
        days = ", ".join(t(f"hours.day.{d}", lang) for d in weekdays)
        for start, end in key:
            result.append({
                "@type": ["time:TemporalEntity", "schema:OpeningHoursSpecification"],
                "dct:description": _text(f"{days} {hhmm(start)}–{hhmm(end)}", lang),
                "schema:dayOfWeek": [{"@id": f"schema:{SCHEMA_DAYS[d]}"} for d in weekdays],
                "schema:opens": hhmm(start),
                "schema:closes": hhmm(end),
            })
    return result


def _contact_point(municipality: Municipality, office, lang: str) -> dict:
    return {
        "@id": f"#contact-{office.id}",
        "@type": "cv:ContactPoint",
        "skos:prefLabel": _text(municipality.text(office.name, lang), lang),
        "cv:email": f"mailto:{office.email}",
        "cv:telephone": tel_href(office.phone).removeprefix("tel:"),
        "cv:openingHours": municipality.memo(("cpsv_opening_hours", office.id, lang), lambda: opening_hours(office, lang)),
        "locn:address": _address(municipality, office.address, lang),
    }


def catalogue(municipality: Municipality, lang: str, pages: list[ServicePage], *,
              base_url: str = "", form_url=None) -> dict:
    """The JSON-LD document for `lang`: the competent authority and one PublicService per page.

    `base_url` is the absolute address of the language's root folder ("" for relative ids);
    `form_url(form_id)` gives the address of a form (a host-absolute path by default).
    """
    form_url = form_url or (lambda form_id: default_form_url(municipality, lang, form_id))
    authority_id = AUTHORITY_ID
    main = municipality.offices[0]
    graph: list[dict] = [{
        "@id": authority_id,
        # A public organisation is an org:Organization (what cv:ownedBy expects of a channel's owner).
        "@type": ["cv:PublicOrganisation", "org:Organization"],
        "skos:prefLabel": _text(municipality.text(municipality.social_house, lang), lang),
        "locn:address": _address(municipality, main.address, lang),
        "dct:spatial": {"@id": "#area", "@type": "dct:Location",
                        "skos:prefLabel": _text(municipality.text(municipality.name, lang), lang)},
    }]
    used_offices: list[str] = []
    for page in sorted(pages, key=lambda p: municipality.services.index(p.service) if p.service in municipality.services else len(municipality.services)):
        offices = [o for o in page.offices if any(x.id == o for x in municipality.offices)] or [main.id]
        used_offices += [o for o in offices if o not in used_offices]
        service = {
            "@id": base_url + page.url,
            "@type": "cpsv:PublicService",
            "dct:identifier": page.service,
            "dct:title": _text(page.title, lang),
            "dct:description": _text(page.description, lang),
            "dct:language": {"@id": EU_LANGUAGE[lang], "@type": "dct:LinguisticSystem"},
            "cv:hasCompetentAuthority": {"@id": authority_id},
            "cv:contactPoint": [{"@id": f"#contact-{o}"} for o in offices],
            "dct:spatial": [{"@type": "dct:Location", "locn:postCode": pc} for pc in municipality.postcodes],
            "schema:url": base_url + page.url,
        }
        channels = [{
            "@id": form_url(form_id),
            "@type": "cv:Channel",
            "dct:identifier": form_id,
            "dct:type": {"@id": ONLINE_FORM_TYPE},
            "cv:ownedBy": {"@id": authority_id},
        } for form_id in page.forms if form_id in municipality.forms]
        if channels:
            service["cv:hasChannel"] = channels
        graph.append(service)
    graph += [_contact_point(municipality, municipality.office(o), lang) for o in used_offices]
    if any("cv:hasChannel" in node for node in graph):
        # One concept for every online form: a channel that several services share keeps one type.
        graph.append({"@id": ONLINE_FORM_TYPE, "@type": "skos:Concept", "skos:prefLabel": _text("online form", "en")})
    return {"@context": CONTEXT, "@graph": graph}


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1)

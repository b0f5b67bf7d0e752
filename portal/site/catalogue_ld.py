"""The site's services as a CPSV-AP-style JSON-LD catalogue, one file per language.

CPSV-AP (the EU Core Public Service Vocabulary Application Profile) is what Belgian and European
service catalogues harvest. Each service page becomes a `cpsv:PublicService` with its name,
description, language, the OCMW as competent authority (with its address), the contact points of
the offices the page shows, the online form as a channel where the page offers one, and the
postcodes the OCMW serves as spatial coverage. The facts come from what the built pages show,
so the catalogue cannot promise a form or an office the site does not.

Identifiers are the page URLs. Without a `site_url` they are relative, and JSON-LD resolves
them against the catalogue file's own address (which sits in the language's root folder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal.municipal.config import Municipality
from portal.municipal.contact import tel_href
from portal.site.render import form_url as default_form_url

FILE_NAME = "catalogue.jsonld"
CONTEXT = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "locn": "http://www.w3.org/ns/locn#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
}
# The EU Publications Office language authority table (what dct:language expects).
EU_LANGUAGE = {"nl": "http://publications.europa.eu/resource/authority/language/NLD",
               "fr": "http://publications.europa.eu/resource/authority/language/FRA"}


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
        "locn:thoroughfare": address.street_in(lang),
        "locn:postCode": address.postcode,
        "locn:postName": municipality.text(address.city, lang),
        "locn:adminUnitL1": "BE",
    }


def _contact_point(municipality: Municipality, office, lang: str) -> dict:
    return {
        "@id": f"#contact-{office.id}",
        "@type": "cv:ContactPoint",
        "skos:prefLabel": _text(municipality.text(office.name, lang), lang),
        "cv:email": f"mailto:{office.email}",
        "cv:telephone": tel_href(office.phone).removeprefix("tel:"),
        "cv:openingHours": office.hours,
        "locn:address": _address(municipality, office.address, lang),
    }


def catalogue(municipality: Municipality, lang: str, pages: list[ServicePage], *,
              base_url: str = "", form_url=None) -> dict:
    """The JSON-LD document for `lang`: the competent authority and one PublicService per page.

    `base_url` is the absolute address of the language's root folder ("" for relative ids);
    `form_url(form_id)` gives the address of a form (a host-absolute path by default).
    """
    form_url = form_url or (lambda form_id: default_form_url(municipality, lang, form_id))
    authority_id = "#competent-authority"
    main = municipality.offices[0]
    graph: list[dict] = [{
        "@id": authority_id,
        "@type": "cv:PublicOrganisation",
        "skos:prefLabel": _text(municipality.text(municipality.social_house, lang), lang),
        "locn:address": _address(municipality, main.address, lang),
        "cv:spatial": {"@type": "dct:Location", "skos:prefLabel": _text(municipality.text(municipality.name, lang), lang)},
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
            "dct:language": {"@id": EU_LANGUAGE[lang]},
            "cv:hasCompetentAuthority": {"@id": authority_id},
            "cv:hasContactPoint": [{"@id": f"#contact-{o}"} for o in offices],
            "dct:spatial": [{"@type": "dct:Location", "locn:postCode": pc} for pc in municipality.postcodes],
            "schema:url": base_url + page.url,
        }
        channels = [{
            "@id": form_url(form_id),
            "@type": "cv:Channel",
            "dct:identifier": form_id,
            "dct:type": {"@type": "skos:Concept", "skos:prefLabel": _text("online form", "en")},
            "cv:ownedBy": {"@id": authority_id},
        } for form_id in page.forms if form_id in municipality.forms]
        if channels:
            service["cv:hasChannel"] = channels
        graph.append(service)
    graph += [_contact_point(municipality, municipality.office(o), lang) for o in used_offices]
    return {"@context": CONTEXT, "@graph": graph}


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1)

"""schema.org JSON-LD for built pages: the offices as GovernmentOffice, a service page as GovernmentService."""

from __future__ import annotations

import json

from portal.municipal.config import Municipality
from portal.municipal.contact import tel_href
from portal.site.hours_html import opening_hours_specification


def office_jsonld(municipality: Municipality, office, lang: str) -> dict:
    return {
        "@type": "GovernmentOffice",
        "@id": f"#office-{office.id}",
        "name": f"{municipality.text(municipality.social_house, lang)} – {municipality.text(office.name, lang)}",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": office.address.street_in(lang),
            "postalCode": office.address.postcode,
            "addressLocality": municipality.text(office.address.city, lang),
            "addressCountry": "BE",
        },
        "telephone": tel_href(office.phone).removeprefix("tel:"),
        "email": office.email,
        "openingHoursSpecification": municipality.memo(
            ("opening_hours_specification", office.id), lambda: opening_hours_specification(office, municipality)),
    }


def page_jsonld(municipality: Municipality, lang: str, *, title: str, description: str, service: str | None) -> dict:
    """The graph for one page: every office, plus the service when the page is one."""
    graph = [office_jsonld(municipality, office, lang) for office in municipality.offices]
    if service:
        graph.append({
            "@type": "GovernmentService",
            "name": title,
            "description": description,
            "serviceType": service,
            "provider": {"@id": f"#office-{municipality.offices[0].id}"},
            "areaServed": {"@type": "AdministrativeArea", "name": municipality.text(municipality.name, lang)},
            "availableLanguage": municipality.languages,
        })
    return {"@context": "https://schema.org", "@graph": graph}


def script_tag_content(data: dict) -> str:
    """JSON safe inside <script>: every `<` written as \\u003c, so nothing can close or open an element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")

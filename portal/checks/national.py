"""Checks against the national postcode table (portal/municipal/postcodes.py).

- Every postcode a site lists belongs to that municipality in the table; otherwise a warning with
  the table's answer (the routing would send another municipality's residents to this OCMW).
- Every service a site lists exists in the site's region (config.SERVICE_REGIONS); a Brussels
  site cannot offer wijk-werken, a Flemish one no SPI.
"""

from __future__ import annotations

from portal.common.findings import ERROR, WARNING, Finding
from portal.municipal.config import SERVICE_REGIONS
from portal.municipal.postcodes import municipalities_for_postcode


def _names(municipality) -> set[str]:
    return {str(v).casefold() for v in (municipality.name or {}).values()}


def check_postcodes_national(municipality) -> list[Finding]:
    """A warning for each listed postcode that the national table gives to another municipality."""
    findings = []
    own = _names(municipality)
    for i, code in enumerate(municipality.postcodes):
        found = municipalities_for_postcode(code)
        line = municipality.line_of("postcodes", i)
        if not found:
            findings.append(Finding(municipality.path, line, f"postcode {code!r} is not in the national postcode table",
                                    WARNING, hint="check the postcode; routing cannot name a competent OCMW for it"))
        elif not any(own & {n.casefold() for n in m.names.values()} for m in found):
            answer = " or ".join(f"{m.name('nl')} (NIS {m.nis})" for m in found)
            findings.append(Finding(municipality.path, line,
                                    f"postcode {code!r} belongs to {answer} in the national postcode table, not to {municipality.text(municipality.name, municipality.default_language)}",
                                    WARNING, hint="remove it from postcodes, or correct the municipality's name"))
    return findings


def regions_elsewhere(municipality, service: str) -> tuple[str, ...] | None:
    """The regions `service` exists in when the site's region is not one of them, else None.

    The one region rule: the services check below and the link hints (portal.checks.links) ask it.
    """
    region = municipality.region      # as set, or from the first postcode (portal.municipal.legal.check_region)
    regions = SERVICE_REGIONS.get(service)
    return regions if region and regions and region not in regions else None


def not_in_region(municipality, service: str) -> str:
    """"service 'spi' does not exist in flanders (only in brussels, wallonia, german)"."""
    return (f"service {service!r} does not exist in {municipality.region} "
            f"(only in {', '.join(regions_elsewhere(municipality, service) or ())})")


def check_service_regions(municipality) -> list[Finding]:
    """An error for each listed service that does not exist in the site's region."""
    findings = []
    for i, service in enumerate(municipality.services):
        if regions_elsewhere(municipality, service):
            findings.append(Finding(municipality.path, municipality.line_of("services", i),
                                    not_in_region(municipality, service), ERROR, hint=f"remove {service} from services"))
    return findings

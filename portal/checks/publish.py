"""What a published site needs beyond a valid config: a `site_url`, and real addresses.

Warnings while a site is drafted or demonstrated (the demo configs have neither, on purpose);
errors with `portal check --strict` and under PORTAL_ENV=production (`portal-admin check`), so a
deployment cannot publish a site whose links point nowhere or whose forms mail nobody.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.common.findings import ERROR, WARNING, Finding
from portal.municipal.reserved import REMOVE_DEMOS, is_reserved_host, placeholders

SITE_URL_EXAMPLE = "site_url: https://www.opwijk.be/"


def check_publishable(municipality, *, production: bool = False) -> list[Finding]:
    """`site_url` present and on a real host; no office, inbox, DPO or accessibility address on a
    reserved example name (portal/municipal/reserved.py). Errors in production, else warnings."""
    m = municipality
    severity = ERROR if production else WARNING
    findings = []
    if not m.site_url:
        findings.append(Finding(
            m.path, 1, "no site_url: a published site needs it. The forms' 'back to the website' links, the "
            "404 pages' styles and scripts, the sitemap and the nginx server name (deploy/render.py) come from it; "
            "without it they point at /<slug>/, which exists only under `portal serve`", severity,
            hint=f"add the address the site is published at, e.g. `{SITE_URL_EXAMPLE}`"))
    elif is_reserved_host(urlsplit(m.site_url).hostname or ""):
        findings.append(Finding(
            m.path, m.line_of("site_url"), f"site_url {m.site_url} is on a reserved example name: the canonical "
            "links and the forms' links back point at a site that cannot exist", severity,
            hint=f"the address the site is published at, e.g. `{SITE_URL_EXAMPLE}`; or " + REMOVE_DEMOS))
    for placeholder in placeholders(m):
        findings.append(Finding(
            m.path, placeholder.line, f"{placeholder.key}: {placeholder.value} is on a reserved example name: "
            "no mail to it is ever delivered", severity, hint=REMOVE_DEMOS))
    return findings

"""Every state a citizen can see of the form backend, written to a folder as HTML files, so that
checkers which read files or URLs (the W3C Nu HTML Checker, pa11y) see exactly what the backend
sends: each form of each site and language empty, with errors, returned to from the check page,
the check page, the receipt and its print view; an unknown form (404) and an expired receipt link.
"""

from __future__ import annotations

import re
from pathlib import Path

# (site, language, form) as the example sites offer them: Dutch only, and French first with Dutch.
FORMS = [
    ("opwijk", "nl", "support-application"), ("opwijk", "nl", "wijk-werken"),
    ("sint-gillis", "fr", "support-application"), ("sint-gillis", "nl", "support-application"),
]
SUPPORT = {
    "help_type": "energy", "first_name": "An", "last_name": "Peeters", "birth_date": "1985-07-30",
    "national_number": "", "street": "Kerkstraat", "house_number": "5", "postcode": "1745", "city": "Opwijk",
    "phone": "0470 12 34 56", "email": "an.peeters@example.be", "contact_preference": "email",
    "message": "Mijn energiefactuur is te hoog.\nKan iemand mij bellen?", "declaration": "y", "website": "",
}
WIJK = {
    "request_type": "user", "requester_kind": "nonprofit", "organisation_name": "Vzw De Buurt",
    "first_name": "Jan", "last_name": "Claes", "street": "Markt", "house_number": "1", "postcode": "1745",
    "city": "Opwijk", "phone": "052 36 19 23", "email": "", "job_description": "De haag snoeien in maart.",
    "message": "", "declaration": "y", "website": "",
}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return match.group(1) if match else ""


def _post(client, url: str, page: str, data: dict):
    data = {"csrf_token": _hidden(page, "csrf_token"), "form_started": _hidden(page, "form_started"), **data}
    return client.post(url, data={k: v for k, v in data.items() if v != "" or k in ("website",)})


def write_backend_pages(app, folder: Path) -> dict[str, str]:
    """Writes every state's HTML to `folder/<name>.html`; returns {name: path the page came from}.

    Raises AssertionError when a state cannot be reached (a changed form would otherwise shrink
    what the checkers see without anyone noticing)."""
    folder.mkdir(parents=True, exist_ok=True)
    client = app.test_client()
    written: dict[str, str] = {}

    def save(name: str, response, path: str, status: int = 200) -> str:
        assert response.status_code == status, f"{name}: {response.status_code} for {path}"
        text = response.get_data(as_text=True)
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
        written[name] = path
        return text

    for slug, lang, form_id in FORMS:
        url = f"/forms/{slug}/{lang}/{form_id}/"
        key = f"{slug}-{lang}-{form_id}"
        empty = save(f"{key}-empty", client.get(url), url)
        errors = save(f"{key}-errors", _post(client, url, empty, {"step": "check", "first_name": "An", "postcode": "12"}), url)
        assert "portal-error-summary" in errors, f"{key}: no error summary"
        answers = SUPPORT if form_id == "support-application" else WIJK
        check = save(f"{key}-check", _post(client, url, empty, {**answers, "step": "check"}), url)
        assert 'name="check_answers"' in check, f"{key}: the answers were not accepted"
        change = {"check_answers": _hidden(check, "check_answers"), "change": "postcode"}
        save(f"{key}-returning", _post(client, url, check, change), url)
        sent = _post(client, url, check, {"check_answers": _hidden(check, "check_answers"), "send": "1"})
        assert sent.status_code == 303, f"{key}: not stored ({sent.status_code})"
        receipt_url = sent.headers["Location"]
        receipt = save(f"{key}-receipt", client.get(receipt_url), receipt_url)
        print_url = re.search(r'href="([^"]*/print)"', receipt).group(1)
        save(f"{key}-receipt-print", client.get(print_url), print_url)
    save("not-found", client.get("/forms/opwijk/nl/no-such-form/"), "/forms/opwijk/nl/no-such-form/", 404)
    expired = "/forms/opwijk/nl/support-application/received/not-a-valid-token"
    save("receipt-invalid", client.get(expired), expired, client.get(expired).status_code)
    return written

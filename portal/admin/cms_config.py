"""The Decap CMS configuration for this repository: which files the editor shows, as what.

One function builds it from the municipality files, so the editor always matches the project:
the shared catalogue (`content/<lang>/`, nl and fr side by side), each municipality's own pages
(`site_config/<slug>/content/<lang>/`, in that site's languages) and its YAML file as a form.
`portal preview SLUG` serves it for one municipality with the local backend; for the git forge
(docs/authors.md, "Publishing through the forge") the same function writes it for every
municipality with a `gitea`/`gitlab` backend.

Field names here are the keys of DESIGN.md's `site_config/<slug>.yml`; the widgets
`opening-hours` and `service-checklist` are registered by `static/admin.js`.
"""

from __future__ import annotations

from pathlib import Path

from portal.common.i18n import LANGUAGES
from portal.municipal.config import FORM_IDS, SERVICE_IDS, Municipality
from portal.site.content import catalogue_dir, front_matter

# The top-level keys the municipality form shows; others (privacy, regional_holidays, ...) are
# kept as they are in the file when the form is saved (see yaml_merge).
MANAGED_KEYS = {"name", "social_house", "postcodes", "offices", "closures", "inboxes", "services"}

UI = {  # the editor's own words, in the site's first language
    "nl": {"catalogue": "Gedeelde pagina's (alle gemeenten)", "own": "Eigen pagina's van {name}",
           "settings": "Gegevens van {name}", "file": "Gemeente, kantoren, openingsuren",
           "title": "Titel", "description": "Korte beschrijving (zoekmachines)", "body": "Tekst",
           "service": "Dienst (bestandsnaam, niet wijzigen)", "sensitive": "Knop 'Verlaat deze pagina' tonen",
           "name": "Naam van de gemeente", "social_house": "Naam van het sociaal huis / OCMW",
           "postcodes": "Postcodes waarvoor het OCMW bevoegd is", "offices": "Kantoren", "office": "Kantoor",
           "id": "Korte naam (id, niet wijzigen)", "office_name": "Naam van het kantoor", "address": "Adres",
           "street": "Straat en nummer", "postcode": "Postcode", "city": "Gemeente", "phone": "Telefoon",
           "email": "E-mail", "hours": "Openingsuren", "notes": "Opmerking bij het kantoor",
           "closures": "Sluitingsdagen (naast de feestdagen)", "closure": "Sluitingsdag", "date": "Datum",
           "note": "Reden", "inboxes": "Waar de formulieren naartoe gaan", "services": "Diensten op de site"},
    "fr": {"catalogue": "Pages partagées (toutes les communes)", "own": "Pages propres de {name}",
           "settings": "Données de {name}", "file": "Commune, bureaux, heures d'ouverture",
           "title": "Titre", "description": "Description courte (moteurs de recherche)", "body": "Texte",
           "service": "Service (nom du fichier, ne pas modifier)", "sensitive": "Afficher « Quitter cette page »",
           "name": "Nom de la commune", "social_house": "Nom du CPAS", "postcodes": "Codes postaux desservis",
           "offices": "Bureaux", "office": "Bureau", "id": "Nom court (id, ne pas modifier)",
           "office_name": "Nom du bureau", "address": "Adresse", "street": "Rue et numéro", "postcode": "Code postal",
           "city": "Commune", "phone": "Téléphone", "email": "E-mail", "hours": "Heures d'ouverture",
           "notes": "Remarque sur le bureau", "closures": "Jours de fermeture (en plus des jours fériés)",
           "closure": "Jour de fermeture", "date": "Date", "note": "Motif",
           "inboxes": "Destinataires des formulaires", "services": "Services du site"},
}
UI["de"] = UI["nl"]
EMAIL = [r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "e-mail: naam@domein.be"]


def _words(municipality: Municipality) -> dict:
    return UI.get(municipality.default_language, UI["nl"])


def _per_language(name: str, label: str, languages: list, *, widget: str = "string", required: bool = True) -> dict:
    """A translatable `{nl: ..., fr: ...}` value: one field per language of the site."""
    return {"name": name, "label": label, "widget": "object", "collapsed": False, "required": required,
            "fields": [{"name": lang, "label": f"{label} ({lang})", "widget": widget, "required": required}
                       for lang in languages]}


def page_fields(words: dict) -> list:
    """Front matter and body of a markdown page (docs/authors.md, "Edit a page")."""
    return [
        {"name": "title", "label": words["title"], "widget": "string", "i18n": True},
        {"name": "description", "label": words["description"], "widget": "string", "i18n": True},
        {"name": "service", "label": words["service"], "widget": "string", "required": False, "i18n": "duplicate"},
        {"name": "sensitive", "label": words["sensitive"], "widget": "boolean", "required": False, "i18n": "duplicate"},
        {"name": "body", "label": words["body"], "widget": "markdown", "i18n": True,
         "modes": ["rich_text", "raw"], "sanitize_preview": True},
    ]


def municipality_fields(municipality: Municipality, catalogue: dict) -> list:
    """The municipality file as a form; `catalogue`: {service id: title} for the checklist."""
    w, langs = _words(municipality), list(municipality.languages)
    office = [
        {"name": "id", "label": w["id"], "widget": "string", "pattern": [r"^[a-z0-9-]+$", "a-z, 0-9, -"]},
        _per_language("name", w["office_name"], langs),
        {"name": "address", "label": w["address"], "widget": "object", "collapsed": False, "fields": [
            {"name": "street", "label": w["street"], "widget": "string"},
            {"name": "postcode", "label": w["postcode"], "widget": "string", "pattern": [r"^\d{4}$", "1234"]},
            _per_language("city", w["city"], langs)]},
        {"name": "phone", "label": w["phone"], "widget": "string"},
        {"name": "email", "label": w["email"], "widget": "string", "pattern": EMAIL},
        {"name": "hours", "label": w["hours"], "widget": "opening-hours"},
        _per_language("notes", w["notes"], langs, widget="text", required=False),
    ]
    return [
        _per_language("name", w["name"], langs),
        _per_language("social_house", w["social_house"], langs),
        {"name": "postcodes", "label": w["postcodes"], "widget": "list", "field":
            {"name": "postcode", "label": w["postcode"], "widget": "string", "pattern": [r"^\d{4}$", "1234"]}},
        {"name": "offices", "label": w["offices"], "label_singular": w["office"], "widget": "list",
         "collapsed": False, "summary": "{{fields.id}}", "fields": office},
        {"name": "closures", "label": w["closures"], "label_singular": w["closure"], "widget": "list",
         "required": False, "summary": "{{fields.date}}", "fields": [
            {"name": "date", "label": w["date"], "widget": "datetime", "format": "YYYY-MM-DD",
             "date_format": "YYYY-MM-DD", "time_format": False, "picker_utc": True},
            _per_language("note", w["note"], langs)]},
        {"name": "inboxes", "label": w["inboxes"], "widget": "object", "collapsed": False, "fields": [
            {"name": form_id, "label": form_id, "widget": "string", "required": False, "pattern": EMAIL}
            for form_id in FORM_IDS]},
        {"name": "services", "label": w["services"], "widget": "service-checklist",
         "options": [{"value": s, "label": catalogue.get(s, s)} for s in SERVICE_IDS]},
    ]


def catalogue_titles(root: Path, lang: str) -> dict:
    """{service id: page title} of the shared catalogue in `lang` (the id when a page is missing)."""
    titles = {}
    for service in SERVICE_IDS:
        path = catalogue_dir(root, lang) / f"{service}.md"
        titles[service] = str(front_matter(path).get("title", service)) if path.is_file() else service
    return titles


def cms_config(municipalities: list[Municipality], root: Path, backend: dict) -> dict:
    """The Decap configuration (a dict, written as config.yml) for these municipalities.

    `backend`: Decap's `backend` section, e.g. {"name": "proxy", "proxy_url": ".../admin/api/v1"}
    for `portal preview`, or {"name": "gitea", "repo": "ocmw/portal", ...} for the forge.
    """
    first = municipalities[0]
    words = _words(first)
    media = {"media_folder": f"site_config/{first.slug}/content/{first.default_language}/img",
             "public_folder": "img"}
    collections = [{
        "name": "catalogue", "label": words["catalogue"], "folder": "content", "extension": "md",
        "format": "frontmatter", "create": True, "slug": "{{slug}}", "identifier_field": "title",
        "i18n": {"structure": "multiple_folders", "locales": list(LANGUAGES), "default_locale": "nl"},
        "fields": page_fields(words),
    }]
    for m in municipalities:
        w = _words(m)
        name = m.text(m.name, m.default_language)
        collections.append({
            "name": f"own-{m.slug}", "label": w["own"].format(name=name), "folder": f"site_config/{m.slug}/content",
            "extension": "md", "format": "frontmatter", "create": True, "slug": "{{slug}}",
            "identifier_field": "title",
            "i18n": {"structure": "multiple_folders", "locales": list(m.languages), "default_locale": m.default_language},
            "fields": page_fields(w),
        })
        collections.append({
            "name": f"config-{m.slug}", "label": w["settings"].format(name=name), "editor": {"preview": False},
            "files": [{"name": "municipality", "label": w["file"], "file": f"site_config/{m.slug}.yml",
                       "format": "yml", "fields": municipality_fields(m, catalogue_titles(root, m.default_language))}],
        })
    return {
        "backend": backend,
        "locale": first.default_language if first.default_language in ("nl", "fr", "de") else "nl",
        "load_config_file": False,
        "i18n": {"structure": "multiple_folders", "locales": list(LANGUAGES), "default_locale": "nl"},
        **media,
        "collections": collections,
    }

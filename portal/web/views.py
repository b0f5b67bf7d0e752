"""Blueprint `forms`: the form pages, the receipt, and each site's colours and logo.

GET shows the form; POST validates every answer on the server. Invalid: the same page with an
error summary and the answers kept (200). Valid: `portal.intake.accept` stores the submission
and its e-mails in one transaction, then a 303 to the receipt, whose URL carries only a signed
reference. When the database cannot write, the form comes back with the answers and a 503:
never a receipt for something that is not stored.
"""

from __future__ import annotations

import logging
import mimetypes

from flask import Blueprint, Response, abort, current_app, redirect, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import safe_join

from portal.forms import answers as form_answers, build_form_class, form_for_site, site_text
from portal.web.pages import format_received, municipalities, render_page, site_and_lang

log = logging.getLogger(__name__)
bp = Blueprint("forms", __name__)
RECEIPT_SALT = "portal.receipt"
NO_STORE = {"Cache-Control": "no-store"}


# --- lookups ----------------------------------------------------------------------------------

def lookup(slug: str, lang: str, form_id: str):
    """(site, definition as the site shows it) or a 404 in the site's language."""
    site = municipalities().get(slug)
    if site is None or lang not in site.languages or form_id not in site.forms:
        abort(404)
    definition = current_app.extensions["portal_forms"].get(form_id)
    if definition is None:
        abort(404)
    return site, form_for_site(definition, site)


def form_class(site, definition, lang: str):
    """The FlaskForm class for this site, form and language, built once per process."""
    cache = current_app.extensions["portal_form_classes"]
    key = (site.slug, definition.id, lang)
    if key not in cache:
        cache[key] = build_form_class(definition, lang, site)
    return cache[key]


def get_store():
    """The store, opened now if it could not be at start-up. Raises StoreUnavailable."""
    store = current_app.extensions.get("portal_store")
    if store is None:
        from portal.store import open_store

        store = open_store(current_app.config["DATABASE_URL"])
        current_app.extensions["portal_store"] = store
    return store


def receipt_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RECEIPT_SALT)


# --- the form ---------------------------------------------------------------------------------

def layout(definition) -> list:
    """The page's blocks in order: ("field", f) or ("group", group_id, [fields]), consecutive
    fields of one group sharing a fieldset; the honeypot last, outside every group."""
    blocks = []
    for fdef in definition.fields:
        if fdef.honeypot:
            continue
        if fdef.group and blocks and blocks[-1][0] == "group" and blocks[-1][1] == fdef.group:
            blocks[-1][2].append(fdef)
        elif fdef.group:
            blocks.append(("group", fdef.group, [fdef]))
        else:
            blocks.append(("field", fdef))
    return blocks


def error_list(form) -> list:
    """[(field id, message)] in page order, for the error summary."""
    result = []
    for fdef in form.definition.fields:
        for message in form[fdef.name].errors:
            result.append((fdef.name, message))
    return result


def render_form(site, definition, lang: str, form, *, status: int = 200, notice: str | None = None):
    """The form page; `notice` (a message key) is shown at the top in the error summary."""
    errors = error_list(form)
    notices = [t_site(notice, lang, site)] if notice else []
    alternates = {other: url_for("forms.form", slug=site.slug, lang=other, form_id=definition.id)
                  for other in site.languages}
    body, status = render_page(
        "forms/form.html", site=site, lang=lang, status=status, alternates=alternates,
        form=form, definition=definition, blocks=layout(definition), errors=errors, notices=notices,
        text=lambda value: site_text(value, lang, site),
        honeypot=[f for f in definition.fields if f.honeypot],
    )
    return body, status, NO_STORE


def t_site(key: str, lang: str, site) -> str:
    from portal.i18n import t

    return t(key, lang, social_house=site.text(site.social_house, lang), municipality=site.text(site.name, lang))


@bp.route("/forms/<slug>/<lang>/<form_id>/", methods=["GET", "POST"])
def form(slug: str, lang: str, form_id: str):
    from portal.intake import accept
    from portal.store import StoreUnavailable

    site, definition = lookup(slug, lang, form_id)
    form = form_class(site, definition, lang)()
    if request.method == "GET":
        return render_form(site, definition, lang, form)
    from portal import antiabuse

    if antiabuse.looks_automated(slug, form_id):
        # Neutral answer: the form again, nothing stored, no word on which check failed.
        antiabuse.clear_traps(form)
        return render_form(site, definition, lang, form, notice=antiabuse.NOTICE)
    if not form.validate():
        if form.errors.get("csrf_token"):
            # The CSRF token check of the form itself (when the app-wide check is off).
            form.csrf_token.errors = []
            return render_form(site, definition, lang, form, status=400, notice="forms.error.csrf")
        return render_form(site, definition, lang, form)
    try:
        accepted = accept(site, form_id, lang, form_answers(form), store=get_store(),
                          municipalities=municipalities())
    except StoreUnavailable as exc:
        # Logged without answers: the message comes from the database layer, not the citizen.
        log.error("submission not stored (%s/%s): %s", slug, form_id, exc)
        return render_form(site, definition, lang, form, status=503, notice="forms.error.unavailable")
    token = receipt_serializer().dumps({"ref": accepted.reference, "site": slug, "form": form_id})
    return redirect(url_for("forms.received", slug=slug, lang=lang, form_id=form_id, token=token), 303)


def render_csrf_error(slug: str, lang: str, form_id: str):
    """For the app-wide CSRFError: the form again with the answers just sent and a notice."""
    site, definition = lookup(slug, lang, form_id)
    form = form_class(site, definition, lang)(formdata=request.form)
    return render_form(site, definition, lang, form, status=400, notice="forms.error.csrf")


# --- the receipt ------------------------------------------------------------------------------

@bp.get("/forms/<slug>/<lang>/<form_id>/received/<token>")
def received(slug: str, lang: str, form_id: str, token: str):
    from portal.intake import load_receipt
    from portal.mail import contact_office, office_context
    from portal.render import tel_href
    from portal.store import StoreUnavailable

    site, definition = lookup(slug, lang, form_id)
    alternates = {other: url_for("forms.received", slug=slug, lang=other, form_id=form_id, token=token)
                  for other in site.languages}
    try:
        data = receipt_serializer().loads(token, max_age=current_app.config["RECEIPT_MAX_AGE"])
        if not isinstance(data, dict) or data.get("site") != slug or data.get("form") != form_id:
            raise BadSignature("token for another form")
        receipt = load_receipt(get_store(), str(data.get("ref")), municipalities())
    except (BadSignature, SignatureExpired):
        receipt = None
    except StoreUnavailable as exc:
        log.error("receipt not readable: %s", exc)
        abort(503)
    if receipt is None or receipt["site"] != slug or receipt["form_id"] != form_id:
        body, status = render_page("forms/receipt_invalid.html", site=site, lang=lang, status=404,
                                   alternates=alternates, definition=definition,
                                   title=site_text(definition.title, lang, site), form_url=url_for("forms.form", slug=slug, lang=lang, form_id=form_id))
        return body, status, NO_STORE
    competent = municipalities().get(receipt["competent"])
    office = None
    if competent is not None:
        # In the page's language (the stored one is in the language the form was sent in).
        office = office_context(competent, contact_office(competent, form_id), lang)
    body, status = render_page(
        "forms/receipt.html", site=site, lang=lang, alternates=alternates, definition=definition,
        receipt=receipt, office=office, office_tel=tel_href(office["phone"]) if office else "", text_title=site_text(definition.title, lang, site), received=format_received(receipt["received_at"], lang),
        next_steps=site_text(definition.next_steps, lang, site),
        outside_area=t_site("forms.receipt.outside_area", lang, site) if receipt["outside_area"] else "",
    )
    return body, status, NO_STORE


# --- branding ---------------------------------------------------------------------------------

@bp.get("/forms/_brand/<slug>/brand.css")
def brand_css(slug: str):
    """The site's colours as CSS custom properties (a file, so the CSP needs no inline style)."""
    site, _ = site_and_lang(slug, None)
    if site is None:
        abort(404)
    primary = site.branding.get("primary_color", "#1f4e79")
    accent = site.branding.get("accent_color", primary)
    css = (":root {\n"
           f"  --md-primary-fg-color: {primary};\n  --md-accent-fg-color: {accent};\n"
           f"  --portal-primary: {primary};\n  --portal-accent: {accent};\n}}\n")
    response = Response(css, mimetype="text/css")
    response.cache_control.max_age = 300
    return response


@bp.get("/forms/_brand/<slug>/logo")
def logo(slug: str):
    """site_config/<slug>/<branding.logo>."""
    site, _ = site_and_lang(slug, None)
    name = site.branding.get("logo") if site else None
    path = safe_join(str(site.own_dir), str(name)) if name else None
    if path is None:
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    try:
        response = send_file(path, mimetype=mimetype, max_age=300)
    except FileNotFoundError:
        abort(404)
    return response

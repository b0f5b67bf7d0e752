"""Blueprint `forms`: the form pages, the receipt, and each site's colours and logo.

GET shows the form; POST validates every answer on the server. Invalid: the same page with an
error summary and the answers kept (200). Valid: the check-your-answers page (portal/web/answers.py),
and only its send button stores: `portal.intake.accept.accept` stores the submission and its e-mails in
one transaction, then a 303 to the receipt, whose URL carries only a signed reference. When the
database cannot write, the form comes back with the answers and a 503: never a receipt for
something that is not stored. The receipt has a print view (`.../received/<token>/print`).
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes

from flask import Blueprint, Response, abort, current_app, redirect, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import safe_join

from portal.common.i18n import t
from portal.common.settings import limit_rules
from portal.intake import accept as intake
from portal.intake.accept import Policy, load_receipt
from portal.intake.forms import answers as form_answers
from portal.intake.forms import build_form_class, current_names, form_for_site, inapplicable, site_text
from portal.intake.receipt import facts_for_receipt
from portal.municipal import branding
from portal.municipal.contact import tel_href
from portal.store import AlreadySubmitted, LimitReached, StoreUnavailable
from portal.web import answers as check_page
from portal.web import antiabuse
from portal.web.answers import CHECK_FIELD, RETURN_FIELD, REVIEW_FIELD, REVIEW_VALUE, raw_answers
from portal.web.pages import get_store, municipalities, public_url, render_page, site_and_lang

log = logging.getLogger(__name__)
bp = Blueprint("forms", __name__)
RECEIPT_SALT = "portal.intake.receipt"
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


def render_form(site, definition, lang: str, form, *, status: int = 200, notice: str | None = None,
                focus: str | None = None, returning: bool = False):
    """The form page; `notice` (a message key) is shown at the top in the error summary.

    `focus`: the question to put the focus on (a change from the check page); `returning`: the
    form was opened from the check page, and sending it goes back there.
    """
    errors = error_list(form)
    notices = [t_site(notice, lang, site)] if notice else []
    alternates = {other: url_for("forms.form", slug=site.slug, lang=other, form_id=definition.id)
                  for other in site.languages}

    body, status = render_page(
        "forms/form.html", site=site, lang=lang, status=status, alternates=alternates,
        form=form, definition=definition, blocks=layout(definition), errors=errors, notices=notices,
        text=lambda value: site_text(value, lang, site),
        honeypot=[f for f in definition.fields if f.honeypot],
        focus_field=None if errors or notices else focus, returning=returning, return_field=RETURN_FIELD,
        review=(REVIEW_FIELD, REVIEW_VALUE),
    )
    return body, status, NO_STORE


def render_check_page(site, definition, lang: str, form, answers: dict):
    """The check page: every answer with a change button, which OCMW will receive it (the
    routing rule that stores it), and the send button (status 200)."""
    body, status = render_page(
        "forms/check.html", site=site, lang=lang, definition=definition, form=form,
        rows=check_page.rows(definition, answers, lang, site),
        route_text=check_page.route_sentence(definition, form_answers(form), lang, site, municipalities()),
        signed=check_page.sign(site.slug, lang, definition.id, answers, session_id=antiabuse.session_id()),
        check_field=check_page.CHECK_FIELD, change_field=check_page.CHANGE_FIELD, send_field=check_page.SEND_FIELD,
        submit=site_text(definition.submit, lang, site),
        title=site_text(definition.title, lang, site),
    )
    return body, status, NO_STORE


def t_site(key: str, lang: str, site) -> str:
    return t(key, lang, social_house=site.text(site.social_house, lang), municipality=site.text(site.name, lang))


@bp.route("/forms/<slug>/<lang>/<form_id>/", methods=["GET", "POST"])
def form(slug: str, lang: str, form_id: str):
    """GET: the form. POST: the form's answers (-> the check page), or the check page's change or
    send button (see portal/web/answers.py for the whole flow)."""
    site, definition = lookup(slug, lang, form_id)
    if request.method == "GET":
        return render_form(site, definition, lang, form_class(site, definition, lang)())
    if CHECK_FIELD in request.form:
        return from_check_page(site, definition, lang)
    posted = current_names(request.form)   # `consent` is still accepted for `declaration`
    form = form_class(site, definition, lang)(formdata=posted)
    returning = bool(request.form.get(RETURN_FIELD))

    automated = antiabuse.looks_automated(slug, form_id)
    valid = form.validate()
    if not valid and form.errors.get("csrf_token"):
        # The CSRF token check of the form itself (when the app-wide check is off).
        form.csrf_token.errors = []
        return render_form(site, definition, lang, form, status=400, notice="forms.error.csrf", returning=returning)
    if automated:
        # The trap's own error is no answer of the citizen's: never shown.
        antiabuse.clear_traps(form)
        if not error_list(form):
            # Valid answers that fail only the anti-robot checks: the neutral answer, the form
            # again, nothing stored, no word on which check failed.
            return render_form(site, definition, lang, form, notice=antiabuse.NOTICE, returning=returning)
        # Wrong answers anyway (an empty form sent at once): the ordinary errors say what to do;
        # the errors alone guarantee that nothing is stored.
        return render_form(site, definition, lang, form, returning=returning)
    if not valid:
        return render_form(site, definition, lang, form, returning=returning)
    if request.form.get(REVIEW_FIELD) == REVIEW_VALUE or returning:
        return render_check_page(site, definition, lang, form, raw_answers(definition, posted, inapplicable(form)))
    return store_and_redirect(site, definition, lang, form, key=antiabuse.stamp_key(slug, form_id))


def from_check_page(site, definition, lang: str):
    """A POST from the check page: change one answer, or send them all."""
    token = request.form.get(check_page.CHECK_FIELD)
    answers = check_page.unsign(token, site.slug, lang, definition.id)
    if answers is None:
        # Too old or of another session: back on the form to check and send again. Tampered
        # with, or from another form: nothing of it can be trusted or shown.
        log.info("form %s/%s: check page answers refused (bad or expired signature)", site.slug, definition.id)
        refill = check_page.unsign(token, site.slug, lang, definition.id, to_refill=True)
        form = form_class(site, definition, lang)(formdata=check_page.formdata(refill, with_csrf=False) if refill else None)
        return render_form(site, definition, lang, form, status=400,
                           notice="forms.error.csrf" if refill else "forms.check.tampered", returning=refill is not None)
    form = form_class(site, definition, lang)(formdata=check_page.formdata(answers))
    change = request.form.get(check_page.CHANGE_FIELD)
    if change is not None:
        names = {fdef.name for fdef in check_page.answer_fields(definition)}
        return render_form(site, definition, lang, form, focus=change if change in names else None, returning=True)
    if antiabuse.looks_automated(site.slug, definition.id):
        # The send step is checked too: a robot may post the signed answers without the form.
        form.validate()
        antiabuse.clear_traps(form)
        return render_form(site, definition, lang, form, notice=antiabuse.NOTICE, returning=True)
    if not form.validate():
        # Valid when signed, so only a change of the rules in between gets here: show the form.
        if form.errors.get("csrf_token"):
            form.csrf_token.errors = []
            return render_form(site, definition, lang, form, status=400, notice="forms.error.csrf", returning=True)
        return render_form(site, definition, lang, form, returning=True)
    key = check_page.send_key(request.form[check_page.CHECK_FIELD])
    return store_and_redirect(site, definition, lang, form, key="check:" + key)


def submission_key(site, definition, key: str | None) -> str | None:
    """What the store keeps for a send's key: bound to the site and form, of fixed length."""
    if key is None:
        return None
    return hashlib.sha256(f"{site.slug}|{definition.id}|{key}".encode()).hexdigest()


def policy() -> Policy:
    """The limits of this request (none with PORTAL_RATELIMIT_ENABLED=0: load tests)."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return Policy(secret=config["SECRET_KEY"])
    return Policy(secret=config["SECRET_KEY"], client=request.remote_addr or None,
                  address_rules=limit_rules(config["RATELIMIT_ADDRESS"]),
                  confirmations_per_day=int(config["CONFIRMATIONS_PER_RECIPIENT"]))


def store_and_redirect(site, definition, lang: str, form, *, key: str | None = None):
    """Store durably, then 303 to the receipt; a database that cannot write: 503, answers kept.

    `key`: this send's submission key: sent again, it gets the first send's receipt and nothing
    is stored or mailed. A client address over its limit: 429 with the answers kept."""
    reference = None
    try:
        accepted = intake.accept(site, definition.id, lang, form_answers(form), store=get_store(),
                                 municipalities=municipalities(), sender=current_app.config["MAIL_FROM"],
                                 submission_key=submission_key(site, definition, key), policy=policy(),
                                 definition=definition, base_url=public_url())
        reference = accepted.reference
    except AlreadySubmitted as exc:
        log.info("form %s/%s: the same send again, answered with its first receipt", site.slug, definition.id)
        reference = exc.reference
    except LimitReached:
        log.info("form %s/%s: not stored, the client address reached its limit", site.slug, definition.id)
        body, status, headers = render_form(site, definition, lang, form, status=429,
                                            notice="security.rate_limited", returning=True)
        return body, status, {**headers, "Retry-After": "60"}
    except StoreUnavailable as exc:
        # Logged without answers: the message comes from the database layer, not the citizen.
        log.error("submission not stored (%s/%s): %s", site.slug, definition.id, exc)
        return render_form(site, definition, lang, form, status=503, notice="forms.error.unavailable", returning=True)
    token = receipt_serializer().dumps({"ref": reference, "site": site.slug, "form": definition.id})
    return redirect(url_for("forms.received", slug=site.slug, lang=lang, form_id=definition.id, token=token), 303)


def posted_form(site, definition, lang: str):
    """(the form bound to what this POST carries, whether answers were lost): the form's fields,
    or the check page's signed answers, also old ones or another session's (none, and lost, only
    when their signature is bad). For pages that give the answers back on a refusal (CSRF, rate
    limit) without validating them."""
    if check_page.CHECK_FIELD not in request.form:
        return form_class(site, definition, lang)(formdata=current_names(request.form)), False
    answers = check_page.unsign(request.form.get(check_page.CHECK_FIELD), site.slug, lang, definition.id, to_refill=True)
    return form_class(site, definition, lang)(formdata=check_page.formdata(answers or {}, with_csrf=False)), answers is None


def render_csrf_error(slug: str, lang: str, form_id: str):
    """For the app-wide CSRFError: the form again with the answers just sent and a notice."""
    site, definition = lookup(slug, lang, form_id)
    returning = check_page.CHECK_FIELD in request.form or bool(request.form.get(check_page.RETURN_FIELD))
    form, lost = posted_form(site, definition, lang)
    # A check page whose answers cannot be read (expired with its token, another session) gives
    # back an empty form: say so, not "your answers are still there".
    return render_form(site, definition, lang, form, status=400,
                       notice="forms.check.tampered" if lost else "forms.error.csrf", returning=returning)


# --- the receipt ------------------------------------------------------------------------------

def _receipt(slug: str, lang: str, form_id: str, token: str):
    """(site, definition, receipt dict or None) for a receipt link. Raises 404/503 via abort."""
    site, definition = lookup(slug, lang, form_id)
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
    if receipt is not None and (receipt["site"] != slug or receipt["form_id"] != form_id):
        receipt = None
    return site, definition, receipt


def _render_receipt(template: str, endpoint: str, slug: str, lang: str, form_id: str, token: str):
    site, definition, receipt = _receipt(slug, lang, form_id, token)
    alternates = {other: url_for(endpoint, slug=slug, lang=other, form_id=form_id, token=token)
                  for other in site.languages}
    if receipt is None:
        body, status = render_page("forms/receipt_invalid.html", site=site, lang=lang, status=404,
                                   alternates=alternates, definition=definition,
                                   title=site_text(definition.title, lang, site),
                                   form_url=url_for("forms.form", slug=slug, lang=lang, form_id=form_id))
        return body, status, NO_STORE
    # In the page's language (the stored texts are in the language the form was sent in).
    facts = facts_for_receipt(receipt, lang, municipalities())
    office = facts.office
    body, status = render_page(
        template, site=site, lang=lang, alternates=alternates, definition=definition,
        receipt=receipt, facts=facts, office=office, office_tel=tel_href(office["phone"]) if office else "",
        text_title=site_text(definition.title, lang, site),
        next_steps=facts.next_steps,          # the competent office's, as in the e-mail
        print_url=url_for("forms.received_print", slug=slug, lang=lang, form_id=form_id, token=token),
        receipt_url=url_for("forms.received", slug=slug, lang=lang, form_id=form_id, token=token),
    )
    return body, status, NO_STORE


@bp.get("/forms/<slug>/<lang>/<form_id>/received/<token>")
def received(slug: str, lang: str, form_id: str, token: str):
    """The receipt: the legal acknowledgement (portal.intake.receipt.receipt_facts), never an answer."""
    return _render_receipt("forms/receipt.html", "forms.received", slug, lang, form_id, token)


@bp.get("/forms/<slug>/<lang>/<form_id>/received/<token>/print")
def received_print(slug: str, lang: str, form_id: str, token: str):
    """The same acknowledgement as a page to print or save as PDF with the browser (no script
    needed): no site header, navigation or buttons, black on white."""
    return _render_receipt("forms/receipt_print.html", "forms.received_print", slug, lang, form_id, token)


# The quick-exit button's files, copied from the site's theme so the forms work wherever the
# static site is hosted.
QUICK_EXIT_FILES = ("quick-exit.css", "quick-exit.js")


@bp.get("/forms/_quick-exit/<name>")
def quick_exit_asset(name: str):
    if name not in QUICK_EXIT_FILES:
        abort(404)
    folder = current_app.config["ROOT"] / "templates" / "theme" / "assets" / "portal"
    return send_file(folder / name, mimetype=mimetypes.guess_type(name)[0], max_age=300)


# --- branding ---------------------------------------------------------------------------------

@bp.get("/forms/_brand/<slug>/brand.css")
def brand_css(slug: str):
    """The site's colours as CSS custom properties (a file, so the CSP needs no inline style)."""
    site, _ = site_and_lang(slug, None)
    if site is None:
        abort(404)
    response = Response(branding.brand_css(site.branding), mimetype="text/css")
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

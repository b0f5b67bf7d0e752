"""Blueprint `office`: the staff inbox at /office/, where an office reads the applications routed
to its inbox (the answers stay on the server under `delivery: secure`).

- `GET/POST /office/sign-in`: the inbox's address; a one-time link is mailed to it only when it
  is a configured inbox, and the page is the same either way (nobody learns which addresses are
  inboxes). No new link while the inbox holds `LIVE_LINKS` that still work: a stranger who asks
  again and again fills the inbox with at most that many mails per link lifetime (15 minutes), and
  never locks staff out, as the mails he caused are working links in their mailbox. POSTs are
  rate-limited per client address (PORTAL_RATELIMIT_SIGN_IN, `portal.web.security`). The link is
  made and mailed in a background thread, so the answer takes as long for an inbox as for any
  other address.
- `GET /office/auth/<token>`: a page with one button; its POST spends the token, opens the
  session and goes to the list, or to the application whose link brought staff to sign-in
  (`?next=`, only an application's path). Not the GET: mail filters open links to scan them,
  which would spend the token.
- The session cookie is SameSite=Lax, so a link to an application in an office e-mail opens it
  from webmail too (Strict cookies are not sent on a navigation from another site); every POST
  carries a CSRF token, so Lax lets no other site change anything.
- `GET /office/`: the inbox's applications, newest first, paged; `GET /office/<reference>`: one
  application (every answer through the presenter of the check page, `portal.intake.present`),
  the routing reason, status buttons; `/office/<reference>/print`: the same, for paper or PDF.
- `POST /office/<reference>/status`, `POST /office/sign-out`.

Every view of an application is written to the access log (inbox, reference, time); every status
change with time and inbox. No IP address is stored. An application of another inbox is a 404,
as is an unknown reference. Pages are in the inbox's municipality's default language.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import queue
import re
import threading
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, make_response, redirect, request, url_for

from portal.common.i18n import LANGUAGE_NAMES, LANGUAGES, t
from portal.delivery.transport import DeliveryError, transport_for
from portal.intake.compose import KIND_FIELDS, compose_sign_in, valid_address
from portal.intake.forms import form_for_site
from portal.intake.present import answer_rows, choice_label
from portal.intake.receipt import BRUSSELS, decision_deadline, format_date, format_received
from portal.intake.routing import stored_reason_text
from portal.store.office import CLOSED_STATUSES, OFFICE_STATUSES
from portal.web import staff_auth
from portal.web.pages import get_store, municipalities, public_url, render_page

log = logging.getLogger(__name__)
bp = Blueprint("office", __name__, url_prefix="/office")
PAGE_SIZE = 25
LIVE_LINKS = 5
NO_STORE = {"Cache-Control": "no-store"}
REFERENCE_RE = re.compile(r"^[A-Z0-9]{3}-[0-9]{4}-[A-Z0-9]{5}$")


# --- who is signed in -----------------------------------------------------------------------

def _inboxes() -> dict:
    return staff_auth.configured_inboxes(municipalities())


def _signed_in() -> tuple[str, object] | None:
    """(inbox, its municipality) of this request's session, or None."""
    if "office_inbox" not in g:
        inbox = staff_auth.session_inbox(get_store(), request.cookies.get(staff_auth.COOKIE))
        entry = _inboxes().get(inbox.lower()) if inbox else None
        g.office_inbox = (inbox, entry[1]) if entry else None   # an inbox no longer configured: out
    return g.office_inbox


def _page(template: str, *, site, status: int = 200, **context):
    lang = site.default_language if site is not None else _sign_in_lang()
    signed = _signed_in() if request.endpoint not in ("office.sign_in", "office.auth") else None
    body, status = render_page(template, site=site, lang=lang, status=status, office_inbox=signed[0] if signed else None,
                               alternates=None, citizen_page=False, **context)
    return body, status, NO_STORE


def _sign_in_lang() -> str:
    """The language of the pages before sign-in (no municipality yet): `?lang=fr` or `?lang=de`, else Dutch."""
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else "nl"


def sign_in_url(lang: str, **args) -> str:
    """The sign-in page in `lang`: Dutch without a parameter, the others with `?lang=`."""
    return url_for("office.sign_in", **args) if lang == "nl" else url_for("office.sign_in", lang=lang, **args)


def _require_inbox():
    """The session's (inbox, municipality), or a redirect to sign-in that comes back to the
    application asked for (a link in an office e-mail, opened after the session ended)."""
    signed = _signed_in()
    if signed is None:
        back = _return_path(request.path)
        return None, redirect(url_for("office.sign_in", next=back) if back else url_for("office.sign_in"), 303)
    return signed, None


RETURN_PATH_RE = re.compile(r"^/office/[A-Z0-9]{3}-[0-9]{4}-[A-Z0-9]{5}(?:/print)?$")


def _return_path(value) -> str | None:
    """Where to go after sign-in: one application's page or print view of this backend, nothing
    else (an open redirect would let a mail that looks like ours send staff anywhere)."""
    return value if isinstance(value, str) and RETURN_PATH_RE.match(value) else None


# --- sign-in --------------------------------------------------------------------------------

@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Ask for the inbox address; mail a link when it is a configured inbox; same page either way."""
    lang = _sign_in_lang()
    if request.method == "GET":
        return _page("office/sign_in.html", site=None, email="", error=None, sent=False, lang_switch=_lang_switch(lang))
    typed = str(request.form.get("email") or "").strip()
    address = valid_address(typed)
    if address is None:
        return _page("office/sign_in.html", site=None, status=400, email=typed[:254],
                     error=t("office.sign_in.invalid", lang), sent=False, lang_switch=_lang_switch(lang))
    entry = _inboxes().get(address.lower())
    if entry is not None:
        _send_link(*entry, return_to=_return_path(request.args.get("next")))
    else:
        log.info("office: sign-in asked for an address that is no inbox")
    return _page("office/sign_in.html", site=None, email=address, error=None, sent=True, lang_switch=_lang_switch(lang))


def _lang_switch(lang: str) -> list:
    return [{"lang": other, "name": LANGUAGE_NAMES[other], "current": other == lang, "url": sign_in_url(other)}
            for other in LANGUAGES]


def _send_link(inbox: str, municipality, *, return_to: str | None = None) -> None:
    """Hand the making and mailing of a link to this process's sign-in thread. Nothing of it runs
    on the request's path (no database write, no composing, no SMTP), so the answer comes as fast
    for an inbox as for any other address: its timing does not tell which addresses are inboxes."""
    job = functools.partial(_make_and_mail_link, get_store(), inbox, municipality, public_url(),
                            current_app.config["MAIL_FROM"],
                            transport_for(current_app.config.get("SMTP_URL"), current_app.config["MAIL_DIR"]), return_to)
    try:
        _sign_in_jobs.put_nowait(job)
    except queue.Full:
        log.warning("office: sign-in link for an inbox of %s dropped: too many waiting", municipality.slug)
        return
    _start_sign_in_thread()


_sign_in_jobs: queue.Queue = queue.Queue(maxsize=100)
_sign_in_thread: threading.Thread | None = None
_sign_in_thread_lock = threading.Lock()


def _start_sign_in_thread() -> None:
    """One thread per process (started after gunicorn forks, on the first sign-in): one database
    connection for all sign-in mails, however many are asked for."""
    global _sign_in_thread
    with _sign_in_thread_lock:
        if _sign_in_thread is None or not _sign_in_thread.is_alive():
            _sign_in_thread = threading.Thread(target=_run_sign_in_jobs, name="office-sign-in-mail", daemon=True)
            _sign_in_thread.start()


def _run_sign_in_jobs() -> None:
    while True:
        job = _sign_in_jobs.get()
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - the thread must live on for the next sign-in
            log.error("office: a sign-in link failed: %s", type(exc).__name__)


def _make_and_mail_link(store, inbox: str, municipality, base_url: str, mail_from: str, transport,
                        return_to: str | None = None) -> None:
    """Unless the inbox already holds `LIVE_LINKS` working links: a new one, mailed to it (with the
    page to open after sign-in, `return_to`, and the inbox's language for the button page). This
    thread's database connection is closed before the mail leaves: sign-ins are rare, and a
    connection kept open for the next one would outlive the store it belongs to."""
    slug = municipality.slug
    try:
        if store.count_live_sign_in_tokens(inbox) >= LIVE_LINKS:
            log.warning("office: no new sign-in link for an inbox of %s: %s unused ones still work", slug, LIVE_LINKS)
            return
        token = staff_auth.new_sign_in_token(store, inbox)
    finally:
        store.close()
    link = staff_auth.sign_in_link(base_url, token)
    query = {"lang": municipality.default_language} if municipality.default_language != "nl" else {}
    if return_to:
        query["next"] = return_to
    if query:
        link += "?" + urlencode(query)
    message = compose_sign_in(inbox=inbox, link=link, municipality=municipality,
                              when=dt.datetime.now(BRUSSELS), sender=mail_from)
    try:
        transport.send(message["From"].addresses[0].addr_spec, inbox, message.as_bytes())
        log.info("office: sign-in link mailed to an inbox of %s", slug)
    except DeliveryError as exc:
        log.error("office: sign-in link for an inbox of %s not delivered: %s", slug, exc.summary)
        # A link that never arrived must not count as one staff hold: once the mail server is
        # back, the next request gets a link at once.
        try:
            staff_auth.spend_sign_in_token(store, token)
        finally:
            store.close()


@bp.route("/auth/<token>", methods=["GET", "POST"])
def auth(token: str):
    """GET: one button (the token is not spent); POST: spend it, open a session, go to the list."""
    if request.method == "GET":
        return _page("office/auth.html", site=None, invalid=False)
    inbox = staff_auth.spend_sign_in_token(get_store(), token)
    entry = _inboxes().get(inbox.lower()) if inbox else None
    if entry is None:
        log.info("office: a used, expired or unknown sign-in link was refused")
        return _page("office/auth.html", site=None, status=400, invalid=True)
    response = redirect(_return_path(request.args.get("next")) or url_for("office.inbox"), 303)
    _set_cookie(response, staff_auth.start_session(get_store(), entry[0]))
    log.info("office: signed in to an inbox of %s", entry[1].slug)
    return response


def _set_cookie(response, value: str) -> None:
    response.set_cookie(staff_auth.COOKIE, value, path=staff_auth.COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


@bp.post("/sign-out")
def sign_out():
    signed = _signed_in()
    lang = signed[1].default_language if signed else _sign_in_lang()
    staff_auth.end_session(get_store(), request.cookies.get(staff_auth.COOKIE))
    response = make_response(redirect(sign_in_url(lang, signed_out=1), 303))
    response.delete_cookie(staff_auth.COOKIE, path=staff_auth.COOKIE_PATH, httponly=True, samesite="Lax",
                           secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


# --- the list ---------------------------------------------------------------------------------

def _definition(submission):
    """The form as the sending site showed it (labels), or None when it no longer loads."""
    definition = current_app.extensions["portal_forms"].get(submission.form_id)
    site = municipalities().get(submission.site_slug)
    if definition is None or site is None:
        return definition
    try:
        return form_for_site(definition, site)
    except Exception:  # noqa: BLE001 - a broken override file: the shared labels still read well
        return definition


def _summary(submission, lang: str, site) -> dict:
    """What the list and the page header show of an application: no answer but the kind of help."""
    answers = submission.answers or {}
    kind_field = KIND_FIELDS.get(submission.form_id, "")
    deadline = decision_deadline(submission.form_id, answers.get("help_type"), submission.received_at) if answers else None
    today = dt.datetime.now(BRUSSELS).date()
    return {
        "reference": submission.reference,
        "form": t(f"mail.form_title.{submission.form_id}", lang),
        "kind": choice_label(_definition(submission), kind_field, answers.get(kind_field), lang, site),
        "received": format_received(submission.received_at, lang),
        "received_iso": submission.received_at.isoformat(timespec="minutes"),
        "deadline": format_date(deadline, lang) if deadline else "",
        "overdue": bool(deadline and deadline < today and submission.status not in CLOSED_STATUSES + ("purged",)),
        "status": submission.status,
        "status_text": t(f"office.status.{submission.status}", lang),
        "not_competent": submission.outside_area,
        "url": url_for("office.detail", reference=submission.reference),
    }


@bp.get("/")
def inbox():
    signed, response = _require_inbox()
    if response:
        return response
    address, site = signed
    lang = site.default_language
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    page = min(page, 10**6)             # the database takes no offset beyond 64 bits; nobody has a million pages
    submissions, total = get_store().list_for_inbox(address, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return _page("office/list.html", site=site, rows=[_summary(s, lang, site) for s in submissions],
                 page=page, pages=pages, total=total,
                 previous=url_for("office.inbox", page=page - 1) if page > 1 else None,
                 next=url_for("office.inbox", page=page + 1) if page < pages else None)


# --- one application ------------------------------------------------------------------------

def _own(reference: str):
    """(inbox, site, submission) or a response: sign-in, or 404 for an unknown or another inbox's."""
    signed, response = _require_inbox()
    if response:
        return None, response
    address, site = signed
    submission = get_store().get_submission(reference) if REFERENCE_RE.match(reference) else None
    if submission is None or submission.inbox.lower() != address.lower():
        body, status, headers = _page("office/not_found.html", site=site, status=404)
        return None, (body, status, headers)
    return (address, site, submission), None


def _detail_context(address: str, site, submission) -> dict:
    lang = site.default_language
    store = get_store()
    store.log_access(inbox=address, reference=submission.reference)
    history = [{**change, "when": format_received(change["changed_at"], lang),
                "text": t(f"office.status.{change['status']}", lang)} for change in store.status_history(submission.reference)]
    owner = municipalities().get(submission.competent_slug) or site
    erase_by = (submission.received_at + dt.timedelta(days=owner.retention_max_days)).date()
    return {
        "summary": _summary(submission, lang, site),
        "rows": answer_rows(_definition(submission), submission.answers, lang, municipalities().get(submission.site_slug) or site)
        if submission.answers is not None else None,
        "reason": stored_reason_text(reason=submission.route_reason, outside_area=submission.outside_area,
                                     answers=submission.answers, site_slug=submission.site_slug,
                                     competent_slug=submission.competent_slug, municipalities=municipalities(), lang=lang),
        "sent_from": (lambda m: m.text(m.name, lang) if m else submission.site_slug)(municipalities().get(submission.site_slug)),
        "citizen_lang": {"code": submission.lang, "name": LANGUAGE_NAMES.get(submission.lang, submission.lang)},
        "history": history,
        "retention": t("office.detail.retention", lang, days=owner.retention_days, date=format_date(erase_by, lang))
        if submission.answers is not None else None,          # erased: the answers' section says so
    }


@bp.get("/<reference>")
def detail(reference: str):
    owned, response = _own(reference)
    if response:
        return response
    address, site, submission = owned
    return _page("office/detail.html", site=site, statuses=OFFICE_STATUSES,
                 print_url=url_for("office.print_view", reference=reference),
                 status_url=url_for("office.status", reference=reference),
                 **_detail_context(address, site, submission))


@bp.get("/<reference>/print")
def print_view(reference: str):
    owned, response = _own(reference)
    if response:
        return response
    address, site, submission = owned
    return _page("office/print.html", site=site, detail_url=url_for("office.detail", reference=reference),
                 **_detail_context(address, site, submission))


@bp.post("/<reference>/status")
def status(reference: str):
    owned, response = _own(reference)
    if response:
        return response
    address, _, submission = owned
    new = request.form.get("status")
    if new not in OFFICE_STATUSES or (new == "forwarded" and not submission.outside_area):
        body, status_code, headers = _page("office/not_found.html", site=owned[1], status=400)
        return body, status_code, headers
    note = str(request.form.get("forwarded_to") or "").strip()[:120] if new == "forwarded" else None
    get_store().set_status(reference, new, inbox=address, note=note)
    log.info("office: %s marked %s", reference, new)
    return redirect(url_for("office.detail", reference=reference), 303)

"""Error pages for every status the backend answers with, in the site's language and colours.

Registered in one place by `register(app)`. An expired or missing CSRF token on a form is not an
error page: the form comes back with the answers kept and a notice (`views.render_csrf_error`).
"""

from __future__ import annotations

import logging

from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from portal.common.i18n import LANGUAGES
from portal.web.pages import render_page, site_for_request
from portal.web.views import render_csrf_error

log = logging.getLogger(__name__)

# status -> (title key, text key)
PAGES = {
    400: ("forms.page.bad_request_title", "forms.page.bad_request"),
    404: ("forms.page.not_found_title", "forms.page.not_found"),
    405: ("forms.page.method_title", "forms.page.method"),
    413: ("forms.page.too_large_title", "forms.page.too_large"),
    429: ("forms.page.too_many_title", "forms.page.too_many"),
    500: ("forms.page.error_title", "forms.page.error"),
    503: ("forms.page.unavailable_title", "forms.page.unavailable"),
}


def error_page(status: int):
    site, lang = site_for_request()
    title_key, text_key = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    body, status = render_page("forms/error.html", site=site, lang=lang, status=status,
                               title_key=title_key, text_key=text_key,
                               languages=LANGUAGES)
    return body, status, {"Cache-Control": "no-store"}


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        args = request.view_args or {}
        if request.endpoint == "forms.form" and {"slug", "lang", "form_id"} <= set(args):
            try:
                return render_csrf_error(args["slug"], args["lang"], args["form_id"])
            except NotFound:
                # A POST to a form this site does not offer: its 404, not a 500 from this handler.
                return error_page(404)
        return error_page(400)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        response = error_page(exc.code)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response[2]["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        # The traceback goes to the log (no request data in it); the citizen sees a page.
        log.exception("unexpected error on %s %s", request.method, request.url_rule)
        return error_page(500)

"""Quick exit: a "leave this page" button on sensitive pages and forms, and the neutral page it opens.

The button is a plain link to a neutral page on the same site, so it works without JavaScript;
`templates/theme/assets/portal/quick-exit.js` makes it replace the current history entry
(`location.replace`) so Back does not return to the sensitive page, and adds a keyboard shortcut
(Shift pressed three times, as on GOV.UK's "Exit this page"). No other host is involved: the
neutral page is a plain calendar page of this site, without the municipality's branding or any
word about social services, titled like something anyone might look at.

The markup is one partial, `templates/theme/partials/quick-exit.html`, included by the site's
theme and by the form pages (with `href` from `neutral_page_url`), plus `quick-exit.css` and
`quick-exit.js` (`defer`). The neutral page draws its calendar with `calendar.js` and
`calendar.css` from the same folder.
"""

from __future__ import annotations

from markupsafe import escape

from portal.common.i18n import t
from portal.common.paths import language_root


def neutral_page_html(lang: str, default_language: str) -> str:
    """A page that gives nothing away: today's date and the month, nothing else.

    Its look and its calendar are files of the site (`assets/portal/calendar.css`, `calendar.js`),
    not inline code: the static pages' Content-Security-Policy allows none. The script reads the
    language from `<html lang>`.
    """
    title = escape(t("quick_exit.neutral_title", lang))
    assets = "../" * language_root(lang, default_language).count("/") + "assets/portal/"
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="stylesheet" href="{assets}calendar.css">
</head>
<body>
<main>
<h1>{title}</h1>
<p id="today"></p>
<table id="month" hidden><caption id="caption"></caption><thead id="days"></thead><tbody id="weeks"></tbody></table>
</main>
<script src="{assets}calendar.js"></script>
</body>
</html>
"""

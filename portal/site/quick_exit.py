"""Quick exit: a "leave this page" button on sensitive pages and forms, and the neutral page it opens.

The button is a plain link to a neutral page on the same site, so it works without JavaScript;
`templates/theme/assets/portal/quick-exit.js` makes it replace the current history entry
(`location.replace`) so Back does not return to the sensitive page, and adds a keyboard shortcut
(Shift pressed three times, as on GOV.UK's "Exit this page"). No other host is involved: the
neutral page is a plain calendar page of this site, without the municipality's branding or any
word about social services, titled like something anyone might look at.

The markup is one partial, `templates/theme/partials/quick-exit.html`, included by the site's
theme and by the form pages (with `href` from `neutral_page_url`), plus `quick-exit.css` and
`quick-exit.js` (`defer`).
"""

from __future__ import annotations

from markupsafe import escape

from portal.common.i18n import t


def neutral_page_html(lang: str) -> str:
    """A page that gives nothing away: today's date and the month, nothing else."""
    title = escape(t("quick_exit.neutral_title", lang))
    locale = {"nl": "nl-BE", "fr": "fr-BE", "de": "de-BE"}[lang]
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 30rem; padding: 0 1rem; color: #1d1d1b; }}
table {{ border-collapse: collapse; width: 100%; text-align: center; }}
th, td {{ padding: .4rem; }}
td.today {{ background: #1d1d1b; color: #fff; border-radius: .2rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p id="today"></p>
<table id="month" hidden><caption id="caption"></caption><thead id="days"></thead><tbody id="weeks"></tbody></table>
</main>
<script>
(function () {{
  var now = new Date(), locale = "{locale}";
  document.getElementById("today").textContent = now.toLocaleDateString(locale, {{weekday: "long", day: "numeric", month: "long", year: "numeric"}});
  document.getElementById("caption").textContent = now.toLocaleDateString(locale, {{month: "long", year: "numeric"}});
  var days = document.createElement("tr");  // a <tr> only with its cells: an empty one is invalid HTML
  document.getElementById("days").appendChild(days);
  for (var d = 0; d < 7; d++) {{
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = new Date(2024, 0, 1 + d).toLocaleDateString(locale, {{weekday: "short"}});
    days.appendChild(th);
  }}
  var first = new Date(now.getFullYear(), now.getMonth(), 1), offset = (first.getDay() + 6) % 7;
  var last = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate(), row = null, weeks = document.getElementById("weeks");
  for (var i = 0; i < offset + last; i++) {{
    if (i % 7 === 0) {{ row = document.createElement("tr"); weeks.appendChild(row); }}
    var cell = document.createElement("td"), day = i - offset + 1;
    if (day > 0) {{ cell.textContent = day; if (day === now.getDate()) {{ cell.className = "today"; }} }}
    row.appendChild(cell);
  }}
  document.getElementById("month").hidden = false;
}})();
</script>
</body>
</html>
"""

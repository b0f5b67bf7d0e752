/* The quick exit's neutral page (portal/site/quick_exit.py): today's date and this month, in the
   page's language (<html lang>: nl, fr or de, written as in Belgium). A file, not inline code: the
   static pages' policy allows no inline script. Loaded at the end of <body>. */
(function () {
  var now = new Date(), locale = document.documentElement.lang + "-BE";
  document.getElementById("today").textContent = now.toLocaleDateString(locale, {weekday: "long", day: "numeric", month: "long", year: "numeric"});
  document.getElementById("caption").textContent = now.toLocaleDateString(locale, {month: "long", year: "numeric"});
  var days = document.createElement("tr");  // a <tr> only with its cells: an empty one is invalid HTML
  document.getElementById("days").appendChild(days);
  for (var d = 0; d < 7; d++) {
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = new Date(2024, 0, 1 + d).toLocaleDateString(locale, {weekday: "short"});
    days.appendChild(th);
  }
  var first = new Date(now.getFullYear(), now.getMonth(), 1), offset = (first.getDay() + 6) % 7;
  var last = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate(), row = null, weeks = document.getElementById("weeks");
  for (var i = 0; i < offset + last; i++) {
    if (i % 7 === 0) { row = document.createElement("tr"); weeks.appendChild(row); }
    var cell = document.createElement("td"), day = i - offset + 1;
    if (day > 0) { cell.textContent = day; if (day === now.getDate()) { cell.className = "today"; } }
    row.appendChild(cell);
  }
  document.getElementById("month").hidden = false;
})();

/*
 * Loads mkdocs-material's bundle only when a citizen searches (templates/theme/main.html says why):
 * when the search opens (the header button, a click in the field, the keys s, f and /) or the page
 * was opened with a search term (?q= or search.highlight's ?h=). A file, not inline code: the
 * static pages' Content-Security-Policy allows no inline script.
 *
 * Markup (main.html), at the end of <body>, synchronous, after the theme's helpers
 * (partials/javascripts/base.html) and the search field:
 *   <script src=".../assets/portal/search-loader.js" data-bundle=".../assets/javascripts/bundle.HASH.min.js"></script>
 */
(function () {
  var root = document.documentElement, toggle = document.getElementById("__search"), loaded = false;
  // Read now: document.currentScript is this tag only while the file runs.
  var bundle = document.currentScript.getAttribute("data-bundle");
  root.classList.add("portal-lazy-js");
  function load() {
    if (loaded) return;
    loaded = true;
    // hreflang links are for search engines (absolute, the published host): the bundle would fetch
    // a sitemap.xml beside each one (main.html says why they go).
    document.querySelectorAll("link[rel=alternate][hreflang]").forEach(function (link) { link.remove(); });
    var script = document.createElement("script");
    script.src = bundle;
    // The bundle waits for DOMContentLoaded, which has passed by now: repeat it (the portal's own
    // scripts listen to it only once).
    script.onload = function () { document.dispatchEvent(new Event("DOMContentLoaded")); };
    document.body.appendChild(script);
  }
  var query = document.querySelector("[data-md-component=search-query]");
  if (!toggle || !query) return;
  toggle.addEventListener("change", load);
  query.addEventListener("focus", load);
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (loaded || event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable
        || /^(input|textarea|select)$/i.test(target.tagName)) return;
    if (["s", "S", "f", "F", "/"].indexOf(event.key) >= 0) {
      event.preventDefault();
      toggle.checked = true;
      load();
    }
  });
  if (/[?&](q|h)=/.test(location.search)) load();
})();

/* mkdocs-material 9.8.2's partials/javascripts/content.html (last script) as a file, unchanged (the
   static pages' policy allows no inline script; tests/test_theme_markup.py compares it with the
   installed theme): a link to a content tab opens that tab. */
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))

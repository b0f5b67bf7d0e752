/* mkdocs-material 9.8.2's partials/javascripts/content.html (first script) as a file, unchanged
   (the static pages' policy allows no inline script; tests/test_theme_markup.py compares it with the
   installed theme): with the content.tabs.link feature, the tab the reader chose last. */
var tabs=__md_get("__tabs");if(Array.isArray(tabs))e:for(var set of document.querySelectorAll(".tabbed-set")){var labels=set.querySelector(".tabbed-labels");for(var tab of tabs)for(var label of labels.getElementsByTagName("label"))if(label.innerText.trim()===tab){var input=document.getElementById(label.htmlFor);input.checked=!0;continue e}}

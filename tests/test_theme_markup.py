"""The theme files copied from mkdocs-material (templates/theme/base.html, partials/search.html,
partials/nav-item.html, partials/toc.html) are the installed theme's with only their documented change,
the theme's inline scripts that we moved to files (partials/javascripts/*.html ->
assets/portal/javascripts/*.js: the static pages' Content-Security-Policy allows no inline script)
are its code with only their documented change, and the lazily loaded bundle of main.html is the
one the theme ships: a theme upgrade fails here until the copies are redone, instead of silently
serving an old base.html or old helpers."""

from __future__ import annotations

import re
from pathlib import Path

import material

from tests.conftest import ROOT

UPSTREAM = Path(material.__file__).parent / "templates"
OURS = ROOT / "templates" / "theme"
HEADER = re.compile(r"\A\{#-.*?-#\}\n", re.S)

# The theme's Google Fonts block, emptied in our base.html: no template of ours names another host.
FONTS_BLOCK = """    {% block fonts %}
      {% if config.theme.font != false %}
        {% set text = config.theme.font.text | d("Roboto", true) %}
        {% set code = config.theme.font.code | d("Roboto Mono", true) %}
        <link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
        <link rel="stylesheet" href="https://fonts.googleapis.com/css?family={{
            text | replace(' ', '+') + ':300,300i,400,400i,700,700i%7C' +
            code | replace(' ', '+') + ':400,400i,700,700i'
          }}&display=fallback">
        <style>:root{--md-text-font:"{{ text }}";--md-code-font:"{{ code }}"}</style>
      {% endif %}
    {% endblock %}
"""
EDITS = {
    "base.html": [(' id="__drawer" autocomplete="off">', ' id="__drawer">'), (' id="__search" autocomplete="off">', ' id="__search">'),
                  (FONTS_BLOCK, "    {% block fonts %}{% endblock %}\n"),
                  ("        {% for alt in config.extra.alternate %}\n          <link rel=\"alternate\"",
                   "        {% for alt in (portal_hreflang if portal_hreflang is defined else config.extra.alternate) %}\n"
                   "          <link rel=\"alternate\"")],
    "partials/search.html": [('      <label class="md-search__icon md-icon" for="__search">',
                              '''      <button type="submit" class="md-search__submit" tabindex="-1">{{ lang.t('search') }}</button>\n'''
                              '''      <label class="md-search__icon md-icon" for="__search">''')],
    "partials/nav-item.html": [('      <input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">\n', ''),
                               ('      {% if toc %}\n        <label class="md-nav__link md-nav__link--active" for="__toc">',
                                '      {% if toc %}\n        <input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">\n'
                                '        <label class="md-nav__link md-nav__link--active" for="__toc">')],
    "partials/toc.html": [('    <label class="md-nav__title" for="__toc">\n', '    {% if page in nav.pages %}\n    <label class="md-nav__title" for="__toc">\n'),
                          ('      {{ title }}\n    </label>\n', '      {{ title }}\n    </label>\n    {% endif %}\n')],
    # Dutch landmark labels a screen reader reads out on every page (tests/test_theme_translations.py).
    "partials/languages/nl.html": [('"footer": "Footer"', '"footer": "Paginavoet"'), ('"header": "Header"', '"header": "Paginakop"'),
                                   ('"search.result.one": "1 overeenkomende document"',
                                    '"search.result.one": "1 overeenkomend document"')],
}


# The theme's inline scripts, each now a file of the site loaded by our partial of the same name, at
# the same place: {upstream partial: [(our file, edits of that <script>'s code), one per <script>]}.
# base.html: the storage scope, which the theme wrote into the script, comes from the tag's
# data-md-scope attribute (partials/javascripts/base.html writes the same value there).
SCRIPT_FILES = {
    "partials/javascripts/base.html": [
        ("assets/portal/javascripts/base.js",
         [('new URL("{{ config.extra.scope | d(base_url) }}",location)',
           'new URL(document.currentScript.getAttribute("data-md-scope"),location)')])],
    "partials/javascripts/palette.html": [("assets/portal/javascripts/palette.js", [])],
    "partials/javascripts/content.html": [("assets/portal/javascripts/content-tabs.js", []),
                                          ("assets/portal/javascripts/content.js", [])],
}
JS_HEADER = re.compile(r"\A/\*.*?\*/\n", re.S)


def test_the_themes_inline_scripts_are_files_with_only_their_documented_change():
    for name, files in SCRIPT_FILES.items():
        upstream = (UPSTREAM / name).read_text(encoding="utf-8")
        scripts = re.findall(r"<script>(.*?)</script>", upstream, re.S)
        assert len(scripts) == len(files), f"{name}: the theme changed its scripts; redo the files"
        partial = (OURS / name).read_text(encoding="utf-8")
        assert "<script>" not in partial, f"{name}: an inline script again"
        for code, (file, edits) in zip(scripts, files):
            for old, new in edits:
                assert code.count(old) == 1, f"{name}: the theme changed ({old!r}); redo {file}"
                code = code.replace(old, new)
            ours = JS_HEADER.sub("", (OURS / file).read_text(encoding="utf-8"), count=1)
            assert ours.strip() == code.strip(), file
            assert f"<script src=\"{{{{ '{file}' | url }}}}\"" in partial, f"{name} does not load {file}"
    # The tabs script stays behind the theme's feature switch, as upstream.
    feature = '{% if "content.tabs.link" in features %}'
    assert feature in (UPSTREAM / "partials/javascripts/content.html").read_text()
    assert feature in (OURS / "partials/javascripts/content.html").read_text()


def test_copied_theme_files_are_upstream_plus_their_documented_change():
    for name, edits in EDITS.items():
        expected = HEADER.sub("", (UPSTREAM / name).read_text(encoding="utf-8"), count=1)
        for old, new in edits:
            assert expected.count(old) == 1, f"{name}: the theme changed ({old!r}); redo the copy"
            expected = expected.replace(old, new)
        assert HEADER.sub("", (OURS / name).read_text(encoding="utf-8"), count=1) == expected, name


def test_the_lazily_loaded_bundle_is_the_themes():
    bundle = re.search(r"assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js", (UPSTREAM / "base.html").read_text()).group(0)
    assert bundle in (OURS / "main.html").read_text()
    assert (UPSTREAM / bundle).exists()


def test_no_template_loads_anything_from_another_host():
    """Built pages ask only their own host: no stylesheet, script, font or image from elsewhere is
    even written in a template (links a citizen follows, <a href>, are another matter)."""
    loads = re.compile(r"<(?:link|script|img|iframe|source)\b[^>]*\b(?:href|src)=[\"'](?:https?:)?//|@import\s+url\([\"']?(?:https?:)?//|url\([\"']?https?://", re.I)
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "templates").rglob("*")) if path.suffix in (".html", ".css", ".js", ".txt")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if loads.search(line)]
    assert found == []

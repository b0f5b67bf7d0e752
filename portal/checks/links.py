"""Internal links and anchors, resolved per language on one municipality's site.

A link is resolved the way MkDocs does it: relative to the page, inside the docs tree of this
municipality (`<lang>/<page>`), after the overlay. So the same catalogue sentence can be fine on
one site and broken on another that does not list the service it points to.

A web address instead of a file (`/spi/`, `../leefloon/`) is never checked by MkDocs, and a
root-absolute one breaks where the site is not at the root of its domain (`portal serve` puts it
under /<slug>/). It is resolved in the built site's layout (portal.common.paths.page_path: the
first language at /, the others at /fr/ ...) to name the file to link to, or what is missing.
"""

from __future__ import annotations

import difflib
import posixpath
from urllib.parse import unquote, urlsplit

from portal.checks.markdown import Line, is_internal, links
from portal.checks.national import not_in_region, regions_elsewhere
from portal.common.findings import Finding
from portal.common.i18n import LANGUAGES
from portal.common.paths import page_path
from portal.municipal.config import SERVICE_IDS
from portal.site.content import catalogue_dir


def check_links(site, tree_path: str, lines: list[Line]) -> list[Finding]:
    """Findings for each link or image of page `tree_path` that does not resolve on `site`."""
    page = site.pages[tree_path]
    findings = []
    for link in links(lines):
        if link.image and not link.text.strip():
            findings.append(Finding(page.path, link.line, f"image {link.target or '(no src)'} has no alt text",
                                    hint="describe what it shows: ![Map to the office](map.png); "
                                         "a purely decorative image: <img src=... alt=\"\">"))
        if link.target.startswith("/forms/"):
            problem = _form_link(site, page.lang, link.target)
            if problem:
                findings.append(Finding(page.path, link.line, problem, hint=FORM_HINT))
            continue
        if _is_root_absolute(link.target) or (is_internal(link.target) and _is_web_address(link.target)):
            problem = _web_address(site, tree_path, link.target, image=link.image)
        elif is_internal(link.target) or link.target.startswith("#"):
            problem = _resolve(site, tree_path, link.target, image=link.image)
        else:
            continue
        if problem:
            message, hint = problem
            findings.append(Finding(page.path, link.line, message, hint=hint))
    return findings


FORM_HINT = ('write {{ form_button("support-application") }} instead: it links to the form of the site '
             "being built, in the page's language, and shows nothing on a site without that form")


def _form_link(site, lang: str, target: str) -> str | None:
    """A hand-written /forms/<slug>/<lang>/<form>/ link must be this site's, language's, offered form."""
    m = site.municipality
    parts = [p for p in target.split("#")[0].split("?")[0].split("/") if p]
    if len(parts) < 4:
        return f"link to {target!r}: not a form address (/forms/<municipality>/<language>/<form>/)"
    slug, form_lang, form_id = parts[1:4]
    if slug != m.slug:
        return f"link to {target!r}: the form of {slug!r}, not of {m.slug}"
    if form_lang != lang:
        return f"link to {target!r}: the {form_lang!r} form on a {lang!r} page"
    if form_id not in m.forms:
        return f"link to {target!r}: {m.slug} does not offer the form {form_id!r} (no inbox for it)"
    return None


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")


def _resolve(site, tree_path: str, target: str, image: bool = False) -> tuple[str, str] | None:
    """None when `target` resolves from page `tree_path`, else (message, hint)."""
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(tree_path), path))
        if resolved.startswith(".."):
            return f"link to {target!r} points outside the site", "link to a page of this site, e.g. index.md"
        if not site.has(resolved) and site.has(resolved + ".md"):
            return (f"link to {target!r}: link to the markdown file instead",
                    f"write {posixpath.relpath(resolved + '.md', posixpath.dirname(tree_path))}")
        if not site.has(resolved):
            return _missing(site, tree_path, target, resolved, image)
    else:
        resolved = tree_path
    return _anchor(site, tree_path, resolved, anchor)


def _anchor(site, tree_path: str, resolved: str, anchor: str) -> tuple[str, str] | None:
    """None when page `resolved` has the element id `anchor` (or there is none to check)."""
    if anchor and resolved.endswith(".md"):
        ids = site.ids(resolved)
        if ids is not None and anchor not in ids:
            close = difflib.get_close_matches(anchor, sorted(ids), n=1)
            where = "this page" if resolved == tree_path else repr(resolved.split("/", 1)[1])
            hint = f"did you mean #{close[0]}?" if close else ("anchors there: " + ", ".join(f"#{i}" for i in sorted(ids))[:200] if ids else "that page has no headings")
            return f"anchor #{anchor} does not exist in {where}", hint
    return None


def _is_root_absolute(target: str) -> bool:
    return target.startswith("/") and not target.startswith("//")


def _is_web_address(target: str) -> bool:
    """A relative link written as an address (`leefloon/`, `../spi/`), not as a file."""
    path = target.partition("#")[0].partition("?")[0]
    return bool(path) and (path.endswith("/") or "." not in posixpath.basename(path))


def _tree_path(site, url_path: str) -> str:
    """The docs-tree path ("nl/spi.md") of the page or file at `url_path` from the site root
    ("spi/", "fr/leefloon/", "plan.png"): the built site's layout (paths.page_path) read backwards."""
    m = site.municipality
    first, _, rest = url_path.partition("/")
    lang, rest = (first, rest) if first in LANGUAGES and first != m.default_language else (m.default_language, url_path)
    rest = rest.removesuffix("index.html")
    last = posixpath.basename(rest.rstrip("/"))
    if rest and not rest.endswith("/") and "." in last:      # a file: plan.png, or an old-style leefloon.html
        candidates = [f"{lang}/{rest}", f"{lang}/{rest.removesuffix('.html')}.md"]
    else:
        stem = rest.strip("/")
        candidates = [f"{lang}/{stem}.md", f"{lang}/{stem}/index.md"] if stem else [f"{lang}/index.md"]
    return next((c for c in candidates if site.has(c)), candidates[0])


def _published_at(m) -> str:
    """The path the site is published at: its site_url's ("/" without one)."""
    return urlsplit(m.site_url or "").path.rstrip("/") + "/"


def _web_address(site, tree_path: str, target: str, image: bool = False) -> tuple[str, str] | None:
    """A link to an address instead of a file: the file to write when the address is a page of
    this site, else what is missing."""
    m, page = site.municipality, site.pages[tree_path]
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if _is_root_absolute(target):
        # Also /<slug>/..., copied from `portal serve`.
        prefixes = sorted({_published_at(m), f"/{m.slug}/"}, key=len, reverse=True)
        prefix = next((p for p in prefixes if path.startswith(p) or path + "/" == p), None)
        if prefix is None:
            return (f"link to {target!r} points outside the site (it is published at {_published_at(m)})",
                    "link to a page of this site by its file name, e.g. index.md")
        url = path[len(prefix):]
    else:
        base = page_path(page.name, page.lang, m.default_language)
        url = posixpath.normpath(posixpath.join(base, path))
        if url.startswith(".."):
            return f"link to {target!r} points outside the site", "link to a page of this site by its file name, e.g. index.md"
        url = "" if url == "." else url + ("/" if path.endswith("/") else "")
    resolved = _tree_path(site, url)
    if site.has(resolved):
        file = posixpath.relpath(resolved, posixpath.dirname(tree_path))
        hint = f"write {file}{'#' + anchor if anchor else ''}: a web address breaks where the site is not at the root of its domain"
        wrong_anchor = _anchor(site, tree_path, resolved, anchor)
        if wrong_anchor:
            hint = f"write {file}#..., and mind the anchor: {wrong_anchor[0]} ({wrong_anchor[1]})"
        return f"link to {target!r} is a web address: link to the file instead", hint
    if not _is_root_absolute(target):     # `leefloon` for leefloon.md: the old hint
        beside = posixpath.normpath(posixpath.join(posixpath.dirname(tree_path), path))
        if site.has(beside + ".md"):
            return (f"link to {target!r}: link to the markdown file instead",
                    f"write {posixpath.relpath(beside + '.md', posixpath.dirname(tree_path))}")
    message, hint = _missing(site, tree_path, target, resolved, image)
    return message, f"{hint}; and link by file name, not by web address"


def _missing(site, tree_path: str, target: str, resolved: str, image: bool = False) -> tuple[str, str]:
    m = site.municipality
    lang, _, name = resolved.partition("/")
    stem = posixpath.splitext(name)[0]
    if lang not in m.languages:
        return f"link to {target!r}: this site has no {lang!r} pages", "languages: " + ", ".join(m.languages)
    if stem in SERVICE_IDS and (catalogue_dir(site.root, lang) / name).is_file():
        if regions_elsewhere(m, stem):   # the same rule as the services check: no hint it would refuse
            return (f"link to {target!r}: {not_in_region(m, stem)}, so {m.slug} has no such page",
                    f"remove the link on this site: a page of its own in site_config/{m.slug}/content/{lang}/ "
                    "can replace this one")
        return (f"link to {target!r}: {m.slug} does not list the service {stem!r}, so the page is not on this site",
                f"add {stem} to services in site_config/{m.slug}.yml, or remove the link on this site "
                f"(a page of its own in site_config/{m.slug}/content/{lang}/ can replace this one)")
    others = [other for other in m.languages if site.has(f"{other}/{name}")]
    if others:
        return (f"link to {target!r}: the page exists in {', '.join(others)} but not in {lang}",
                f"translate it: add {lang}/{name}")
    if image or name.lower().endswith(IMAGE_SUFFIXES):
        folder = posixpath.dirname(tree_path.split("/", 1)[1])
        images = [p.split("/", 1)[1] for p in site.pages
                  if p.startswith(lang + "/") and p.lower().endswith(IMAGE_SUFFIXES)]
        close = difflib.get_close_matches(name, images, n=1)
        where = f"content/{lang}/{folder + '/' if folder else ''}"
        return (f"image {target!r} not found: no file {name!r} in {lang}",
                f"did you mean {posixpath.relpath(close[0], folder or '.')}?" if close else
                f"put the image file in {where} (next to the page) and check the spelling of its name, "
                "capitals and extension included")
    # Candidates: this site's pages and the catalogue's, so a catalogue page gets the same
    # suggestion on every site (a service a site does not list is then reported as such).
    catalogue = catalogue_dir(site.root, lang)
    shared = [p.relative_to(catalogue).as_posix() for p in catalogue.rglob("*.md")] if catalogue.is_dir() else []
    candidates = sorted({p.split("/", 1)[1] for p in site.pages if p.startswith(lang + "/")} | set(shared))
    close = difflib.get_close_matches(name, candidates, n=1)
    return (f"link to {target!r} does not resolve: no page {name!r} in {lang} on this site",
            f"did you mean {close[0]}?" if close else "link to a page of this site, e.g. index.md")

"""The MkDocs adapter: builds one municipality's site from the catalogue and its YAML file.

A thin layer over plain modules (config, content, render, jsonld, hours_html, search_split,
catalogue_ld, quick_exit), so the site engine can change without touching the rules. The
municipality comes from the `municipality` option, which mkdocs.yml takes from
`PORTAL_MUNICIPALITY` through `!ENV`.

mkdocs-static-i18n builds the default language first and then each other language as a nested
build with the same plugin instance; what must see every language (search indexes, 404 pages,
the catalogue) is collected per language and written by the outer `on_post_build`.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import escape
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.nav import Navigation, Section
from mkdocs.utils import get_relative_url

from portal.common import paths, typography
from portal.common.findings import PortalError
from portal.common.i18n import LANGUAGE_NAMES, t
from portal.municipal import branding
from portal.municipal.config import load_municipality
from portal.site import catalogue_ld, content, jsonld, legal, quick_exit, render, search_split

log = get_plugin_logger(__name__)


def html_text(value: str) -> str:
    """`value` escaped for HTML text and attributes (a plain str: MkDocs' config wants one)."""
    return str(escape(value))


class PortalConfig(Config):
    enabled = config_options.Type(bool, default=True)
    municipality = config_options.Type(str, default="opwijk")
    # Where the assembled page tree of each municipality is written (symbolic links).
    staging_dir = config_options.Type(str, default=".cache/portal/docs")


class PortalPlugin(BasePlugin[PortalConfig]):
    municipality = None
    sources: dict = {}
    # {src_uri of a generated notice page: language the real page exists in}
    notices: dict = {}
    # src_uris of the generated privacy pages and accessibility statements (portal/site/legal.py)
    generated: set = set()
    # Collected across the language passes, written by the outer on_post_build.
    service_pages: dict = {}
    not_found_pages: dict = {}

    def _i18n(self, config):
        plugin = config.plugins.get("i18n")
        if plugin is None:
            raise PluginError("mkdocs.yml: the portal plugin needs the i18n plugin (mkdocs-static-i18n)")
        return plugin

    # Before i18n (-100) and search (0): they must see this municipality's languages and pages.
    @event_priority(100)
    def on_config(self, config, **kwargs):
        if not self.config.enabled:
            return config
        i18n = self._i18n(config)
        if getattr(i18n, "building", False):
            return config  # i18n's nested build of another language: already set up
        root = Path(config.config_file_path).resolve().parent
        try:
            self.municipality = m = load_municipality(self.config.municipality, root)
        except PortalError as exc:
            raise PluginError(str(exc)) from exc
        staging = root / self.config.staging_dir / m.slug
        self.sources = content.assemble_docs(m, root, staging)
        self.root = root
        self.notices = self._write_language_notices(m, staging)
        self.generated = self._write_legal_pages(m, staging)
        self.service_pages = {lang: [] for lang in m.languages}
        self.not_found_pages = {}
        config.docs_dir = str(staging)
        # Authors edit the real files; `mkdocs serve` must reload when they change.
        for watched in (root / "content", m.path, m.own_dir, root / "templates"):
            if watched.exists() and str(watched) not in config.watch:
                config.watch.append(str(watched))
        # MkDocs renders the theme without autoescaping, and Material puts these in <title>, the
        # meta description and the header as they are: escaped here, once, as HTML text.
        config.site_name = html_text(t("site.name", m.default_language,
                                       social_house=m.text(m.social_house, m.default_language)))
        config.site_description = html_text(t("site.description", m.default_language, **self._names(m.default_language)))
        if m.site_url:
            config.site_url = m.site_url
        # The colours as a file (the pages' policy allows no inline style), written by on_post_build.
        self.brand_css = branding.brand_css(m.branding)
        config.extra["portal"] = {
            "slug": m.slug,
            "primary_color": m.branding["primary_color"],
            "accent_color": m.branding["accent_color"],
            "brand_css": f"assets/portal/{branding.file_name(self.brand_css)}",
            "languages": m.languages,
        }
        logo = next((k for k in self.sources if k.startswith("assets/logo")), None)
        if logo:
            config.theme["logo"] = logo
            config.theme["favicon"] = logo  # the municipality's mark in the tab, not the theme's
        config.theme["language"] = m.default_language
        i18n.config.languages = [self._language(i18n, m, lang) for lang in m.languages]
        return config

    def on_serve(self, server, config, builder):
        """Live reload watches the files authors edit (on_config), not the staging folder: every
        build removes and writes that folder again, so a watch on it sees the build's own writes
        and, with the wrong timing (a busy machine), rebuilds forever and misses Ctrl+C."""
        server.unwatch(config.docs_dir)
        return server

    def _write_language_notices(self, m, staging: Path) -> dict:
        """A notice page for each own page published in one language only.

        On a bilingual site a municipality may publish one of its own pages in a single language.
        Rather than a language switch that leads nowhere, the other language gets a page at the
        same address saying so, with a link; it stays out of that language's navigation
        (`on_nav`) and search (`search.exclude`). Catalogue pages are not covered: a missing
        translation of one of those is an error for `portal check`.
        """
        own = m.own_dir / "content"
        by_lang = {lang: {rel.split("/", 1)[1] for rel, path in self.sources.items()
                          if rel.startswith(f"{lang}/") and rel.endswith(".md")} for lang in m.languages}
        notices = {}
        for rel, path in self.sources.items():
            lang, _, name = rel.partition("/")
            if lang not in m.languages or not name.endswith(".md") or not path.is_relative_to(own):
                continue
            for other in m.languages:
                if other == lang or name in by_lang[other]:
                    continue
                src_uri = f"{other}/{name}"
                meta = content.front_matter(path)
                title = meta.get("title") or Path(name).stem
                here, there = paths.page_path(name, other, m.default_language), paths.page_path(name, lang, m.default_language)
                language = t(f"parity.language.{lang}", other)
                text = "\n".join([
                    "---",
                    f"title: {_yaml_str(t('parity.title', other, language=language))}",
                    "search:",
                    "  exclude: true",
                    f"portal_only_in: {lang}",
                    # A notice about a sensitive page names its subject: it gets the quick exit too.
                    *(["sensitive: true"] if meta.get("sensitive") is True else []),
                    "---",
                    "",
                    f'<p>{escape(t("parity.text", other, language=language, social_house=m.text(m.social_house, other)))}',
                    f'<a href="{escape(get_relative_url(there, here))}" hreflang="{lang}" lang="{lang}">{escape(title)}</a></p>',
                    "",
                ])
                target = staging / src_uri
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                notices[src_uri] = lang
        return notices

    def _write_legal_pages(self, m, staging: Path) -> set:
        """The privacy page and the accessibility statement of every language: generated from
        the config, reached from every page's footer, not from the navigation."""
        written = set()
        for src_uri, text in legal.pages(m).items():
            if src_uri in self.sources:
                raise PluginError(f"{self.sources[src_uri]}: {Path(src_uri).name} is generated from "
                                  f"site_config/{m.slug}.yml (privacy:, accessibility:); rename this page")
            target = staging / src_uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.add(src_uri)
        return written

    def _footer(self, lang: str, page_url: str | None, base: str = "/") -> list:
        """The footer links of a page in `lang` (portal.common.paths.footer_links): relative to
        the page, or absolute from the site's `base` when `page_url` is None (404 pages)."""
        links = []
        for key, path in paths.footer_links(lang, self.municipality.default_language):
            target, _, anchor = path.partition("#")
            if page_url is None:
                href = paths.site_page_url(base, target)
            else:
                href = get_relative_url(target or ".", page_url)
                href = href if href.endswith("/") else href + "/"
            links.append({"href": href + (f"#{anchor}" if anchor else ""), "text": t(key, lang)})
        return links

    def _lang_root(self, lang: str) -> str:
        return paths.language_root(lang, self.municipality.default_language)

    def _site_base(self, config) -> str:
        """The absolute path of the site root: where 404 pages link from, at any address.

        From `site_url` when set; else `/<slug>/`, where `portal serve` publishes each site.
        """
        if config.site_url:
            return urlsplit(config.site_url).path.rstrip("/") + "/"
        return f"/{self.municipality.slug}/"

    def _names(self, lang):
        m = self.municipality
        return {"municipality": m.text(m.name, lang), "social_house": m.text(m.social_house, lang)}

    def _language(self, i18n, m, lang):
        """One mkdocs-static-i18n language entry, translated for this municipality."""
        entry = type(i18n.config.languages[0])() if i18n.config.languages else None
        entry.load_dict({
            "locale": lang,
            "name": LANGUAGE_NAMES[lang],
            "default": lang == m.default_language,
            "build": True,
            "site_name": html_text(t("site.name", lang, social_house=m.text(m.social_house, lang))),
            "site_description": html_text(t("site.description", lang, **self._names(lang))),
        })
        failed, _ = entry.validate()
        if failed:
            raise PluginError(f"i18n language {lang}: {failed}")
        return entry

    def source_of(self, page) -> Path:
        """The file an author edits for this page."""
        return self.sources.get(page.file.src_uri, Path(page.file.abs_src_path))

    def page_language(self, page, config) -> str:
        return getattr(page.file, "locale", None) or self._i18n(config).current_language

    def on_page_markdown(self, markdown, *, page, config, files):
        if not self.config.enabled or page.file.src_uri in self.generated:
            return markdown  # generated pages have no macros, and `{#id}` is no Jinja comment
        source = self.source_of(page)
        try:
            offset = _body_line_offset(source.read_text(encoding="utf-8"), markdown)
            return render.render_markdown(markdown, self.municipality, self.page_language(page, config), self.root, source, offset)
        except PortalError as exc:
            raise PluginError(str(exc)) from exc

    def on_page_context(self, context, *, page, config, nav):
        if not self.config.enabled:
            return context
        lang = self.page_language(page, config)
        service = page.meta.get("service")
        data = jsonld.page_jsonld(
            self.municipality, lang, title=page.title or "",
            description=page.meta.get("description", ""), service=service,
        )
        page.meta["portal_jsonld"] = jsonld.script_tag_content(data)
        page.meta["portal_lang"] = lang
        root = self._lang_root(lang)
        self._relative_language_links(config, page)
        context["portal_hreflang"] = self._hreflang(config)
        context["portal_lang"] = lang
        context["portal_catalogue_href"] = get_relative_url(root + catalogue_ld.FILE_NAME, page.url)
        context["portal_footer"] = self._footer(lang, page.url)
        if page.meta.get("sensitive") is True:
            neutral = paths.neutral_page_path(lang, self.municipality.default_language)
            context["quick_exit_href"] = get_relative_url(neutral, page.url)
        return context

    def _relative_language_links(self, config, page):
        """Language switch links to a language's home page, relative to the site root like the others.

        mkdocs-static-i18n gives them as absolute paths ("/nl/"), which only work when the site
        is published at the root of its host, not under `/<slug>/` as `portal serve` does. The
        switch a citizen clicks stays relative, so it works at any address (a preview, a staging
        host); the head's `<link rel="alternate" hreflang>` tags are made from the same entries
        but fully qualified with `site_url` (`_hreflang`).
        """
        prefix = urlsplit(config.site_url or "").path.rstrip("/") + "/"
        # i18n sets them as an attribute of `extra`, which templates read before the key.
        for entry in getattr(config.extra, "alternate", None) or config.extra.get("alternate") or []:
            link = entry.get("link", "")
            for lang in self.municipality.languages:
                if link == prefix + self._lang_root(lang):
                    entry["link"] = self._lang_root(lang) or "./"  # the theme makes it relative

    def _hreflang(self, config) -> list:
        """The head's hreflang tags (portal.common.paths.hreflang_links): the language switch's
        addresses, fully qualified with `site_url` when it is set (else relative, as the theme
        writes them), the default language again as x-default."""
        entries = getattr(config.extra, "alternate", None) or config.extra.get("alternate") or []
        return paths.hreflang_links({entry["lang"]: entry["link"] for entry in entries},
                                    self.municipality.default_language, config.site_url or None)

    def on_page_content(self, html, *, page, config, files):
        """French spacing in the page's own text; note what a service page shows, for the
        catalogue: its form links and offices."""
        if not self.config.enabled:
            return html
        service = page.meta.get("service")
        lang = self.page_language(page, config)
        if lang == "fr":
            # A lone "?" must not start a line (portal/typography.py). The page body and title are
            # all the French text there is: the theme's own texts are translated without such
            # spaces, and rewriting the whole themed page cost 8 % of a build.
            html = typography.french_spacing(html)
            if page.title:
                page.title = typography.french_spacing(page.title)
            _french_toc(page.toc)
        if service in self.municipality.services and page.file.src_uri not in self.notices:
            m = self.municipality
            self.service_pages.setdefault(lang, []).append(catalogue_ld.ServicePage(
                service=service,
                title=page.title or service,
                description=str(page.meta.get("description", "")),
                url=page.url.removeprefix(self._lang_root(lang)),
                forms=[f for f in m.forms if render.form_url(m, lang, f) in html],
                offices=[o.id for o in m.offices if f'id="office-{o.id}-{lang}"' in html],
            ))
        return html

    def on_env(self, env, *, config, files):
        # Templates (404 page, quick exit, catalogue link) use the same texts as the pages.
        env.globals["portal_t"] = t
        return env

    # After i18n (-100), whose page context resets the language switch links.
    @event_priority(-150)
    def on_post_page(self, output, *, page, config):
        """Point the theme's search of a non-default language at that language's own index."""
        if not self.config.enabled:
            return output
        lang = self.page_language(page, config)
        output = _name_search_dialog(output, lang)
        if lang == self.municipality.default_language:
            return output
        return search_split.rebase_page_config(output, get_relative_url(self._lang_root(lang), page.url))

    def on_pre_template(self, template, *, template_name, config):
        if self.config.enabled and template_name == "404.html":
            # The language switch of a 404 page leads to the home page of each language (the
            # theme would otherwise keep the links of the last page built).
            base = self._site_base(config)
            alternate = [
                {"name": LANGUAGE_NAMES[lang], "link": base + self._lang_root(lang), "lang": lang}
                for lang in self.municipality.languages
            ] if len(self.municipality.languages) > 1 else []
            # i18n sets it as an attribute, which the template reads before the key.
            config.extra["alternate"] = alternate
            config.extra.alternate = alternate
        return template

    # After i18n (50), whose context would be missing otherwise.
    @event_priority(0)
    def on_template_context(self, context, *, template_name, config):
        if not self.config.enabled or template_name != "404.html":
            return context
        m = self.municipality
        lang = self._i18n(config).current_language or m.default_language
        base = self._site_base(config)
        root = base + self._lang_root(lang)
        context["base_url"] = base.rstrip("/") or "/"
        context["portal_hreflang"] = self._hreflang(config)
        context["portal_lang"] = lang
        context["portal_catalogue_href"] = root + catalogue_ld.FILE_NAME
        context["portal_footer"] = self._footer(lang, None, base)
        context["portal_404"] = {
            "lang": lang, "home": root, "services": root + "services/",
            "social_house": m.text(m.social_house, lang),
        }
        return context

    def on_post_template(self, output, *, template_name, config):
        """Keep each language's 404 page: every language pass writes the same 404.html."""
        if not self.config.enabled or template_name != "404.html":
            return output
        lang = self._i18n(config).current_language or self.municipality.default_language
        output = search_split.rebase_page_config(output, self._site_base(config) + self._lang_root(lang))
        output = _name_search_dialog(output, lang)
        if lang == "fr":
            output = typography.french_spacing(output)
        self.not_found_pages[lang] = output
        return output

    # After i18n (-100) has rebuilt the navigation for the language.
    @event_priority(-150)
    def on_nav(self, nav: Navigation, *, config, files):
        if not self.config.enabled:
            return nav

        def rank(item):
            stem = Path(item.file.src_uri).with_suffix("").name if getattr(item, "file", None) else "~"
            return content.nav_rank(self.municipality, stem)

        # Notices for pages that exist in another language only are reached by the language switch.
        # The privacy page and the accessibility statement are reached from every page's footer.
        hidden = set(self.notices) | self.generated
        nav.items = [item for item in nav.items if getattr(getattr(item, "file", None), "src_uri", None) not in hidden]
        nav.pages = [p for p in nav.pages if p.file.src_uri not in hidden]
        nav.items.sort(key=lambda item: rank(item) if not isinstance(item, Section) else (2, 1, item.title))
        nav.pages.sort(key=rank)
        for previous, current in zip([None] + nav.pages[:-1], nav.pages):
            current.previous_page = previous
            if previous is not None:
                previous.next_page = current
        if nav.pages:
            nav.pages[-1].next_page = None
        return nav

    # After i18n (-100) has built every language and merged their search indexes.
    @event_priority(-150)
    def on_post_build(self, *, config):
        if not self.config.enabled or getattr(self._i18n(config), "building", False):
            return
        m = self.municipality
        site = Path(config.site_dir)
        if not config.site_url:
            _sitemap_without_site_url(site)
        _sitemap_in_language_roots(site, [self._lang_root(lang) for lang in m.languages])
        search_split.write_split_indexes(site, m.languages)
        brand = site / config.extra["portal"]["brand_css"]
        brand.parent.mkdir(parents=True, exist_ok=True)
        brand.write_text(self.brand_css, encoding="utf-8")
        site_url = (config.site_url or "").rstrip("/")
        for lang in m.languages:
            folder = site / self._lang_root(lang)
            folder.mkdir(parents=True, exist_ok=True)
            if lang in self.not_found_pages:
                (folder / "404.html").write_text(self.not_found_pages[lang], encoding="utf-8")
            base = f"{site_url}/{self._lang_root(lang)}" if site_url else ""
            document = catalogue_ld.catalogue(m, lang, self.service_pages.get(lang, []), base_url=base)
            (folder / catalogue_ld.FILE_NAME).write_text(catalogue_ld.dumps(document), encoding="utf-8")
            (site / paths.neutral_page_path(lang, m.default_language)).write_text(
                quick_exit.neutral_page_html(lang, m.default_language), encoding="utf-8")


def _french_toc(links) -> None:
    """The table of contents repeats the headings: the same spacing there."""
    for link in links:
        link.title = typography.french_spacing(link.title)
        _french_toc(link.children)


def _body_line_offset(source_text: str, markdown: str) -> int:
    """Lines of the file above the markdown MkDocs hands over (front matter, blank lines it
    stripped), so an error on line n of the body is reported at its line in the file."""
    body = markdown.lstrip("\n")
    found = source_text.find(body[:200]) if body else -1
    if found < 0:
        return 0
    return source_text[:found].count("\n") - (len(markdown) - len(body))


def _sitemap_without_site_url(site: Path) -> None:
    """Without `site_url` the language plugin's sitemap prefixes every address with "None".

    A sitemap needs the published address to be of use to search engines; until the
    municipality sets it, the addresses are written relative to the site instead of as junk.
    """
    for sitemap in site.rglob("sitemap.xml"):
        text = sitemap.read_text(encoding="utf-8")
        fixed = text.replace("<loc>None", "<loc>").replace('href="None', 'href="')
        if fixed != text:
            sitemap.write_text(fixed, encoding="utf-8")
            packed = sitemap.with_name("sitemap.xml.gz")
            if packed.exists():
                packed.write_bytes(gzip.compress(fixed.encode("utf-8"), mtime=0))


def _sitemap_in_language_roots(site: Path, folders: list[str]) -> None:
    """Put the root sitemap.xml in the folder of every other language, where the theme's
    JavaScript looks for one once search has loaded it: beside the page's `base` and beside its
    remaining `<link rel="alternate">`, the language's catalogue (the hreflang links are taken
    out before the bundle runs: templates/theme/main.html). Hard links cost a directory entry,
    not a copy."""
    sitemap = site / "sitemap.xml"
    if not sitemap.exists():
        return
    for folder in folders:
        target = site / folder / "sitemap.xml"
        if folder and not target.exists():
            try:
                os.link(sitemap, target)
            except OSError:  # a file system without hard links
                shutil.copyfile(sitemap, target)


# The theme's search dialog has no accessible name (axe: aria-dialog-name), and no block to
# override short of copying the partial.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def _name_search_dialog(html: str, lang: str) -> str:
    named = _SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{escape(t("site.search_dialog", lang))}"')
    return html.replace(_SEARCH_DIALOG, named, 1)


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (titles may hold a colon)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

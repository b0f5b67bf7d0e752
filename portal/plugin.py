"""The MkDocs adapter: builds one municipality's site from the catalogue and its YAML file.

A thin layer over plain modules (config, content, render, jsonld, hours_html), so the site engine
can change without touching the rules. The municipality comes from the `municipality` option,
which mkdocs.yml takes from `PORTAL_MUNICIPALITY` through `!ENV`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.nav import Navigation, Section

from portal import content, jsonld, render
from portal.config import LANGUAGE_NAMES, load_municipality
from portal.findings import PortalError
from portal.i18n import t

log = get_plugin_logger(__name__)


class PortalConfig(Config):
    enabled = config_options.Type(bool, default=True)
    municipality = config_options.Type(str, default="opwijk")
    # Where the assembled page tree of each municipality is written (symbolic links).
    staging_dir = config_options.Type(str, default=".cache/portal/docs")


class PortalPlugin(BasePlugin[PortalConfig]):
    municipality = None
    sources: dict = {}

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
        config.docs_dir = str(staging)
        # Authors edit the real files; `mkdocs serve` must reload when they change.
        for watched in (root / "content", m.path, m.own_dir, root / "templates"):
            if watched.exists() and str(watched) not in config.watch:
                config.watch.append(str(watched))
        config.site_name = t("site.name", m.default_language, social_house=m.text(m.social_house, m.default_language))
        config.site_description = t("site.description", m.default_language, **self._names(m.default_language))
        if m.site_url:
            config.site_url = m.site_url
        config.extra["portal"] = {
            "slug": m.slug,
            "primary_color": m.branding["primary_color"],
            "accent_color": m.branding["accent_color"],
            "languages": m.languages,
        }
        logo = next((k for k in self.sources if k.startswith("assets/logo")), None)
        if logo:
            config.theme["logo"] = logo
        config.theme["language"] = m.default_language
        i18n.config.languages = [self._language(i18n, m, lang) for lang in m.languages]
        return config

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
            "site_name": t("site.name", lang, social_house=m.text(m.social_house, lang)),
            "site_description": t("site.description", lang, **self._names(lang)),
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
        if not self.config.enabled:
            return markdown
        source = self.source_of(page)
        try:
            # MkDocs hands over the body without the front matter; count those lines back in.
            offset = max(source.read_text(encoding="utf-8").count("\n") - markdown.count("\n"), 0)
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
        return context

    # After i18n (-100) has rebuilt the navigation for the language.
    @event_priority(-150)
    def on_nav(self, nav: Navigation, *, config, files):
        if not self.config.enabled:
            return nav

        def rank(item):
            stem = Path(item.file.src_uri).with_suffix("").name if getattr(item, "file", None) else "~"
            return content.nav_rank(self.municipality, stem)

        nav.items.sort(key=lambda item: rank(item) if not isinstance(item, Section) else (2, 1, item.title))
        nav.pages.sort(key=rank)
        for previous, current in zip([None] + nav.pages[:-1], nav.pages):
            current.previous_page = previous
            if previous is not None:
                previous.next_page = current
        if nav.pages:
            nav.pages[-1].next_page = None
        return nav

    # After i18n (-100) has built every language: its sitemap.xml is at the root only, but the
    # theme's JavaScript fetches one per language folder.
    @event_priority(-150)
    def on_post_build(self, *, config):
        if not self.config.enabled or getattr(self._i18n(config), "building", False):
            return
        site = Path(config.site_dir)
        for lang in self.municipality.languages[1:]:
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                if (site / name).exists() and (site / lang).is_dir():
                    shutil.copyfile(site / name, site / lang / name)

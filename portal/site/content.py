"""The pages one municipality publishes: the catalogue, minus unlisted services, plus its own pages.

Engine-independent: `assemble_docs` lays the municipality's page tree out as a folder of symbolic
links (what MkDocs reads as `docs_dir`), and `source_of` maps a page back to the file an author
edits, so messages name the real file.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from portal.municipal.config import SERVICE_IDS, Municipality

# Pages every site has, in navigation order before the services; the FAQ goes last.
LEADING_PAGES = ("index", "services")
TRAILING_PAGES = ("faq",)


@dataclass(frozen=True)
class SourcePage:
    lang: str
    name: str          # file name relative to the language folder, e.g. "leefloon.md"
    path: Path         # the file an author edits

    @property
    def stem(self) -> str:
        return Path(self.name).with_suffix("").as_posix()


def catalogue_dir(root: Path, lang: str) -> Path:
    return root / "content" / lang


def source_pages(municipality: Municipality, root: Path) -> list[SourcePage]:
    """Every file the site publishes, per language: catalogue first, own pages laid over it."""
    pages: dict[tuple, SourcePage] = {}
    for lang in municipality.languages:
        for base in (catalogue_dir(root, lang), municipality.own_dir / "content" / lang):
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if not path.is_file() or path.name.startswith("."):
                    continue
                name = path.relative_to(base).as_posix()
                stem = Path(name).with_suffix("").as_posix()
                if stem in SERVICE_IDS and stem not in municipality.services:
                    continue
                pages[(lang, name)] = SourcePage(lang, name, path)
    return list(pages.values())


def assemble_docs(municipality: Municipality, root: Path, dest: Path) -> dict[str, Path]:
    """Write the municipality's docs tree into `dest` as symbolic links.

    Returns {path inside dest: source file}. The logo becomes `assets/logo.<ext>`.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    mapping = {}
    for page in source_pages(municipality, root):
        mapping[f"{page.lang}/{page.name}"] = page.path
    logo = municipality.branding.get("logo")
    if logo:
        mapping[f"assets/logo{Path(logo).suffix}"] = municipality.own_dir / logo
    for rel, source in mapping.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(source.resolve(), target)
    return mapping


def front_matter(path: Path) -> dict:
    """The YAML front matter of a markdown file ({} when there is none)."""
    # Every site's overview lists the same catalogue pages: parse each text once.
    return dict(_front_matter(path.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=1024)
def _front_matter(text: str) -> dict:
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end == -1:
        return {}
    data = yaml.safe_load(text[3:end]) or {}
    return data if isinstance(data, dict) else {}


def nav_rank(municipality: Municipality, stem: str) -> tuple:
    """Sort key for navigation: home, overview, services in config order, own pages, FAQ."""
    if stem in LEADING_PAGES:
        return (0, LEADING_PAGES.index(stem), "")
    if stem in TRAILING_PAGES:
        return (3, TRAILING_PAGES.index(stem), "")
    if stem in municipality.services:
        return (1, municipality.services.index(stem), "")
    return (2, 0, stem)

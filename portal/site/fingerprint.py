"""Fingerprints: one hash of everything a municipality's built site depends on.

`portal build` stores the fingerprint with each site (`<out>/<slug>/.portal-build`) and skips the
site next time when it is unchanged. The inputs:

- the municipality: `site_config/<slug>.yml` and every file under `site_config/<slug>/`;
- the catalogue pages it publishes (content.source_pages: its languages, its services, plus the
  non-service pages), by path and bytes, so an added, removed or edited page counts;
- what every site shares: `mkdocs.yml`, `templates/theme/`, the portal package's version and the
  files of it a build uses (package_inputs: the `common`, `municipal` and `site` parts and the
  pages' interface texts), and the versions of MkDocs, the theme and the plugins;
- the build options and the build date: pages show opening hours and closures computed from the
  day of the build (the coming 400 days), so a site built yesterday is out of date today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import yaml

from portal.municipal.contact import build_date
from portal.site.content import source_pages

STAMP_FILE = ".portal-build"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
ENGINE_PACKAGES = ("portal", "mkdocs", "mkdocs-material", "mkdocs-static-i18n", "Markdown", "Jinja2", "pymdown-extensions")
# The parts of the package a site build runs (site/ imports nothing else: tests/test_architecture.py).
SITE_PACKAGES = ("common", "municipal", "site")
# The interface texts a built page shows; the other message files are the form backend's.
SITE_MESSAGES = ("messages/site.yml", "messages/hours.yml", "messages/legal.yml")
SHARED_FILES = ("mkdocs.yml",)
SHARED_DIRS = ("templates/theme",)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def package_inputs() -> list[Path]:
    """The portal package's files a site build can use: the modules of the parts the sites are
    built from and the interface texts of the pages. The form backend, mail, store and their
    texts are not among them: editing those rebuilds no site."""
    files = [path for package in SITE_PACKAGES for path in sorted((PACKAGE_DIR / package).glob("*.py"))]
    files += [PACKAGE_DIR / "common" / name for name in SITE_MESSAGES]
    return sorted(files)


class Fingerprinter:
    """Computes site fingerprints for one run; each file is read and hashed at most once."""

    def __init__(self, root: Path, options: dict | None = None, *, today: dt.date | None = None):
        self.root = Path(root).resolve()
        self.options = dict(options or {})
        # The day in Brussels, as the pages count it (contact.build_date), not the server's: on
        # a server in UTC the timer's rebuild just after midnight would still see yesterday.
        self.today = today or build_date()
        self._digests: dict[Path, str] = {}
        self._shared: str | None = None

    def digest(self, path: Path) -> str:
        digest = self._digests.get(path)
        if digest is None:
            digest = self._digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return digest

    def _label(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def shared_inputs(self) -> list[tuple[str, str]]:
        """(label, digest) of the inputs every site depends on."""
        inputs = []
        for name in SHARED_FILES:
            path = self.root / name
            inputs.append((name, self.digest(path) if path.is_file() else "missing"))
        for name in SHARED_DIRS:
            for path in _files_under(self.root / name):
                inputs.append((self._label(path), self.digest(path)))
        for path in package_inputs():
            inputs.append((f"portal-package/{path.relative_to(PACKAGE_DIR).as_posix()}", self.digest(path)))
        for package in ENGINE_PACKAGES:
            try:
                version = metadata.version(package)
            except metadata.PackageNotFoundError:
                version = "absent"
            inputs.append((f"version/{package}", version))
        inputs.append(("options", json.dumps(self.options, sort_keys=True, default=str)))
        inputs.append(("build-date", self.today.isoformat()))
        return inputs

    def site_inputs(self, slug: str) -> list[tuple[str, str]]:
        """(label, digest) of the inputs only this site depends on.

        Raises OSError or yaml.YAMLError when the config cannot be read; the build reports that.
        """
        config = self.root / "site_config" / f"{slug}.yml"
        raw = config.read_bytes()
        inputs = [(self._label(config), hashlib.sha256(raw).hexdigest())]
        own_dir = config.with_suffix("")
        for path in _files_under(own_dir):
            inputs.append((self._label(path), self.digest(path)))
        data = yaml.load(raw, Loader=_Loader) or {}  # nosec B506  # _Loader is (C)SafeLoader
        languages = [lang for lang in data.get("languages") or [] if isinstance(lang, str)]
        services = [s for s in data.get("services") or [] if isinstance(s, str)]
        view = SimpleNamespace(languages=languages, services=services, own_dir=own_dir)
        for page in source_pages(view, self.root):
            inputs.append((f"page/{page.lang}/{page.name}={self._label(page.path)}", self.digest(page.path)))
        return inputs

    def site(self, slug: str) -> str:
        """The fingerprint of one site: a hex SHA-256."""
        if self._shared is None:
            self._shared = _combine(self.shared_inputs())
        return _combine([("shared", self._shared), *self.site_inputs(slug)])


def _combine(inputs: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for label, digest in inputs:
        h.update(f"{label}\0{digest}\n".encode())
    return h.hexdigest()


def read_stamp(site_dir: Path) -> str | None:
    """The fingerprint stored with a built site, None when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(site_dir) / STAMP_FILE).read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_stamp(site_dir: Path, value: str) -> None:
    stamp = {"fingerprint": value, "built": dt.datetime.now().isoformat(timespec="seconds")}
    (Path(site_dir) / STAMP_FILE).write_text(json.dumps(stamp) + "\n", encoding="utf-8")

"""Decap CMS's local backend protocol (what `decap-server` speaks), answered by the portal itself.

The CMS posts `{"action": ..., "params": {...}}` as JSON to one URL and expects JSON back. Doing
it here instead of running `decap-server` (a Node process on its own port, with CORS open) means:
one port (`portal preview`'s), no Node at run time, and control over what is written:

- only the files the editor is for: `content/<lang>/...` and, of the previewed municipality,
  `site_config/<slug>.yml` and `site_config/<slug>/...`; never a path outside them (no `..`, no
  symbolic link out of the project);
- the municipality file is merged into the one on disk (yaml_merge), not overwritten, so its
  comments survive;
- nothing is published: files change on the officer's disk, and reach a site only through git and
  the forge's check (docs/authors.md).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path, PurePosixPath

from portal.admin.markdown_tidy import tidy_markdown
from portal.admin.yaml_merge import merge_yaml

TEXT_SUFFIXES = {".md", ".yml", ".yaml"}
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf"}


class BackendError(ValueError):
    """A request the backend refuses (unknown action, a path it may not touch); status 4xx."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


class LocalBackend:
    """The files of one project the editor of municipality `slug` may read and write."""

    def __init__(self, root: Path, slug: str, managed_keys: set[str]):
        self.root = root.resolve()
        self.slug = slug
        self.managed_keys = managed_keys
        self.written: list[str] = []   # paths written by the last persist, for the check

    # --- paths ------------------------------------------------------------------------------

    def allowed(self, rel: str) -> bool:
        """May the editor touch `rel` (a path relative to the project, with `/`)?"""
        parts = PurePosixPath(rel).parts
        if not parts or rel.startswith("/") or ".." in parts or "\\" in rel:
            return False
        if parts[0] == "content":
            return True
        if parts[0] == "site_config":
            return rel == f"site_config/{self.slug}.yml" or (len(parts) > 2 and parts[1] == self.slug)
        return False

    def resolve(self, rel: str) -> Path:
        """The file for `rel`; raises BackendError (403) outside what the editor may touch."""
        rel = str(rel)
        if rel.startswith("./"):
            rel = rel[2:]
        if not self.allowed(rel):
            raise BackendError(f"the editor may not touch {rel!r}", 403)
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise BackendError(f"{rel!r} points outside the project", 403)
        return path

    # --- protocol ---------------------------------------------------------------------------

    def handle(self, action: str, params: dict):
        """The JSON answer to one request; raises BackendError for what it refuses."""
        method = getattr(self, f"_do_{action}", None)
        if method is None:
            raise BackendError(f"unknown action {action!r}")
        return method(params or {})

    def _do_info(self, params):
        return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def _entry(self, rel: str, label: str | None = None) -> dict:
        path = self.resolve(rel)
        if not path.is_file():
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        raw = path.read_bytes()
        return {"data": raw.decode("utf-8"), "file": {"path": rel, "label": label, "id": hashlib.sha256(raw).hexdigest()}}

    def _do_entriesByFolder(self, params):
        folder, extension, depth = params.get("folder", ""), params.get("extension", ""), int(params.get("depth", 1))
        base = self.resolve(folder.rstrip("/"))
        if not base.is_dir():
            return []
        entries = []
        for path in sorted(base.rglob("*")):
            rel_to_base = path.relative_to(base)
            if not path.is_file() or len(rel_to_base.parts) > depth or not path.name.endswith(extension):
                continue
            rel = path.relative_to(self.root).as_posix()
            if self.allowed(rel):
                entries.append(self._entry(rel))
        return entries

    def _do_entriesByFiles(self, params):
        return [self._entry(f["path"], f.get("label")) for f in params.get("files", [])]

    def _do_getEntry(self, params):
        return self._entry(params["path"])

    def _do_persistEntry(self, params):
        data_files = params.get("dataFiles") or [params["entry"]]
        self.written = []
        for data in data_files:
            self._write_text(data["path"], data["raw"])
            if data.get("newPath"):
                target = self.resolve(data["newPath"])
                target.parent.mkdir(parents=True, exist_ok=True)
                self.resolve(data["path"]).rename(target)
                self.written[-1] = data["newPath"]
        for asset in params.get("assets", []):
            self._write_media(asset)
        return {"message": "entry persisted"}

    def _write_text(self, rel: str, raw: str) -> None:
        path = self.resolve(rel)
        if path.suffix not in TEXT_SUFFIXES:
            raise BackendError(f"{rel!r}: the editor writes only {', '.join(sorted(TEXT_SUFFIXES))} files", 403)
        if rel == f"site_config/{self.slug}.yml" and path.is_file():
            raw = merge_yaml(path.read_text(encoding="utf-8"), raw, self.managed_keys)
        elif path.suffix == ".md":
            raw = tidy_markdown(path.read_text(encoding="utf-8") if path.is_file() else "", raw)
        if not raw.endswith("\n"):
            raw += "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.cms-tmp")
        tmp.write_text(raw, encoding="utf-8")
        tmp.replace(path)   # an editor never sees half a file
        self.written.append(rel)

    def _write_media(self, asset: dict) -> dict:
        path = self.resolve(asset["path"])
        if path.suffix.lower() not in MEDIA_SUFFIXES:
            raise BackendError(f"{asset['path']!r}: not an image or PDF", 403)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(asset["content"]) if asset.get("encoding") == "base64"
                         else str(asset["content"]).encode())
        return self._media(asset["path"])

    def _media(self, rel: str) -> dict:
        raw = self.resolve(rel).read_bytes()
        return {"id": hashlib.sha256(raw).hexdigest(), "content": base64.b64encode(raw).decode(),
                "encoding": "base64", "path": rel, "name": PurePosixPath(rel).name}

    def _do_getMedia(self, params):
        folder = self.resolve(params["mediaFolder"].rstrip("/"))
        if not folder.is_dir():
            return []
        return [self._media(p.relative_to(self.root).as_posix()) for p in sorted(folder.iterdir())
                if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES]

    def _do_getMediaFile(self, params):
        return self._media(params["path"])

    def _do_persistMedia(self, params):
        return self._write_media(params["asset"])

    def _do_deleteFile(self, params):
        self.resolve(params["path"]).unlink(missing_ok=True)
        return {"message": f"deleted file {params['path']}"}

    def _do_deleteFiles(self, params):
        for rel in params.get("paths", []):
            self.resolve(rel).unlink(missing_ok=True)
        return {"message": "deleted files"}

    def _do_getDeployPreview(self, params):
        return None

"""A municipality's colours as a stylesheet, one text for the built site and the forms.

A file, not a `<style>` in each page: the Content-Security-Policy of the static pages
(deploy/nginx/portal.conf) and of the forms (portal/web/security.py) allows no inline style. The
built site links `assets/portal/brand.<hash>.css` (`file_name`: a new colour is a new name, so no
browser keeps the old one); the forms serve the same text at `/forms/_brand/<slug>/brand.css`.
The colours are checked by `config.py` (a `#rrggbb` value) and for contrast by `portal check`.
"""

from __future__ import annotations

import hashlib

# The forms' fallback when a file has no colours yet (the config check reports the missing key).
DEFAULT_PRIMARY = "#1f4e79"


def brand_css(branding: dict) -> str:
    """The custom properties of mkdocs-material (--md-*) and of the portal's own CSS (--portal-*)."""
    primary = branding.get("primary_color") or DEFAULT_PRIMARY
    accent = branding.get("accent_color") or primary
    return (":root {\n"
            f"  --md-primary-fg-color: {primary};\n"
            f"  --md-primary-fg-color--light: {primary};\n"
            f"  --md-primary-fg-color--dark: {primary};\n"
            f"  --md-accent-fg-color: {accent};\n"
            f"  --portal-primary: {primary};\n"
            f"  --portal-accent: {accent};\n"
            "}\n")


def file_name(css: str) -> str:
    """`brand.<first 8 hex digits of its SHA-256>.css`."""
    return f"brand.{hashlib.sha256(css.encode('utf-8')).hexdigest()[:8]}.css"

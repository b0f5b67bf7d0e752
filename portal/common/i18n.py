"""Interface texts in Dutch, French and German: `t("key", lang, **values)`.

Texts live in `portal/messages/*.yml` (one file per area, `key: {nl: ..., fr: ...}`), so every
label, notice and error message exists once, in both languages; `portal check` fails on a gap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from portal.common.findings import Finding, PortalError
from portal.common.typography import elide_before_names
from portal.common.yamlfile import load_yaml

LANGUAGES = ("nl", "fr", "de")          # every language a site may list; the first is the default
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch"}
MESSAGES_DIR = Path(__file__).parent / "messages"


@lru_cache(maxsize=1)
def messages() -> dict:
    """All texts by key. Raises PortalError when a key is defined twice."""
    result, origin = {}, {}
    for path in sorted(MESSAGES_DIR.glob("*.yml")):
        data = load_yaml(path) or {}
        for key, value in data.items():
            if key in result:
                raise PortalError(Finding(path, data.line_of(key), f"message {key!r} is also defined in {origin[key].name}"))
            result[key], origin[key] = value, path
    return result


def t(key: str, lang: str, **values) -> str:
    """The text `key` in `lang`, with `{name}` placeholders filled from `values` (in French,
    "de {name}" becomes "d'Opwijk" before a vowel: portal.common.typography)."""
    text = messages()[key][lang]
    if not values:
        return text
    if lang == "fr":
        text = elide_before_names(text, values)
    return text.format(**values)


def check_messages() -> list[Finding]:
    """A finding for every message that lacks a language."""
    findings = []
    for path in sorted(MESSAGES_DIR.glob("*.yml")):
        data = load_yaml(path) or {}
        for key, value in data.items():
            for lang in LANGUAGES:
                if not isinstance(value, dict) or not str(value.get(lang) or "").strip():
                    findings.append(Finding(path, data.line_of(key), f"message {key!r} has no {lang!r} text"))
    return findings


def format_date(day, lang: str, *, weekday: bool = False) -> str:
    """'25 november 2026' / '1er décembre 2026' / '1. Dezember 2026'; with `weekday`: 'dinsdag
    1 december 2026' / 'mardi 1er décembre 2026' / 'Dienstag, 1. Dezember 2026'. The one place dates are written out for citizens."""
    number = t("date.first_day", lang) if day.day == 1 else str(day.day)
    text = t("date.long", lang, day=number, month=t(f"hours.month.{day.month}", lang), year=day.year)
    if not weekday:
        return text
    separator = ", " if lang == "de" else " "     # German writes "Dienstag, 1. Dezember"
    return f"{t(f'hours.day.{day.weekday()}', lang)}{separator}{text}"


# Thousands as Belgians write them: a dot in Dutch and German, a (no-break) space in French.
THOUSANDS_SEPARATOR = {"nl": ".", "fr": "\u00a0", "de": "."}


def format_number(number: int, lang: str) -> str:
    """'2.000' / '2 000' / '2.000': a whole number as a citizen reads it in `lang`."""
    return f"{number:,}".replace(",", THOUSANDS_SEPARATOR[lang])

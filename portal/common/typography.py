"""French typography on built pages: a non-breaking space before ? ! : ; and inside « ».

As in the form and mail texts: a narrow no-break space (U+202F) before ? ! ; and a no-break space
(U+00A0) before : and inside guillemets.

French puts a space before those signs; an ordinary space lets a line break there, so a lone "?"
can start a line. Authors type ordinary spaces (and should not have to type invisible ones), so
the built HTML of French pages is rewritten: only text between tags, never inside tags
(attributes, URLs), comments, or elements whose text is code or data (code, pre, kbd, script,
style, textarea).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"
# A tag or a comment; everything between two of these is text.
_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_VERBATIM = ("code", "pre", "kbd", "samp", "script", "style", "textarea")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")
# One or more ordinary spaces before the sign (URLs have none, so "https://" is never touched).
_NARROW_BEFORE = re.compile(r"[ \t]+([?!;])")
_BEFORE = re.compile(r"[ \t]+([:»])")
_AFTER = re.compile(r"«[ \t]+")


def _french_text(text: str) -> str:
    text = _NARROW_BEFORE.sub(NNBSP + r"\1", text)
    text = _BEFORE.sub(NBSP + r"\1", text)
    return _AFTER.sub("«" + NBSP, text)


def french_spacing(html: str) -> str:
    """`html` with non-breaking spaces before ? ! : ; » and after « in its text nodes."""
    out, pos, verbatim = [], 0, []
    for match in _TOKEN.finditer(html):
        text = html[pos:match.start()]
        out.append(text if verbatim else _french_text(text))
        tag = match.group(0)
        out.append(tag)
        pos = match.end()
        name = _TAG_NAME.match(tag)
        if name and name.group(2).lower() in _VERBATIM and not tag.endswith("/>"):
            if name.group(1):
                if name.group(2).lower() in verbatim:
                    verbatim.remove(name.group(2).lower())
            else:
                verbatim.append(name.group(2).lower())
    rest = html[pos:]
    out.append(rest if verbatim else _french_text(rest))
    return "".join(out)


# --- elision: "d'Opwijk", "de Saint-Gilles" ------------------------------------------------------
# French writes "de" as "d'" before a word that starts with a vowel sound: "le formulaire d'Opwijk",
# "le CPAS d'Eupen", but "de Saint-Gilles". A name comes in through a placeholder, so the text
# cannot spell it: `elide_before_names` fixes "de {name}" once the name is known. An h is left
# alone: Belgian place names mostly have an aspirated h ("de Hal", "de Huy", "de Hasselt"); for
# the rare mute one, write the name out.
_VOWEL_START = re.compile(r"[aeiouyàâäéèêëîïôöûüÿæœ]", re.I)
_DE_BEFORE_PLACEHOLDER = re.compile(r"\b([Dd])e \{(\w+)\}")
_DE_BEFORE_MACRO = re.compile(r"\b([Dd])e \{\{\s*(municipality)\s*\}\}")


def starts_with_vowel(name: str) -> bool:
    """True when French elides before `name` ("Opwijk", "Ixelles", "Écaussinnes")."""
    return bool(_VOWEL_START.match(str(name).lstrip()))


def french_de(name: str, de: str = "de") -> str:
    """'d'Opwijk' / 'de Saint-Gilles'; `de`="De" at the start of a sentence gives "D'Opwijk"."""
    return f"{de[0]}'{name}" if starts_with_vowel(name) else f"{de} {name}"


def elide_before_names(text: str, values: dict) -> str:
    """A French message `text` with "de {name}" written "d'{name}" where the value of `name`
    starts with a vowel; run before the values are put in (portal.common.i18n.t)."""
    def replace(match: re.Match) -> str:
        value = values.get(match.group(2))
        return f"{match.group(1)}'{{{match.group(2)}}}" if value is not None and starts_with_vowel(value) else match.group(0)
    return _DE_BEFORE_PLACEHOLDER.sub(replace, text)


def elide_before_macros(markdown: str) -> str:
    """A French page with "de {{ municipality }}" turned into the `french_de` filter, so the
    built page says "le CPAS d'Eupen" (portal.site.render; the same line, so errors keep theirs)."""
    return _DE_BEFORE_MACRO.sub(lambda m: f'{{{{ {m.group(2)} | french_de("{m.group(1)}e") }}}}', markdown)

"""One search index per language, so a Dutch query never returns a French page.

mkdocs-static-i18n builds every language into one site and merges all of them into a single
`search/search_index.json` at the root; mkdocs-material's search fetches
`search/search_index.json` relative to the `base` of its page configuration. We split the merged
index by language folder: the default language keeps the root index, each other language gets
`<lang>/search/search_index.json` with locations relative to its folder, and the pages of that
language point their `base` at the folder (see `rebase_page_config`). Each index names only its
own language, so the search worker stems and drops stop words for that language alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

INDEX = Path("search") / "search_index.json"
# The theme's page configuration: <script id="__config" type="application/json">{...}</script>
_CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def split_index(index: dict, languages: list[str]) -> dict[str, dict]:
    """The merged index as one index per language ({lang: index}).

    `languages[0]` is the default language, whose pages are at the site root; the pages of any
    other language `xx` have locations under `xx/`, which are made relative to that folder.
    """
    default, others = languages[0], languages[1:]
    docs: dict[str, list] = {lang: [] for lang in languages}
    for doc in index.get("docs", []):
        location = doc.get("location", "")
        lang = next((x for x in others if location == x or location.startswith((f"{x}/", f"{x}#"))), default)
        if lang != default:
            doc = {**doc, "location": location[len(lang):].lstrip("/")}
        docs[lang].append(doc)
    return {
        lang: {**index, "config": {**index.get("config", {}), "lang": [lang]}, "docs": docs[lang]}
        for lang in languages
    }


def write_split_indexes(site_dir: Path, languages: list[str]) -> list[Path]:
    """Replace the merged index under `site_dir` by one per language; returns the files written.

    Does nothing when the site has no search index (search plugin disabled).
    """
    merged = site_dir / INDEX
    if not merged.is_file():
        return []
    index = json.loads(merged.read_text(encoding="utf-8"))
    written = []
    for lang, part in split_index(index, languages).items():
        target = site_dir / INDEX if lang == languages[0] else site_dir / lang / INDEX
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(part, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        written.append(target)
    return written


def rebase_page_config(html: str, base: str) -> str:
    """Set the `base` of the theme's page configuration in `html` (unchanged when absent).

    The theme fetches the search index, and resolves search result links, against `base`; a page
    of a non-default language gets its language folder there.
    """
    def replace(match):
        data = json.loads(match.group(2))
        data["base"] = base
        return match.group(1) + json.dumps(data, ensure_ascii=False).replace("</", "<\\/") + match.group(3)

    return _CONFIG_SCRIPT.sub(replace, html, count=1)

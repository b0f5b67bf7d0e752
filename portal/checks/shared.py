"""One finding per mistake on a catalogue page, however many municipalities publish the page.

The page checks run once per site, because a link or a macro can be right on one site and wrong
on another. A catalogue page (content/<lang>/) is shared, so the same mistake comes back once per
site, sometimes with site-specific details (the offices of that site). `merge` folds them into one
finding: when the mistake does not concern every site that publishes the page, or its details
differ per site, the message names the sites it affects, e.g. "(on the sites antwerpen, opwijk)".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from portal.common.findings import Finding


def _normal(text: str, slug: str) -> str:
    return text.replace(slug, "<slug>") if slug else text


def _sites(slugs: list[str]) -> str:
    return f"(on the site{'s' if len(slugs) > 1 else ''} {', '.join(slugs)})"


def _merged_hint(hints: list[tuple[str, str]]) -> str:
    """One hint for a group: the common one, else "<head>: <detail per site>" for hints shaped
    like "offices on this site: a, b; ..." that differ only after the colon, else the first."""
    if len({hint for _, hint in hints}) == 1:
        return hints[0][1]
    heads = {hint.partition(": ")[0] for _, hint in hints}
    if len(heads) == 1 and all(": " in hint for _, hint in hints):
        head = heads.pop()
        details = [(slug, hint.partition(": ")[2].partition("; ")) for slug, hint in hints]
        tails = {tail for _, (_, _, tail) in details}
        per_site = ", ".join(f"{slug} ({detail})" for slug, (detail, _, _) in details)
        return f"{head} per site: {per_site}" + (f"; {tails.pop()}" if len(tails) == 1 and "" not in tails else "")
    return hints[0][1]


def merge(tagged: Iterable[tuple[str, Finding]], shared_root: Path,
          published: dict[Path, list[str]]) -> list[Finding]:
    """Findings from (slug, finding) pairs, those on pages under `shared_root` merged across sites.

    `published` maps each shared page to the checked sites that publish it.
    """
    groups: dict[tuple, list[tuple[str, Finding]]] = {}
    order: list = []
    for slug, finding in tagged:
        path = Path(finding.path)
        if not path.is_relative_to(shared_root):
            key = ("own", finding)
        else:
            key = (path, finding.line, finding.severity, _normal(finding.message, slug))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((slug, finding))
    result = []
    for key in order:
        members = groups[key]
        first_slug, first = members[0]
        if key[0] == "own":
            result.append(first)
            continue
        slugs = list(dict.fromkeys(slug for slug, _ in members))
        mentions_site = any(slug in f.message or slug in f.hint for slug, f in members)
        varies = len({f.message for _, f in members}) > 1 or len({f.hint for _, f in members}) > 1
        everywhere = set(slugs) >= set(published.get(Path(first.path), slugs))
        hint_of = [(slug, f.hint) for slug, f in members]
        if len(slugs) == 1:
            message, hint = first.message, first.hint
        else:
            message = first.message.replace(first_slug, "this site")
            hint = _merged_hint([(slug, _normal(h, slug)) for slug, h in hint_of])
        if mentions_site or varies or not everywhere:
            if not (len(slugs) == 1 and first_slug in message):
                message = f"{message} {_sites(slugs)}"
        result.append(Finding(first.path, first.line, message, first.severity, hint))
    return result

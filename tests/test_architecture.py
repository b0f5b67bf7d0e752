"""The package's layout is its architecture: the parts import one way, without cycles, at the top.

Read with `ast` from the source (nothing imported), so a violation is found even in code no other
test runs.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "portal"
# Which part may import which (besides itself). Wiring modules at the top (cli, serve, preview) may import any.
ALLOWED = {
    "common": set(),
    "municipal": {"common"},
    "site": {"common", "municipal"},
    "store": {"common", "municipal"},   # retention reads each municipality's retention period
    "intake": {"common", "municipal", "store"},
    "delivery": {"common", "municipal", "store", "intake"},
    "web": {"common", "municipal", "store", "intake", "delivery"},
    "checks": {"common", "municipal", "site", "intake"},
    "admin": {"common", "municipal", "site", "checks"},     # the browser editor of `portal preview`
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: dict) -> list[tuple[str, int, bool]]:
    """(module imported, line, inside a function) for every import of a portal module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
             for node in ast.walk(fn) if isinstance(node, (ast.Import, ast.ImportFrom))}
    result = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]
        else:
            continue
        result += [(name, node.lineno, id(node) in inner) for name in names if name in known]
    return result


def part(module: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 2 or (len(pieces) == 2 and pieces[1] in ALLOWED) else None


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = defaultdict(set)
    for name, path in known.items():
        for target, _, _ in imports(path, known):
            if target != name:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_back_through_a_cycle():
    assert cycles(graph()) == []


def test_each_part_imports_only_the_parts_below_it():
    wrong = []
    for source, targets in graph().items():
        source_part = part(source)
        if source_part is None:
            continue                      # cli, serve, preview: the wiring
        for target in targets:
            target_part = part(target)
            if target_part and target_part != source_part and target_part not in ALLOWED[source_part]:
                wrong.append(f"{source} imports {target}")
    assert wrong == []


def test_the_site_build_and_the_backend_never_import_each_other():
    backend = {"web", "intake", "store", "delivery"}
    crossing = [f"{s} -> {t}" for s, targets in graph().items() for t in targets
                if (part(s) == "site" and part(t) in backend) or (part(s) in backend and part(t) == "site")]
    assert crossing == []


def test_an_import_inside_a_function_says_why():
    known = modules()
    silent = []
    for path in known.values():
        if path.name == "cli.py":
            continue      # each command imports its parts when it runs: the module docstring says why
        lines = path.read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    before = [line.strip() for line in lines[max(node.lineno - 4, 0):node.lineno - 1]]
                    if "#" not in lines[node.lineno - 1] and not any(line.startswith("#") for line in before):
                        silent.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert silent == []


def test_one_module_reads_the_environment():
    readers = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                     if re.search(r"os\.environ|os\.getenv|from_prefixed_env", p.read_text(encoding="utf-8")))
    # settings reads every PORTAL_* variable, and sets the two that MkDocs reads for the command line.
    assert readers == ["portal/common/settings.py"]


def test_the_folders_are_the_parts_of_the_design():
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert folders == sorted(ALLOWED)
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["cli.py", "preview.py", "serve.py"]

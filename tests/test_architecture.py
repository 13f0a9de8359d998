"""The package's shape, checked the way a maintainer relies on it: every module imports on its own
in a fresh interpreter, the import graph (imports inside functions included) has no cycle, and no
module takes a private name (``_name``) from another module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: import package -> folder, as `[tool.setuptools.package-dir]` maps them
PACKAGE_DIRS = {"typeinfer": "typeinfer", "typeinfer.cpg": "cpg", "typeinfer.analyzer": "analyzer",
                "typeinfer.typemodel": "typemodel", "typeinfer.lsp": "lsp", "typeinfer.corpus": "corpus",
                "typeinfer.cluster": "cluster"}


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    out: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base).with_suffix("")
            if any(part in ("model", "samples", "data", "cache", "vscode", "node_modules") for part in rel.parts):
                continue
            if rel.name == "__main__":
                continue  # running it is its job: importing one starts the command line
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            # a sub-folder of typeinfer/ that is itself a mapped package is listed once, under its mapping
            if package == "typeinfer" and parts and f"typeinfer.{parts[0]}" in PACKAGE_DIRS \
                    and PACKAGE_DIRS[f"typeinfer.{parts[0]}"] != f"typeinfer/{parts[0]}":
                continue
            out[name] = path
    return out


def imports_of(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import statement of a module, at any depth, made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((module, [a.name for a in node.names]))
    return out


def import_graph() -> nx.DiGraph:
    mods = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(mods)
    for name, path in mods.items():
        for module, names in imports_of(name, path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in mods] or [module]
            for target in targets:
                if target in mods and target != name:
                    graph.add_edge(name, target)
                    # importing a.b.c first runs a/__init__ and a/b/__init__
                    parts = target.split(".")
                    for k in range(1, len(parts)):
                        parent = ".".join(parts[:k])
                        if parent in mods and parent != name and not name.startswith(parent + "."):
                            graph.add_edge(name, parent)
    return graph


def test_every_module_imports_in_a_fresh_interpreter():
    names = sorted(modules())
    assert len(names) > 60
    code = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\n"
    # the training modules need torch (an extra); everything else must import without it
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    cycles = sorted(sorted(c) for c in nx.simple_cycles(graph) if len(c) > 1)
    # a package's __init__ re-exporting its own submodules is the one allowed back edge
    cycles = [c for c in cycles if not all(n.startswith(_shortest(c)) for n in c)]
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles[:20])


def _shortest(cycle: list[str]) -> str:
    return min(cycle, key=len)


def test_no_private_name_is_imported_across_modules():
    mods = modules()
    found = []
    for name, path in mods.items():
        for module, names in imports_of(name, path):
            if not module.startswith("typeinfer"):
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}: from {module} import {n}")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("module", ["typeinfer.cli", "typeinfer.lsp.server", "typeinfer.cpg.query"])
def test_the_checks_see_the_modules_they_guard(module):
    assert module in modules()

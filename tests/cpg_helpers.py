"""Small graph queries for front-end tests (shared by the Python and TypeScript front-end tests).

Language-neutral on purpose: build a file's AST-level graph from inline text, then select nodes
by kind and properties, walk AST children in ORDER, and follow edges of one kind.
"""

from __future__ import annotations

import textwrap
from typing import Any

import networkx as nx

from typeinfer.cpg.file_graph import FileGraph
from typeinfer.cpg.frontends import build_ast
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop, validate
from typeinfer.cpg.source import source_from_text


def build(code: str, path: str) -> tuple[FileGraph, nx.MultiDiGraph]:
    """The AST-level graph of `code` (dedented) as file `path`; fails if it breaks the schema."""
    fg = build_ast(source_from_text(textwrap.dedent(code), path))
    g = fg.to_networkx()
    assert validate(g) == []
    return fg, g


def nodes(g: nx.MultiDiGraph, kind: NodeKind | str, **props: Any) -> list[int]:
    """Nodes of `kind` whose properties equal `props` (keys are `Prop` names), in id order."""
    wanted = {Prop(k): v for k, v in props.items()}
    return sorted(
        n for n, d in g.nodes(data=True)
        if d.get(Prop.KIND) == kind and all(d.get(k) == v for k, v in wanted.items())
    )


def one(g: nx.MultiDiGraph, kind: NodeKind | str, **props: Any) -> int:
    """The single node of `kind` with `props` (fails when there are none or several)."""
    found = nodes(g, kind, **props)
    assert len(found) == 1, f"{len(found)} {kind} nodes with {props}"
    return found[0]


def ast_children(g: nx.MultiDiGraph, n: int) -> list[int]:
    """AST children of `n` in ORDER."""
    kids = [d for _, d, k in g.out_edges(n, keys=True) if k == EdgeKind.AST]
    return sorted(kids, key=lambda c: g.nodes[c].get(Prop.ORDER, 0))


def ast_parent(g: nx.MultiDiGraph, n: int) -> int | None:
    """The AST parent of `n` (None for the FILE node)."""
    return next((s for s, _, k in g.in_edges(n, keys=True) if k == EdgeKind.AST), None)


def out(g: nx.MultiDiGraph, n: int, edge_kind: EdgeKind | str) -> list[int]:
    """Destinations of `n`'s outgoing edges of one kind."""
    return [d for _, d, k in g.out_edges(n, keys=True) if k == edge_kind]


def prop(g: nx.MultiDiGraph, n: int, name: str, default: Any = None) -> Any:
    """One property of a node (`name` is a `Prop` name)."""
    return g.nodes[n].get(Prop(name), default)


def kinds(g: nx.MultiDiGraph, ns: list[int]) -> list[str]:
    """The kinds of several nodes (handy to compare child lists)."""
    return [g.nodes[n][Prop.KIND] for n in ns]

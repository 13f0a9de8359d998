"""The project graph: a networkx MultiDiGraph behind a small typed API.

Node ids are ``(relpath, local_id)`` tuples, so that all nodes of one file can be found and
replaced when that file changes.  Edge keys are `EdgeKind` values (at most one edge of a kind
between two nodes).  Everything else reads the graph through this class.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from .file_graph import FileGraph
from .schema import EdgeKind, NodeKind, Prop

NodeId = tuple[str, int]

#: kinds whose nodes the symbol index (a `derived` value) lists
_DECLARATIONS = frozenset({NodeKind.METHOD, NodeKind.TYPE_DECL, NodeKind.IMPORT})


@dataclass
class FileInfo:
    """What the build learned about one file (JSON: ``dataclasses.asdict``)."""

    path: str
    language: str
    content_hash: str
    loc: int
    parse_errors: int
    error: str | None = None  #: why it could not be analysed (then it has no nodes)
    warning: str | None = None  #: analysed, but something the user should know


def _bulk_load(g: nx.MultiDiGraph, path: str, fg: FileGraph) -> None:
    """Insert one file's nodes and edges straight into networkx's adjacency dicts.

    Merging is most of a project build's time with `add_nodes_from`/`add_edges_from` (their
    per-item checks cost ~8 us an edge); a new file's ids are fresh tuples, so those checks are
    unnecessary.  This relies on networkx 3's documented MultiDiGraph layout (``_node``,
    ``_succ``, ``_pred``, key dicts shared between both directions).
    """
    _insert_nodes(g, path, fg.nodes)
    # AST edges first: the builder emits each parent's in ORDER, so a node's successors start
    # with its AST children in ORDER and `ast_children` needs no sort
    ast = EdgeKind.AST
    _insert_edges(g, path, [e for e in fg.edges if e[2] == ast])
    _insert_edges(g, path, [e for e in fg.edges if e[2] != ast])
    clear = getattr(nx, "_clear_cache", None)
    if clear is not None:
        clear(g)


def _insert_nodes(g: nx.MultiDiGraph, path: str, nodes: dict[int, dict[str, Any]]) -> list[NodeId]:
    """New nodes of one file into networkx's dicts (no per-node checks: the ids are fresh)."""
    node_attrs, succ, pred = g._node, g._succ, g._pred
    keys = []
    for nid, props in nodes.items():
        key = (path, nid)
        node_attrs[key] = props
        succ[key] = {}
        pred[key] = {}
        keys.append(key)
    return keys


def _insert_edges(g: nx.MultiDiGraph, path: str,
                  edges: Iterable[tuple[int, int, EdgeKind, dict[str, Any] | None]]) -> None:
    """Edges between nodes of one file into networkx's dicts (one key dict per node pair, shared
    by both directions, as networkx keeps it)."""
    succ, pred = g._succ, g._pred
    for s, d, kind, props in edges:
        u, v = (path, s), (path, d)
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = {}
            pred[v][u] = keydict
        keydict[kind] = props if props is not None else {}


class CodePropertyGraph:
    """A project's code property graph."""

    def __init__(self, root: str = "") -> None:
        self.root = root
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self.files: dict[str, FileInfo] = {}
        self.problems: list[str] = []  #: messages about paths that are not files (loops, unreadable dirs)
        self._file_nodes: dict[str, list[NodeId]] = {}
        self._derived: dict[str, Any] = {}  #: `derived` values; any change of the files drops them
        #: node ids by kind, in the graph's order (an ordered set each); built on the first
        #: `nodes(kind)` and kept up to date by every method that adds or removes nodes
        self._by_kind: dict[NodeKind, dict[NodeId, None]] | None = None
        self._free_ids: dict[str, int] = {}  #: `free_id` of the files asked about since they last changed
        #: bumped whenever nodes are added or removed (a file added, replaced, removed or spliced):
        #: what is computed from the syntax alone stays valid while it is the same
        self.nodes_version = 0

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_derived"] = {}  # recomputed on demand, not worth a cache file's bytes
        state["_by_kind"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_derived", {})
        state.setdefault("_by_kind", None)
        state.setdefault("_free_ids", {})
        state.setdefault("nodes_version", 0)
        self.__dict__.update(state)

    def derived(self, key: str, compute: Callable[[], Any]) -> Any:
        """`compute()`'s value, remembered until a file is added or removed: for what depends
        only on the files' structure (the symbol index), never on types written back."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    # ----------------------------------------------------------------- building
    def add_file(self, fg: FileGraph, warning: str | None = None) -> None:
        """Merge one file's graph (replacing an earlier version of the same file)."""
        if fg.path in self._file_nodes:
            self.remove_file(fg.path)
        self._derived.clear()
        self.nodes_version += 1
        path = fg.path
        self._free_ids.pop(path, None)
        _bulk_load(self.g, path, fg)
        self._file_nodes[path] = [(path, nid) for nid in fg.nodes]
        self._index_kinds(self._file_nodes[path])
        self.files[path] = FileInfo(path, fg.language, fg.content_hash, fg.loc, fg.parse_errors, fg.error, warning)

    def splice(self, path: str, removed: Iterable[NodeId], nodes: dict[int, dict[str, Any]],
               edges: Iterable[tuple[int, int, EdgeKind, dict[str, Any] | None]],
               reordered: Iterable[NodeId] = ()) -> list[NodeId]:
        """Replace some nodes of one file in place: drop `removed` (and their edges), add `nodes`
        (local ids) and `edges` (local ids, new or existing ends).  A node that gains AST children,
        or is `reordered` (its children's ORDER changed), keeps them first among its successors, in
        ORDER (`ast_children` relies on it).  Returns
        the new node ids.  Derived values (the symbol index) are dropped when a declaration or
        an import comes or goes."""
        gone = set(removed)
        self.nodes_version += 1
        node_attrs, succ = self.g._node, self.g._succ
        if any(node_attrs[n][Prop.KIND] in _DECLARATIONS for n in gone) \
                or any(props[Prop.KIND] in _DECLARATIONS for props in nodes.values()):
            self._derived.clear()
        self._unindex_kinds(gone)
        self.g.remove_nodes_from(gone)
        added = _insert_nodes(self.g, path, nodes)
        self._index_kinds(added)
        if added and path in self._free_ids:
            self._free_ids[path] = max(self._free_ids[path], max(n[1] for n in added) + 1)
        edges = list(edges)
        _insert_edges(self.g, path, edges)
        parents = set(reordered) | {(path, s) for s, _, kind, _ in edges if kind == EdgeKind.AST}
        for u in parents:
            items = list(succ[u].items())
            ast = sorted((item for item in items if EdgeKind.AST in item[1]),
                         key=lambda item: node_attrs[item[0]].get(Prop.ORDER, 0))
            succ[u] = dict(ast + [item for item in items if EdgeKind.AST not in item[1]])
        if gone:
            self._file_nodes[path] = [n for n in self._file_nodes.get(path, ()) if n not in gone] + added
        else:
            self._file_nodes.setdefault(path, []).extend(added)
        clear = getattr(nx, "_clear_cache", None)
        if clear is not None:
            clear(self.g)
        return added

    def add_unreadable(self, path: str, language: str, message: str) -> None:
        """Record a file that could not be analysed (it keeps no nodes)."""
        self.remove_file(path)
        self.files[path] = FileInfo(path, language, "", 0, 0, error=message)

    def remove_file(self, path: str) -> None:
        """Drop a file's nodes (and every edge touching them)."""
        self._derived.clear()
        self.nodes_version += 1
        gone = self._file_nodes.pop(path, ())
        self._free_ids.pop(path, None)
        self._unindex_kinds(gone)
        self.g.remove_nodes_from(gone)
        self.files.pop(path, None)

    def clear(self) -> None:
        """Drop every file, node and edge: what a command does once it is done with its graph, so
        that the memory goes back at once instead of through the cycle collector's walk."""
        self.g.clear()
        self.files.clear()
        self._file_nodes.clear()
        self._derived.clear()
        self._by_kind = None
        self._free_ids.clear()
        self.nodes_version += 1

    def _index_kinds(self, added: Iterable[NodeId]) -> None:
        if self._by_kind is not None:
            attrs, by_kind = self.g._node, self._by_kind
            for n in added:
                by_kind.setdefault(attrs[n][Prop.KIND], {})[n] = None

    def _unindex_kinds(self, removed: Iterable[NodeId]) -> None:
        if self._by_kind is not None:
            attrs, by_kind = self.g._node, self._by_kind
            for n in removed:
                if n in attrs:
                    by_kind[attrs[n][Prop.KIND]].pop(n, None)

    def file_nodes(self, path: str) -> list[NodeId]:
        """All node ids of one file."""
        return self._file_nodes.get(path, [])

    def free_id(self, path: str) -> int:
        """A node id above every id of the file's nodes (where new nodes of it may start)."""
        free = self._free_ids.get(path)
        if free is None:
            free = self._free_ids[path] = max((n[1] for n in self._file_nodes.get(path, ())), default=-1) + 1
        return free

    def add_edge(self, src: NodeId, dst: NodeId, kind: EdgeKind, **props: Any) -> None:
        self.g.add_edge(src, dst, key=kind, **props)

    # ----------------------------------------------------------------- reading
    # These read networkx's adjacency dicts (``_node``, ``_succ``, ``_pred``: the documented
    # MultiDiGraph layout `_bulk_load` writes) directly: every pass calls them millions of times,
    # and the public views build an object per call (about 4x the time).
    def props(self, n: NodeId) -> dict[str, Any]:
        """The property dict of a node (live: writing to it changes the graph)."""
        return self.g._node[n]

    def kind(self, n: NodeId) -> NodeKind:
        return self.g._node[n][Prop.KIND]

    def get(self, n: NodeId, prop: Prop, default: Any = None) -> Any:
        return self.g._node[n].get(prop, default)

    def nodes(self, kind: NodeKind | None = None) -> Iterator[NodeId]:
        """All node ids, or those of one kind (both in the graph's order)."""
        if kind is None:
            return iter(self.g.nodes)
        if self._by_kind is None:
            by_kind: dict[NodeKind, dict[NodeId, None]] = {}
            for n, props in self.g._node.items():
                by_kind.setdefault(props[Prop.KIND], {})[n] = None
            self._by_kind = by_kind
        # a snapshot: callers may add or remove nodes while they walk the ones of a kind
        return iter(list(self._by_kind.get(kind, ())))

    def out(self, n: NodeId, kind: EdgeKind) -> list[NodeId]:
        """Successors of `n` along edges of `kind`."""
        return [d for d, kinds in self.g._succ[n].items() if kind in kinds]

    def into(self, n: NodeId, kind: EdgeKind) -> list[NodeId]:
        """Predecessors of `n` along edges of `kind`."""
        return [s for s, kinds in self.g._pred[n].items() if kind in kinds]

    def callers(self, method: NodeId) -> list[NodeId]:
        """The calls linked to `method` (CALL edges into it), in node-id order: not the order the
        links were made in, which a re-link of some of the calls changes."""
        return sorted(self.into(method, EdgeKind.CALL))

    def lineage(self, type_decl: NodeId) -> list[NodeId]:
        """The class and its project ancestors (INHERITS_FROM), nearest first (breadth-first, no
        duplicates): where an attribute or method of the class is looked for."""
        order, queue, seen = [], [type_decl], {type_decl}
        while queue:
            current = queue.pop(0)
            order.append(current)
            for base in self.out(current, EdgeKind.INHERITS_FROM):
                if base not in seen:
                    seen.add(base)
                    queue.append(base)
        return order

    def in_file_order(self, nodes: Iterable[NodeId]) -> list[NodeId]:
        """`nodes` sorted as a walk of the graph meets them: the files in the graph's order, each
        file's nodes by id (not in a set's order, which the hash seed decides)."""
        rank = {rel: i for i, rel in enumerate(self.files)}
        return sorted(nodes, key=lambda n: (rank.get(n[0], len(rank)), n[1]))

    def references(self, decl: NodeId) -> list[NodeId]:
        """The IDENTIFIERs whose REF edge names `decl` (reads and writes), in graph order."""
        return sorted(i for i in self.into(decl, EdgeKind.REF) if self.g._node[i][Prop.KIND] == NodeKind.IDENTIFIER)

    def out_edges(self, n: NodeId, kind: EdgeKind) -> list[tuple[NodeId, dict[str, Any]]]:
        """(destination, edge properties) of the out-edges of `kind`."""
        return [(d, kinds[kind]) for d, kinds in self.g._succ[n].items() if kind in kinds]

    def ast_children(self, n: NodeId) -> list[NodeId]:
        """AST children in ORDER (the order `_bulk_load` inserted them in)."""
        return [d for d, kinds in self.g._succ[n].items() if EdgeKind.AST in kinds]

    def attribute_member(self, cls: NodeId, name: str) -> NodeId | None:
        """The MEMBER of class `cls` (not its bases) that holds attribute `name` (a method's MEMBER is none)."""
        for m in self.ast_children(cls):
            if self.kind(m) == NodeKind.MEMBER and self.get(m, Prop.NAME) == name \
                    and "method" not in (self.get(m, Prop.MODIFIERS) or ()):
                return m
        return None

    def ast_parent(self, n: NodeId) -> NodeId | None:
        for pred, kinds in self.g._pred[n].items():
            if EdgeKind.AST in kinds:
                return pred
        return None

    def ast_descendants(self, n: NodeId, stop_at: Iterable[NodeKind] = ()) -> Iterator[NodeId]:
        """Pre-order descendants; subtrees rooted at `stop_at` kinds are not entered."""
        stop = frozenset(stop_at)
        stack = list(reversed(self.ast_children(n)))
        while stack:
            node = stack.pop()
            yield node
            if self.kind(node) not in stop:
                stack.extend(reversed(self.ast_children(node)))

    def enclosing(self, n: NodeId, kinds: Iterable[NodeKind]) -> NodeId | None:
        """The nearest AST ancestor of one of `kinds`."""
        wanted = frozenset(kinds)
        node = self.ast_parent(n)
        while node is not None and self.kind(node) not in wanted:
            node = self.ast_parent(node)
        return node

    def arguments(self, call: NodeId) -> dict[int, NodeId]:
        """ARGUMENT_INDEX -> argument node of a CALL (0 is the receiver)."""
        nodes = self.g._node
        return {nodes[a].get(Prop.ARGUMENT_INDEX, -1): a for a in self.out(call, EdgeKind.ARGUMENT)}

    # ----------------------------------------------------------------- summaries
    def node_counts(self) -> Counter[str]:
        return Counter(str(k) for _, k in self.g.nodes(data=Prop.KIND))

    def edge_counts(self) -> Counter[str]:
        return Counter(str(k) for _, _, k in self.g.edges(keys=True))

    def summary(self) -> dict[str, Any]:
        """Files, LOC, nodes and edges per kind, files with parse errors, files skipped."""
        analysed = [f for f in self.files.values() if f.error is None]
        return {
            "files": len(analysed),
            "files_skipped": sorted((f.path, f.error) for f in self.files.values() if f.error),
            "loc": sum(f.loc for f in analysed),
            "languages": dict(Counter(f.language for f in analysed)),
            "nodes": self.g.number_of_nodes(),
            "edges": self.g.number_of_edges(),
            "nodes_by_kind": dict(sorted(self.node_counts().items())),
            "edges_by_kind": dict(sorted(self.edge_counts().items())),
            "files_with_parse_errors": sorted((f.path, f.parse_errors) for f in analysed if f.parse_errors),
            "warnings": sorted(f.warning for f in self.files.values() if f.warning) + list(self.problems),
        }

    def file_infos_json(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.files.values()]

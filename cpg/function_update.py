"""One function's body rebuilt in the project graph after an edit that stays inside it.

The language server's per-keystroke path.  When the bytes before and after one function's body
are unchanged, only that body is walked again (`rebuild_function_body` of the file's front end,
with the names it can see read back from the graph), its CFG and reaching definitions are
computed again, its calls are linked, and the positions of what follows move by the edit's size.
Every other node of the file keeps its id and properties, so what was inferred for the other
functions stays attached to them.

An edit it cannot prove confined gets None, and the caller rebuilds the whole file: a change in a
header, decorator, class or module statement; a body with effects outside it that the front end
cannot rebuild alone (`writes_outside`: Python's ``global`` or an annotated attribute write,
TypeScript's assignment to a module variable); a class member first written in this body and
also elsewhere; parse errors that moved outside the function; a function whose parameter
defaults hold functions; a language whose front end cannot walk one body.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import tree_sitter

from .ast_builder import AstBuilder, FunctionContext
from .dataflow import self_attribute
from .file_graph import FileGraph
from .graph import CodePropertyGraph, NodeId
from .passes import run_file_passes
from .passes.linking import LINK_EDGES, link_project
from .schema import CODE_LIMIT, FIELD_ACCESS_OPS, MODULE_METHOD_NAME, EdgeKind, NodeKind, Prop
from .source import content_hash, count_errors

_PASS_EDGES = (EdgeKind.CFG, EdgeKind.REACHING_DEF)


@dataclass(frozen=True)
class ParsedText:
    """A document's bytes and their tree-sitter tree."""

    data: bytes
    tree: tree_sitter.Tree


@dataclass(frozen=True)
class BodyUpdate:
    """What `update_function_body` changed."""

    relpath: str
    method: NodeId  #: the METHOD whose body was rebuilt (its id is unchanged)
    removed: frozenset[NodeId]  #: the old body's nodes (and MEMBERs it created)
    added: tuple[NodeId, ...]  #: the new body's nodes
    old_body: tuple[int, int]  #: the old body's byte range
    old_last_line: int  #: the old body's last line (1-based): later lines moved by `line_delta`
    byte_delta: int  #: how far the bytes after the body moved
    line_delta: int  #: how many lines the body grew by
    parse_errors_before: int = 0  #: ERROR and MISSING nodes in the function before the edit
    parse_errors_after: int = 0  #: and after
    old_callees: frozenset[NodeId] = frozenset()  #: what the old body's calls were linked to


def parse_edited(parser: tree_sitter.Parser, old: ParsedText, data: bytes) -> ParsedText:
    """`data` parsed by tree-sitter incrementally from `old` (its tree is left as it was)."""
    prefix, suffix = _common_ends(old.data, data)
    tree = old.tree.copy()
    old_end, new_end = len(old.data) - suffix, len(data) - suffix
    tree.edit(prefix, old_end, new_end, _point(old.data, prefix), _point(old.data, old_end), _point(data, new_end))
    return ParsedText(data, parser.parse(data, tree))


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def update_function_body(cpg: CodePropertyGraph, relpath: str, old: ParsedText, new: ParsedText) -> BodyUpdate | None:
    """Apply the edit `old` -> `new` of one file of `cpg` (built from `old`) by rebuilding one
    function's body, when the edit stays inside it; None (nothing changed) otherwise."""
    info = cpg.files.get(relpath)
    if info is None or info.error or old.data == new.data or info.content_hash != content_hash(old.data):
        return None
    frontend = import_module(f"{__package__}.frontends.{info.language}")
    if not hasattr(frontend, "rebuild_function_body"):
        return None
    delta = len(new.data) - len(old.data)
    found = _edited_function(frontend, old, new)
    if found is None:
        return None
    (old_def, old_body), (new_def, new_body) = found
    if (old_def.start_byte, old_body.start_byte) != (new_def.start_byte, new_body.start_byte) \
            or old_body.end_byte + delta != new_body.end_byte or old_def.end_byte + delta != new_def.end_byte:
        return None
    if frontend.writes_outside(old_body) or frontend.writes_outside(new_body):
        return None
    old_errors, new_errors = count_errors(old_def), count_errors(new_def)
    if info.parse_errors - old_errors != count_errors(new.tree.root_node) - new_errors:
        return None
    method = _method_at(cpg, relpath, old_def)
    context = method and _context(cpg, method, (old_body.start_byte, old_body.end_byte), frontend, old_def)
    if method is None or context is None:
        return None
    function, old_nodes, created_here = context
    new_hash = content_hash(new.data)
    first_id = cpg.free_id(relpath)
    b = AstBuilder(relpath, info.language, new.data, new_hash, first_id=first_id)
    attrs = cpg.g._node
    children = cpg.ast_children(method)
    kept = [c for c in children if (relpath, c[1]) not in old_nodes]
    b.adopt(method[1], attrs[method], children=len(kept) + 1)  # + the new body BLOCK
    if function.owner is not None:
        owner = (relpath, function.owner)
        b.adopt(function.owner, attrs[owner], children=len(cpg.ast_children(owner)))
        for member in function.members.values():
            b.adopt(member, attrs[(relpath, member)])
    body = frontend.rebuild_function_body(b, new_def, function)
    written = {name for decl, name, _ in body.member_writes if decl == function.owner}
    if set(created_here) - written or any(attrs[(relpath, function.members[name])].get(Prop.START_BYTE, 0)
                                          > old_def.end_byte for name in written if name in function.members):
        return None  # a member's first write would move to another function
    if any(attrs[(relpath, m)].get(Prop.TYPE_FULL_NAME) for m in created_here.values()):
        return None  # its declared type may come from an annotation elsewhere in the class
    adopted = {nid for nid in b.graph.nodes if nid < first_id}  # the file's nodes the walk read or extended
    block_order = next(attrs[c][Prop.ORDER] for c in children if (relpath, c[1]) in old_nodes
                       and attrs[c][Prop.KIND] == NodeKind.BLOCK)
    b.graph.nodes[body.block][Prop.ORDER] = block_order
    new_nodes = {nid: props for nid, props in b.graph.nodes.items() if nid not in adopted}
    edges = [*b.graph.edges, (method[1], body.block, EdgeKind.AST, None)]
    _drop_pass_edges(cpg, [method, *kept])
    removed = frozenset(old_nodes) | frozenset((relpath, m) for m in created_here.values())
    relink_too = {src for n in removed for src, kinds in cpg.g._pred[n].items()
                  if src not in removed and any(k in LINK_EDGES for k in kinds)}
    # the attributes the body assigns, before and after: calls on them take their type from it
    assigned = written | _self_writes(cpg, old_nodes)
    old_callees = frozenset(d for n in removed for d in cpg.out(n, EdgeKind.CALL) if d not in removed)
    _set_generator(attrs[method], body.generator)
    _move_positions(cpg, relpath, old, new, old_body, new_body, exclude=removed)
    reordered = ()
    if function.owner is not None and (created_here or any(e[0] == function.owner for e in b.graph.edges)):
        reordered = ((relpath, function.owner),)
        _number_members(cpg, reordered[0], removed, [e[1] for e in b.graph.edges if e[0] == function.owner], new_nodes,
                        old_body.start_byte)
    added = cpg.splice(relpath, removed, new_nodes, edges, reordered)
    edges_after = _function_passes(cpg, relpath, method, kept, new_nodes, edges)
    cpg.splice(relpath, (), {}, edges_after)
    old_info_errors = info.parse_errors
    info.content_hash, info.loc = new_hash, b.graph.loc
    info.parse_errors = old_info_errors - old_errors + new_errors
    file_node = next((n for n in cpg.file_nodes(relpath) if attrs[n][Prop.KIND] == NodeKind.FILE), None)
    if file_node is not None:
        attrs[file_node][Prop.PARSE_ERRORS] = info.parse_errors
    on_assigned = _calls_on_attributes(cpg, assigned) if assigned else []
    link_project(cpg, nodes=list(dict.fromkeys([*added, *(n for n in relink_too if n in attrs), *on_assigned])))
    lines = new_body.end_point[0] - old_body.end_point[0]
    return BodyUpdate(relpath, method, removed, tuple(added), (old_body.start_byte, old_body.end_byte),
                      old_body.end_point[0] + 1, delta, lines, old_errors, new_errors, old_callees)


#: how far down a chain of reads and calls an assigned attribute's calls are followed
_CHAIN_DEPTH = 6


def _self_writes(cpg: CodePropertyGraph, nodes: Any) -> set[str]:
    """Names of the ``self.x = ...`` writes among `nodes`."""
    return {name for n in nodes if n in cpg.g and cpg.get(n, Prop.IS_WRITE)
            and (name := self_attribute(cpg, n)) is not None}


def _calls_on_attributes(cpg: CodePropertyGraph, names: set[str]) -> list[NodeId]:
    """The calls whose receiver is, or is reached through, an attribute of one of `names`
    (``x.session.get()``, ``self.session.client.get()``, ``self.session.make().run()``)."""
    out: list[NodeId] = []
    attrs = cpg.g._node  # direct access: every call of the project is looked at
    for n in cpg.nodes(NodeKind.CALL):
        props = attrs[n]
        # the access's code ends with the field's name: a cheap test before the arguments are read
        if props.get(Prop.NAME) not in FIELD_ACCESS_OPS or str(props.get(Prop.CODE, "")).rpartition(".")[2].strip() not in names:
            continue
        field_node = cpg.arguments(n).get(2)
        if field_node is None or cpg.get(field_node, Prop.NAME) not in names:
            continue
        chain = [n]
        for _ in range(_CHAIN_DEPTH):  # what is read or called on it, and on that, ...
            calls = [c for node in chain for c in cpg.into(node, EdgeKind.RECEIVER)]
            reads = [p for node in chain if (p := cpg.ast_parent(node)) is not None
                     and attrs[p].get(Prop.NAME) in FIELD_ACCESS_OPS and cpg.arguments(p).get(1) == node]
            out.extend(calls)
            chain = calls + reads
            if not chain:
                break
    return list(dict.fromkeys(out))


#: how far an insertion or deletion is slid back to find the function it belongs to
_SLIDE = 256


def _edited_function(frontend: Any, old: ParsedText, new: ParsedText) -> tuple[tuple[Any, Any], tuple[Any, Any]] | None:
    """The (def, body) nodes, in the old tree and in the new one, of the function whose body holds
    the edit.  An insertion or a deletion has several places that give the same text (a line added
    after a body's last line is also an insertion just after that line's end, inside the body):
    it is slid back over the text it repeats until a function holds it."""
    prefix, suffix = _common_ends(old.data, new.data)
    old_end, new_end = len(old.data) - suffix, len(new.data) - suffix
    longer, shorter = (new.data, old.data) if new_end > old_end else (old.data, new.data)
    for back in range(_SLIDE + 1):
        start = prefix - back
        if back and (old_end != prefix and new_end != prefix
                     or start < 0 or shorter[start] != longer[start + abs(new_end - old_end)]):
            return None  # not a pure insertion or deletion, or it cannot slide further
        found_old = frontend.editable_function(old.tree.root_node, start, old_end - back)
        found_new = frontend.editable_function(new.tree.root_node, start, new_end - back)
        if found_old is not None and found_new is not None:
            return found_old, found_new
    return None


def _common_ends(a: bytes, b: bytes) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix (not overlapping it)."""
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # slices compare in C: a binary search beats a byte loop
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, n - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, lo


def _method_at(cpg: CodePropertyGraph, relpath: str, definition: tree_sitter.Node) -> NodeId | None:
    attrs = cpg.g._node
    for n in cpg.nodes(NodeKind.METHOD):
        props = attrs[n]
        if n[0] == relpath and props.get(Prop.START_BYTE) == definition.start_byte \
                and props.get(Prop.END_BYTE) == definition.end_byte:
            return n
    return None


def _context(cpg: CodePropertyGraph, method: NodeId, body: tuple[int, int], frontend: Any,
             definition: tree_sitter.Node) -> tuple[FunctionContext, set[NodeId], dict[str, int]] | None:
    """The front end's view of `method`'s surroundings, the nodes of its old body (with the
    functions and classes defined in it, which hang under the METHOD), and the owner's MEMBERs
    this body created."""
    attrs = cpg.g._node
    children = cpg.ast_children(method)
    blocks = [c for c in children if attrs[c][Prop.KIND] == NodeKind.BLOCK]
    if len(blocks) != 1:
        return None
    old_nodes = {blocks[0], *cpg.ast_descendants(blocks[0])}
    for c in children:
        if attrs[c][Prop.KIND] in (NodeKind.METHOD, NodeKind.TYPE_DECL):
            if not body[0] <= attrs[c].get(Prop.START_BYTE, -1) < body[1]:
                return None  # a function in the header (a parameter's default)
            old_nodes.add(c)
            old_nodes.update(cpg.ast_descendants(c))
    classes, node = [], cpg.ast_parent(method)
    while node is not None and attrs[node][Prop.KIND] != NodeKind.METHOD:
        if attrs[node][Prop.KIND] == NodeKind.TYPE_DECL:
            classes.append(node)
        node = cpg.ast_parent(node)
    if node is None or attrs[node].get(Prop.NAME) != MODULE_METHOD_NAME:
        return None  # inside another function
    module_block = next(c for c in cpg.ast_children(node) if attrs[c][Prop.KIND] == NodeKind.BLOCK)
    module_names = {attrs[c][Prop.NAME]: c[1] for c in cpg.ast_children(module_block)
                    if attrs[c][Prop.KIND] == NodeKind.LOCAL}
    params = [c for c in children if attrs[c][Prop.KIND] == NodeKind.METHOD_PARAMETER_IN]
    props = attrs[method]
    first = attrs[params[0]].get(Prop.NAME) if params else None
    owner = members = created_here = None
    to_class = frontend.writes_to_class(definition, first, props.get(Prop.MODIFIERS) or ()) if classes else False
    if to_class is None:
        return None
    if to_class:
        owner = classes[0]  # the walk gives a function in a class body (statements around it too) that class
        named = [(attrs[m][Prop.NAME], m) for m in cpg.ast_children(owner) if attrs[m][Prop.KIND] == NodeKind.MEMBER]
        all_members = dict(named)
        if len(all_members) != len(named):
            return None  # two MEMBERs of one name (a field declared after a write made one): which is whose?
        created_here = {name: m[1] for name, m in all_members.items()
                        if body[0] <= attrs[m].get(Prop.START_BYTE, -1) < body[1]}
        members = {name: m[1] for name, m in all_members.items() if name not in created_here}
    function = FunctionContext(
        method=method[1], qualname=props[Prop.FULL_NAME].partition(":")[2], in_class=bool(classes),
        params={attrs[p][Prop.NAME]: p[1] for p in params if attrs[p].get(Prop.NAME)},
        module_names=module_names, owner=owner[1] if owner else None, members=members or {},
        self_name=first if owner else None)
    return function, old_nodes, created_here or {}


def _drop_pass_edges(cpg: CodePropertyGraph, nodes: list[NodeId]) -> None:
    """CFG and reaching-definition edges among the kept nodes of the function (recomputed); the
    METHOD's edges in the enclosing function's CFG stay."""
    succ, kept = cpg.g._succ, set(nodes)
    stale = [(n, d, k) for n in nodes for d, kinds in succ[n].items() if d in kept for k in kinds if k in _PASS_EDGES]
    cpg.g.remove_edges_from(stale)


def _set_generator(props: dict[str, Any], generator: bool) -> None:
    if ("generator" in (props.get(Prop.MODIFIERS) or ())) == generator:
        return
    modifiers = [m for m in props.get(Prop.MODIFIERS) or () if m != "generator"]
    if generator:
        modifiers.insert(1 if modifiers[:1] == ["async"] else 0, "generator")
    if modifiers:
        props[Prop.MODIFIERS] = tuple(modifiers)
    else:
        props.pop(Prop.MODIFIERS, None)


def _move_positions(cpg: CodePropertyGraph, relpath: str, old: ParsedText, new: ParsedText,
                    old_body: tree_sitter.Node, new_body: tree_sitter.Node, exclude: frozenset[NodeId]) -> None:
    """Positions at or after the old body's end move by the edit; the text of a node that
    holds the edit is taken again where it shows (CODE)."""
    end, delta = old_body.end_byte, new_body.end_byte - old_body.end_byte
    end_row, end_col = old_body.end_point
    rows, new_col = new_body.end_point[0] - end_row, new_body.end_point[1]
    attrs = cpg.g._node
    # every node of the file is looked at on every keystroke: the keys are locals
    start_byte, end_byte, line, column = Prop.START_BYTE, Prop.END_BYTE, Prop.LINE_NUMBER, Prop.COLUMN_NUMBER
    line_end, column_end, code = Prop.LINE_NUMBER_END, Prop.COLUMN_NUMBER_END, Prop.CODE
    body_start = old_body.start_byte
    for n in cpg.file_nodes(relpath):
        props = attrs[n]
        stop = props.get(end_byte)
        if stop is None or stop < end or n in exclude:
            continue
        start = props[start_byte]
        if start >= end:
            props[start_byte] = start + delta
            row = props[line] - 1
            if row == end_row:
                props[column] += new_col - end_col
            props[line] = row + rows + 1
        elif start < body_start and code in props:
            _retext(props, old.data, new.data)
        props[end_byte] = stop + delta
        if props[line_end] - 1 == end_row:
            props[column_end] += new_col - end_col
        props[line_end] += rows


def _retext(props: dict[str, Any], old: bytes, new: bytes) -> None:
    """CODE of a node holding the edit, when it was its source text (the builder's rule)."""
    start, end = props[Prop.START_BYTE], props[Prop.END_BYTE]
    if props[Prop.CODE] == _code(old, start, end):
        props[Prop.CODE] = _code(new, start, end + len(new) - len(old))


def _code(data: bytes, start: int, end: int) -> str:
    return data[start:min(end, start + 4 * CODE_LIMIT)].decode("utf-8", errors="replace")[:CODE_LIMIT]


def _number_members(cpg: CodePropertyGraph, owner: NodeId, removed: frozenset[NodeId], new_members: list[int],
                    new_nodes: dict[int, dict[str, Any]], body_start: int) -> None:
    """ORDER of a class's AST children as a whole-file walk gives it: its MEMBERs in the order the
    walk made them, then the rest (the body BLOCK).  The walk reaches the rebuilt body after the
    members made before its start and before those made after it; the others keep their order
    among themselves (a value is walked before its target: ``this.a = this.b = 0`` makes b first),
    and the body's new ones come in the order the body walk made them."""
    attrs = cpg.g._node
    kids = [attrs[c] for c in cpg.ast_children(owner) if c not in removed]
    members = sorted((k for k in kids if k[Prop.KIND] == NodeKind.MEMBER), key=lambda k: k.get(Prop.ORDER, 0))
    before = [k for k in members if k.get(Prop.START_BYTE, 0) < body_start]
    after = [k for k in members if k.get(Prop.START_BYTE, 0) >= body_start]
    rest = sorted((k for k in kids if k[Prop.KIND] != NodeKind.MEMBER), key=lambda k: k.get(Prop.ORDER, 0))
    for order, props in enumerate(before + [new_nodes[m] for m in new_members] + after + rest, start=1):
        props[Prop.ORDER] = order


def _function_passes(cpg: CodePropertyGraph, relpath: str, method: NodeId, kept: list[NodeId],
                     new_nodes: dict[int, dict[str, Any]], edges: list[Any]) -> list[Any]:
    """CFG and reaching-definition edges of the function (and of what is nested in it), from
    the file's per-file passes run on the function alone."""
    attrs = cpg.g._node
    fg = FileGraph(path=relpath, language=cpg.files[relpath].language, content_hash="")
    fg.nodes = {method[1]: attrs[method], **{k[1]: attrs[k] for k in kept}, **new_nodes}
    fg.edges = [(method[1], k[1], EdgeKind.AST, None) for k in kept]
    fg.edges += [e for e in edges if e[0] in fg.nodes and e[1] in fg.nodes]
    before = len(fg.edges)
    run_file_passes(fg)
    return fg.edges[before:]

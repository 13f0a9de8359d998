"""What the project's graph tells `verify` about the code around a checker's error.

`graph_facts(cpg)` answers `verify.CodeFacts`: for a line of a file, the project functions that
the function around it calls, and the slots whose values the line reads (or the value whose
member it uses), followed back through variables, ``self`` attributes, the objects whose
attributes are taken and the variables called.  Needs: the graph the annotations were inferred on.  Does
not: read checker output or decide blame (`verify.attribute` does).
"""

from __future__ import annotations

from collections.abc import Iterable

from typeinfer.cpg.dataflow import assigned_value, return_statements, self_writes
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.schema import FIELD_ACCESS_OPS, MODULE_METHOD_NAME, SELF_NAMES, EdgeKind, NodeKind, Op, Prop

from .verify import CodeFacts

Slot = tuple[str, str, str, str]  #: (file, kind, function, name), as `verify.CodeFacts` gives slots
Hit = tuple[int, Slot, Slot | None]  #: (steps away, slot, the slot it was reached through)


def graph_facts(cpg: CodePropertyGraph) -> CodeFacts:
    """`CodeFacts` read off `cpg`: what a line's function calls, and where the values it reads
    come from (the lines are those of the files on disk the graph was built from)."""
    spans: dict[str, list[tuple[int, int, NodeId]]] = {}
    for m in cpg.nodes(NodeKind.METHOD):
        start, end = cpg.get(m, Prop.LINE_NUMBER), cpg.get(m, Prop.LINE_NUMBER_END)
        if isinstance(start, int) and isinstance(end, int) and cpg.get(m, Prop.NAME) != MODULE_METHOD_NAME:
            spans.setdefault(m[0], []).append((start, end, m))
    on_line: dict[tuple[str, int], list[NodeId]] = {}  # filled when `origins` is first asked

    def qualname(method: NodeId) -> str:
        return str(cpg.get(method, Prop.FULL_NAME, "")).partition(":")[2]

    def method_at(path: str, line: int) -> NodeId | None:
        around = [(start, end, m) for start, end, m in spans.get(path, ()) if start <= line <= end]
        return min(around, key=lambda s: s[1] - s[0])[2] if around else None

    def callees(path: str, line: int) -> set[tuple[str, str]]:
        method = method_at(path, line)
        if method is None:
            return set()
        return {(callee[0], qualname(callee))
                for call in cpg.ast_descendants(method, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL))
                if cpg.kind(call) == NodeKind.CALL for callee in cpg.out(call, EdgeKind.CALL)}

    def returned(path: str, line: int) -> set[tuple[str, str]]:
        method = method_at(path, line)
        if method is None:
            return set()
        out = set()
        for r in return_statements(cpg, method):
            values = [c for c in cpg.ast_children(r) if cpg.kind(c) == NodeKind.CALL]
            # ``return await self.fetch()``: the awaited call (not the operands of a comparison)
            values += [a for c in values if cpg.get(c, Prop.NAME) == Op.AWAIT
                       for a in cpg.arguments(c).values() if cpg.kind(a) == NodeKind.CALL]
            out |= {(callee[0], qualname(callee)) for c in values for callee in cpg.out(c, EdgeKind.CALL)}
        return out

    def written_to(cls: NodeId | None, attribute: str) -> list[NodeId]:
        """The values class `cls`'s methods assign to ``self.<attribute>``."""
        if cls is None:
            return []
        return [value for write in self_writes(cpg, cls).get(attribute, ())
                if (value := assigned_value(cpg, write)) is not None]

    def sources(n: NodeId, depth: int, via: Slot | None) -> list[Hit]:
        """The slots `n`'s value comes from, each as (steps away, slot, the slot it was reached
        through: None for one `n` reads itself)."""
        if depth > 4:
            return []
        kind, name = cpg.kind(n), cpg.get(n, Prop.NAME, "")
        out: list[Hit] = []
        if kind == NodeKind.IDENTIFIER:
            for decl in cpg.out(n, EdgeKind.REF):
                owner = cpg.enclosing(decl, (NodeKind.METHOD,))
                function = qualname(owner) if owner is not None else ""
                if cpg.kind(decl) == NodeKind.METHOD_PARAMETER_IN:
                    out.append((depth, (decl[0], "parameter", function, name), via))
                elif cpg.kind(decl) == NodeKind.LOCAL:
                    out.extend(local_sources(decl, n, depth, via))
        elif kind == NodeKind.CALL and name in FIELD_ACCESS_OPS:
            obj, field_node = cpg.arguments(n).get(1), cpg.arguments(n).get(2)
            if obj is not None and field_node is not None and cpg.get(obj, Prop.NAME) in SELF_NAMES:
                slot = (n[0], "attribute", "", cpg.get(field_node, Prop.NAME, ""))
                out.append((depth, slot, via))
                for value in written_to(cpg.enclosing(n, (NodeKind.TYPE_DECL,)), slot[3]):
                    out.extend(sources(value, depth + 1, slot))
            elif obj is not None:  # ``pattern.match``: what the attribute is follows from the object
                out.extend(sources(obj, depth + 1, via))
        elif kind == NodeKind.CALL:
            callees = cpg.out(n, EdgeKind.CALL)
            for callee in callees:
                out.append((depth, (callee[0], "return", qualname(callee), cpg.get(callee, Prop.NAME, "")), via))
            # a variable called (``match = pattern.match; match(path)``); not a method (``obj.match()``)
            decl = None if callees or 0 in cpg.arguments(n) else local_named(n, str(name))
            if decl is not None:
                out.extend(local_sources(decl, None, depth + 1, via))
        return out

    def local_sources(decl: NodeId, read: NodeId | None, depth: int, via: Slot | None) -> list[Hit]:
        owner = cpg.enclosing(decl, (NodeKind.METHOD,))
        slot = (decl[0], "variable", qualname(owner) if owner is not None else "", cpg.get(decl, Prop.NAME, ""))
        out: list[Hit] = [(depth, slot, via)]
        for write in cpg.references(decl):
            value = assigned_value(cpg, write) if cpg.get(write, Prop.IS_WRITE) else None
            if value is not None and value != read:
                out.extend(sources(value, depth + 1, slot))
        return out

    def local_named(n: NodeId, name: str) -> NodeId | None:
        """The variable `name` of the function around `n` or of a function around that one."""
        method = cpg.enclosing(n, (NodeKind.METHOD,))
        while method is not None:
            for block in cpg.ast_children(method):
                for decl in cpg.ast_children(block) if cpg.kind(block) == NodeKind.BLOCK else ():
                    if cpg.kind(decl) == NodeKind.LOCAL and cpg.get(decl, Prop.NAME) == name:
                        return decl
            method = cpg.enclosing(method, (NodeKind.METHOD,))
        return None

    def origins(path: str, line: int) -> list[tuple[Slot, Slot | None]]:
        return _nearest_first(hit for n in nodes_on(path, line) for hit in sources(n, 0, None))

    def receivers(path: str, line: int, member: str) -> list[tuple[Slot, Slot | None]]:
        found: list[Hit] = []
        for n in nodes_on(path, line):
            name, args = cpg.get(n, Prop.NAME), cpg.arguments(n) if cpg.kind(n) == NodeKind.CALL else {}
            if name in FIELD_ACCESS_OPS:
                field_node = args.get(2)
                receiver = args.get(1) if field_node is not None and cpg.get(field_node, Prop.NAME) == member else None
            else:
                receiver = args.get(0) if name == member else None
            if receiver is not None:
                found.extend(sources(receiver, 0, None))
        return _nearest_first(found)

    def nodes_on(path: str, line: int) -> list[NodeId]:
        if not on_line:
            for kind in (NodeKind.IDENTIFIER, NodeKind.CALL):
                for n in cpg.nodes(kind):
                    on_line.setdefault((n[0], cpg.get(n, Prop.LINE_NUMBER)), []).append(n)
        return on_line.get((path, line), [])

    return CodeFacts(callees, origins, receivers, returned)


def _nearest_first(found: Iterable[Hit]) -> list[tuple[Slot, Slot | None]]:
    """Each slot once, as (slot, the slot it was reached through), at its fewest steps away,
    nearest first."""
    nearest: dict[Slot, Slot | None] = {}
    for _, slot, via in sorted(found, key=lambda hit: hit[0]):
        nearest.setdefault(slot, via)
    return list(nearest.items())

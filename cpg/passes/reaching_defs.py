"""Reaching-definitions pass: REACHING_DEF edges (definition -> use, VARIABLE = the name).

Needs: the CFG pass (`cfg.add_cfg`) of the same file.  Intra-procedural, per METHOD, by the
classic iterative bit-vector data-flow over the CFG (Python ints as bit sets).

Definitions are nodes that bind a name: IDENTIFIERs with IS_WRITE, METHOD_PARAMETER_IN (bound
at the METHOD entry node), IMPORT (binds IMPORTED_AS), nested METHOD / TYPE_DECL statements
(bind NAME).  Uses are IDENTIFIERs that are read: without IS_WRITE, or the target of an
augmented assignment (``x += 1`` reads x before it writes it).  A variable is identified by
its name within the method.
"""

from __future__ import annotations

from ..file_graph import FileGraph
from ..schema import EdgeKind, NodeKind, Op, Prop


def _parents(fg: FileGraph) -> dict[int, int]:
    return {dst: src for src, dst, kind, _ in fg.edges if kind == EdgeKind.AST}


def add_reaching_defs(fg: FileGraph, cfgs: dict[int, list[tuple[int, int]]],
                      children: dict[int, list[int]]) -> None:
    """Add REACHING_DEF edges for each method whose CFG edges are in `cfgs`."""
    nodes = fg.nodes
    parent_of: dict[int, int] | None = None
    for method, edges in cfgs.items():
        if not edges:
            continue
        succ: dict[int, list[int]] = {}
        pred: dict[int, list[int]] = {}
        cfg_nodes: dict[int, None] = {method: None}
        for s, d in edges:
            succ.setdefault(s, []).append(d)
            pred.setdefault(d, []).append(s)
            cfg_nodes[s] = None
            cfg_nodes[d] = None

        # number the definitions
        def_nodes: list[int] = []  # bit -> defining node (edge source)
        def_var: list[str] = []
        gen: dict[int, int] = {}
        var_bits: dict[str, int] = {}
        params = [c for c in children.get(method, ()) if nodes[c][Prop.KIND] == NodeKind.METHOD_PARAMETER_IN]
        for p in params:
            name = nodes[p].get(Prop.NAME)
            if name:
                bit = 1 << len(def_nodes)
                def_nodes.append(p)
                def_var.append(name)
                gen[method] = gen.get(method, 0) | bit
                var_bits[name] = var_bits.get(name, 0) | bit
        uses: list[tuple[int, str]] = []
        for n in cfg_nodes:
            props = nodes[n]
            kind = props[Prop.KIND]
            name: str | None = None
            if kind == NodeKind.IDENTIFIER:
                if props.get(Prop.IS_WRITE):
                    name = props[Prop.NAME]
                    if parent_of is None:
                        parent_of = _parents(fg)
                    parent = parent_of.get(n)
                    pname = nodes[parent].get(Prop.NAME, "") if parent is not None else ""
                    if pname != Op.ASSIGNMENT and Op.is_assignment(pname):
                        uses.append((n, name))  # augmented: read before write
                else:
                    uses.append((n, props[Prop.NAME]))
            elif kind == NodeKind.IMPORT:
                name = props.get(Prop.IMPORTED_AS) or None
                if name == "*":
                    name = None
            elif kind in (NodeKind.METHOD, NodeKind.TYPE_DECL) and n != method:
                name = props.get(Prop.NAME)
            if name:
                bit = 1 << len(def_nodes)
                def_nodes.append(n)
                def_var.append(name)
                gen[n] = gen.get(n, 0) | bit
                var_bits[name] = var_bits.get(name, 0) | bit
        if not uses or not def_nodes:
            continue
        kill: dict[int, int] = {}
        for n, g in gen.items():
            k = 0
            bits = g
            while bits:
                low = bits & -bits
                k |= var_bits[def_var[low.bit_length() - 1]]
                bits ^= low
            kill[n] = k & ~g

        # iterate to the fixed point (worklist in CFG order)
        out: dict[int, int] = {n: gen.get(n, 0) for n in cfg_nodes}
        in_: dict[int, int] = {n: 0 for n in cfg_nodes}
        work = list(cfg_nodes)
        on_work = set(work)
        while work:
            n = work.pop()
            on_work.discard(n)
            acc = 0
            for p in pred.get(n, ()):
                acc |= out[p]
            in_[n] = acc
            new_out = gen.get(n, 0) | (acc & ~kill.get(n, 0))
            if new_out != out[n]:
                out[n] = new_out
                for s in succ.get(n, ()):
                    if s not in on_work:
                        on_work.add(s)
                        work.append(s)

        for use, name in uses:
            reaching = in_[use] & var_bits.get(name, 0)
            while reaching:
                low = reaching & -reaching
                fg.edges.append((def_nodes[low.bit_length() - 1], use, EdgeKind.REACHING_DEF, {Prop.VARIABLE: name}))
                reaching ^= low

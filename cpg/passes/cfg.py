"""CFG pass: control-flow edges for every METHOD of one file, from the AST alone.

Needs: a front end's AST-level `FileGraph` (the encoding in `schema.py`).  Language-agnostic,
like Joern's CfgCreator: it knows the CONTROL_STRUCTURE child orders, not the languages.

CFG nodes are the METHOD (entry), the expression nodes of its body in evaluation order
(post-order; an assignment evaluates its value before its target), RETURN, jump statements
(BREAK, CONTINUE, THROW), loop heads of FOR_EACH, nested METHOD/TYPE_DECL/IMPORT statements
(one node each: they bind a name), and METHOD_RETURN (exit).  Not modelled, on purpose:
short-circuit evaluation inside expressions (evaluated in sequence), ``finally`` on the paths of
``return``/``break`` (a return goes straight to the exit), exceptions raised outside a ``try``.
Every CALL inside a ``try`` body may jump to each of its handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..file_graph import FileGraph
from ..schema import Control, EdgeKind, NodeKind, Op, Prop

_SKIP_IN_EXPR = frozenset({NodeKind.LOCAL, NodeKind.FIELD_IDENTIFIER, NodeKind.MEMBER, NodeKind.METHOD_RETURN})
_OPAQUE = frozenset({NodeKind.METHOD, NodeKind.TYPE_DECL})


def ast_index(fg: FileGraph) -> dict[int, list[int]]:
    """parent -> AST children in ORDER (edges are appended in ORDER by the builder)."""
    children: dict[int, list[int]] = {}
    for src, dst, kind, _ in fg.edges:
        if kind == EdgeKind.AST:
            children.setdefault(src, []).append(dst)
    for kids in children.values():
        if len(kids) > 1:
            kids.sort(key=lambda c: fg.nodes[c].get(Prop.ORDER, 0))
    return children


@dataclass
class _Loop:
    continue_target: int | None  #: None until known (do-while condition, for update)
    breaks: list[int] = field(default_factory=list)
    continues: list[int] = field(default_factory=list)
    is_loop: bool = True  #: False for a switch (break only)


class _MethodCfg:
    """Builds the CFG of one method by threading a frontier of open predecessors."""

    def __init__(self, fg: FileGraph, children: dict[int, list[int]], out: list[tuple[int, int]]) -> None:
        self.nodes = fg.nodes
        self.children = children
        self.out = out
        self.frontier: list[int] = []
        self.loops: list[_Loop] = []
        self.returns: list[int] = []
        self.entry_marks: list[int | None] = []  #: stack of "first node emitted since mark"
        self.tries: list[list[int]] = []  #: per open try: nodes that may throw

    # -- primitives
    def emit(self, n: int) -> None:
        for p in self.frontier:
            self.out.append((p, n))
        self.frontier = [n]
        for i, mark in enumerate(self.entry_marks):
            if mark is None:
                self.entry_marks[i] = n
        if self.tries and self.nodes[n][Prop.KIND] in (NodeKind.CALL, NodeKind.CONTROL_STRUCTURE):
            self.tries[-1].append(n)

    def mark(self) -> None:
        self.entry_marks.append(None)

    def entry(self) -> int | None:
        return self.entry_marks.pop()

    def link(self, sources: list[int], target: int) -> None:
        for s in sources:
            self.out.append((s, target))

    # -- expressions (iterative post-order: expression trees can be deep)
    def expr(self, root: int) -> None:
        nodes, children = self.nodes, self.children
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            n, expanded = stack.pop()
            kind = nodes[n][Prop.KIND]
            if kind in _SKIP_IN_EXPR:
                continue
            if kind in _OPAQUE:
                self.emit(n)
                continue
            if kind == NodeKind.CONTROL_STRUCTURE or kind == NodeKind.BLOCK or kind == NodeKind.RETURN:
                self.stmt(n)
                continue
            if expanded:
                self.emit(n)
                continue
            stack.append((n, True))
            kids = children.get(n, ())
            if kind == NodeKind.CALL and Op.is_assignment(nodes[n].get(Prop.NAME, "")):
                # value first, then the target it is stored into
                stack.extend((k, False) for k in kids)
            else:
                stack.extend((k, False) for k in reversed(kids))

    # -- statements
    def stmt(self, n: int) -> None:
        props = self.nodes[n]
        kind = props[Prop.KIND]
        if kind == NodeKind.BLOCK:
            for c in self.children.get(n, ()):
                self.stmt(c)
        elif kind == NodeKind.RETURN:
            for c in self.children.get(n, ()):
                self.expr(c)
            self.emit(n)
            self.returns.append(n)
            self.frontier = []
        elif kind in _OPAQUE or kind == NodeKind.IMPORT or kind == NodeKind.UNKNOWN:
            self.emit(n)
        elif kind == NodeKind.CONTROL_STRUCTURE:
            self.control(n, props[Prop.CONTROL_STRUCTURE_TYPE])
        elif kind in _SKIP_IN_EXPR:
            return
        else:
            self.expr(n)

    def control(self, n: int, ctype: str) -> None:
        kids = self.children.get(n, [])
        if ctype == Control.IF:
            if kids:
                self.expr(kids[0])
            after_cond = self.frontier
            if len(kids) > 1:
                self.stmt(kids[1])
            then_exit = self.frontier
            self.frontier = after_cond
            if len(kids) > 2:
                self.stmt(kids[2])
            self.frontier = then_exit + self.frontier
        elif ctype == Control.WHILE:
            self._loop(head=kids[:1], body=kids[1:2], else_=kids[2:3])
        elif ctype == Control.DO:
            loop = _Loop(None)
            self.loops.append(loop)
            self.mark()
            if kids:
                self.stmt(kids[0])
            self.mark()
            if len(kids) > 1:
                self.expr(kids[1])
            cond_entry = self.entry()
            body_entry = self.entry()
            self.loops.pop()
            if body_entry is not None:
                self.link(self.frontier, body_entry)
            if cond_entry is not None:
                self.link(loop.continues, cond_entry)
            self.frontier = self.frontier + loop.breaks
        elif ctype == Control.FOR:
            init, cond, update, body = (kids + [None] * 4)[:4]
            if init is not None:
                self.stmt(init)
            self.mark()
            if cond is not None:
                self.stmt(cond)
            cond_entry = self.entry()
            cond_exit = list(self.frontier)
            loop = _Loop(None)
            self.loops.append(loop)
            if body is not None:
                self.stmt(body)
            self.loops.pop()
            self.frontier = self.frontier + loop.continues
            self.mark()
            if update is not None:
                self.stmt(update)
            update_entry = self.entry()
            head = cond_entry if cond_entry is not None else update_entry
            if head is not None:
                self.link(self.frontier, head)
            # `for (;;)` has an empty condition BLOCK: the loop is left only by break
            has_cond = cond is not None and (
                self.nodes[cond][Prop.KIND] != NodeKind.BLOCK or bool(self.children.get(cond)))
            self.frontier = (cond_exit if has_cond else []) + loop.breaks
        elif ctype == Control.FOR_EACH:
            iterable, target, body, else_ = (kids + [None] * 4)[:4]
            if iterable is not None:
                self.expr(iterable)
            self.emit(n)  # the loop head: "is there a next element?"
            loop = _Loop(n)
            self.loops.append(loop)
            if target is not None:
                self.expr(target)
            if body is not None:
                self.stmt(body)
            self.loops.pop()
            self.link(self.frontier + loop.continues, n)
            self.frontier = [n]
            if else_ is not None:
                self.stmt(else_)
            self.frontier = self.frontier + loop.breaks
        elif ctype == Control.TRY:
            self._try(n, kids)
        elif ctype in (Control.SWITCH, Control.MATCH):
            self._switch(kids, fallthrough=ctype == Control.SWITCH)
        elif ctype == Control.WITH:
            for c in kids:
                if self.nodes[c][Prop.KIND] == NodeKind.BLOCK:
                    self.stmt(c)
                else:
                    self.expr(c)
        elif ctype == Control.BREAK:
            self.emit(n)
            if self.loops:
                self.loops[-1].breaks.append(n)
            self.frontier = []
        elif ctype == Control.CONTINUE:
            self.emit(n)
            loop = next((lp for lp in reversed(self.loops) if lp.is_loop), None)
            if loop is not None:
                if loop.continue_target is not None:
                    self.link([n], loop.continue_target)
                else:
                    loop.continues.append(n)
            self.frontier = []
        elif ctype == Control.THROW:
            for c in kids:
                self.expr(c)
            self.emit(n)
            self.frontier = []
        else:  # ELSE / FINALLY / CASE / CATCH outside their parent, or unknown: run the children
            for c in kids:
                self.stmt(c)

    def _loop(self, head: list[int], body: list[int], else_: list[int]) -> None:
        self.mark()
        for c in head:
            self.expr(c)
        cond_entry = self.entry()
        cond_exit = list(self.frontier)
        loop = _Loop(cond_entry)
        self.loops.append(loop)
        for c in body:
            self.stmt(c)
        self.loops.pop()
        if cond_entry is not None:
            self.link(self.frontier, cond_entry)
        self.frontier = cond_exit
        for c in else_:
            self.stmt(c)
        self.frontier = self.frontier + loop.breaks

    def _try(self, n: int, kids: list[int]) -> None:
        before = list(self.frontier)
        body = kids[0] if kids else None
        handlers = [k for k in kids[1:] if self.nodes[k].get(Prop.CONTROL_STRUCTURE_TYPE) == Control.CATCH]
        else_ = [k for k in kids[1:] if self.nodes[k].get(Prop.CONTROL_STRUCTURE_TYPE) == Control.ELSE]
        finally_ = [k for k in kids[1:] if self.nodes[k].get(Prop.CONTROL_STRUCTURE_TYPE) == Control.FINALLY]
        self.tries.append([])
        if body is not None:
            self.stmt(body)
        throwing = self.tries.pop()
        for k in else_:
            self.stmt(k)
        exits = list(self.frontier)
        for handler in handlers:
            self.frontier = before + throwing
            for c in self.children.get(handler, ()):
                if self.nodes[c][Prop.KIND] == NodeKind.BLOCK:
                    self.stmt(c)
                else:
                    self.expr(c)
            exits.extend(self.frontier)
        self.frontier = exits
        if self.tries:  # what may throw here may also reach an enclosing handler
            self.tries[-1].extend(throwing)
        for k in finally_:
            if not handlers:
                self.frontier = self.frontier + throwing
            self.stmt(k)

    def _switch(self, kids: list[int], fallthrough: bool) -> None:
        if kids:
            self.expr(kids[0])
        no_match = list(self.frontier)
        prev_body_exit: list[int] = []
        loop = _Loop(None, is_loop=False)
        if fallthrough:
            self.loops.append(loop)
        has_default = False
        for case in kids[1:]:
            parts = self.children.get(case, [])
            tests, body = parts[:-1], parts[-1:] if parts else []
            self.frontier = no_match
            for t in tests:
                self.expr(t)
            if not tests:
                has_default = True
            no_match = list(self.frontier)
            self.frontier = self.frontier + (prev_body_exit if fallthrough else [])
            for b in body:
                self.stmt(b)
            if fallthrough:
                prev_body_exit = list(self.frontier)
            else:
                loop.breaks.extend(self.frontier)
        if fallthrough:
            self.loops.pop()
            loop.breaks.extend(prev_body_exit)
        self.frontier = loop.breaks + ([] if has_default else no_match)


def method_ids(fg: FileGraph) -> list[int]:
    """All METHOD nodes of a file."""
    return [n for n, p in fg.nodes.items() if p[Prop.KIND] == NodeKind.METHOD]


def add_cfg(fg: FileGraph, children: dict[int, list[int]] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Add CFG edges for every method; returns method -> its CFG edge list (for later passes)."""
    children = ast_index(fg) if children is None else children
    per_method: dict[int, list[tuple[int, int]]] = {}
    for method in method_ids(fg):
        kids = children.get(method, [])
        body = next((k for k in kids if fg.nodes[k][Prop.KIND] == NodeKind.BLOCK), None)
        exit_ = next((k for k in kids if fg.nodes[k][Prop.KIND] == NodeKind.METHOD_RETURN), None)
        edges: list[tuple[int, int]] = []
        builder = _MethodCfg(fg, children, edges)
        builder.frontier = [method]
        if body is not None:
            builder.stmt(body)
        if exit_ is not None:
            builder.link(builder.frontier + builder.returns, exit_)
        per_method[method] = edges
        fg.edges.extend((s, d, EdgeKind.CFG, None) for s, d in dict.fromkeys(edges))
    return per_method

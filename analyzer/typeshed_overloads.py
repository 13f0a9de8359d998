"""Overload choice: which return type a call gets, given what is known about its arguments.

Does: parse a function's (overloaded) stub definitions into call signatures (`signatures`), and
`OverloadChooser.select` picks the return type node for a call described by its positional
argument count, keyword names and one string-literal argument:

* an overload is applicable when the arguments fit its parameters (count, keywords given twice or
  unknown, required ones missing) and the literal fits its parameter (a matching ``Literal[...]``,
  a str-compatible type, or a TypeVar it binds: ``re.compile("x")`` -> ``Pattern[str]``);
* a method's ``self`` annotation rules overloads out (``self: Pattern[str]``) or binds an old-style
  ``self: _S`` TypeVar to the receiver;
* when every applicable overload gives the same type, that type; when they disagree but the call's
  arguments are all known by count and every other argument meets the same annotation in each, the
  first one (what a type checker picks: ``open(p, "rb")`` -> ``BufferedReader``); else unknown.

Does not: look names up or render annotations itself (it asks `typeshed_lookup.StubLookup`), turn
the chosen node into text (`typeshed_nodes`), judge argument *types* other than the one literal,
or cache (the callers' results are memoized in `typeshed_facts`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from typeshed_client import NameInfo, OverloadedName

from typeinfer.analyzer.typeshed_lookup import StubLookup
from typeinfer.analyzer.typeshed_nodes import (
    MAYBE_NONE, NONE, STR, UNKNOWN, Cls, Lit, Node, TVar, UnionNode, canonical, decorator_names, subst, to_text, widen,
)

__all__ = ["OverloadChooser", "Sig", "signatures"]


@dataclass(frozen=True)
class Sig:
    """One (overload of a) function, parsed for applicability checks."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str
    positional: tuple[ast.arg, ...]  # includes positional-only, first param dropped for methods
    n_posonly: int
    n_required_pos: int
    vararg: ast.arg | None
    kwonly: tuple[ast.arg, ...]
    kwonly_required: frozenset[str]
    kwarg: ast.arg | None
    self_annotation: ast.expr | None


def signatures(info: NameInfo, module: str, is_method: bool) -> list[Sig]:
    """The call signatures of a stub function (its ``@overload``s if it has any; the first parameter of
    a non-static method is the receiver, kept apart as ``self_annotation``)."""
    node = info.ast
    defs = node.definitions if isinstance(node, OverloadedName) else [node]
    fdefs = [d for d in defs if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))]
    overloads = [d for d in fdefs if "overload" in decorator_names(d)]
    if overloads:
        fdefs = overloads  # the implementation signature is not a call target
    sigs = []
    for fn in fdefs:
        a = fn.args
        positional = list(a.posonlyargs) + list(a.args)
        n_posonly = len(a.posonlyargs)
        n_defaults = len(a.defaults)
        required = len(positional) - n_defaults
        self_ann = None
        if is_method and "staticmethod" not in decorator_names(fn) and positional:
            self_ann = positional[0].annotation
            positional = positional[1:]
            n_posonly = max(0, n_posonly - 1)
            required = max(0, required - 1)
        kw_required = frozenset(
            arg.arg for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is None
        )
        sigs.append(
            Sig(fn, module, tuple(positional), n_posonly, required, a.vararg, tuple(a.kwonlyargs),
                kw_required, a.kwarg, self_ann)
        )
    return sigs


def _takes_str(node: Node) -> bool:
    """Whether a type argument position typed ``node`` can hold ``str``."""
    if isinstance(node, UnionNode):
        return any(_takes_str(m) for m in node.members)
    if isinstance(node, Cls):
        return node.name in ("str", "object") and not node.args
    return isinstance(node, TVar) or node is UNKNOWN


def _is_literal_union(node: Node) -> bool:
    return isinstance(node, UnionNode) and any(isinstance(m, Lit) for m in node.members)


class OverloadChooser:
    """Picks among a function's overloads; reads annotations and classes through `stubs`."""

    def __init__(self, stubs: StubLookup) -> None:
        self.stubs = stubs

    def select(
        self,
        sigs: list[Sig],
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
        env: dict[str, Node],
        self_type: Node | None,
        partial: bool,
        awaited: bool = False,
    ) -> Node | None:
        """Pick the return type node among overloads (see ``Typeshed.function_return``).

        `env` binds the receiver class's TypeVars, `self_type` is the receiver (``None`` for a
        plain function); ``None`` when no overload applies or the applicable ones disagree.
        `awaited`: the type of ``await`` on the call (an ``async def``'s declared return, the
        result type of a returned ``Coroutine`` / ``Awaitable``).
        """
        render = self.stubs.render
        literal_slot = self._literal_slot(sigs, arg_count, keywords, literal, literal_index)
        cands = []
        self_text = to_text(self_type, False) if self_type is not None else None
        for sig in sigs:
            got = self._applicable(sig, arg_count, keywords, literal, literal_slot)
            if got is None:
                continue
            how, binds, others = got
            local_env = dict(env)
            local_env.update(binds)
            if sig.self_annotation is not None and self_type is not None:
                ann = render(sig.self_annotation, sig.module)
                if isinstance(ann, TVar):  # old-style ``def f(self: _S) -> _S``
                    local_env[ann.name] = self_type
                elif isinstance(ann, Cls) and ann.args and self_text is not None:
                    # overloads on the receiver's parameters: ``self: Pattern[str]``
                    want = to_text(widen(subst(ann, env, self_type)), False)
                    if want is not None and canonical(want) != canonical(self_text):
                        continue
            ret = render(sig.node.returns, sig.module)
            if isinstance(sig.node, ast.AsyncFunctionDef):
                if not awaited:
                    ret = Cls("collections.abc.Coroutine", (UNKNOWN, UNKNOWN, ret))
            elif awaited:
                ret = awaited_result(ret)
            ret = widen(subst(ret, local_env, self_type))
            cands.append((others, ret, to_text(ret, partial)))
        if not cands:
            return None
        # an argument given where an overload takes only None (``round(x, 2)`` against
        # ``__round__(self, ndigits: None = None)``): the call means the other overloads
        cands = [c for c in cands if not any(node == NONE for _, node in c[0])] or cands
        first = cands[0]
        if len({c[2] for c in cands}) == 1:
            return first[1] if first[2] is not None else None
        # Overloads disagree.  When the call's arguments are all known by count and
        # every argument other than the literal meets the same annotation in every
        # candidate, only arity and the literal decide, both known: a type checker
        # takes the first matching overload (``open(p, "rb")`` -> BufferedReader).
        if arg_count is not None and all(c[0] == first[0] for c in cands):
            return first[1] if first[2] is not None else None
        return None

    def _accepts_str_literal(self, node: Node, value: str) -> tuple[str, dict[str, Node]] | None:
        """How a parameter of type ``node`` takes the str literal ``value``.

        ``("literal", {})``: through a matching ``Literal[...]``; ``("plain", {})``: through
        a str-compatible type; ``("typevar", {T: str})``: it binds a TypeVar; ``None``: no.
        """
        if isinstance(node, Lit):
            return ("literal", {}) if value in node.values else None
        if isinstance(node, TVar):
            if node.constraints:
                return ("typevar", {node.name: STR}) if STR in node.constraints else None
            if node.bound is not None and self._accepts_str_literal(node.bound, value) is None:
                return None
            return ("typevar", {node.name: STR})
        if node is UNKNOWN or node is MAYBE_NONE:
            return ("plain", {})
        if isinstance(node, UnionNode):
            best = None
            rank = {"literal": 3, "typevar": 2, "plain": 1}
            for m in node.members:
                got = self._accepts_str_literal(m, value)
                if got and (best is None or rank[got[0]] > rank[best[0]]):
                    best = got
            return best
        if isinstance(node, Cls):
            if node.name in ("str", "object"):
                return ("plain", {})
            target = self.stubs.info_for_display(node.name)
            if target is None:
                return None
            str_mro = {i.full: dict(env) for i, env in self.stubs.mro("builtins.str")}
            if target.full in str_mro:
                # nominal base of str; its type arguments must take str (Iterable[str], not Sequence[int])
                env = str_mro[target.full]
                for param, arg in zip(target.params, node.args):
                    if env.get(param.name) == STR and not _takes_str(arg):
                        return None
                return ("plain", {})
            if target.is_protocol:
                own = set(target.children) - {"__slots__", "__class_getitem__"}
                if own and own <= self.stubs.class_members("builtins.str"):
                    return ("plain", {})
        return None

    def _applicable(
        self,
        sig: Sig,
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_slot: str | None,
    ) -> tuple[str, dict[str, Node], tuple] | None:
        """None if the overload cannot take these arguments, else (how the literal
        matched: "literal" / "typevar" / "plain" / "" (no literal), TypeVar bindings,
        the annotations of the other provided arguments as ((slot, node), ...))."""
        names_pos = [p.arg for p in sig.positional]
        if arg_count is not None:
            if arg_count < 0 or (arg_count > len(names_pos) and sig.vararg is None):
                return None
        kw_params = {p.arg: p for p in sig.kwonly}
        filled_by_kw: dict[str, ast.arg | None] = {}
        for k in keywords:
            if k in names_pos[sig.n_posonly :]:
                if arg_count is not None and names_pos.index(k) < arg_count:
                    return None  # given twice
                filled_by_kw[k] = sig.positional[names_pos.index(k)]
            elif k in kw_params:
                filled_by_kw[k] = kw_params[k]
            elif sig.kwarg is not None:
                filled_by_kw[k] = sig.kwarg
            else:
                return None
        if arg_count is not None:
            for i in range(arg_count, sig.n_required_pos):
                if names_pos[i] not in filled_by_kw:
                    return None
            if not sig.kwonly_required <= set(filled_by_kw):
                return None
        # slot -> parameter for every provided argument (only when arg_count is known)
        slots: dict[str, ast.arg | None] = {}
        if arg_count is not None:
            for i in range(arg_count):
                slots[f"#{i}"] = sig.positional[i] if i < len(sig.positional) else sig.vararg
            for k, p in filled_by_kw.items():
                slots[k] = p
        how, binds, target_slot = "", {}, None
        if literal is not None:
            target_slot = literal_slot or "#0"
            if target_slot.startswith("#"):
                i = int(target_slot[1:])
                target = sig.positional[i] if i < len(sig.positional) else sig.vararg
            else:
                target = filled_by_kw.get(target_slot)
            if target is None:
                return None
            got = self._accepts_str_literal(self.stubs.render(target.annotation, sig.module), literal)
            if got is None:
                return None
            how, binds = got
        others = tuple(
            (slot, self.stubs.render(p.annotation, sig.module) if p is not None else UNKNOWN)
            for slot, p in sorted(slots.items())
            if slot != target_slot
        )
        return how, binds, others

    def _literal_slot(
        self,
        sigs: list[Sig],
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
    ) -> str | None:
        """The argument slot ("#i" positional, or a keyword name) holding the literal.

        Given ``literal_index``: that position.  Otherwise the first provided slot whose
        parameter is ``Literal[...]``-typed in some overload (``open``'s ``mode``), else
        the first argument.  One slot for all overloads, so they stay comparable.
        """
        if literal is None:
            return None
        if literal_index is not None:
            return f"#{literal_index}"
        for sig in sigs:
            slots: list[tuple[str, ast.arg]] = [
                (f"#{i}", p) for i, p in enumerate(sig.positional) if arg_count is None or i < arg_count
            ]
            kw = {p.arg: p for p in (*sig.positional[sig.n_posonly :], *sig.kwonly)}
            slots += [(k, kw[k]) for k in keywords if k in kw]
            if arg_count is None:
                slots += [(p.arg, p) for p in sig.kwonly]
            for slot, p in slots:
                ann = self.stubs.render(p.annotation, sig.module)
                if isinstance(ann, Lit) or _is_literal_union(ann):
                    if arg_count is None and slot.startswith("#"):
                        continue  # position unknown without an argument count
                    return slot
        return "#0"


#: awaitables whose last type argument is what ``await`` gives
_AWAITABLES = frozenset({"collections.abc.Coroutine", "typing.Coroutine", "collections.abc.Awaitable",
                         "typing.Awaitable", "asyncio.Future", "asyncio.futures.Future", "asyncio.Task",
                         "asyncio.tasks.Task", "_asyncio.Future", "_asyncio.Task"})


def awaited_result(node: Node) -> Node:
    """What ``await`` gives for a value of type `node` (``Coroutine[Any, Any, T]`` -> T), else unknown."""
    if isinstance(node, Cls) and node.name in _AWAITABLES and node.args:
        return node.args[-1]
    return UNKNOWN

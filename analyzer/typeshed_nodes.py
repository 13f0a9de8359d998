"""The typeshed layer's small type representation, and the stub-syntax helpers its parts share.

Does: define the type nodes a stub annotation is turned into (`Cls`, `TVar`, `UnionNode`, `Lit`,
`Raw`, `ParamList`, `Special`), so that TypeVars can be substituted and unknown parts detected
before anything becomes text; and the pure operations on them: `union` (flattened, de-duplicated),
`subst` (TypeVars and ``Self``), `widen` (``Literal[...]`` -> the type of its values, ``MaybeNone``
in a union -> ``None``), `to_text` (``None`` when any part is unknown) and `canonical`.  Also small
helpers on stub ASTs and type text: `dotted`, `is_typealias_ann`, `decorator_names`,
`split_generic`.

Does not: read stubs or resolve a name to its definition (`typeshed_lookup`), choose among
overloads (`typeshed_overloads`), cache anything (`typeshed_cache`), or answer questions about
calls and members (`typeshed_facts`, the public API).  Everything here is a pure function of its
arguments.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from typeinfer.analyzer.canonical_types import canonicalize

__all__ = [
    "Cls", "TVar", "UnionNode", "Lit", "Raw", "ParamList", "Special", "Node",
    "UNKNOWN", "SELF", "MAYBE_NONE", "NONE", "STR",
    "union", "subst", "widen", "to_text", "canonical", "collect_tvars",
    "dotted", "is_typealias_ann", "decorator_names", "split_generic",
]


@dataclass(frozen=True)
class Cls:
    """A class, with type arguments when it has them."""

    name: str  # public full name; builtins bare ("str", "re.Pattern")
    args: tuple["Node", ...] = ()


@dataclass(frozen=True)
class TVar:
    name: str  # full name of the TypeVar ("typing.AnyStr", "builtins._T")
    constraints: tuple["Node", ...] = ()
    bound: "Node | None" = None


@dataclass(frozen=True)
class UnionNode:
    members: tuple["Node", ...]


@dataclass(frozen=True)
class Lit:
    values: tuple[object, ...]  # python values; enum members as Cls of the enum


@dataclass(frozen=True)
class Raw:
    text: str  # "None", "...", or a caller-supplied type argument


@dataclass(frozen=True)
class ParamList:
    items: tuple["Node", ...]  # the ``[A, B]`` of Callable[[A, B], R]


@dataclass(frozen=True)
class Special:
    kind: str  # "unknown" | "self" | "maybe_none"


Node = Union[Cls, TVar, UnionNode, Lit, Raw, ParamList, Special]
UNKNOWN = Special("unknown")
SELF = Special("self")
MAYBE_NONE = Special("maybe_none")
NONE = Raw("None")
STR = Cls("str")


# --------------------------------------------------------------------------- operations on nodes


def union(members: list[Node]) -> Node:
    """The union of `members`: nested unions flattened, duplicates dropped, one member alone."""
    flat: list[Node] = []
    for m in members:
        for x in m.members if isinstance(m, UnionNode) else (m,):
            if x not in flat:
                flat.append(x)
    return flat[0] if len(flat) == 1 else UnionNode(tuple(flat))


def subst(node: Node, env: dict[str, Node], self_type: Node | None) -> Node:
    """`node` with the TypeVars of `env` replaced and ``Self`` replaced by `self_type` (if given)."""
    if isinstance(node, TVar):
        return env.get(node.name, node)
    if node is SELF:
        return self_type if self_type is not None else node
    if isinstance(node, Cls) and node.args:
        return Cls(node.name, tuple(subst(a, env, self_type) for a in node.args))
    if isinstance(node, UnionNode):
        return union([subst(m, env, self_type) for m in node.members])
    if isinstance(node, ParamList):
        return ParamList(tuple(subst(m, env, self_type) for m in node.items))
    return node


def widen(node: Node) -> Node:
    """Literal[...] -> the type of its values; MaybeNone in a union -> None."""
    if isinstance(node, Lit):
        out: list[Node] = []
        for v in node.values:
            if isinstance(v, Cls) or v is UNKNOWN:
                out.append(v)
            elif v is None:
                out.append(NONE)
            elif isinstance(v, bool):
                out.append(Cls("bool"))
            elif isinstance(v, (int, str, bytes)):
                out.append(Cls(type(v).__name__))
            else:
                out.append(UNKNOWN)
        return union(out) if out else UNKNOWN
    if isinstance(node, UnionNode):
        members = [widen(m) for m in node.members]
        if any(m is MAYBE_NONE for m in members):
            members = [NONE if m is MAYBE_NONE else m for m in members]
        return union(members)
    if isinstance(node, Cls) and node.args:
        return Cls(node.name, tuple(widen(a) for a in node.args))
    if isinstance(node, ParamList):
        return ParamList(tuple(widen(a) for a in node.items))
    return node


def to_text(node: Node, partial: bool, top: bool = True) -> str | None:
    """Render a finished node; ``None`` if any part is unknown (``partial``: erase args)."""
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Cls):
        if not node.args:
            return node.name
        args = [to_text(a, partial, top=False) for a in node.args]
        if any(a is None for a in args):
            return node.name if partial else None
        return f"{node.name}[{', '.join(args)}]"  # type: ignore[arg-type]
    if isinstance(node, UnionNode):
        parts = [to_text(m, partial, top=False) for m in node.members]
        if any(p is None for p in parts):
            return None
        return " | ".join(dict.fromkeys(parts))  # type: ignore[arg-type]
    if isinstance(node, ParamList):
        parts = [to_text(m, partial, top=False) for m in node.items]
        if any(p is None for p in parts):
            return None
        return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    return None  # TVar, unknown, Self left over, MaybeNone alone, raw Literal


def canonical(text: str) -> str | None:
    """The canonical form of a Python type text (`canonical_types.canonicalize`)."""
    return canonicalize(text, "python")


def collect_tvars(node: Node, out: list[TVar]) -> None:
    """Append the TypeVars of `node` not yet in `out`, in order of appearance."""
    if isinstance(node, TVar):
        if all(t.name != node.name for t in out):
            out.append(node)
    elif isinstance(node, Cls):
        for a in node.args:
            collect_tvars(a, out)
    elif isinstance(node, UnionNode):
        for m in node.members:
            collect_tvars(m, out)


# --------------------------------------------------------------------------- stub syntax


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name / Attribute chain, else ``None``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_typealias_ann(ann: ast.expr) -> bool:
    """Whether an annotation is ``TypeAlias`` (``X: TypeAlias = ...``)."""
    return (isinstance(ann, ast.Name) and ann.id == "TypeAlias") or (
        isinstance(ann, ast.Attribute) and ann.attr == "TypeAlias"
    )


def decorator_names(node: ast.AST) -> set[str]:
    """Last names of a definition's decorators (``@functools.cache`` -> ``cache``)."""
    names: set[str] = set()
    for dec in getattr(node, "decorator_list", ()):
        if isinstance(dec, ast.Call):
            dec = dec.func
        if isinstance(dec, ast.Name):
            names.add(dec.id)
        elif isinstance(dec, ast.Attribute):
            names.add(dec.attr)
    return names


def split_generic(text: str) -> tuple[str, tuple[str, ...]]:
    """``"dict[str, list[int]]"`` -> ``("dict", ("str", "list[int]"))``."""
    text = text.strip()
    if not text.endswith("]") or "[" not in text:
        return text, ()
    head, inner = text.split("[", 1)
    inner = inner[:-1]
    args, depth, cur = [], 0, []
    for ch in inner:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        args.append("".join(cur).strip())
    return head.strip(), tuple(args)

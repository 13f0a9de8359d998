"""Whether a stub function's parameter admits an instance of a given class.

Does: find the annotation of the parameter an argument binds (by position or keyword, in an
overload), and judge a class against the rendered annotation (`typeshed_facts` renders it, the
receiver's TypeVars substituted for a method):
the class itself or a base along its typeshed MRO, ``object``, Python's numeric promotion
(``int`` for ``float``), an unconstrained TypeVar, and a protocol the class has every member of
(``Iterable`` needs ``__iter__``: ``int`` has none).  The answer is True, False, or None when an
annotation cannot be judged (a missing annotation, ``Any``, a literal, ``Callable``, a class the
stubs do not know).

Does not: check type arguments (``list[int]`` against ``Iterable[str]`` is judged as ``list``),
or choose an overload by the other arguments: any overload that admits the class is enough.
"""

from __future__ import annotations

import ast
import re

from typeinfer.analyzer.canonical_types import NUMERIC_PROMOTION
from typeinfer.analyzer.typeshed_lookup import ClassInfo, StubLookup
from typeinfer.analyzer.typeshed_nodes import UNKNOWN, Cls, Lit, Node, Raw, TVar, UnionNode
from typeinfer.analyzer.typeshed_overloads import Sig

__all__ = ["node_admits", "parameter_annotation"]

#: members every class has, which a protocol's definition lists without requiring them
_IGNORED_PROTOCOL_MEMBERS = frozenset({"__slots__", "__class_getitem__", "__init__", "__new__", "__hash__",
                                       "__eq__", "__ne__", "__subclasshook__", "__abstractmethods__"})


def parameter_annotation(sig: Sig, position: int | None, keyword: str) -> ast.expr | None | bool:
    """The annotation of the parameter that binds the argument at `position` (0-based, the
    receiver not counted) or named `keyword`; False when this overload takes no such argument,
    None when the parameter has no annotation."""
    if keyword:
        for i, arg in enumerate(sig.positional):
            if arg.arg == keyword and i >= sig.n_posonly:
                return arg.annotation
        for arg in sig.kwonly:
            if arg.arg == keyword:
                return arg.annotation
        return sig.kwarg.annotation if sig.kwarg is not None else False
    if position is None:
        return None
    if position < len(sig.positional):
        return sig.positional[position].annotation
    return sig.vararg.annotation if sig.vararg is not None else False


def node_admits(stubs: StubLookup, node: Node, cls: str, depth: int = 0) -> bool | None:
    """Whether an instance of class `cls` (a builtin's bare name, ``str``; "None" for None)
    fits a parameter typed `node`; None when that cannot be told."""
    if depth > 8:
        return None
    if isinstance(node, UnionNode):
        answers = [node_admits(stubs, m, cls, depth + 1) for m in node.members]
        if any(answers):
            return True
        return None if None in answers else False
    if isinstance(node, TVar):
        if node.constraints:
            return node_admits(stubs, UnionNode(node.constraints), cls, depth + 1)
        return True if node.bound is None else node_admits(stubs, node.bound, cls, depth + 1)
    if isinstance(node, Raw):
        return node_admits(stubs, _raw_node(node.text), cls, depth + 1) if node.text != "None" else cls == "None"
    if isinstance(node, Lit):
        kinds = {"None" if v is None else type(v).__name__ for v in node.values}
        return None if cls in kinds or not kinds <= {"str", "int", "bool", "bytes", "None"} else False
    if not isinstance(node, Cls) or node is UNKNOWN:
        return None
    if node.name in ("object", cls) or node.name in NUMERIC_PROMOTION.get(cls, ()):
        return True
    if cls == "None":
        return False if stubs.info_for_display(node.name) is not None and node.name != "typing.Hashable" else None
    expected = stubs.info_for_display(node.name)
    own = stubs.info_for_display(cls)
    if expected is None or own is None:
        return None
    if any(info.full == expected.full for info, _env in stubs.mro(own.full)):
        return True
    if expected.is_protocol:
        return _has_protocol_members(stubs, expected, own)
    return False


def _raw_node(text: str) -> Node:
    """A receiver's type argument (canonical text: ``str``, ``list[int]``, ``int | None``) as a
    node of its outer classes; unknown where the text is anything else."""
    members = [m.strip() for m in text.split(" | ")] if "[" not in text else [text.strip()]
    nodes: list[Node] = []
    for m in members:
        match = re.fullmatch(r"([A-Za-z_][\w.]*)(\[.*\])?", m)
        if match is None or match.group(1) in ("Any", "Unknown"):
            return UNKNOWN
        nodes.append(Raw("None") if m == "None" else Cls(match.group(1)))
    return nodes[0] if len(nodes) == 1 else UnionNode(tuple(nodes))


def _has_protocol_members(stubs: StubLookup, protocol: ClassInfo, own: ClassInfo) -> bool:
    """Whether `own` has every member `protocol` (and its protocol bases) declares."""
    needed: set[str] = set()
    for info, _env in stubs.mro(protocol.full):
        if info.is_protocol:
            needed.update(info.children)
    return needed - _IGNORED_PROTOCOL_MEMBERS <= stubs.class_members(own.full)

"""Slots: the places of a program that can carry a type annotation, and the one key that names them.

A slot is a parameter, a return, a variable or a class attribute.  `SlotKey` is how every stage
refers to one (the pipeline's rounds, annotate, `--verify`, evaluation, the language server):
file, kind, function, name and line.  JSON form of a key:
``{"file": "pkg/a.py", "kind": "parameter", "function": "C.f", "name": "x", "line": 3}``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.schema import MODULE_METHOD_NAME, Prop, is_declared


class SlotKind(StrEnum):
    """What a slot annotates."""

    PARAMETER = "parameter"
    RETURN = "return"
    VARIABLE = "variable"
    ATTRIBUTE = "attribute"


#: every slot kind, in the order commands list them
KINDS: tuple[str, ...] = tuple(k.value for k in SlotKind)


class HasSlot(Protocol):
    file: str
    kind: str
    function: str
    name: str
    line: int


@dataclass(frozen=True, order=True)
class SlotKey:
    """One slot: ``function`` is the qualified name of the enclosing function ("" at module level
    and for attributes, whose class the slice's ``class_name`` holds), ``line`` the 1-based line
    of the slot's name."""

    file: str
    kind: str
    function: str
    name: str
    line: int

    @classmethod
    def of(cls, item: HasSlot) -> SlotKey:
        """The key of anything that names a slot (a slice, a prediction, an annotation with a file)."""
        return cls(item.file, item.kind, item.function, item.name, item.line)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "function": self.function, "name": self.name, "line": self.line}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SlotKey:
        return cls(data["file"], data["kind"], data["function"], data["name"], int(data["line"]))


def slot_function(method_props: Mapping[str, Any]) -> str:
    """`SlotKey.function` of the slots of a METHOD (its properties): its qualified name in the
    file, "" for the module."""
    if method_props.get(Prop.NAME) == MODULE_METHOD_NAME:
        return ""
    return method_props.get(Prop.FULL_NAME, "").partition(":")[2]


def declared_type(props: Mapping[str, Any], node: NodeId, settled: Collection[NodeId]) -> str | None:
    """A slot node's declared type: what the code declares, or the type an earlier inference
    round settled (`settled`); any other type written back by inference is not one."""
    if is_declared(props) or (node in settled and props.get(Prop.TYPE_FULL_NAME)):
        return props[Prop.TYPE_FULL_NAME]
    return None

"""The project's type universe: every type the project defines, with members, and the names each
module imports.

Needs: a linked project graph (INHERITS_FROM edges).  Later stages use it to propose the
project's own types as candidates and to reject a predicted type that lacks a member the slice
uses (the consistency filter).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.linking import PLAIN_BASES
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop

from .canonical_types import ts_type_node
from .languages import adapter_for
from .slice_schema import ProjectCandidates, UserType

#: a TypeScript index signature: ``[key: string]: T``
_INDEX_SIGNATURE = re.compile(r"\[\s*[\w$]+\s*:\s*[^\]]+\]\s*\??\s*:")
_KIND_BY_MODIFIER = (
    ("interface", "interface"), ("enum", "enum"), ("alias", "alias"), ("typeddict", "typeddict"),
    ("protocol", "protocol"), ("dataclass", "dataclass"),
)


@dataclass
class TypeUniverse:
    """Types defined in the project, by full name, plus each file's imported names.

    JSON form: ``{"types": [UserType...], "imports": {file: {alias: entity}}}``.
    """

    types: dict[str, UserType] = field(default_factory=dict)  #: full name -> type
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  #: file -> alias -> imported entity
    _by_name: dict[str, list[UserType]] = field(default_factory=dict, repr=False)
    #: full names of the types whose members are not all listed (`members` answers None for them)
    open_types: set[str] = field(default_factory=set, repr=False)
    #: short names of TypeScript types with a type parameter that has no default (``Values<T>``):
    #: written bare they are an error (`needs_type_arguments`)
    generic_types: set[str] = field(default_factory=set, repr=False)

    def by_short_name(self, name: str) -> list[UserType]:
        """Project types with this short name (several files may define one)."""
        return self._by_name.get(name, [])

    def names(self) -> list[str]:
        """Short names of all project types, sorted (the model's candidate list)."""
        return sorted(self._by_name)

    def imported_type_names(self, file: str) -> list[str]:
        """Names `file` imports that may name a type: capitalized, not a typing construct
        (``Optional``) and not a constant (``TYPE_CHECKING``)."""
        return sorted(a for a, entity in self.imports.get(file, {}).items() if _may_name_type(a, entity))

    def shadowing_import(self, file: str, name: str, language: str) -> str | None:
        """The library entity `file` imports as `name` when the project also defines a type of
        that name (``from xml.dom import Node`` beside the project's ``class Node``), else None.
        In that file ``Node`` names the library's object, not the project type a slot's uses
        point to; relative imports and imports of the project's own module are not shadowing."""
        entity = self.imports.get(file, {}).get(name)
        found = self.by_short_name(name)
        if not entity or not found:
            return None
        adapter = adapter_for(language)
        module, _ = adapter.split_entity(entity)
        if not module or module.startswith((".", "/")):
            return None
        dotted = adapter.entity_dotted(entity)
        if any(adapter.dotted_name(t.full_name) == dotted for t in found):
            return None
        return entity

    def candidates(self) -> ProjectCandidates:
        """The scorer's candidates: every project type and every imported type name, with the
        names each file defines or imports (the "visible in the slot's file" feature)."""
        visible: dict[str, set[str]] = {}
        for t in self.types.values():
            visible.setdefault(t.file, set()).add(t.name)
        imported: set[str] = set()
        for file in self.imports:
            names = self.imported_type_names(file)
            imported.update(names)
            visible.setdefault(file, set()).update(names)
        return ProjectCandidates.build(self._by_name, imported, visible)

    def members(self, name: str) -> set[str] | None:
        """Members (own and inherited) of the project type with this short name; None if unknown
        or ambiguous (several types of that name with different members), or when they are not
        all known (`open_types`)."""
        found = self.by_short_name(name)
        if not found or any(t.full_name in self.open_types for t in found):
            return None
        sets = [frozenset(t.fields) | frozenset(t.methods) for t in found]
        return set(sets[0]) if all(s == sets[0] for s in sets) else None

    def needs_type_arguments(self, name: str) -> bool:
        """Whether every project type of this short name needs type arguments (TypeScript)."""
        return name in self.generic_types and all(t.name in self.generic_types for t in self.by_short_name(name))

    def to_json(self) -> dict[str, Any]:
        return {"types": [asdict(t) for t in self.types.values()], "imports": self.imports}


_TYPING_MODULES = ("typing.", "typing_extensions.", "__future__.")


def _may_name_type(alias: str, entity: str | None) -> bool:
    if not alias[:1].isupper() or (alias.isupper() and "_" in alias):
        return False
    return not (entity or "").startswith(_TYPING_MODULES)


def _open(cpg: CodePropertyGraph, decl: NodeId, members: tuple[list[str], list[str]]) -> bool:
    """Whether a type's own declaration admits members it does not list: an alias (its members
    are not read here), an index signature (``[key: string]: number``), a ``__getattr__``, or a
    written base that is not a project type (``extends HTMLAttributes<...>``, ``(Exception)``)."""
    if "__getattr__" in members[1]:
        return True
    if "alias" in (cpg.get(decl, Prop.MODIFIERS) or ()):
        return _object_type_members(cpg.get(decl, Prop.ALIAS_TYPE_FULL_NAME) or "") is None
    if cpg.files[decl[0]].language != "python" and _INDEX_SIGNATURE.search(cpg.get(decl, Prop.CODE, "") or ""):
        return True
    written = [b for b in cpg.get(decl, Prop.INHERITS_FROM_TYPE_FULL_NAME) or ()
               if _outer_name(b) not in PLAIN_BASES and not b.startswith("metaclass=")]
    return len(written) > len(cpg.out(decl, EdgeKind.INHERITS_FROM))


def _object_type_members(text: str) -> tuple[list[str], list[str]] | None:
    """(fields, methods) of a TypeScript object type literal (``{ path: string[]; get(): T }``),
    the right side of an alias; None for any other type or one with an index or call signature."""
    node = ts_type_node(text) if text.lstrip().startswith("{") else None
    if node is None or node.type != "object_type":
        return None
    fields, methods = [], []
    for member in node.named_children:
        name = member.child_by_field_name("name")
        if member.type not in ("property_signature", "method_signature") or name is None or name.text is None:
            if member.type == "comment":
                continue
            return None
        (fields if member.type == "property_signature" else methods).append(name.text.decode("utf-8", "replace"))
    return fields, methods


def _outer_name(base: str) -> str:
    return re.split(r"[\[<(]", base, maxsplit=1)[0].strip()


def _kind(modifiers: tuple[str, ...]) -> str:
    for modifier, kind in _KIND_BY_MODIFIER:
        if modifier in modifiers:
            return kind
    return "class"


def _own_members(cpg: CodePropertyGraph, decl: NodeId) -> tuple[list[str], list[str]]:
    if "alias" in (cpg.get(decl, Prop.MODIFIERS) or ()):
        return _object_type_members(cpg.get(decl, Prop.ALIAS_TYPE_FULL_NAME) or "") or ([], [])
    fields: list[str] = []
    methods: list[str] = []
    for child in cpg.ast_children(decl):
        kind = cpg.kind(child)
        if kind == NodeKind.MEMBER:
            target = methods if "method" in (cpg.get(child, Prop.MODIFIERS) or ()) else fields
            target.append(cpg.get(child, Prop.NAME))
        elif kind == NodeKind.BLOCK:
            for stmt in cpg.ast_children(child):
                if cpg.kind(stmt) == NodeKind.METHOD:
                    methods.append(cpg.get(stmt, Prop.NAME))
    return fields, methods


def build_type_universe(cpg: CodePropertyGraph) -> TypeUniverse:
    """Collect every TYPE_DECL with own and inherited members, and every file's imports."""
    universe = TypeUniverse()
    own: dict[NodeId, tuple[list[str], list[str]]] = {}
    decls = list(cpg.nodes(NodeKind.TYPE_DECL))
    for decl in decls:
        own[decl] = _own_members(cpg, decl)
    open_decls = {d for d in decls if _open(cpg, d, own[d])}
    for decl in decls:
        props = cpg.props(decl)
        fields, methods = list(own[decl][0]), list(own[decl][1])
        seen = {decl}
        queue = cpg.out(decl, EdgeKind.INHERITS_FROM)
        while queue:
            base = queue.pop(0)
            if base in seen:
                continue
            seen.add(base)
            base_fields, base_methods = own.get(base, ((), ()))
            fields += base_fields
            methods += base_methods
            queue += cpg.out(base, EdgeKind.INHERITS_FROM)
        user_type = UserType(
            name=props[Prop.NAME],
            full_name=props[Prop.FULL_NAME],
            kind=_kind(tuple(props.get(Prop.MODIFIERS) or ())),  # type: ignore[arg-type]
            file=decl[0],
            line=props.get(Prop.LINE_NUMBER, 0),
            bases=list(props.get(Prop.INHERITS_FROM_TYPE_FULL_NAME) or ()),
            fields=sorted(set(fields)),
            methods=sorted(set(methods)),
        )
        if seen & open_decls:  # it or a project base it inherits from
            universe.open_types.add(user_type.full_name)
        if props.get(Prop.REQUIRED_TYPE_PARAMETERS):
            universe.generic_types.add(user_type.name)
        universe.types[user_type.full_name] = user_type
        universe._by_name.setdefault(user_type.name, []).append(user_type)
    for imp in cpg.nodes(NodeKind.IMPORT):
        alias = cpg.get(imp, Prop.IMPORTED_AS)
        if alias and alias != "*":
            universe.imports.setdefault(imp[0], {})[alias] = cpg.get(imp, Prop.IMPORTED_ENTITY)
    return universe

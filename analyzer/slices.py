"""Usage slices: one `UsageSlice` per parameter, local variable, return value and class attribute.

Needs: a linked project graph (REF, REACHING_DEF, CALL edges; `cpg.passes.linking`).
Does not: decide types (that is `static_facts`) or look at the label beyond copying the
declared annotation into ``declared_type``.

Targets: every parameter except self/cls/this, every local variable that some statement writes
or annotates (not names bound by import/def/class: Joern skips those too), every function's
return value (not the ``<module>`` pseudo-function, not Python lambdas, whose parameters and
returns cannot be annotated), and every class attribute (MEMBER, not methods).
"""

from __future__ import annotations

import re
from typing import Collection, Iterable

from typeinfer.cpg.dataflow import self_accesses
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.schema import (BINARY_SYMBOLS, FIELD_ACCESS_OPS, MODULE_METHOD_NAME, OPERATOR_PREFIX,
                                  Control, EdgeKind, NodeKind, Op, Prop)

from .graph_structure import GraphStructure
from .languages import adapter_for
from .slice_schema import SLICE_VERSION, CallUse, Definition, ProgramSlices, UsageSlice
from .slots import declared_type, slot_function
from .type_universe import TypeUniverse, build_type_universe

_OPERATOR_SYMBOL = dict(BINARY_SYMBOLS)
_OPERATOR_SYMBOL.update({name: symbol for symbol, name in Op.UNARY.items()})
_OPERATOR_SYMBOL.update({
    Op.INDEX_ACCESS: "[]", Op.SLICE: "[:]", Op.FORMAT_STRING: "fstring", Op.CONDITIONAL: "?:",
    Op.LOGICAL_NOT: "not", Op.TYPEOF: "typeof", Op.LOGICAL_AND: "and", Op.LOGICAL_OR: "or",
    Op.NULLISH: "??", Op.DELETE: "del",
})
_CONTAINER_LITERALS = {
    Op.LIST_LITERAL: "list", Op.TUPLE_LITERAL: "tuple", Op.SET_LITERAL: "set", Op.DICT_LITERAL: "dict",
    Op.OBJECT_LITERAL: "object",
}
_CODE_LIMIT = 80


def literal_type(cpg: CodePropertyGraph, node: NodeId, language: str) -> str:
    """Canonical type of a literal or a literal container (``list[int]``, ``string[]``); "" if not one."""
    props = cpg.props(node)
    kind = props[Prop.KIND]
    if kind == NodeKind.LITERAL:
        declared = props.get(Prop.TYPE_FULL_NAME) or ""
        return declared
    if kind != NodeKind.CALL:
        return ""
    name = props.get(Prop.NAME, "")
    adapter = adapter_for(language)
    if name == Op.FORMAT_STRING:
        return adapter.str_type
    container = _CONTAINER_LITERALS.get(name)
    if container is None:
        return ""
    elements = cpg.ast_children(node)
    if container == "object":
        return adapter.object_literal_type
    if container == "dict":
        keys, values = set(), set()
        for pair in elements:
            kv = cpg.ast_children(pair)
            if cpg.get(pair, Prop.NAME) != Op.KEY_VALUE or len(kv) != 2:
                return "dict"
            keys.add(literal_type(cpg, kv[0], language))
            values.add(literal_type(cpg, kv[1], language))
        if len(keys) == 1 and len(values) == 1 and "" not in keys | values and "None" not in keys | values:
            return f"dict[{keys.pop()}, {values.pop()}]"
        return "dict"
    types = {literal_type(cpg, e, language) for e in elements}
    if container == "tuple" and adapter.typed_tuple_literals:
        parts = [literal_type(cpg, e, language) for e in elements]
        return f"tuple[{', '.join(parts)}]" if parts and all(parts) else "tuple"
    if len(types) == 1 and "" not in types and "None" not in types and "null" not in types:
        return adapter.container_literal_type(container, types.pop())
    return adapter.container_literal_type(container, "")  # an empty or mixed literal


class Slicer:
    """Extracts the usage slices of one project graph."""

    def __init__(self, cpg: CodePropertyGraph, settled: Collection[NodeId] = frozenset(),
                 structure: GraphStructure | None = None) -> None:
        self.cpg = cpg
        self.settled = settled  #: nodes whose inferred type an earlier inference round settled: read as declared
        self.structure = structure or GraphStructure(cpg)
        self._uses: dict[NodeId, list[NodeId]] = {}

    def uses(self, decl: NodeId | None) -> list[NodeId]:
        """The IDENTIFIERs that read or write `decl`, in graph order."""
        if decl is None:
            return []
        found = self._uses.get(decl)
        if found is None:
            found = self._uses[decl] = self.cpg.references(decl)
        return found

    def _declared(self, node: NodeId) -> str | None:
        """The annotation the code declares (or a settled round's type); other written-back types are not one."""
        return declared_type(self.cpg.props(node), node, self.settled)

    # ----------------------------------------------------------------- entry points
    def slices(self, files: Iterable[str] | None = None, methods: Collection[NodeId] | None = None,
               classes: Collection[NodeId] | None = None) -> list[UsageSlice]:
        """All slices (of `files`; of `methods` only, and the attributes of `classes` only,
        when given), in file and line order."""
        wanted = set(files) if files is not None else None
        out: list[UsageSlice] = []
        for method in self.cpg.nodes(NodeKind.METHOD) if methods is None else sorted(methods):
            if wanted is None or method[0] in wanted:
                out.extend(self.method_slices(method))
        for decl in self.cpg.nodes(NodeKind.TYPE_DECL) if classes is None else sorted(classes):
            if wanted is None or decl[0] in wanted:
                out.extend(self.attribute_slices(decl))
        out.sort(key=lambda s: (s.file, s.line, s.column, s.kind))
        return out

    def method_slices(self, method: NodeId) -> list[UsageSlice]:
        """Parameter, return and local-variable slices of one method."""
        cpg = self.cpg
        props = cpg.props(method)
        language = cpg.files[method[0]].language
        is_module = props.get(Prop.NAME) == MODULE_METHOD_NAME
        function = slot_function(props)
        cls = self._enclosing_class(method)
        class_name = cpg.get(cls, Prop.FULL_NAME, "").partition(":")[2] if cls is not None else ""
        children = cpg.ast_children(method)
        params = [c for c in children if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN]
        body = next((c for c in children if cpg.kind(c) == NodeKind.BLOCK), None)
        ret = next((c for c in children if cpg.kind(c) == NodeKind.METHOD_RETURN), None)
        unannotatable_lambda = not adapter_for(language).annotatable_lambdas and props.get(Prop.NAME, "").startswith("<lambda")
        type_params = self._scope_type_params(method)
        base = dict(language=language, file=method[0], function=function, class_name=class_name,
                    decorators=list(props.get(Prop.DECORATORS) or ()),
                    modifiers=list(props.get(Prop.MODIFIERS) or ()), type_params=type_params)
        out: list[UsageSlice] = []
        visible = [p for p in params if not self._is_self(p, cls)]
        names = [cpg.get(p, Prop.NAME, "") for p in visible]
        if not is_module and not unannotatable_lambda:
            for position, param in enumerate(visible):
                out.append(self._param_slice(param, position, names, base))
            if ret is not None and cpg.get(method, Prop.NAME) != "constructor":
                out.append(self._return_slice(method, ret, body, names, base))
        if body is not None:
            for local in cpg.ast_children(body):
                if cpg.kind(local) == NodeKind.LOCAL:
                    item = self._variable_slice(local, base)
                    if item is not None:
                        out.append(item)
        return out

    def attribute_slices(self, decl: NodeId) -> list[UsageSlice]:
        """One slice per field of a class (uses through ``self.x`` / ``this.x`` in its methods)."""
        cpg = self.cpg
        language = cpg.files[decl[0]].language
        class_name = cpg.get(decl, Prop.FULL_NAME, "").partition(":")[2]
        members = [m for m in cpg.ast_children(decl) if cpg.kind(m) == NodeKind.MEMBER
                   and "method" not in (cpg.get(m, Prop.MODIFIERS) or ())]
        if not members:
            return []
        accesses = self_accesses(cpg, decl)
        class_locals: dict[str, NodeId] = {}  # Python class-body assignments: `table = "users"`
        for child in cpg.ast_children(decl):
            if cpg.kind(child) == NodeKind.BLOCK:
                for local in cpg.ast_children(child):
                    if cpg.kind(local) == NodeKind.LOCAL:
                        class_locals[cpg.get(local, Prop.NAME, "")] = local
        out = []
        for member in members:
            props = cpg.props(member)
            name = props[Prop.NAME]
            item = UsageSlice(name=name, kind="attribute", language=language, file=decl[0],
                              line=props.get(Prop.LINE_NUMBER, 0), column=props.get(Prop.COLUMN_NUMBER, 0),
                              function="", class_name=class_name, declared_type=self._declared(member),
                              type_params=self._scope_type_params(decl))
            for value in cpg.ast_children(member):  # a class-level initializer
                item.defined_by.append(self._definition(value, language))
            for ident in self.uses(class_locals.get(name)):
                if cpg.get(ident, Prop.IS_WRITE):
                    self._write(ident, item)
            for access in accesses.get(name, ()):
                if cpg.get(access, Prop.IS_WRITE):
                    parent = cpg.ast_parent(access)
                    if parent is not None and Op.is_assignment(cpg.get(parent, Prop.NAME, "")):
                        value = cpg.arguments(parent).get(2)
                        if value is not None:
                            item.defined_by.append(self._definition(value, language))
                    continue
                self._use(access, item)
            out.append(item)
        return out

    # ----------------------------------------------------------------- targets
    def _param_slice(self, param: NodeId, position: int, names: list[str], base: dict) -> UsageSlice:
        cpg = self.cpg
        props = cpg.props(param)
        name = props.get(Prop.NAME, "")
        item = UsageSlice(name=name, kind="parameter", line=props.get(Prop.LINE_NUMBER, 0),
                          column=props.get(Prop.COLUMN_NUMBER, 0),  # front ends put parameters on their name
                          declared_type=self._declared(param), param_index=position,
                          default_value=(props.get(Prop.DEFAULT_VALUE) or "")[:_CODE_LIMIT],
                          is_variadic=bool(props.get(Prop.IS_VARIADIC)),
                          is_keyword_variadic=bool(props.get(Prop.IS_KEYWORD_VARIADIC)),
                          sibling_names=[n for n in names if n != name], **base)
        for default in cpg.ast_children(param):
            definition = self._definition(default, base["language"])
            definition.kind = "parameter_default"
            item.defined_by.append(definition)
        for ident in self.uses(param):
            self._use(ident, item)
        return item

    def _return_slice(self, method: NodeId, ret: NodeId, body: NodeId | None, names: list[str],
                      base: dict) -> UsageSlice:
        cpg = self.cpg
        props = cpg.props(method)
        name = props.get(Prop.NAME, "")
        item = UsageSlice(name=name, kind="return", line=props.get(Prop.LINE_NUMBER, 0),
                          column=props.get(Prop.COLUMN_NUMBER, 0) + _name_offset(props.get(Prop.CODE, ""), name),
                          declared_type=self._declared(ret), sibling_names=names, **base)
        if body is None:
            return item
        for node in cpg.ast_descendants(body, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL)):
            if cpg.kind(node) != NodeKind.RETURN:
                continue
            values = cpg.ast_children(node)
            if not values:
                item.returns.append("")
                item.return_kinds.append("none")
                continue
            value = values[0]
            item.returns.append(cpg.get(value, Prop.CODE, "")[:_CODE_LIMIT])
            definition = self._definition(value, base["language"])
            item.return_kinds.append(f"{definition.kind}:{definition.literal_type or definition.resolved or definition.name}")
            item.defined_by.append(definition)
        docstring = self._docstring(body, base["language"])
        if docstring:
            item.docstring = docstring
        return item

    def _variable_slice(self, local: NodeId, base: dict) -> UsageSlice | None:
        cpg = self.cpg
        props = cpg.props(local)
        uses = self.uses(local)
        writes = [u for u in uses if cpg.get(u, Prop.IS_WRITE)]
        declared = self._declared(local)
        if not writes and not declared:
            return None  # bound by import / def / class, or only read (a global)
        first = writes[0] if writes else local
        item = UsageSlice(name=props[Prop.NAME], kind="variable",
                          line=cpg.get(first, Prop.LINE_NUMBER, props.get(Prop.LINE_NUMBER, 0)),
                          column=cpg.get(first, Prop.COLUMN_NUMBER, props.get(Prop.COLUMN_NUMBER, 0)),
                          declared_type=declared, **base)
        for ident in uses:
            if cpg.get(ident, Prop.IS_WRITE):
                self._write(ident, item)
                parent = cpg.ast_parent(ident)
                if parent is not None and cpg.get(parent, Prop.NAME, "") not in ("", Op.ASSIGNMENT) and \
                        Op.is_assignment(cpg.get(parent, Prop.NAME, "")):
                    item.operators.append(_augmented_symbol(cpg.get(parent, Prop.NAME, "")))
            else:
                self._use(ident, item)
        return item

    # ----------------------------------------------------------------- how a target is defined
    def _write(self, ident: NodeId, item: UsageSlice) -> None:
        """A write of the target: record what the value is."""
        cpg = self.cpg
        node, parent = ident, cpg.ast_parent(ident)
        # climb out of destructuring patterns: (a, b) = ..., {a} = ...
        in_pattern = False
        while parent is not None and cpg.get(parent, Prop.NAME) in (Op.TUPLE_LITERAL, Op.LIST_LITERAL,
                                                                     Op.OBJECT_LITERAL, Op.KEY_VALUE,
                                                                     Op.STARRED, Op.SPREAD):
            in_pattern = True
            node, parent = parent, cpg.ast_parent(parent)
        if parent is None:
            return
        pkind = cpg.kind(parent)
        if pkind == NodeKind.CALL and Op.is_assignment(cpg.get(parent, Prop.NAME, "")):
            value = cpg.arguments(parent).get(2)
            if cpg.get(parent, Prop.NAME) != Op.ASSIGNMENT:  # x += v: an operator on the old value
                item.defined_by.append(Definition("operator", cpg.get(parent, Prop.CODE, "")[:_CODE_LIMIT],
                                                  name=_augmented_symbol(cpg.get(parent, Prop.NAME)),
                                                  line=cpg.get(parent, Prop.LINE_NUMBER, 0),
                                                  column=cpg.get(parent, Prop.COLUMN_NUMBER, 0)))
            elif value is not None and value != node:
                definition = self._definition(value, item.language)
                if in_pattern:
                    definition = Definition(kind="other", code=f"unpack {definition.code}"[:_CODE_LIMIT],
                                            name=definition.name, resolved=definition.resolved,
                                            line=definition.line, column=definition.column)
                item.defined_by.append(definition)
        elif pkind == NodeKind.CONTROL_STRUCTURE:
            ctype = cpg.get(parent, Prop.CONTROL_STRUCTURE_TYPE)
            kids = cpg.ast_children(parent)
            if ctype == Control.FOR_EACH and kids:
                iterable = kids[0]
                item.defined_by.append(Definition(kind="other", code=f"for in {cpg.get(iterable, Prop.CODE, '')}"[:_CODE_LIMIT],
                                                  name="<iteration>", line=cpg.get(ident, Prop.LINE_NUMBER, 0),
                                                  column=cpg.get(ident, Prop.COLUMN_NUMBER, 0)))
            elif ctype == Control.CATCH:
                exc = kids[0] if kids and kids[0] != node and cpg.kind(kids[0]) != NodeKind.BLOCK else None
                code = cpg.get(exc, Prop.CODE, "") if exc is not None else ""
                item.defined_by.append(Definition(kind="other", code=f"except {code}".strip()[:_CODE_LIMIT],
                                                  name="<exception>", line=cpg.get(ident, Prop.LINE_NUMBER, 0)))
        elif pkind == NodeKind.CALL and cpg.get(parent, Prop.NAME, "").endswith("Comprehension"):
            item.defined_by.append(Definition(kind="comprehension", code=cpg.get(parent, Prop.CODE, "")[:_CODE_LIMIT],
                                              name="<iteration>"))

    def _definition(self, value: NodeId, language: str) -> Definition:
        """Describe a value expression (right-hand side, default, return value)."""
        cpg = self.cpg
        props = cpg.props(value)
        kind = props[Prop.KIND]
        code = props.get(Prop.CODE, "")[:_CODE_LIMIT]
        line, column = props.get(Prop.LINE_NUMBER, 0), props.get(Prop.COLUMN_NUMBER, 0)
        if kind == NodeKind.LITERAL:
            return Definition("literal", code, literal_type=literal_type(cpg, value, language), line=line, column=column)
        if kind == NodeKind.IDENTIFIER:
            return Definition("identifier", code, name=props.get(Prop.NAME, ""), line=line, column=column)
        if kind == NodeKind.METHOD_REF:
            return Definition("lambda", code, line=line, column=column)
        if kind != NodeKind.CALL:
            return Definition("other", code, line=line, column=column)
        name = props.get(Prop.NAME, "")
        if name == Op.AWAIT:
            inner = cpg.arguments(value).get(1)
            inner_def = self._definition(inner, language) if inner is not None else None
            return Definition("await", code, name=inner_def.name if inner_def else "",
                              resolved=inner_def.resolved if inner_def else "", line=line, column=column)
        if name.startswith(OPERATOR_PREFIX):
            lit = literal_type(cpg, value, language)
            if lit:
                return Definition("literal", code, name=name, literal_type=lit, line=line, column=column)
            if name.endswith("Comprehension") or name == "<operator>.generatorExpression":
                return Definition("comprehension", code, name=name.removeprefix(OPERATOR_PREFIX), line=line, column=column)
            return Definition("operator", code, name=_OPERATOR_SYMBOL.get(name, name.removeprefix(OPERATOR_PREFIX)),
                              line=line, column=column)
        resolved = props.get(Prop.METHOD_FULL_NAME, "")
        resolved = "" if resolved.startswith("<unresolved>") else resolved
        is_constructor = bool(cpg.out(value, EdgeKind.EVAL_TYPE)) or "new" in (props.get(Prop.MODIFIERS) or ())
        receiver = cpg.arguments(value).get(0) if cpg.out(value, EdgeKind.RECEIVER) else None
        shown = name if receiver is None else f".{name}"
        return Definition("constructor" if is_constructor else "call", code, name=shown, resolved=resolved,
                          line=line, column=column)

    # ----------------------------------------------------------------- how a target is used
    def _use(self, node: NodeId, item: UsageSlice) -> None:
        """A read of the target (an IDENTIFIER, or a ``self.x`` field access for attributes)."""
        cpg = self.cpg
        parent = cpg.ast_parent(node)
        if parent is None:
            return
        pprops = cpg.props(parent)
        pkind = pprops[Prop.KIND]
        index = cpg.get(node, Prop.ARGUMENT_INDEX)
        if pkind == NodeKind.RETURN:
            return
        if pkind == NodeKind.CONTROL_STRUCTURE:
            ctype = pprops.get(Prop.CONTROL_STRUCTURE_TYPE)
            kids = cpg.ast_children(parent)
            if ctype == Control.FOR_EACH and kids and kids[0] == node:
                item.iterated = True
            elif ctype == Control.WITH:
                item.with_context = True
            elif ctype in (Control.IF, Control.WHILE) and kids and kids[0] == node:
                item.operators.append("bool")
            elif ctype in (Control.SWITCH, Control.MATCH) and kids and kids[0] == node:
                item.operators.append("match")
            return
        if pkind != NodeKind.CALL:
            return
        name = pprops.get(Prop.NAME, "")
        if index == 0 and cpg.out(parent, EdgeKind.RECEIVER):
            item.invoked_calls.append(self._call_use(parent, 0))
            return
        if name in FIELD_ACCESS_OPS and index == 1:
            field_node = cpg.arguments(parent).get(2)
            attr = cpg.get(field_node, Prop.NAME, "") if field_node is not None else ""
            grand = cpg.ast_parent(parent)
            if cpg.get(parent, Prop.IS_WRITE):
                item.attribute_writes.append(attr)
            elif grand is not None and cpg.get(parent, Prop.ARGUMENT_INDEX) == 0 and cpg.out(grand, EdgeKind.RECEIVER) \
                    and cpg.get(grand, Prop.NAME) == attr:
                item.invoked_calls.append(self._call_use(grand, 0))
            else:
                item.attribute_reads.append(attr)
            return
        if name == Op.INDEX_ACCESS and index == 1:
            item.operators.append("[]")
            key = cpg.arguments(parent).get(2)
            if key is not None:
                item.subscripted_with.append(self._index_kind(key, item.language))
            return
        if name in (Op.SPREAD, Op.STARRED, Op.DOUBLE_SPREAD):
            item.unpacked = True
            return
        if name == Op.AWAIT:
            item.awaited = True
            return
        if name.endswith("Comprehension") or name == "<operator>.generatorExpression":
            if index != 1:  # not the element expression: the iterable of a `for` clause
                item.iterated = True
            return
        if Op.is_assignment(name):
            if index == 2:
                target = cpg.arguments(parent).get(1)
                if target is not None and cpg.get(target, Prop.NAME) in (Op.TUPLE_LITERAL, Op.LIST_LITERAL, Op.OBJECT_LITERAL):
                    item.unpacked = True
                if target is not None and cpg.get(target, Prop.NAME) == Op.OBJECT_LITERAL:
                    item.attribute_reads.extend(object_keys(cpg, target)[0])  # `const {data, path} = params`
            return
        if name == Op.TYPEOF:
            grand = cpg.ast_parent(parent)
            if grand is not None and cpg.get(grand, Prop.NAME) in (Op.BINARY["==="], Op.BINARY["=="], Op.BINARY["!=="], Op.BINARY["!="]):
                for other in cpg.ast_children(grand):
                    if other != parent and cpg.kind(other) == NodeKind.LITERAL:
                        item.type_checks.append(cpg.get(other, Prop.CODE, "").strip("'\"`"))
            item.operators.append("typeof")
            return
        if name == Op.INSTANCEOF and index == 1:
            cls = cpg.arguments(parent).get(2)
            if cls is not None:
                item.type_checks.append(cpg.get(cls, Prop.CODE, ""))
            return
        if name.startswith(OPERATOR_PREFIX):
            symbol = _OPERATOR_SYMBOL.get(name, name.removeprefix(OPERATOR_PREFIX))
            if symbol in ("in", "not in") and index == 1:
                symbol = "elem " + symbol
            if name not in _CONTAINER_LITERALS and name != Op.KEY_VALUE:
                item.operators.append(symbol)
            return
        if name == "isinstance" and index == 1:
            cls = cpg.arguments(parent).get(2)
            if cls is not None:
                item.type_checks.append(cpg.get(cls, Prop.CODE, ""))
        item.arg_to_calls.append(self._call_use(parent, index if isinstance(index, int) else None,
                                                cpg.get(node, Prop.ARGUMENT_NAME) or ""))

    def _call_use(self, call: NodeId, position: int | None, keyword: str = "") -> CallUse:
        cpg = self.cpg
        props = cpg.props(call)
        resolved = props.get(Prop.METHOD_FULL_NAME, "")
        args = [a for a in cpg.out(call, EdgeKind.ARGUMENT) if cpg.get(a, Prop.ARGUMENT_INDEX) != 0]
        return CallUse(name=props.get(Prop.NAME, ""), resolved="" if resolved.startswith("<unresolved>") else resolved,
                       arg_count=len(args), position=position, keyword=keyword,
                       line=props.get(Prop.LINE_NUMBER, 0), column=props.get(Prop.COLUMN_NUMBER, 0))

    def _index_kind(self, key: NodeId, language: str) -> str:
        kind = self.cpg.kind(key)
        if kind == NodeKind.LITERAL:
            return literal_type(self.cpg, key, language) or "literal"
        if self.cpg.get(key, Prop.NAME) == Op.SLICE:
            return "slice"
        return "name" if kind == NodeKind.IDENTIFIER else "expr"

    # ----------------------------------------------------------------- helpers
    def _is_self(self, param: NodeId, cls: NodeId | None) -> bool:
        name = self.cpg.get(param, Prop.NAME)
        if name == "this":
            return True
        return cls is not None and self.cpg.get(param, Prop.INDEX) == 0 and \
            name in adapter_for(self.cpg.files[param[0]].language).self_names

    def _scope_type_params(self, node: NodeId) -> list[str]:
        """Type parameters declared by `node` and every function or class around it, outermost first."""
        chain: list[NodeId] = []
        while node is not None:
            if self.cpg.kind(node) in (NodeKind.METHOD, NodeKind.TYPE_DECL):
                chain.append(node)
            node = self.cpg.ast_parent(node)
        out: list[str] = []
        for n in reversed(chain):
            out += [t for t in self.cpg.get(n, Prop.TYPE_PARAMETERS) or () if t not in out]
        return out

    def _enclosing_class(self, method: NodeId) -> NodeId | None:
        node = self.cpg.ast_parent(method)
        while node is not None and self.cpg.kind(node) == NodeKind.BLOCK:
            node = self.cpg.ast_parent(node)
        return node if node is not None and self.cpg.kind(node) == NodeKind.TYPE_DECL else None

    def _docstring(self, body: NodeId, language: str) -> str:
        if not adapter_for(language).docstrings:
            return ""
        kids = self.cpg.ast_children(body)
        first = next((k for k in kids if self.cpg.kind(k) != NodeKind.LOCAL), None)
        if first is None or self.cpg.kind(first) != NodeKind.LITERAL or self.cpg.get(first, Prop.TYPE_FULL_NAME) != "str":
            return ""
        text = self.cpg.get(first, Prop.CODE, "").strip("'\"rbuf \n")
        return text.split("\n", 1)[0][:_CODE_LIMIT]


#: a name after the keyword that defines it, and any word (``$`` is a word character in TypeScript)
_DEFINED_NAME = re.compile(r"(?:\bdef|\bfunction\*?|\bclass)\s+([\w$]+)")
_WORD_CHAR = re.compile(r"[\w$]")


def _name_offset(code: str, name: str) -> int:
    """Where a function's name starts in its source text (``def f(``: 4, not the f of ``def``)."""
    if not name or name.startswith("<"):
        return 0
    first_line = code.split("\n", 1)[0]
    # fixed patterns, compared with the name: a pattern per name missed re's cache on every function
    for found in _DEFINED_NAME.finditer(first_line):
        if found.group(1) == name:
            return found.start(1)
    # the name standing alone (not inside a longer word); it may hold other characters (`#priv`)
    at = first_line.find(name)
    while at >= 0:
        end = at + len(name)
        if not (at and _WORD_CHAR.match(first_line, at - 1)) and not _WORD_CHAR.match(first_line, end):
            return at
        at = first_line.find(name, at + 1)
    return 0


def _augmented_symbol(name: str) -> str:
    base = name.removeprefix(Op.AUGMENTED_PREFIX)
    base = OPERATOR_PREFIX + base[:1].lower() + base[1:]
    return _OPERATOR_SYMBOL.get(base, base.removeprefix(OPERATOR_PREFIX)) + "="



def object_keys(cpg: CodePropertyGraph, literal: NodeId) -> tuple[list[str], bool]:
    """The property names an object literal or object pattern names (``{a, b: c, d = 1}`` ->
    a, b, d), and whether it also has a spread or rest element (``...others``) naming more."""
    keys, spread = [], False
    for child in cpg.ast_children(literal):
        kind, name = cpg.kind(child), cpg.get(child, Prop.NAME, "")
        if kind == NodeKind.IDENTIFIER:
            keys.append(name)
        elif name in (Op.KEY_VALUE, Op.ASSIGNMENT):
            first = cpg.arguments(child).get(1)
            if first is not None and cpg.kind(first) == NodeKind.IDENTIFIER:
                keys.append(cpg.get(first, Prop.NAME, ""))
            elif first is not None and cpg.kind(first) == NodeKind.LITERAL:
                keys.append((cpg.get(first, Prop.CODE, "") or "").strip("'\"`"))
            else:
                spread = True  # a computed key
        elif name in (Op.SPREAD, Op.STARRED, Op.DOUBLE_SPREAD):
            spread = True
        elif kind == NodeKind.METHOD_REF or kind == NodeKind.METHOD:
            keys.append(name.rsplit(".", 1)[-1])
    return [k for k in keys if k], spread


def extract_slices(cpg: CodePropertyGraph, files: Iterable[str] | None = None,
                   universe: TypeUniverse | None = None, settled: Collection[NodeId] = frozenset(),
                   methods: Collection[NodeId] | None = None,
                   classes: Collection[NodeId] | None = None,
                   structure: GraphStructure | None = None) -> ProgramSlices:
    """Slices of every target (or of the targets in `files`) plus the project's user types
    (from `universe` when the caller has built it already); `settled` nodes (types an earlier
    inference round settled) read as declared; with `methods`, only those methods' slots (and the
    classes' attributes, or those of `classes` only) are sliced.  `structure`: the run's
    `GraphStructure`, when the caller slices more than once."""
    universe = universe if universe is not None else build_type_universe(cpg)
    wanted = set(files) if files is not None else None
    user_types = [t for t in universe.types.values() if wanted is None or t.file in wanted]
    return ProgramSlices(version=SLICE_VERSION, slices=Slicer(cpg, settled, structure).slices(files, methods, classes),
                         user_types=user_types)

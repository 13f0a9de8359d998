"""The functions a web framework calls with a request: found through the call that registers them.

``app.router.add_get("/x", handle)`` (aiohttp), ``app.get("/x", (req, res) => ...)`` (Express),
``path("x/", views.show)`` (Django): the framework calls the function it is handed with a
request as one of its parameters, whatever the parameter is called and whether or not it is
annotated.  A rule's ``handler`` source spec names the registration and the parameter:

``{call: REGEX}``
    registration calls whose METHOD_FULL_NAME fully matches (``aiohttp\\.web\\.Application\\.router\\.add_get``);
``{factory: REGEX, methods: REGEX}``
    or method calls named by `methods` on a value made by a call whose METHOD_FULL_NAME fully
    matches `factory` (``const app = express(); app.get(...)``: the value of ``express()`` has no
    type the linker knows, so it is told by where it came from);
``parameter: N``
    which parameter of the handler (0-based, ``self`` not counted) is the request;
``error_arity: M``
    a handler with exactly M parameters takes an error first (Express's ``(err, req, res, next)``
    middleware): the request is the next one.

The handed function is an inline function (a METHOD_REF), a function of the same file named by an
identifier, or an imported one (``from views import show``, ``views.show``).  `registered`
answers the handlers' request parameters; `handed_functions` the functions handed to any call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from typeinfer.cpg.dataflow import assigned_value
from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.matching import matches
from typeinfer.cpg.query import Project
from typeinfer.cpg.schema import FIELD_ACCESS_OPS, MODULE_METHOD_NAME, SELF_NAMES, EdgeKind, NodeKind, Prop

from .scan_index import CallIndex


def registered(project: Project, spec: Mapping[str, Any], language: str, index: CallIndex) -> list[NodeId]:
    """The request parameters of the functions handed to `spec`'s registrations (see the module)."""
    cpg = project.cpg
    out = []
    for call in registrations(project, spec, language, index):
        for method in handed_functions(project, call):
            params = [p for p in cpg.out(method, EdgeKind.AST) if cpg.kind(p) == NodeKind.METHOD_PARAMETER_IN
                      and cpg.get(p, Prop.NAME) not in SELF_NAMES]
            params.sort(key=lambda p: cpg.get(p, Prop.INDEX) or 0)
            position = int(spec.get("parameter", 0)) + (1 if len(params) == spec.get("error_arity") else 0)
            if position < len(params):
                out.append(params[position])
    return list(dict.fromkeys(out))


def registrations(project: Project, spec: Mapping[str, Any], language: str, index: CallIndex) -> list[NodeId]:
    """The registration calls `spec` describes."""
    if "call" in spec:
        return index.calls_full_name(language, str(spec["call"]))
    cpg = project.cpg
    out = []
    for call in index.calls_named(language, str(spec.get("methods", ""))):
        receiver = cpg.arguments(call).get(0)
        decl = project.decl_of(receiver) if receiver is not None else None
        if decl is not None and any(matches(str(spec["factory"]), cpg.get(v, Prop.METHOD_FULL_NAME, ""))
                                    for v in _assigned_values(project, decl)):
            out.append(call)
    return out


def handed_functions(project: Project, call: NodeId) -> list[NodeId]:
    """The project functions passed as arguments to `call`."""
    cpg = project.cpg
    found = []
    for arg in cpg.out(call, EdgeKind.ARGUMENT):
        if cpg.get(arg, Prop.ARGUMENT_INDEX) == 0:
            continue  # the receiver
        method = _function_named(project, arg)
        if method is not None:
            found.append(method)
    return found


def _function_named(project: Project, arg: NodeId) -> NodeId | None:
    cpg = project.cpg
    kind = cpg.kind(arg)
    methods = _methods_by_full_name(project)
    if kind == NodeKind.METHOD_REF:
        found = methods.get(cpg.get(arg, Prop.METHOD_FULL_NAME, ""))
        return found[0] if found else None
    if kind == NodeKind.IDENTIFIER:
        name = cpg.get(arg, Prop.NAME, "")
        decl = project.decl_of(arg)
        scope = cpg.enclosing(decl, (NodeKind.METHOD,)) if decl is not None else None
        at_module = scope is None or cpg.get(scope, Prop.NAME) == MODULE_METHOD_NAME
        bound = project.import_bindings(arg[0]).get(name) if at_module else None
        if bound in methods:
            return _bound_at(cpg, methods[bound], arg)  # from views import show
        if scope is None:
            return None
        prefix = "" if at_module else str(cpg.get(scope, Prop.FULL_NAME, "")).partition(":")[2] + "."
        found = methods.get(f"{arg[0]}:{prefix}{name}")
        return _bound_at(cpg, found, arg) if found else None
    if kind == NodeKind.CALL and cpg.get(arg, Prop.NAME) in FIELD_ACCESS_OPS:
        obj, field_node = cpg.arguments(arg).get(1), cpg.arguments(arg).get(2)
        if obj is None or field_node is None or cpg.kind(obj) != NodeKind.IDENTIFIER:
            return None
        attribute = cpg.get(field_node, Prop.NAME, "")
        if cpg.get(obj, Prop.NAME) in SELF_NAMES:  # self.handle: a method of the class around
            cls = cpg.enclosing(arg, (NodeKind.TYPE_DECL,))
            owner = str(cpg.get(cls, Prop.FULL_NAME, "")) if cls is not None else ""
            found = methods.get(f"{owner}.{attribute}") if owner else None
            return found[0] if found else None
        module = project.import_bindings(arg[0]).get(cpg.get(obj, Prop.NAME, ""))
        if module in cpg.files:  # import views; views.show
            found = methods.get(f"{module}:{attribute}")
            return found[-1] if found else None
    return None


def _bound_at(cpg: Any, defined: list[NodeId], use: NodeId) -> NodeId:
    """Of the functions defined under one name, the one bound where `use` reads the name: the
    last defined before it (``def handle`` twice: the later wins from there on), else the first."""
    line = cpg.get(use, Prop.LINE_NUMBER) or 0
    before = [m for m in defined if m[0] == use[0] and (cpg.get(m, Prop.LINE_NUMBER) or 0) < line]
    return before[-1] if before else defined[0]


def _methods_by_full_name(project: Project) -> dict[str, list[NodeId]]:
    """Functions by full name, in source order (a name may be defined twice)."""
    cpg = project.cpg

    def build() -> dict[str, list[NodeId]]:
        out: dict[str, list[NodeId]] = {}
        for m in sorted(cpg.nodes(NodeKind.METHOD), key=lambda m: (m[0], cpg.get(m, Prop.LINE_NUMBER) or 0, m[1])):
            out.setdefault(str(cpg.get(m, Prop.FULL_NAME)), []).append(m)
        return out
    return cpg.derived("methods_by_full_name_lists", build)


def _assigned_values(project: Project, decl: NodeId) -> Iterable[NodeId]:
    """The values written to a variable (``app = express()``: the call)."""
    cpg = project.cpg
    for write in cpg.into(decl, EdgeKind.REF):
        value = assigned_value(cpg, write) if cpg.get(write, Prop.IS_WRITE) else None
        if value is not None and cpg.kind(value) == NodeKind.CALL:
            yield value

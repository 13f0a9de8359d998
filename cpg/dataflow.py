"""Taint dataflow: which sources reach which sinks, and by which path (`flows`).

Needs: a linked project graph (CFG, REACHING_DEF, CALL edges) wrapped in a `query.Project` (any
object with the few members of this module's `FlowProject` protocol).

A backward breadth-first search from each sink over "the value of X flows into Y" edges:

* a use of a variable <- its reaching definitions (REACHING_DEF); a use with none, naming a
  variable of another method (module globals, closures) <- every write of that variable;
* a written identifier <- the assigned value (the matching element for ``a, b = x, y``), a
  ``for`` target <- the iterable;
* a call's result <- its arguments and receiver ("a call's result is tainted if any argument or
  receiver is"), except sanitizers (regexes over METHOD_FULL_NAME) and operators whose result
  is a boolean (comparisons, ``in``, ``is``); a conditional's result <- both branches only;
* a field read ``o.f`` <- ``o``; ``o[k]`` <- ``o``; ``self.f`` / ``cls.f`` / ``this.f`` <- every
  ``self.f = v`` / ``cls.f = v`` in the same class (coarse: no object identity, no ordering);
* interprocedural: a call resolved to project METHODs <- the callee's ``return`` values (the
  call site is pushed on a context stack); a parameter <- the matching argument of the call
  site on top of the stack, or of every call site (CALL edges) when the stack is empty.

Precision (`_Guards`): a reaching definition does not flow into a use when every def-clear CFG
path between them leaves a guard on the variable by its safe branch (constant allow-list
membership, constant equality, numeric type checks, whole-string regex matches, calls a rule
names) or ends at return/raise/abort(); branches of conditions that fold to constants are dead;
``l[0]`` / ``d["k"]`` / ``o.k`` / ``d.get("k")`` of a variable holding a literal read that element.

Bounded by path length (`max_depth` nodes), context depth (`max_call_depth`) and wall time
(`timeout_s`, for the whole `flows` call; the result's ``truncated`` says it was hit).  It does
not model: mutation through calls (``lst.append(x)``), aliasing, callbacks (functions passed as
values), exceptions, or object identity; strings built by methods on a tainted receiver are
tainted (``x.strip()``).
"""

from __future__ import annotations

import ast
import math
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol, Sequence

from .graph import CodePropertyGraph, NodeId
from .matching import matches
from .schema import FIELD_ACCESS_OPS, OPERATOR_PREFIX, SELF_NAMES, Control, EdgeKind, NodeKind, Op, Prop


class FlowProject(Protocol):
    """What `flows` needs of a project; `query.Project` is one (this module does not import it)."""

    cpg: CodePropertyGraph
    inferred_calls: set[NodeId]  #: calls resolved only through inferred types

    def decl_of(self, n: NodeId) -> NodeId | None: ...

    def enclosing_method(self, n: NodeId) -> NodeId | None: ...


#: Calls that read a file their argument names and give back its content, not the argument: a
#: request value that picks the file is the path-traversal sink's finding (at the call), and what
#: comes back is the file's (``res.send(fs.readFileSync(p))`` is no cross-site scripting of ``p``).
#: A URL's content is not among them: whoever picks the URL serves the content
#: (``pickle.loads(requests.get(u).content)``).
RESOURCE_READS: tuple[str, ...] = (
    r"builtins\.open|(pathlib\.)?Path\.(read_text|read_bytes)",
    r"(node:)?fs\.(readFileSync|readFile|promises\.readFile)|(node:)?fs/promises\.readFile",
)

#: Calls that fetch what a URL names, with the position of the URL (or its keyword ``url``): only
#: that argument carries a request value into the result - whoever picks the URL serves the
#: content - not the headers, query parameters or body sent to a fixed URL.
URL_FETCHES: tuple[tuple[str, int], ...] = (
    (r"(requests(\.Session)?|httpx(\.(Async)?Client)?)\.(get|post|put|delete|head|patch|options|stream)", 1),
    (r"(requests(\.Session)?|httpx(\.(Async)?Client)?)\.request", 2),
    (r"urllib\.request\.urlopen", 1),
    (r"axios(\.default)?\.(get|post|put|delete|head|patch|options)", 1),
)

#: Calls whose result is never tainted (conversions to numbers and booleans, escaping), and
#: `RESOURCE_READS`.
DEFAULT_SANITIZERS: tuple[str, ...] = (
    r"builtins\.(int|float|bool|len|hash|id|isinstance|type|ord|abs|round)",
    r"(parseInt|parseFloat|Number|Boolean|isNaN)",
    *RESOURCE_READS,
)

#: Operators whose result is a boolean or a number unrelated to the operands' text.
_NO_PROPAGATION = frozenset({
    "<operator>.equals", "<operator>.notEquals", "<operator>.strictEquals", "<operator>.strictNotEquals",
    "<operator>.lessThan", "<operator>.greaterThan", "<operator>.lessEqualsThan",
    "<operator>.greaterEqualsThan", Op.IN, Op.NOT_IN, Op.IS, Op.IS_NOT, Op.INSTANCEOF, Op.LOGICAL_NOT,
    Op.TYPEOF, Op.DELETE, Op.LAMBDA,
})
_DESTRUCTURING = frozenset({Op.TUPLE_LITERAL, Op.LIST_LITERAL, Op.OBJECT_LITERAL})
_CONSTRUCTORS = frozenset({"__init__", "constructor"})


@dataclass(frozen=True)
class FlowStep:
    """One node on a flow path."""

    file: str
    line: int | None
    column: int | None
    code: str
    kind: str
    method: str | None  #: FULL_NAME of the enclosing method
    node: NodeId
    note: str = ""  #: how the value got here: assignment, argument, parameter, return, field, ...

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "kind": self.kind, "method": self.method, "note": self.note}


@dataclass
class Flow:
    """A path from a source node to a sink node (steps in source-to-sink order).

    `source` and `sink` are the end nodes as the project's views (`query.NodeView`: ``.file``,
    ``.line``, ``.code``, ...); `source_id` and `sink_id` are their node ids."""

    source_id: NodeId
    sink_id: NodeId
    steps: list[FlowStep]
    via_calls: frozenset[NodeId] = frozenset()  #: call sites the path went through (interprocedural)
    inferred_type_needed: bool = False  #: a call on the path (or the sink's call) resolved only by inference
    project: Any = field(default=None, repr=False, compare=False)  #: the `FlowProject` it was found in

    @property
    def source(self) -> Any:
        """The source node: the project's view of it (its first step when the project has no views)."""
        return self._view(self.source_id)

    @property
    def sink(self) -> Any:
        """The sink node: the project's view of it (its step when the project has no views)."""
        return self._view(self.sink_id)

    def _view(self, n: NodeId) -> Any:
        node = getattr(self.project, "node", None)
        if node is not None:
            return node(n)
        return next((s for s in self.steps if s.node == n), None)

    def compact(self) -> list[FlowStep]:
        """Steps with runs on one line merged (the last of a run kept; the source always kept)."""
        out: list[FlowStep] = []
        for i, step in enumerate(self.steps):
            nxt = self.steps[i + 1] if i + 1 < len(self.steps) else None
            if i == 0 or nxt is None or (nxt.file, nxt.line) != (step.file, step.line):
                out.append(step)
        return out

    def render(self) -> str:
        """Text, one step a line: ``file:line  code``."""
        return "\n".join(f"  {s.file}:{s.line}  {_one_line(s.code)}" + (f"  ({s.note})" if s.note else "")
                         for s in self.compact())

    def to_dict(self) -> dict[str, Any]:
        return {"source": list(self.source_id), "sink": list(self.sink_id), "inferred_type_needed": self.inferred_type_needed,
                "steps": [s.to_dict() for s in self.steps]}

    def __repr__(self) -> str:
        first, last = self.steps[0], self.steps[-1]
        return f"<Flow {first.file}:{first.line} {_one_line(first.code)!r} -> {last.file}:{last.line} {_one_line(last.code)!r}, {len(self.steps)} steps>"


class FlowList(list):
    """`flows`' result: a list of `Flow`, plus ``truncated`` (a bound was hit)."""

    truncated: bool = False


def _one_line(code: str) -> str:
    text = " ".join(code.split())
    return text if len(text) <= 80 else text[:77] + "..."


def return_statements(cpg: CodePropertyGraph, method: NodeId) -> list[NodeId]:
    """The RETURN nodes of `method`, those of nested functions and classes left out, in AST
    pre-order (remembered per graph until its nodes change: not to be modified by the caller)."""
    return _remember(_RETURNS, cpg, method, lambda: [
        d for d in cpg.ast_descendants(method, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL))
        if cpg.kind(d) == NodeKind.RETURN])


def self_attribute(cpg: CodePropertyGraph, n: NodeId) -> str | None:
    """The attribute's name when `n` is ``self.x`` / ``cls.x`` / ``this.x`` (a read or a write), else None."""
    if cpg.kind(n) != NodeKind.CALL or cpg.get(n, Prop.NAME) not in FIELD_ACCESS_OPS:
        return None
    args = cpg.arguments(n)
    obj, field_node = args.get(1), args.get(2)
    if obj is None or field_node is None or cpg.get(obj, Prop.NAME) not in SELF_NAMES:
        return None
    return cpg.get(field_node, Prop.NAME, "")


def self_accesses(cpg: CodePropertyGraph, cls: NodeId) -> dict[str, list[NodeId]]:
    """`self_attribute` accesses in a class's own code (not in nested classes), reads and writes,
    by attribute name, in AST pre-order (remembered per graph until its nodes change: not to be
    modified by the caller)."""
    def walk() -> dict[str, list[NodeId]]:
        found: dict[str, list[NodeId]] = {}
        for node in cpg.ast_descendants(cls, stop_at=(NodeKind.TYPE_DECL,)):
            name = self_attribute(cpg, node)
            if name is not None:
                found.setdefault(name, []).append(node)
        return found
    return _remember(_SELF_ACCESSES, cpg, cls, walk)


def self_writes(cpg: CodePropertyGraph, cls: NodeId) -> dict[str, list[NodeId]]:
    """The `self_accesses` of a class that write (``self.x = ...``, ``self.x += ...``), by
    attribute name (remembered with them: not to be modified by the caller)."""
    return _remember(_SELF_WRITES, cpg, cls, lambda: {
        name: writes for name, nodes in self_accesses(cpg, cls).items()
        if (writes := [n for n in nodes if cpg.get(n, Prop.IS_WRITE)])})


#: per graph (`_remember`), `self_accesses` (`self_writes`) by class: the syntax alone
#: decides them, and the linker (at each link) and inference's slicer both ask for the same classes
_SELF_ACCESSES: weakref.WeakKeyDictionary[CodePropertyGraph, tuple[int, dict[NodeId, dict[str, list[NodeId]]]]] = \
    weakref.WeakKeyDictionary()
_SELF_WRITES: weakref.WeakKeyDictionary[CodePropertyGraph, tuple[int, dict[NodeId, dict[str, list[NodeId]]]]] = \
    weakref.WeakKeyDictionary()
#: per graph, `return_statements` by method: the chop of a scan's demand asks for those of every
#: function an open call's name may mean, the dataflow engine for those its calls resolve to
_RETURNS: weakref.WeakKeyDictionary[CodePropertyGraph, tuple[int, dict[NodeId, list[NodeId]]]] = \
    weakref.WeakKeyDictionary()
#: per graph, `bound_arguments` by (call, method): a function's parameters are asked about one by
#: one, each for every call site (static facts, evidence, the linker, the scan's demand)
_BINDINGS: weakref.WeakKeyDictionary[CodePropertyGraph, tuple[int, dict[Any, dict[NodeId, NodeId]]]] = \
    weakref.WeakKeyDictionary()


def _remember(table: weakref.WeakKeyDictionary, cpg: CodePropertyGraph, key: Any, compute: Callable[[], Any]) -> Any:
    """What `table` remembers for `cpg` under `key`, computed (and kept, once complete: an
    interrupted computation leaves nothing behind) when it has none; forgotten once the graph's
    nodes change (`nodes_version`)."""
    version, remembered = table.get(cpg, (None, None))
    if remembered is None or version != cpg.nodes_version:
        remembered = {}
        table[cpg] = (cpg.nodes_version, remembered)
    found = remembered.get(key)
    if found is None:
        found = remembered[key] = compute()
    return found


def assigned_value(cpg: CodePropertyGraph, target: NodeId) -> NodeId | None:
    """The value a plain assignment ``target = value`` (``with value as target`` too) gives `target`."""
    assign = cpg.ast_parent(target)
    if assign is None or cpg.get(assign, Prop.NAME) != Op.ASSIGNMENT:
        return None
    args = cpg.arguments(assign)
    return args.get(2) if args.get(1) == target else None


def argument_for(cpg: CodePropertyGraph, call: NodeId, method: NodeId, param: NodeId) -> NodeId | None:
    """The argument of `call` that binds parameter `param` of `method` (keyword, else position;
    a Python method's ``self`` binds the receiver, a constructor's binds nothing)."""
    return bound_arguments(cpg, call, method).get(param)


def bound_arguments(cpg: CodePropertyGraph, call: NodeId, method: NodeId) -> dict[NodeId, NodeId]:
    """Each parameter of `method` that an argument of `call` binds, with that argument (as
    `argument_for`, for all the parameters at once; remembered per graph until its nodes change:
    not to be modified by the caller)."""
    return _remember(_BINDINGS, cpg, (call, method), lambda: _bind(cpg, call, method))


def _bind(cpg: CodePropertyGraph, call: NodeId, method: NodeId) -> dict[NodeId, NodeId]:
    params = [(c, cpg.props(c)) for c in cpg.out(method, EdgeKind.AST) if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN]
    if not params:
        return {}
    named: dict[str, NodeId] = {}
    positional: dict[Any, NodeId] = {}
    for a in cpg.out(call, EdgeKind.ARGUMENT):
        props = cpg.props(a)
        keyword = props.get(Prop.ARGUMENT_NAME)
        if keyword:
            named.setdefault(keyword, a)
        else:
            positional[props.get(Prop.ARGUMENT_INDEX)] = a
    first = min(params, key=lambda c: c[1].get(Prop.INDEX) or 0)[1]
    has_self = first.get(Prop.NAME) in ("self", "cls") and cpg.files[method[0]].language == "python"
    constructor = cpg.get(method, Prop.NAME) in _CONSTRUCTORS
    out: dict[NodeId, NodeId] = {}
    for param, props in params:
        arg = named.get(props.get(Prop.NAME))
        if arg is None:
            index = props.get(Prop.INDEX) or 0
            position = index if has_self else index + 1  # with self: INDEX 0 is the receiver
            if position == 0 and constructor:
                continue
            arg = positional.get(position)
        if arg is not None:
            out[param] = arg
    return out


# ----------------------------------------------------------------------------- guards and constants
class _NotConstant:
    def __repr__(self) -> str:
        return "<not constant>"


NOT_CONSTANT: Any = _NotConstant()  #: `_Guards.constant`'s answer for a value it cannot fold

#: Calls that do not return (Flask/Werkzeug ``abort``, ``sys.exit``, ``process.exit``): the code
#: after such a statement is not reached along that path.
_NO_RETURN_NAMES = frozenset({"abort", "exit", "_exit"})
#: isinstance() classes and ``typeof`` answers whose values carry no text.
_SAFE_TYPES = frozenset({"int", "float", "bool", "complex", "builtins.int", "builtins.float", "builtins.bool"})
_SAFE_TYPEOF = frozenset({"number", "boolean", "bigint", "undefined"})
#: ``x.isdigit()``-style checks: true only for text without quotes, slashes or spaces.
_CHARACTER_CHECKS = frozenset({"isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"})
_COLLECTION_WRAPPERS = frozenset({"set", "frozenset", "tuple", "list", "Set", "Array", "Object.freeze", "freeze"})
_FOLD = {
    "<operator>.addition": lambda a, b: a + b, "<operator>.subtraction": lambda a, b: a - b,
    "<operator>.multiplication": lambda a, b: a * b, "<operator>.modulo": lambda a, b: a % b,
    "<operator>.floorDivision": lambda a, b: a // b, "<operator>.division": lambda a, b: a / b,
    "<operator>.equals": lambda a, b: a == b, "<operator>.notEquals": lambda a, b: a != b,
    "<operator>.strictEquals": lambda a, b: a == b and type(a) is type(b),
    "<operator>.strictNotEquals": lambda a, b: not (a == b and type(a) is type(b)),
    "<operator>.lessThan": lambda a, b: a < b, "<operator>.greaterThan": lambda a, b: a > b,
    "<operator>.lessEqualsThan": lambda a, b: a <= b, "<operator>.greaterEqualsThan": lambda a, b: a >= b,
    "<operator>.logicalAnd": lambda a, b: a and b, "<operator>.logicalOr": lambda a, b: a or b,
    Op.IN: lambda a, b: a in b, Op.NOT_IN: lambda a, b: a not in b,
}


def _literal(code: str, language: str) -> Any:
    """The value of a literal's source text (strings, numbers, booleans, None/null), else NOT_CONSTANT."""
    text = code.strip()
    if language != "python":
        if text in ("true", "false"):
            return text == "true"
        if text in ("null", "undefined"):
            return None
        if text.startswith("`"):
            return text[1:-1] if "${" not in text and text.endswith("`") and len(text) > 1 else NOT_CONSTANT
        if text.startswith("/"):
            return NOT_CONSTANT  # a regex literal
        text = text.rstrip("n")  # bigint suffix
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return NOT_CONSTANT
    return value if isinstance(value, (str, bytes, int, float, bool, type(None))) else NOT_CONSTANT


def _anchored(pattern: str, start: bool) -> bool:
    """The pattern matches whole strings only: ``^...$`` (``$``/``\\Z`` at the end; ``^``/``\\A`` at the start when `start`)."""
    body = pattern
    ends = body.endswith("$") and not body.endswith("\\$") or body.endswith("\\Z") or body.endswith("\\z")
    begins = body.startswith("^") or body.startswith("\\A")
    return ends and (begins or not start)


@dataclass
class _Guards:
    """Constants, dead branches and barrier guards, over one method's CFG at a time.

    A *guard* is an ``if`` (or ``while``) condition that, on one of its branches, tells that a
    variable holds a safe value: membership in a constant collection (``x in ALLOWED``,
    ``ALLOWED.includes(x)``, ``ALLOWED.has(x)``), equality with a constant, ``isinstance(x, int)``
    / ``typeof x === "number"``, a whole-string regex match (``re.fullmatch(P, x)``,
    ``re.match("^...$", x)``, ``/^...$/.test(x)``), ``x.isdigit()``-style checks, or a call the
    rule names (`extra`); ``not``/``!``, ``and``/``&&`` and ``or``/``||`` combine them.  A value
    defined at D and used at U is *blocked* when no CFG path from D to U (not through another
    write of the variable, nor past a ``return``/``raise``/``abort()``) leaves a guard on the
    variable by its unsafe branch: the early-return form ``if x not in A: abort(400)`` and the
    replacing form ``if not ok(x): x = "default"`` included.  An ``if`` whose condition folds
    to a constant has a dead branch: code only reached through it is dead, and flows into or out
    of dead code are blocked.
    """

    project: FlowProject
    extra: tuple[str, ...] = ()  #: regexes over METHOD_FULL_NAME of calls that guard their arguments
    _methods: dict[NodeId, tuple] = field(default_factory=dict)
    _safe: dict[tuple[NodeId, str], bool | None] = field(default_factory=dict)
    _blocked: dict[tuple[NodeId, NodeId, str], bool] = field(default_factory=dict)
    _const: dict[NodeId, Any] = field(default_factory=dict)

    @property
    def cpg(self) -> CodePropertyGraph:
        return self.project.cpg

    def language(self, n: NodeId) -> str:
        info = self.cpg.files.get(n[0])
        return info.language if info is not None else "python"

    # -- constants
    def definitions(self, ident: NodeId) -> list[NodeId] | None:
        """The values assigned to the variable `ident` reads (None when one is not an assignment)."""
        cpg = self.cpg
        defs = cpg.into(ident, EdgeKind.REACHING_DEF)
        if not defs:
            decl = self.project.decl_of(ident)
            if decl is None or cpg.kind(decl) != NodeKind.LOCAL:
                return None
            defs = [w for w in cpg.into(decl, EdgeKind.REF) if cpg.get(w, Prop.IS_WRITE)]
            if len(defs) != 1:
                return None
        out = []
        for d in defs:
            parent = cpg.ast_parent(d)
            if (cpg.kind(d) != NodeKind.IDENTIFIER or parent is None or cpg.get(parent, Prop.NAME) != Op.ASSIGNMENT
                    or cpg.arguments(parent).get(1) != d or 2 not in cpg.arguments(parent)):
                return None
            out.append(cpg.arguments(parent)[2])
        return out or None

    def constant(self, n: NodeId, depth: int = 0) -> Any:
        """The value of an expression made of literals, constant variables and operators (collections
        as tuples / dicts), else NOT_CONSTANT."""
        if n in self._const:
            return self._const[n]
        self._const[n] = NOT_CONSTANT  # cycles
        value = self._constant(n, depth) if depth < 12 else NOT_CONSTANT
        self._const[n] = value
        return value

    def _constant(self, n: NodeId, depth: int) -> Any:
        cpg = self.cpg
        props = cpg.props(n)
        kind = props[Prop.KIND]
        if kind == NodeKind.LITERAL:
            return _literal(props.get(Prop.CODE) or "", self.language(n))
        if kind == NodeKind.IDENTIFIER:
            if props.get(Prop.NAME) == "undefined" and self.language(n) != "python":
                return None
            values = self.definitions(n)
            if not values:
                return NOT_CONSTANT
            results = [self.constant(v, depth + 1) for v in values]
            first = results[0]
            return first if all(r is not NOT_CONSTANT and r == first for r in results) else NOT_CONSTANT
        if kind != NodeKind.CALL:
            return NOT_CONSTANT
        name = props.get(Prop.NAME, "")
        args = cpg.arguments(n)
        if name in (Op.LIST_LITERAL, Op.TUPLE_LITERAL, Op.SET_LITERAL):
            items = [self.constant(a, depth + 1) for _, a in sorted(args.items()) if _ >= 1]
            return NOT_CONSTANT if any(i is NOT_CONSTANT for i in items) else tuple(items)
        if name in (Op.DICT_LITERAL, Op.OBJECT_LITERAL):
            out = {}
            for _, entry in sorted(args.items()):
                key = self.key_of(entry)
                if key is NOT_CONSTANT:
                    return NOT_CONSTANT
                value = self.constant(cpg.arguments(entry).get(2, entry), depth + 1)
                if value is NOT_CONSTANT:
                    return NOT_CONSTANT
                out[key] = value
            return _Frozen(out)
        if name in (Op.LOGICAL_NOT,) and 1 in args:
            v = self.constant(args[1], depth + 1)
            return NOT_CONSTANT if v is NOT_CONSTANT else not v
        if name == "<operator>.minus" and 1 in args:
            v = self.constant(args[1], depth + 1)
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else NOT_CONSTANT
        if name == Op.CONDITIONAL and {1, 2, 3} <= set(args):
            c = self.constant(args[1], depth + 1)
            return NOT_CONSTANT if c is NOT_CONSTANT else self.constant(args[2] if c else args[3], depth + 1)
        if name in _FOLD and 1 in args and 2 in args:
            a, b = self.constant(args[1], depth + 1), self.constant(args[2], depth + 1)
            if a is NOT_CONSTANT or b is NOT_CONSTANT:
                return NOT_CONSTANT
            try:
                return _FOLD[name](a, b)
            except Exception:  # noqa: BLE001 - a fold that would raise is not a constant
                return NOT_CONSTANT
        if not name.startswith(OPERATOR_PREFIX) and (name in _COLLECTION_WRAPPERS or props.get(Prop.METHOD_FULL_NAME, "").endswith(
                tuple("." + w for w in _COLLECTION_WRAPPERS))) and set(args) - {0} == {1}:
            inner = self.constant(args[1], depth + 1)
            return inner if isinstance(inner, (tuple, _Frozen)) else NOT_CONSTANT
        return NOT_CONSTANT

    def key_of(self, entry: NodeId) -> Any:
        """The constant key of a dict/object literal entry (a bare TypeScript key is its text)."""
        cpg = self.cpg
        if cpg.get(entry, Prop.NAME) != Op.KEY_VALUE:
            return NOT_CONSTANT
        key = cpg.arguments(entry).get(1)
        if key is None:
            return NOT_CONSTANT
        value = self.constant(key)
        if value is NOT_CONSTANT and cpg.kind(key) == NodeKind.LITERAL and self.language(key) != "python":
            code = cpg.get(key, Prop.CODE) or ""
            return code if code.replace("_", "a").replace("$", "a").isalnum() else NOT_CONSTANT
        return value

    def is_constant_collection(self, n: NodeId) -> bool:
        return isinstance(self.constant(n), (tuple, _Frozen))

    # -- guard conditions
    def safe_when(self, cond: NodeId, var: str) -> bool | None:
        """True: `cond` being true tells that `var` holds a safe value; False: being false tells it; None: neither."""
        key = (cond, var)
        if key not in self._safe:
            self._safe[key] = None
            self._safe[key] = self._safe_when(cond, var)
        return self._safe[key]

    def _is_var(self, n: NodeId | None, var: str) -> bool:
        return n is not None and self.cpg.kind(n) == NodeKind.IDENTIFIER and self.cpg.get(n, Prop.NAME) == var

    def _safe_when(self, cond: NodeId, var: str) -> bool | None:
        cpg = self.cpg
        props = cpg.props(cond)
        if props[Prop.KIND] != NodeKind.CALL:
            return None
        name = props.get(Prop.NAME, "")
        args = cpg.arguments(cond)
        if name == Op.LOGICAL_NOT and 1 in args:
            inner = self.safe_when(args[1], var)
            return None if inner is None else not inner
        if name == Op.LOGICAL_AND:
            return True if any(self.safe_when(a, var) is True for i, a in args.items() if i >= 1) else None
        if name == Op.LOGICAL_OR:
            return False if any(self.safe_when(a, var) is False for i, a in args.items() if i >= 1) else None
        if name in (Op.IN, Op.NOT_IN):
            if self._is_var(args.get(1), var) and 2 in args and self.is_constant_collection(args[2]):
                return name == Op.IN
            return None
        if name in ("<operator>.equals", "<operator>.strictEquals", "<operator>.notEquals", "<operator>.strictNotEquals"):
            positive = name in ("<operator>.equals", "<operator>.strictEquals")
            for a, b in ((args.get(1), args.get(2)), (args.get(2), args.get(1))):
                if a is None or b is None:
                    continue
                if self._is_var(a, var) and isinstance(self.constant(b), (str, int, float, bool, type(None))) \
                        and self.constant(b) is not NOT_CONSTANT:
                    return positive
                if (cpg.get(a, Prop.NAME) == Op.TYPEOF and self._is_var(cpg.arguments(a).get(1), var)
                        and self.constant(b) in _SAFE_TYPEOF):
                    return positive
            return None
        if name.startswith(OPERATOR_PREFIX):
            return None
        full = props.get(Prop.METHOD_FULL_NAME, "")
        receiver = args.get(0)
        positional = [a for i, a in sorted(args.items()) if i >= 1]
        if any(matches(rx, full) for rx in self.extra) and any(self._is_var(a, var) for a in args.values()):
            return True
        if name == "isinstance" and len(positional) >= 2 and self._is_var(positional[0], var):
            types = positional[1]
            names = ([cpg.get(t, Prop.CODE) for t in cpg.arguments(types).values()]
                     if cpg.get(types, Prop.NAME) == Op.TUPLE_LITERAL else [cpg.get(types, Prop.CODE)])
            return True if names and all(t in _SAFE_TYPES for t in names) else None
        if name in ("includes", "has", "__contains__") and receiver is not None and positional \
                and self._is_var(positional[0], var) and self.is_constant_collection(receiver):
            return True
        if name in _CHARACTER_CHECKS and self._is_var(receiver, var) and not positional:
            return True
        if name in ("fullmatch", "match", "search") and len(positional) >= 2 and self._is_var(positional[1], var) \
                and (full.startswith("re.") or (receiver is not None and cpg.get(receiver, Prop.NAME) == "re")):
            pattern = self.constant(positional[0])
            if isinstance(pattern, str) and (name == "fullmatch" or _anchored(pattern, start=name == "search")):
                return True
            return None
        if name == "test" and receiver is not None and positional and self._is_var(positional[0], var):
            code = cpg.get(receiver, Prop.CODE) or ""
            if cpg.kind(receiver) == NodeKind.LITERAL and code.startswith("/") and "/" in code[1:]:
                body = code[1:code.rindex("/")]
                return True if _anchored(body, start=True) else None
        return None

    # -- per-method CFG facts
    def _method(self, m: NodeId) -> tuple[list[tuple[NodeId, set[NodeId], set[NodeId]]], set[tuple[NodeId, NodeId]], set[NodeId]]:
        """(branch conditions as (condition, true successors, false successors), dead edges, live nodes)."""
        if m in self._methods:
            return self._methods[m]
        cpg = self.cpg
        branches = []
        dead: set[tuple[NodeId, NodeId]] = set()
        for cs in cpg.ast_descendants(m, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL)):
            if cpg.kind(cs) != NodeKind.CONTROL_STRUCTURE or cpg.get(cs, Prop.CONTROL_STRUCTURE_TYPE) not in (Control.IF, Control.WHILE):
                continue
            kids = cpg.ast_children(cs)
            if len(kids) < 2:
                continue
            cond, then = kids[0], kids[1]
            inside = set(cpg.ast_descendants(then)) | {then}
            succs = cpg.out(cond, EdgeKind.CFG)
            true = {s for s in succs if s in inside}
            false = set(succs) - true
            if not true or not false:
                continue  # an empty branch: both outcomes go the same way
            branches.append((cond, true, false))
            value = self.constant(cond)
            if value is not NOT_CONSTANT:
                dead.update((cond, s) for s in (false if value else true))
        live = self._reach(m, dead, (), "", None) if dead else None
        self._methods[m] = (branches, dead, live)
        return self._methods[m]

    def no_return(self, n: NodeId) -> bool:
        cpg = self.cpg
        if cpg.kind(n) != NodeKind.CALL or cpg.get(n, Prop.NAME) not in _NO_RETURN_NAMES:
            return False
        parent = cpg.ast_parent(n)
        return parent is not None and cpg.kind(parent) == NodeKind.BLOCK  # a statement, not a value

    def _reach(self, start: NodeId, dead: set, guards: Iterable[tuple[NodeId, set[NodeId]]], var: str,
               target: NodeId | None) -> set[NodeId]:
        """CFG nodes reached from `start` without dead edges, guarded edges, other writes of `var`,
        or passing a call that does not return; stops early at `target`."""
        cpg = self.cpg
        closed = {c: blocked for c, blocked in guards}
        seen = {start}
        todo = [start]
        while todo:
            n = todo.pop()
            if n == target:
                break
            if n != start and (self.no_return(n) or (var and cpg.kind(n) == NodeKind.IDENTIFIER
                                                      and cpg.get(n, Prop.IS_WRITE) and cpg.get(n, Prop.NAME) == var)):
                continue
            shut = closed.get(n, ())
            for s in cpg.out(n, EdgeKind.CFG):
                if s not in seen and (n, s) not in dead and s not in shut:
                    seen.add(s)
                    todo.append(s)
        return seen

    def is_live(self, n: NodeId) -> bool:
        """False for a node only reached through a branch that a constant condition never takes."""
        m = self.project.enclosing_method(n)
        if m is None:
            return True
        _, _, live = self._method(m)
        if live is None:
            return True
        node: NodeId | None = n
        while node is not None and node not in live and self.cpg.kind(node) not in (NodeKind.METHOD,):
            if self.cpg.out(node, EdgeKind.CFG) or self.cpg.into(node, EdgeKind.CFG):
                return False  # a CFG node not reached
            node = self.cpg.ast_parent(node)  # not itself a CFG node: judge by its expression
        return True

    def blocked(self, definition: NodeId, use: NodeId) -> bool:
        """The value defined at `definition` cannot reach the read `use` along an unguarded live path."""
        key = (definition, use, "")
        if key in self._blocked:
            return self._blocked[key]
        self._blocked[key] = result = self._compute_blocked(definition, use)
        return result

    def _compute_blocked(self, definition: NodeId, use: NodeId) -> bool:
        cpg = self.cpg
        m = self.project.enclosing_method(use)
        if m is None:
            return False
        if not self.is_live(use):
            return True
        is_param = cpg.kind(definition) == NodeKind.METHOD_PARAMETER_IN
        start = m if is_param else definition
        if self.project.enclosing_method(start) != m:
            return False
        if not is_param and not self.is_live(definition):
            return True
        var = cpg.get(use, Prop.NAME) or ""
        branches, dead, _ = self._method(m)
        guards = []
        for cond, true, false in branches:
            safe = self.safe_when(cond, var)
            if safe is not None:
                guards.append((cond, true if safe else false))
        if not guards and not dead:
            return False
        return use not in self._reach(start, dead, guards, var, use)


class _NoGuards(_Guards):
    """No guard blocks and every branch is live: an over-approximation of any rule's guards,
    for `chop`, at no cost."""

    def blocked(self, definition: NodeId, use: NodeId) -> bool:
        return False

    def is_live(self, n: NodeId) -> bool:
        return True

    def constant(self, n: NodeId, depth: int = 0) -> Any:
        return NOT_CONSTANT


class _Frozen(dict):
    """A constant dict/object literal (hashable, for caching and ``in``)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(map(repr, self.items()))))


#: per graph (`_remember`, one entry), its ``self.x = v`` writes by (class, field name): the syntax
#: alone decides them (not linking or types), and each rule of a scan, and the scan's demand
#: before it, walks with an engine of its own
_FIELD_WRITES: weakref.WeakKeyDictionary[CodePropertyGraph, tuple[int, dict[None, dict]]] = weakref.WeakKeyDictionary()


@dataclass
class _Engine:
    project: FlowProject
    sanitizers: tuple[str, ...]
    max_depth: int
    max_call_depth: int
    deadline: float
    truncated: bool = False
    _field_writes: dict[tuple[NodeId | None, str], list[NodeId]] | None = None
    _parent: dict[NodeId, NodeId] = field(default_factory=dict)
    guards: _Guards | None = None

    def __post_init__(self) -> None:
        if self.guards is None:
            self.guards = _Guards(self.project)

    # -- helpers
    @property
    def cpg(self):  # noqa: ANN201
        return self.project.cpg

    def p(self, n: NodeId) -> dict[str, Any]:
        return self.cpg.g.nodes[n]

    def parent(self, n: NodeId) -> NodeId | None:
        if n not in self._parent:
            self._parent[n] = self.cpg.ast_parent(n)
        return self._parent[n]

    def is_sanitizer(self, call: NodeId) -> bool:
        full = self.p(call).get(Prop.METHOD_FULL_NAME, "")
        return any(matches(rx, full) for rx in self.sanitizers)

    def url_position(self, call: NodeId) -> int | None:
        """The URL argument's position when `call` is one of `URL_FETCHES`, else None."""
        full = self.p(call).get(Prop.METHOD_FULL_NAME, "")
        return next((position for rx, position in URL_FETCHES if matches(rx, full)), None)

    def field_writes(self, cls: NodeId | None, name: str) -> list[NodeId]:
        """Values assigned to ``self.name`` / ``cls.name`` / ``this.name`` anywhere in class `cls`."""
        if self._field_writes is None:
            self._field_writes = _remember(_FIELD_WRITES, self.cpg, None, self._all_field_writes)
        return self._field_writes.get((cls, name), [])

    def _all_field_writes(self) -> dict[tuple[NodeId | None, str], list[NodeId]]:
        table: dict[tuple[NodeId | None, str], list[NodeId]] = {}
        for n in self.cpg.nodes(NodeKind.CALL):
            props = self.cpg.props(n)
            if props.get(Prop.NAME) not in FIELD_ACCESS_OPS or not props.get(Prop.IS_WRITE):
                continue
            args = self.cpg.arguments(n)
            obj, fld = args.get(1), args.get(2)
            if obj is None or fld is None or self.p(obj).get(Prop.NAME) not in SELF_NAMES:
                continue
            assign = self.parent(n)
            if assign is None or not Op.is_assignment(self.p(assign).get(Prop.NAME, "")):
                continue
            value = self.cpg.arguments(assign).get(2)
            if value is not None:
                key = (self.cpg.enclosing(n, (NodeKind.TYPE_DECL,)), self.p(fld).get(Prop.NAME, ""))
                table.setdefault(key, []).append(value)
        return table

    # -- the "flows into" relation, backwards
    def preds(self, n: NodeId, ctx: tuple[NodeId, ...]) -> list[tuple[NodeId, tuple[NodeId, ...], str, NodeId | None]]:
        """(node, context, note, call site) whose value flows into `n`."""
        props = self.p(n)
        kind = props[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            return self._identifier(n, props, ctx)
        if kind == NodeKind.METHOD_PARAMETER_IN:
            return self._parameter(n, ctx)
        if kind == NodeKind.CALL:
            return self._call(n, props, ctx)
        if kind == NodeKind.RETURN:
            return [(a, ctx, "return", None) for a in self.cpg.ast_children(n)]
        return []

    def _identifier(self, n: NodeId, props: dict, ctx: tuple) -> list:
        out = []
        if props.get(Prop.IS_WRITE):
            out.extend((v, ctx, "assignment", None) for v in self._assigned_value(n))
            # augmented assignment: the old value flows in too (REACHING_DEF edges into the target)
        defs = self.cpg.into(n, EdgeKind.REACHING_DEF)
        guards = self.guards
        for d in defs:
            if self.p(d)[Prop.KIND] in (NodeKind.IDENTIFIER, NodeKind.METHOD_PARAMETER_IN) and not guards.blocked(d, n):
                out.append((d, ctx, "", None))
        if not defs and not props.get(Prop.IS_WRITE):
            decl = self.project.decl_of(n)
            if decl is not None:
                if self.p(decl)[Prop.KIND] == NodeKind.METHOD_PARAMETER_IN:
                    if not guards.blocked(decl, n):
                        out.append((decl, ctx, "", None))
                elif self.project.enclosing_method(decl) != self.project.enclosing_method(n):
                    out.extend((w, ctx, "global", None) for w in self.cpg.into(decl, EdgeKind.REF)
                               if self.p(w).get(Prop.IS_WRITE))
        return out

    def _assigned_value(self, target: NodeId) -> list[NodeId]:
        """What a written identifier receives: assignment value, destructured element, loop iterable."""
        path: list[int] = []
        node = target
        parent = self.parent(node)
        while parent is not None and self.p(parent).get(Prop.NAME) in _DESTRUCTURING:
            path.append(self.p(node).get(Prop.ARGUMENT_INDEX) or 0)
            node, parent = parent, self.parent(parent)
        if parent is None:
            return []
        pprops = self.p(parent)
        if pprops[Prop.KIND] == NodeKind.CALL and Op.is_assignment(pprops.get(Prop.NAME, "")):
            args = self.cpg.arguments(parent)
            if args.get(1) != node:
                return []
            value = args.get(2)
            for index in reversed(path):  # a, b = x, y: follow the same positions on the right
                if value is None or self.p(value).get(Prop.NAME) not in (Op.TUPLE_LITERAL, Op.LIST_LITERAL):
                    break
                value = self.cpg.arguments(value).get(index, value)
            return [value] if value is not None else []
        if pprops[Prop.KIND] == NodeKind.CONTROL_STRUCTURE and pprops.get(Prop.CONTROL_STRUCTURE_TYPE) == "FOR_EACH":
            kids = self.cpg.ast_children(parent)
            return kids[:1] if kids and kids[0] != node else []
        return []

    def _parameter(self, n: NodeId, ctx: tuple) -> list:
        method = self.parent(n)
        if method is None:
            return []
        sites = [ctx[-1]] if ctx else self.cpg.callers(method)
        rest = ctx[:-1]
        out = []
        for site in sites:
            arg = self._argument_for(site, method, n)
            if arg is not None:
                out.append((arg, rest, "argument to parameter", site))
        return out

    def _argument_for(self, call: NodeId, method: NodeId, param: NodeId) -> NodeId | None:
        return argument_for(self.cpg, call, method, param)

    def _call(self, n: NodeId, props: dict, ctx: tuple) -> list:
        name = props.get(Prop.NAME, "")
        args = self.cpg.arguments(n)
        if Op.is_assignment(name):
            return [(args[2], ctx, "assignment", None)] if 2 in args else []
        if name in FIELD_ACCESS_OPS:
            elements = self._elements(args.get(1), self.cpg.get(args[2], Prop.NAME) if 2 in args else None)
            if elements is not None:
                return [(e, ctx, "element", None) for e in elements]
            out = [(args[1], ctx, "field", None)] if 1 in args else []
            obj, fld = args.get(1), args.get(2)
            if obj is not None and fld is not None and self.p(obj).get(Prop.NAME) in SELF_NAMES and not props.get(Prop.IS_WRITE):
                cls = self.cpg.enclosing(n, (NodeKind.TYPE_DECL,))
                out.extend((v, ctx, "field write", None) for v in self.field_writes(cls, self.p(fld).get(Prop.NAME, "")))
            return out
        if name == Op.INDEX_ACCESS and 2 in args:
            key = self.guards.constant(args[2])
            elements = self._elements(args.get(1), key) if key is not NOT_CONSTANT else None
            if elements is not None:
                return [(e, ctx, "element", None) for e in elements]
        if name in (Op.INDEX_ACCESS, Op.SLICE):
            return [(args[1], ctx, "index", None)] if 1 in args else []
        if name in _NO_PROPAGATION:
            return []
        if name == Op.CONDITIONAL:
            value = self.guards.constant(args[1]) if 1 in args else NOT_CONSTANT
            branches = (2, 3) if value is NOT_CONSTANT else ((2,) if value else (3,))
            return [(args[i], ctx, "", None) for i in branches if i in args]
        if name.startswith(OPERATOR_PREFIX):
            return [(a, ctx, "", None) for _, a in sorted(args.items()) if self.p(a)[Prop.KIND] != NodeKind.METHOD_REF]
        if self.is_sanitizer(n):
            return []
        position = self.url_position(n)
        if position is not None:  # a fetch: only the URL it is given carries into what comes back
            url = next((a for a in self.cpg.out(n, EdgeKind.ARGUMENT) if self.p(a).get(Prop.ARGUMENT_NAME) == "url"),
                       None)
            if url is None and position in args and not self.p(args[position]).get(Prop.ARGUMENT_NAME):
                url = args[position]
            return [(url, ctx, "argument", None)] if url is not None else []
        if name == "get" and 0 in args and 1 in args:
            key = self.guards.constant(args[1])
            found = self._elements(args[0], key, missing_ok=True) if key is not NOT_CONSTANT else self._values(args[0])
            if found is not None:  # a dict literal's entry, or the default
                return [(e, ctx, "element", None) for e in found] + [(a, ctx, "argument", None) for i, a in args.items() if i >= 2]
        callees = self.cpg.out(n, EdgeKind.CALL)
        if callees and len(ctx) < self.max_call_depth and not any(self.p(m).get(Prop.NAME) in _CONSTRUCTORS for m in callees):
            out = []
            for m in callees:
                for ret in return_statements(self.cpg, m):
                    out.extend((v, ctx + (n,), "return", n) for v in self.cpg.ast_children(ret))
            return out
        return [(a, ctx, "argument", None) for _, a in sorted(args.items()) if self.p(a)[Prop.KIND] != NodeKind.METHOD_REF]

    def _literals(self, obj: NodeId | None) -> list[NodeId] | None:
        """The collection literals variable `obj` may hold (each definition one), else None."""
        if obj is None or self.p(obj)[Prop.KIND] != NodeKind.IDENTIFIER:
            return None
        values = self.guards.definitions(obj)
        if not values or any(self.p(v).get(Prop.NAME) not in (Op.LIST_LITERAL, Op.TUPLE_LITERAL, Op.DICT_LITERAL, Op.OBJECT_LITERAL)
                             for v in values):
            return None
        for v in values:  # ``[*a, x]`` / ``{**a}``: positions and keys are not the literal's own
            if any(self.p(a).get(Prop.NAME) in (Op.SPREAD, Op.DOUBLE_SPREAD, Op.STARRED) for a in self.cpg.arguments(v).values()):
                return None
        return values

    def _elements(self, obj: NodeId | None, key: Any, missing_ok: bool = False) -> list[NodeId] | None:
        """The elements ``obj[key]`` / ``obj.key`` reads when `obj` holds a literal and `key` is a
        constant (a list's position or a dict's key), else None (the whole object flows in)."""
        literals = self._literals(obj) if key is not None and key is not NOT_CONSTANT else None
        if literals is None:
            return None
        out = []
        for lit in literals:
            args = self.cpg.arguments(lit)
            if self.p(lit).get(Prop.NAME) in (Op.DICT_LITERAL, Op.OBJECT_LITERAL):
                entries = {}
                for entry in args.values():
                    k = self.guards.key_of(entry)
                    if k is NOT_CONSTANT:
                        return None
                    entries[k] = self.cpg.arguments(entry).get(2)
                if key not in entries and not missing_ok:
                    return None
                if entries.get(key) is not None:
                    out.append(entries[key])
            else:
                if not isinstance(key, int) or isinstance(key, bool) or not -len(args) <= key < len(args):
                    return None
                out.append(args[key + 1 if key >= 0 else len(args) + key + 1])
        return out

    def _values(self, obj: NodeId | None) -> list[NodeId] | None:
        """Every value of the dict literals `obj` holds (a lookup by an unknown key reads one of them)."""
        literals = self._literals(obj)
        if literals is None or any(self.p(v).get(Prop.NAME) not in (Op.DICT_LITERAL, Op.OBJECT_LITERAL) for v in literals):
            return None
        out = []
        for lit in literals:
            for entry in self.cpg.arguments(lit).values():
                value = self.cpg.arguments(entry).get(2) if self.p(entry).get(Prop.NAME) == Op.KEY_VALUE else None
                if value is None:
                    return None
                out.append(value)
        return out

    # -- the search
    def search(self, sink: NodeId, sources: set[NodeId]) -> list[tuple[NodeId, list[tuple[NodeId, str]], set[NodeId]]]:
        """(source, path source->sink as (node, note), call sites used) for each source reaching `sink`."""
        if not self.guards.is_live(sink):
            return []
        start = (sink, ())
        parent: dict[tuple, tuple[tuple, str, NodeId | None] | None] = {start: None}
        depth = {start: 1}
        queue = deque([start])
        found: dict[NodeId, tuple] = {}
        while queue:
            if time.monotonic() > self.deadline:
                self.truncated = True
                break
            state = queue.popleft()
            node, ctx = state
            if node in sources and node not in found:
                found[node] = state
                if node != sink:
                    continue
            if depth[state] >= self.max_depth:
                self.truncated = True
                continue
            for nxt, nctx, note, site in self.preds(node, ctx):
                key = (nxt, nctx)
                if key not in parent:
                    parent[key] = (state, note, site)
                    depth[key] = depth[state] + 1
                    queue.append(key)
        out = []
        for src, state in found.items():
            path: list[tuple[NodeId, str]] = []
            sites: set[NodeId] = set()
            note = ""
            cur: tuple | None = state
            while cur is not None:
                path.append((cur[0], note))
                link = parent[cur]
                if link is None:
                    break
                cur, note, site = link
                if site is not None:
                    sites.add(site)
            out.append((src, path, sites))
        return out


def flows(project: FlowProject, sinks: Iterable[NodeId], sources: Iterable[NodeId], *, max_depth: int = 80,
          max_call_depth: int = 6, timeout_s: float = 30.0, sanitizers: Iterable[str] | None = None,
          guards: Iterable[str] = ()) -> FlowList:
    """Every (source, sink) pair with a path, shortest path each; sinks and sources are node ids.

    `sanitizers` are regexes over METHOD_FULL_NAME (default `DEFAULT_SANITIZERS`; pass a list to
    replace them).  `guards` are regexes over METHOD_FULL_NAME of calls that, in a condition,
    tell their arguments are safe on the true branch (added to the built-in guards, see
    `_Guards`).  `timeout_s` bounds the whole call, `max_depth` each path's length in nodes.
    """
    engine = _Engine(project, tuple(DEFAULT_SANITIZERS if sanitizers is None else sanitizers),
                     max_depth, max_call_depth, time.monotonic() + timeout_s,
                     guards=_Guards(project, tuple(guards)))
    source_set = set(sources)
    result = FlowList()
    for sink in dict.fromkeys(sinks):
        owners = project.cpg.into(sink, EdgeKind.ARGUMENT)
        sink_call = owners[0] if owners else (sink if engine.p(sink)[Prop.KIND] == NodeKind.CALL else None)
        for src, path, sites in engine.search(sink, source_set):
            steps = [flow_step(project, n, note) for n, note in path]
            calls = {n for n, _ in path} | sites | ({sink_call} if sink_call is not None else set())
            needed = bool(calls & project.inferred_calls)
            result.append(Flow(src, sink, steps, frozenset(sites), needed, project))
        if engine.truncated and time.monotonic() > engine.deadline:
            break
    result.truncated = engine.truncated
    return result


def chop(project: FlowProject, sinks: Iterable[NodeId], sources: Iterable[NodeId], *,
         more_preds: Callable[[NodeId], Iterable[NodeId]] | None = None) -> set[NodeId]:
    """The nodes on some path from one of `sources` to one of `sinks`: the part of the program
    where a change (a call resolved, a value found to be a source) can change what `flows`
    finds.  Context-insensitive, with the default sanitizers and without guards, so it holds
    every node of every path `flows` could report, and more.  `more_preds(n)` adds what may flow
    into `n` beyond the graph's edges (the returns of the functions an open call may reach)."""
    return chops(project, [(sinks, sources)], more_preds=more_preds)[0]


def chops(project: FlowProject, pairs: Sequence[tuple[Iterable[NodeId], Iterable[NodeId]]], *,
          more_preds: Callable[[NodeId], Iterable[NodeId]] | None = None) -> list[set[NodeId]]:
    """`chop` of each (sinks, sources) pair, in one walk back from all the sinks: each node's
    predecessors are asked for once, however many pairs' sinks it reaches."""
    engine = _Engine(project, tuple(DEFAULT_SANITIZERS), max_depth=0, max_call_depth=1 << 30, deadline=math.inf,
                     guards=_NoGuards(project))
    into_succ: dict[NodeId, list[NodeId]] = {}  # pred -> the nodes it flows into, over the backward cone
    preds_of: dict[NodeId, list[NodeId]] = {}
    reaches: dict[NodeId, int] = {}  # node -> bit i set: it may flow into a sink of pair i
    queue: deque[NodeId] = deque()
    for i, (sinks, _) in enumerate(pairs):
        for sink in sinks:
            if not reaches.get(sink, 0) & 1 << i:
                reaches[sink] = reaches.get(sink, 0) | 1 << i
                queue.append(sink)
    while queue:
        node = queue.popleft()
        preds = preds_of.get(node)
        if preds is None:
            preds = preds_of[node] = [nxt for nxt, _, _, _ in engine.preds(node, ())]
            if more_preds is not None:
                preds.extend(more_preds(node))
            for pred in preds:
                into_succ.setdefault(pred, []).append(node)
        bits = reaches[node]
        for pred in preds:
            known = reaches.get(pred, 0)
            if known | bits != known:
                reaches[pred] = known | bits
                queue.append(pred)
    out = []
    for i, (_, sources) in enumerate(pairs):
        bit = 1 << i
        on_path = {s for s in sources if reaches.get(s, 0) & bit}
        walk = deque(on_path)
        while walk:
            for succ in into_succ.get(walk.popleft(), ()):
                if succ not in on_path and reaches[succ] & bit:
                    on_path.add(succ)
                    walk.append(succ)
        out.append(on_path)
    return out


def flow_step(project: FlowProject, n: NodeId, note: str) -> FlowStep:
    """The `FlowStep` for node `n` of a path, `note` saying how the value got there."""
    props = project.cpg.props(n)
    method = project.enclosing_method(n)
    return FlowStep(n[0], props.get(Prop.LINE_NUMBER), props.get(Prop.COLUMN_NUMBER),
                    props.get(Prop.CODE) or props.get(Prop.NAME) or "", str(props[Prop.KIND]),
                    project.cpg.get(method, Prop.FULL_NAME) if method is not None else None, n, note)

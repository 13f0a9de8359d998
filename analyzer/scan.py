"""Source-to-sink scanning: rules as data (``analyzer/rules/*.yaml``), findings with flow paths.

What it does: loads rules (the built-in set, or user YAML files of the same shape), finds each
rule's source and sink nodes in a `cpg.query.Project`, runs `cpg.dataflow.flows` from every sink
argument back to the sources, and returns one `Finding` per (rule, source, sink).  Each finding
carries its path and ``inferred_type_needed``: whether a call on the path (the sink included)
resolved only thanks to inferred types.  What it does not do: print (see `typeinfer.commands.scan`)
or write SARIF (see `analyzer.sarif`).

A rule file (one rule each; ``sources.yaml`` holds named source sets)::

    id: py-sql-injection                 # unique; SARIF ruleId
    name: SQL injection
    language: python                     # python | typescript
    severity: error                      # error | warning | note (SARIF level)
    security_severity: 9.8               # GitHub's 0-10 score
    tags: [CWE-89]
    what: / why: / example:              # the docs (`typeinfer scan --explain ID`)
    sources: [python-web, {call: 'builtins\\.input'}]   # named sets or inline specs
    sinks:
      - call: REGEX                      # METHOD_FULL_NAME, full match
        arguments: [1, url]              # sink positions: index (0 = receiver) or keyword; default [1]
        name: REGEX                      # optional fallback: an unresolved call of this method name
                                         # counts too (receiver type unknown): confidence low, one
                                         # severity lower
        when: [CONDITION, ...]           # at least one must hold (if given)
        unless: [CONDITION, ...]         # none may hold
    sanitizers: [REGEX, ...]             # calls whose result is clean (added to the defaults)
    guards: [{call: REGEX}, ...]         # calls that, as an if condition, tell their arguments are safe

A source spec is one of ``{call: REGEX}`` (the call's result), ``{attribute: REGEX}`` (an
attribute read whose dotted name, imports followed, matches: ``flask.request.args``),
``{typed: {type: REGEX, fields: REGEX}}`` (values of a type wherever they appear: ``p.f`` reads
of a parameter or variable whose declared or inferred type, imports followed, matches ``type``,
and what destructuring such a value binds, ``({ params }: Request) =>``; without ``fields``, the
typed parameters themselves), ``{decorated_parameters: REGEX}``, ``{handler: {call: REGEX,
parameter: N, fields: REGEX}}`` (the request parameter of the functions a framework's
registration call is handed, ``app.router.add_get(path, handle)``; ``{factory: REGEX, methods:
REGEX}`` instead of ``call`` for registrations on a value a factory made, ``app = express();
app.get(...)``: see `scan_handlers`), ``{inherited: {base: REGEX, attribute: REGEX, fields:
REGEX}}`` (``self.request.GET`` reads in the methods of classes deriving from a library class whose
dotted name matches ``base``: the request a framework sets on its class-based views; ``method:
REGEX`` instead of ``attribute`` for the results of ``self.get_argument(...)``-style calls),
``{parameter_decorator: REGEX}`` (parameters with a decorator whose dotted name, imports followed,
matches: NestJS's ``@Query('q') q``) or, by name only, the fallback
``{parameter_field: {parameter: REGEX, field: REGEX}}``.  A finding whose source only a name-only spec
(``parameter_field``) recognised has ``confidence: low`` (SARIF: a lower ``rank``).  So has one
whose sink an open call becomes only through the type inference ranks first for its receiver,
below the threshold or named bare (``session.get(url)``, ``session`` ranked ``Session`` in a file
that imports ``requests``: `scan_probable`); its message names that type and probability.

Guards.  Built-in guards apply to every rule: a flow is not reported when it passes a check
before the sink, on a path where the check says the value is safe (``cpg.dataflow._Guards``):
membership in a constant collection (``if ext in ALLOWED:``, ``if (ALLOWED.includes(ext))``,
``ALLOWED.has(ext)``, and the early-exit forms ``if ext not in ALLOWED: abort(400)`` /
``if (!ALLOWED.includes(ext)) return res.status(400)...``), equality with a constant,
``isinstance(x, int)`` / ``typeof x === "number"``, whole-string regex matches
(``re.fullmatch(P, x)``, ``re.match("^...$", x)``, ``/^...$/.test(x)``), ``x.isdigit()``-style
checks, and a value the unsafe branch replaces (``if not ok(x): x = "default"``).  Lookups in
a constant dict/object literal (``FILES[name]``, ``FILES.get(name)``) read the map's values;
conversions (``int``, ``Number``, ``parseInt``) are sanitizers; branches of constant conditions
(``if False:``, ``if 7 * 18 + num > 200:``) are dead; a constant index into a list or dict
literal reads that element only.  A rule's ``guards: [{call: REGEX}]`` adds calls (by
METHOD_FULL_NAME) that guard the variables passed to them.

A CONDITION is ``{keyword: NAME, code: REGEX}`` (that keyword argument is given, its text
matches), ``{argument: I, code: REGEX}`` or ``{argument: I, not_operator: REGEX}`` (the
argument is not such an operator call, e.g. not a list literal).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from typeinfer.analyzer.scan_handlers import registered
from typeinfer.analyzer.scan_index import CallIndex
from typeinfer.cpg.dataflow import DEFAULT_SANITIZERS, Flow, flow_step, flows, self_attribute
from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.matching import matches, regex
from typeinfer.cpg.passes.linking import PLAIN_BASES, principal_type_name
from typeinfer.cpg.query import Project
from typeinfer.cpg.schema import SELF_NAMES, UNRESOLVED_PREFIX, EdgeKind, NodeKind, Op, Prop

RULES_DIR = Path(__file__).parent / "rules"
SOURCES_FILE = "sources.yaml"
SEVERITIES = ("error", "warning", "note")


class RuleError(ValueError):
    """A rule file is malformed (the message names the file and the problem)."""


@dataclass
class Sink:
    """Where tainted data must not arrive: arguments of calls matching `call`."""

    call: str
    arguments: tuple[int | str, ...] = (1,)
    when: tuple[dict[str, Any], ...] = ()
    unless: tuple[dict[str, Any], ...] = ()
    name: str | None = None  #: fallback: an unresolved call of this method name counts too, at lower severity


@dataclass
class Rule:
    """One source-to-sink rule (see the module docstring for the YAML form)."""

    id: str
    name: str
    language: str
    sources: list[dict[str, Any]]
    sinks: list[Sink]
    sanitizers: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()  #: regexes of calls that guard their arguments (``guards: [{call: REGEX}]``)
    severity: str = "error"
    security_severity: float | None = None
    tags: tuple[str, ...] = ()
    what: str = ""
    why: str = ""
    example: str = ""
    path: str = ""  #: the file it was read from

    def explain(self) -> str:
        """What / Why / Example, as printed by ``typeinfer scan --explain``."""
        return (f"{self.id}: {self.name} ({self.language}, {', '.join(self.tags)})\n\nWhat: {self.what}\n\n"
                f"Why: {self.why}\n\nExample:\n{self.example}")


@dataclass
class Finding:
    """A flow from a rule's source to one of its sinks."""

    rule: Rule
    flow: Flow
    sink_call: NodeId
    message: str
    inferred_type_needed: bool
    confidence: str = "high"  #: "low" when the source or the sink was recognised by its name only, or by an unconfident type
    sink_by_name: bool = False  #: the sink call is unresolved: matched by its method name (a rule's `name` fallback)
    #: the sink call is unresolved: matched through the type inference ranks first for its receiver,
    #: below the threshold or bare (`scan_probable`)
    sink_by_ranked_type: bool = False

    @property
    def severity(self) -> str:
        """The rule's severity, one step lower for a sink that no confident type resolved."""
        if not (self.sink_by_name or self.sink_by_ranked_type):
            return self.rule.severity
        return {"error": "warning", "warning": "note"}.get(self.rule.severity, self.rule.severity)

    @property
    def source(self) -> NodeId:
        return self.flow.source_id

    @property
    def location(self) -> tuple[str, int | None, int | None]:
        """(file, line, column) of the sink call (the flow's last step)."""
        last = self.flow.steps[-1]
        return last.file, last.line, last.column

    def fingerprint(self) -> str:
        """Stable across unrelated edits: rule, file, sink and source code (no line numbers)."""
        first, last = self.flow.steps[0], self.flow.steps[-1]
        text = "\0".join((self.rule.id, last.file, " ".join(last.code.split()), first.file, " ".join(first.code.split())))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        file, line, column = self.location
        return {"rule": self.rule.id, "message": self.message, "file": file, "line": line, "column": column,
                "inferred_type_needed": self.inferred_type_needed, "confidence": self.confidence,
                "fingerprint": self.fingerprint(),
                "flow": [s.to_dict() for s in self.flow.steps]}


@dataclass
class ScanResult:
    """All findings of a scan, sorted by file and line; ``truncated`` when a bound was hit."""

    findings: list[Finding] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "truncated": self.truncated,
                "rules": [r.id for r in self.rules]}


# ----------------------------------------------------------------------------- loading rules
def _read_yaml(path: Path) -> Any:
    try:
        # libyaml's safe loader when PyYAML has it: the 40-odd rule files load in a tenth of the time
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read rule file ({exc})") from exc


def builtin_source_sets() -> dict[str, list[dict[str, Any]]]:
    """The named source sets of ``rules/sources.yaml``."""
    return _read_yaml(RULES_DIR / SOURCES_FILE) or {}


def parse_rule(data: Any, path: str = "<rule>", source_sets: dict[str, list[dict[str, Any]]] | None = None) -> Rule:
    """A `Rule` from its YAML mapping (named source sets expanded)."""
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a rule is a mapping")
    for key in ("id", "language", "sources", "sinks"):
        if key not in data:
            raise RuleError(f"{path}: missing '{key}'")
    if data["language"] not in ("python", "typescript"):
        raise RuleError(f"{path}: language must be python or typescript")
    if data.get("severity", "error") not in SEVERITIES:
        raise RuleError(f"{path}: severity must be one of {', '.join(SEVERITIES)}")
    sets = builtin_source_sets() if source_sets is None else source_sets
    sources: list[dict[str, Any]] = []
    for item in data["sources"]:
        if isinstance(item, str):
            if item not in sets:
                raise RuleError(f"{path}: unknown source set {item!r} (known: {', '.join(sorted(sets))})")
            sources.extend(sets[item])
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) in _SOURCE_KINDS:
            _check_source(item, path)
            sources.append(item)
        else:
            raise RuleError(f"{path}: bad source {item!r}")
    guards = []
    for item in data.get("guards") or ():
        if not isinstance(item, dict) or set(item) != {"call"}:
            raise RuleError(f"{path}: a guard is {{call: REGEX}}, not {item!r}")
        guards.append(str(item["call"]))
    sinks = []
    for item in data["sinks"]:
        if not isinstance(item, dict) or "call" not in item:
            raise RuleError(f"{path}: each sink needs 'call'")
        sinks.append(Sink(str(item["call"]), tuple(item.get("arguments", (1,))), tuple(item.get("when", ())),
                          tuple(item.get("unless", ())), item.get("name")))
    return Rule(id=str(data["id"]), name=str(data.get("name", data["id"])), language=data["language"],
                sources=sources, sinks=sinks, sanitizers=tuple(data.get("sanitizers") or ()),
                guards=tuple(guards),
                severity=data.get("severity", "error"), security_severity=data.get("security_severity"),
                tags=tuple(data.get("tags") or ()), what=str(data.get("what", "")).strip(),
                why=str(data.get("why", "")).strip(), example=str(data.get("example", "")), path=path)


def _check_source(item: dict[str, Any], path: str) -> None:
    """A clear message for a ``handler`` source that cannot work (the other kinds are one value)."""
    (kind, value), = item.items()
    if kind == "inherited":
        if not isinstance(value, dict) or "base" not in value or ("attribute" in value) == ("method" in value):
            raise RuleError(f"{path}: an inherited source is {{base: REGEX, attribute: REGEX, fields: REGEX}} "
                            f"or {{base: REGEX, method: REGEX}} (not {value!r})")
        return
    if kind != "handler":
        return
    if not isinstance(value, dict) or not ("call" in value or {"factory", "methods"} <= set(value)):
        raise RuleError(f"{path}: a handler source is {{call: REGEX}} or {{factory: REGEX, methods: REGEX}}, "
                        f"with parameter: N and fields: REGEX (not {value!r})")
    for key in ("parameter", "error_arity"):
        number = value.get(key, 0)
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise RuleError(f"{path}: a handler source's {key} is a number from 0, not {number!r}")


def load_rules(paths: Iterable[str | Path] | None = None) -> list[Rule]:
    """Rules from YAML files (a file holds one rule, or a list under ``rules:``); None: the built-in set.

    A user file may define its own named source sets under ``sources_sets:``; the built-in sets
    are always available.
    """
    if paths is None:
        files = sorted(p for p in RULES_DIR.glob("*.yaml") if p.name != SOURCES_FILE)
    else:
        files = [Path(p) for p in paths]
    rules: list[Rule] = []
    for file in files:
        data = _read_yaml(file)
        sets = builtin_source_sets()
        items = [data]
        if isinstance(data, dict) and "rules" in data:
            sets.update(data.get("source_sets") or {})
            items = data["rules"] or []
        for item in items:
            rules.append(parse_rule(item, str(file), sets))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{rule.path}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    return rules


# ----------------------------------------------------------------------------- sources and sinks
def _source_call(project: Project, spec: str, language: str, index: CallIndex) -> Iterable[NodeId]:
    return index.calls_full_name(language, spec)


def _source_attribute(project: Project, spec: str, language: str, index: CallIndex) -> Iterable[NodeId]:
    for node, name in index.qualified_reads(project, language):
        if matches(spec, name):
            yield node


def _source_decorated(project: Project, spec: str, language: str, index: CallIndex) -> Iterable[NodeId]:
    rx = regex(spec)
    for method in project.methods.language(language).ids():
        decorators = project.cpg.get(method, Prop.DECORATORS) or ()
        if not any(rx.search(d) for d in decorators):
            continue
        for param in project.of([method]).parameters.ids():
            props = project.cpg.props(param)
            if props.get(Prop.NAME) in ("self", "cls") or "Depends(" in (props.get(Prop.DEFAULT_VALUE) or ""):
                continue
            yield param


def _source_parameter_field(project: Project, spec: dict[str, str], language: str,
                            index: CallIndex) -> Iterable[NodeId]:
    cpg = project.cpg
    for read in index.field_reads.get(language, ()):
        n, obj, fld = read.node, read.obj, read.field
        if obj is None or fld is None or cpg.kind(obj) != NodeKind.IDENTIFIER:
            continue
        decl = project.decl_of(obj)
        if (decl is not None and cpg.kind(decl) == NodeKind.METHOD_PARAMETER_IN
                and matches(spec["parameter"], cpg.get(obj, Prop.NAME)) and matches(spec["field"], cpg.get(fld, Prop.NAME))
                and not names_own_class(project, decl)):
            yield n


#: TYPE_DECL modifiers of a type that only describes a shape (no class of the project's own)
SHAPE_MODIFIERS = frozenset({"interface", "alias", "protocol", "typeddict"})


def names_own_class(project: Project, decl: NodeId) -> bool:
    """Whether a parameter's declared or inferred type is a class of the project's own that derives
    from no library class (``request: Request`` in an HTTP client library).  Such a parameter is
    no framework's request, whatever its name; a library type, or a subclass of one, leaves the
    name to decide (``request: pyramid.request.Request`` has no typed source of its own)."""
    cpg = project.cpg
    classes = [t for t in cpg.out(decl, EdgeKind.EVAL_TYPE) if cpg.kind(t) == NodeKind.TYPE_DECL]
    seen: set[NodeId] = set()
    while classes:
        cls = classes.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if any(m in SHAPE_MODIFIERS for m in cpg.get(cls, Prop.MODIFIERS) or ()):
            return False  # a shape the framework's request may have (`type AuthedRequest = Request & {...}`)
        bases = [b for b in cpg.out(cls, EdgeKind.INHERITS_FROM) if cpg.kind(b) == NodeKind.TYPE_DECL]
        declared = [b for b in cpg.get(cls, Prop.INHERITS_FROM_TYPE_FULL_NAME) or ()
                    if b.split("[", 1)[0] not in PLAIN_BASES and not b.startswith("metaclass=")]
        if len(declared) > len(bases):
            return False  # a base outside the project
        classes.extend(bases)
    return bool(seen)


def qualified_types(project: Project, n: NodeId) -> list[str]:
    """The declared or written-back type of a parameter / variable, its principal name with the
    head resolved through the file's imports (``Request`` -> ``express.Request``)."""
    typ = project.type_of(n)
    if not typ:
        return []
    name = principal_type_name(typ)
    if not name:
        return []
    return [project.imported_name(n[0], name)]


def _typed_declarations(project: Project, type_rx: str, language: str, index: CallIndex) -> list[NodeId]:
    if language not in index.declared_types:  # the types of every parameter and variable, once per scan
        cpg = project.cpg
        decls = cpg.in_file_order(n for kind in (NodeKind.METHOD_PARAMETER_IN, NodeKind.LOCAL) for n in cpg.nodes(kind)
                                  if cpg.files[n[0]].language == language)
        index.declared_types[language] = [(n, types) for n in decls if (types := qualified_types(project, n))]
    rx = regex(type_rx)
    return [n for n, types in index.declared_types[language] if any(rx.fullmatch(t) for t in types)]


def destructured(project: Project, decl: NodeId) -> Iterable[tuple[str, NodeId]]:
    """(field, bound identifier) of each destructuring of `decl` (``{ params, query: q } = req``)."""
    cpg = project.cpg
    for use in cpg.into(decl, EdgeKind.REF):
        for parent in cpg.into(use, EdgeKind.ARGUMENT):
            if cpg.get(parent, Prop.NAME) != Op.ASSIGNMENT or cpg.arguments(parent).get(2) != use:
                continue
            pattern = cpg.arguments(parent).get(1)
            if pattern is None or cpg.get(pattern, Prop.NAME) != Op.OBJECT_LITERAL:
                continue
            for entry in cpg.arguments(pattern).values():
                if cpg.kind(entry) == NodeKind.IDENTIFIER:
                    yield cpg.get(entry, Prop.NAME, ""), entry
                elif cpg.get(entry, Prop.NAME) == Op.KEY_VALUE:
                    key, target = cpg.arguments(entry).get(1), cpg.arguments(entry).get(2)
                    if key is not None and target is not None and cpg.kind(target) == NodeKind.IDENTIFIER:
                        yield (cpg.get(key, Prop.CODE, "") or "").strip("'\"`"), target


def _source_typed(project: Project, spec: dict[str, str], language: str, index: CallIndex) -> Iterable[NodeId]:
    """Values of a type, wherever they appear: ``p.field`` reads of a parameter or variable whose
    declared or inferred type matches ``type``, and what destructuring such a value binds; with
    no ``fields``, the typed parameters themselves."""
    cpg = project.cpg
    typed = set(_typed_declarations(project, spec["type"], language, index))
    if spec.get("fields") is None:
        yield from (n for n in typed if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN)
    else:
        yield from _fields_of(project, typed, spec["fields"], language, index)


def _source_handler(project: Project, spec: dict[str, Any], language: str, index: CallIndex) -> Iterable[NodeId]:
    """The request parameter of the functions a framework's registration is handed
    (`scan_handlers`): its ``fields`` reads and destructurings; with no ``fields``, the parameter."""
    params = set(registered(project, spec, language, index))
    if spec.get("fields") is None:
        yield from params
    else:
        yield from _fields_of(project, params, spec["fields"], language, index)


def _fields_of(project: Project, decls: set[NodeId], fields: str, language: str, index: CallIndex) -> Iterable[NodeId]:
    """``d.field`` reads of the declarations `decls` and what destructuring them binds, `fields` matching."""
    if not decls:
        return
    cpg = project.cpg
    for read in index.field_reads.get(language, ()):
        if read.obj is not None and read.field is not None and project.decl_of(read.obj) in decls \
                and matches(fields, cpg.get(read.field, Prop.NAME)):
            yield read.node
    for decl in decls:
        for field_name, bound in destructured(project, decl):
            if matches(fields, field_name):
                yield bound


def _source_inherited(project: Project, spec: dict[str, str], language: str, index: CallIndex) -> Iterable[NodeId]:
    """``self.<attribute>.<field>`` reads in the methods of classes that derive, directly or through
    project classes, from a library class matching ``base`` (imports followed): the request a
    framework sets on its views (Django's ``self.request.GET`` in a ``ListView``); without
    ``fields``, the ``self.<attribute>`` reads themselves; with ``method`` instead of
    ``attribute``, what ``self.<method>(...)`` calls give (Tornado's ``self.get_argument("q")``,
    whatever mixins the handler has besides)."""
    cpg = project.cpg
    rx = regex(spec["base"])
    classes = {cls for cls in cpg.nodes(NodeKind.TYPE_DECL)
               if cpg.files[cls[0]].language == language and derives_from(project, cls, rx)}
    if not classes:
        return
    if "method" in spec:  # self.get_argument("q"): what the call gives
        for calls in index.by_name.get(language, {}).values():
            for call in calls:
                receiver = cpg.arguments(call).get(0) if cpg.out(call, EdgeKind.RECEIVER) else None
                if receiver is not None and cpg.get(receiver, Prop.NAME) in SELF_NAMES \
                        and matches(spec["method"], cpg.get(call, Prop.NAME)) \
                        and cpg.enclosing(call, (NodeKind.TYPE_DECL,)) in classes:
                    yield call
        return
    fields = spec.get("fields")
    for read in index.field_reads.get(language, ()):
        own, fld = (read.obj, read.field) if fields else (read.node, None)
        if own is None or (fields and (fld is None or not matches(fields, cpg.get(fld, Prop.NAME)))):
            continue
        if not matches(spec["attribute"], self_attribute(cpg, own)):
            continue
        if cpg.enclosing(read.node, (NodeKind.TYPE_DECL,)) in classes:
            yield read.node


def derives_from(project: Project, cls: NodeId, base: re.Pattern[str]) -> bool:
    """Whether a project class derives, directly or through project classes, from a library class
    whose dotted name (through the file's imports) `base` fully matches."""
    cpg = project.cpg
    queue, seen = [cls], set()
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        for text in cpg.get(current, Prop.INHERITS_FROM_TYPE_FULL_NAME) or ():
            if base.fullmatch(project.imported_name(current[0], principal_type_name(text.split("[", 1)[0]) or "")):
                return True
        queue.extend(b for b in cpg.out(current, EdgeKind.INHERITS_FROM) if cpg.kind(b) == NodeKind.TYPE_DECL)
    return False


#: NestJS pipes that turn a request value into a number, a boolean or a UUID (else answer 400)
_CONVERTING_PIPE = re.compile(r"\bParse(Int|Float|Bool|UUID)Pipe\b")


def _source_parameter_decorator(project: Project, spec: str, language: str, index: CallIndex) -> Iterable[NodeId]:
    """Parameters with a decorator whose callee's dotted name, imports followed, fully matches
    `spec` (NestJS's ``@Query('q') q: string`` is ``@nestjs/common.Query``)."""
    cpg = project.cpg
    for param in cpg.nodes(NodeKind.METHOD_PARAMETER_IN):
        decorators = cpg.get(param, Prop.DECORATORS)
        if not decorators or cpg.files[param[0]].language != language:
            continue
        if any(_CONVERTING_PIPE.search(text) for text in decorators):
            continue  # `@Param('id', ParseIntPipe) id: number`: the framework converts it first
        for text in decorators:
            name = re.match(r"[\w$]+(?:\.[\w$]+)*", text.strip())
            if name is None:
                continue
            if matches(spec, project.imported_name(param[0], name.group(0))):
                yield param
                break


_SOURCE_KINDS = {
    "call": _source_call,
    "attribute": _source_attribute,
    "decorated_parameters": _source_decorated,
    "parameter_decorator": _source_parameter_decorator,
    "parameter_field": _source_parameter_field,
    "typed": _source_typed,
    "handler": _source_handler,
    "inherited": _source_inherited,
}


#: source specs that recognise a value by a name alone: findings from them have low confidence
NAME_ONLY_SOURCES = frozenset({"parameter_field"})


def sources_by_kind(project: Project, rule: Rule, index: CallIndex | None = None) -> dict[NodeId, set[str]]:
    """Nodes of `rule`'s language that its source specs match, with the spec kinds that matched
    each (`index`: the project's `CallIndex`, when the caller has one)."""
    index = index or CallIndex.of(project)
    out: dict[NodeId, set[str]] = {}
    for spec in rule.sources:
        (kind, value), = spec.items()
        key = (rule.language, repr(spec))  # source lists share specs (python-web in most rules')
        if key not in index.spec_matches:
            index.spec_matches[key] = list(_SOURCE_KINDS[kind](project, value, rule.language, index))
        for n in index.spec_matches[key]:
            out.setdefault(n, set()).add(kind)
    return out


def find_sources(project: Project, rule: Rule, index: CallIndex | None = None) -> set[NodeId]:
    """Nodes of `rule`'s language that its source specs match."""
    return set(sources_by_kind(project, rule, index))


def _argument(project: Project, call: NodeId, key: int | str) -> NodeId | None:
    for a in project.cpg.out(call, EdgeKind.ARGUMENT):
        props = project.cpg.props(a)
        if isinstance(key, str) and props.get(Prop.ARGUMENT_NAME) == key:
            return a
        if isinstance(key, int) and props.get(Prop.ARGUMENT_INDEX) == key and not props.get(Prop.ARGUMENT_NAME):
            return a
    return None


def _holds(project: Project, call: NodeId, cond: dict[str, Any]) -> bool:
    key = cond.get("keyword", cond.get("argument"))
    arg = _argument(project, call, key) if key is not None else None
    if arg is None:
        return False
    props = project.cpg.props(arg)
    if "code" in cond and not matches(cond["code"], props.get(Prop.CODE)):
        return False
    if "not_operator" in cond and props[Prop.KIND] == NodeKind.CALL and matches(cond["not_operator"], props.get(Prop.NAME)):
        return False
    return True


def find_sinks(project: Project, rule: Rule, index: CallIndex | None = None) -> dict[NodeId, NodeId]:
    """Sink argument node -> its call, for every call matching one of `rule`'s sinks (`index`:
    the project's `CallIndex`, when the caller has one)."""
    index = index or CallIndex.of(project)
    out: dict[NodeId, NodeId] = {}
    for sink in rule.sinks:
        matched = index.calls_full_name(rule.language, sink.call)
        if sink.name:
            matched += [c for c in index.calls_named(rule.language, sink.name) if c in index.open_calls]
        # an open call the model's best type for its receiver makes this sink (low confidence)
        already = set(matched)
        matched += [call for call in index.probable_callees(project).matching(sink.call)
                    if project.cpg.files[call[0]].language == rule.language and call not in already]
        for call in matched:
            if sink.when and not any(_holds(project, call, c) for c in sink.when):
                continue
            if any(_holds(project, call, c) for c in sink.unless):
                continue
            for key in sink.arguments:
                arg = _argument(project, call, key)
                if arg is not None:
                    out[arg] = call
    return out


# ----------------------------------------------------------------------------- the scan
def scan(project: Project, rules: list[Rule] | None = None, *, max_depth: int = 80, max_call_depth: int = 6,
         timeout_s: float = 120.0, index: CallIndex | None = None) -> ScanResult:
    """Run every rule over `project`; `timeout_s` bounds each rule's dataflow; `index`: the
    `CallIndex` of the project's graph as it is, when the caller has one."""
    rules = load_rules() if rules is None else rules
    languages = {info.language for info in project.cpg.files.values() if info.error is None}
    index = index or CallIndex.of(project)
    result = ScanResult(rules=rules)
    found_sources: dict[tuple[str, str], dict[NodeId, set[str]]] = {}  # many rules share one source list
    for rule in rules:
        if rule.language not in languages:
            continue
        sinks = find_sinks(project, rule, index)
        if not sinks:
            continue
        shared = (rule.language, repr(rule.sources))
        if shared not in found_sources:
            found_sources[shared] = sources_by_kind(project, rule, index)
        matched = found_sources[shared]
        sources = set(matched)
        if not sources:
            continue
        found = flows(project, list(sinks), sources, max_depth=max_depth, max_call_depth=max_call_depth,
                      timeout_s=timeout_s, sanitizers=DEFAULT_SANITIZERS + rule.sanitizers, guards=rule.guards)
        result.truncated |= found.truncated
        seen: set[tuple[NodeId, NodeId]] = set()
        for flow in found:
            call = sinks[flow.sink_id]
            if (flow.source_id, call) in seen:
                continue
            seen.add((flow.source_id, call))
            flow.steps.append(flow_step(project, call, "sink"))
            first, last_call = flow.steps[0], project.cpg.props(call)
            open_sink = str(last_call.get(Prop.METHOD_FULL_NAME, "")).startswith(UNRESOLVED_PREFIX)
            by_method_name = open_sink and any(s.name and matches(s.name, last_call.get(Prop.NAME, "")) for s in rule.sinks)
            probable = None if not open_sink or by_method_name else next(
                (found for s in rule.sinks if (found := index.probable_callees(project).matching(s.call).get(call))), None)
            callee = probable.note() if probable is not None else last_call.get(Prop.METHOD_FULL_NAME)
            message = (f"{rule.name}: {' '.join(first.code.split())[:60]} (line {first.line}) reaches "
                       f"{callee} (line {last_call.get(Prop.LINE_NUMBER)})")
            by_name_only = matched.get(flow.source_id, set()) <= NAME_ONLY_SOURCES
            result.findings.append(Finding(rule, flow, call, message, flow.inferred_type_needed or probable is not None,
                                           "low" if by_name_only or open_sink else "high",
                                           open_sink and probable is None, probable is not None))
    result.findings.sort(key=lambda f: (f.location[0], f.location[1] or 0, f.rule.id, f.flow.steps[0].line or 0))
    return result


"""Inference on demand: a scan asks the type layer only about the slots that can change what it
finds, and finds the same as with every slot inferred."""

from __future__ import annotations

from pathlib import Path

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.scan import load_rules, scan
from typeinfer.analyzer.scan_demand import scan_demand
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.schema import NodeKind, Prop
from typeinfer.loading import project_with_inference

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("app", ["scan", "scan_typed"])
def test_a_scan_with_inference_on_demand_finds_what_full_inference_finds(app):
    options = InferenceOptions(use_model=False, jobs=1)
    found = []
    for demand in (False, True):
        cpg = build_project(FIXTURES / app, BuildOptions(use_cache=False, jobs=1))
        project = project_with_inference(cpg, options, scan_demand(cpg, load_rules()) if demand else None)
        found.append({(f.rule.id, *f.location[:2], f.inferred_type_needed) for f in scan(project).findings})
    assert found[0] == found[1] and found[0]


def test_demand_is_the_slots_on_a_possible_flow():
    cpg = build_project(FIXTURES / "scan_typed", BuildOptions(use_cache=False, jobs=1))
    demand = scan_demand(cpg, load_rules())
    names = {(n[0], cpg.get(n, Prop.NAME)) for n in demand}
    assert ("flask_typed.py", "cur") in names  # cur.execute(...) is open until cur is typed
    assert ("flask_typed.py", "req") in names  # req.args reaches it: a source once req is a Request
    assert ("express_typed.ts", "_r") not in names  # a handler whose request reaches no sink
    every = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False)
    some = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False, demand=demand)
    assert 0 < len(some.types) < len(every.types)


def _demanded(code: str, rules=None) -> set[str]:
    from typeinfer.cpg.query import project_from_sources

    cpg = project_from_sources({"m.py": code}).cpg
    return {cpg.get(n, Prop.NAME) for n in scan_demand(cpg, load_rules() if rules is None else rules)}


def test_only_open_calls_on_a_flow_that_a_sink_or_the_project_could_answer_are_asked_about():
    code = ("import os\n\n\nclass Shell:\n    def helper(self, v):\n        os.system(v)\n\n\ndef f(a, b, c, d):\n"
            "    v = os.environ['X']\n    a.execute(v)\n    b.frobnicate(v)\n    c.helper(v)\n    d.execute('x')\n")
    names = _demanded(code)
    assert {"a", "c"} <= names  # execute: a sink's name; helper: a project method with a sink; both get v
    assert "b" not in names and "d" not in names  # no sink or project function; a constant argument


def test_a_library_without_a_source_on_a_path_to_a_sink_asks_for_nothing():
    code = "def fetch(client, url):\n    return client.get(url)\n\n\ndef run(conn, q):\n    conn.execute(q)\n"
    assert _demanded(code) == set()
    from typeinfer.cpg.query import project_from_sources

    cpg = project_from_sources({"m.py": code}).cpg
    assert {cpg.get(n, Prop.NAME) for n in scan_demand(cpg)} >= {"client", "conn"}  # without rules: every open call


def test_a_source_inside_a_project_function_an_open_call_may_reach_makes_its_receiver_wanted():
    code = ("from flask import request\n\n\nclass Params:\n    def query(self):\n        return request.args['q']\n\n\n"
            "def view(params, cur):\n    q = params.query()\n    cur.execute(q)\n")
    assert {"params", "cur"} <= _demanded(code)


def test_receivers_the_graph_types_already_and_names_an_import_binds_are_not_asked_about():
    code = ("import os\nfrom flask import request\n\n\ndef f(k):\n    v = request.args[k]\n    files = dict()\n"
            "    files.get(v)\n    os.environ.get(v)\n    return request.files.get(v)\n")
    # files.get is builtins.dict.get once dict() makes a dict; os and request are imported names
    assert _demanded(code) == set()


def test_a_source_of_one_rule_asks_nothing_for_a_path_to_a_sink_only_other_rules_have():
    # os.environ is a source of the command, code and SQL rules; open() a sink of the path rule only
    code = "import os\n\n\ndef f(store):\n    name = os.environ['F']\n    store.open(name)\n"
    assert _demanded(code) == set()
    # a sink of a rule that takes it, reached the same way, is asked about (the SQL rule's execute)
    assert _demanded(code.replace("store.open(name)", "store.execute(name)")) == {"store"}


def test_a_value_recognised_by_its_name_only_is_no_reason_to_infer_in_a_library_with_its_own_class_of_that_name():
    # `request.headers` in an HTTP client library that has its own Request: the name-only fallback
    # is no reason to infer; in a project without one, or importing a framework the rules know, it is
    code = "def send(request, transport):\n    value = request.headers['X']\n    transport.execute(value)\n"
    own = "class Request:\n    headers = {}\n\n\n"
    assert _demanded(own + code) == set()
    assert _demanded(code) == {"transport"}
    # a shape of that name (a Protocol) is no class of the library's own: the framework's request may have it
    shape = "from typing import Protocol\n\n\nclass Request(Protocol):\n    headers: dict\n\n\n"
    assert _demanded(shape + code) == {"transport"}
    assert _demanded("import flask\n\n\n" + own + code) == {"transport", "request"}  # request: a flask.Request?


@pytest.mark.parametrize("rx, roots", [
    (r"flask\.(wrappers\.)?Request|werkzeug\.Request", {"flask", "werkzeug"}),
    # a leading group's alternatives, and what follows an optional one
    (r"(aiohttp\.web\.Request|starlette\.requests\.Request)\.(post|json)", {"aiohttp", "starlette"}),
    (r"(node:)?child_process\.exec", {"node", "child_process"}),
    (r"(?:koa|express)\.Request", {"koa", "express"}),
    (r"@nestjs/common\.(Param|Query)", {"@nestjs/common"}),
    (r"(a){0,1}b\.C", {"a", "b"}),
    (r"express(\.Router)?|express:default", {"express"}),
    (r"fastify(:default)?", {"fastify"}),
    # an alternative that may start with anything, or a name that goes on past what is spelled: any module
    (r"flask\.Request|.*\.Request", None),
    (r"(<unresolved>\.)?eval", None),
    (r"koa-?router\.get", None),
    (r"sanic?\.Request", None),
    (r"koa(-router)?\.get", None),
    (r"koa(\.x|-router)\.get", None),
])
def test_type_roots_reads_the_modules_a_pattern_can_start_with(rx, roots):
    from typeinfer.analyzer.scan_demand import type_roots

    assert type_roots(rx) == roots


def test_the_demands_call_index_brought_up_to_date_after_inference_is_the_index_of_the_typed_graph():
    from typeinfer.analyzer.scan_index import CallIndex
    from typeinfer.cpg.query import project_from_cpg

    cpg = build_project(FIXTURES / "scan_typed", BuildOptions(use_cache=False, jobs=1))
    index = CallIndex.of(project_from_cpg(cpg))
    opened = set(index.open_calls)
    project = project_with_inference(cpg, InferenceOptions(use_model=False, jobs=1), scan_demand(cpg, load_rules(), index))
    assert project.inferred_calls  # calls the inferred types resolved ...
    index.refresh(project, project.inferred_calls)
    fresh = CallIndex.of(project)
    assert index.open_calls == fresh.open_calls < opened  # ... are no longer open
    assert index.by_full_name == fresh.by_full_name and index.by_name == fresh.by_name
    # a scan over the refreshed index finds what one over a new index finds
    rules = load_rules()
    assert {f.location for f in scan(project, rules, index=index).findings} == \
        {f.location for f in scan(project, rules).findings}


def test_self_is_never_asked_about_its_class_is_known():
    code = ("import os\n\n\nclass Runner(Base):\n    def run(self, db):\n        v = os.environ['X']\n"
            "        self.execute(v)\n        db.execute(v)\n")
    assert _demanded(code) == {"db"}


def test_a_method_named_like_a_modules_function_sink_is_no_reason_to_infer():
    # `os.system` is reached through `import os`, never by typing a receiver: `self.log.system(v)`
    # (a logger's method) asks for nothing; `cur.execute(v)` (sqlite3.Cursor.execute) does
    code = "import os\n\n\ndef f(log, cur):\n    v = os.environ['X']\n    log.system(v)\n    log.run(v)\n    cur.execute(v)\n"
    assert _demanded(code) == {"cur"}


@pytest.mark.parametrize("rx, method", [
    (r"os\.(system|popen)", False), (r"subprocess\.(run|Popen)", False), (r"(node:)?child_process\.exec", False),
    (r"sqlite3\.(Cursor|Connection)\.execute", True), (r"axios(\.[\w.]+)?\.get", True), (r".*\.raw", True),
])
def test_a_sink_pattern_may_name_a_method_only_past_module_and_function(rx, method):
    from typeinfer.analyzer.scan_demand import may_name_a_method

    assert may_name_a_method(rx) is method


def test_a_callee_its_callers_typed_is_taken_back_when_inference_types_a_caller_that_disagrees():
    # `db.execute` is SafeStore.execute while only `local` is known to call `run`; once inference
    # types `get_service()`'s result, the view's call passes a Connection: the callers disagree,
    # the link goes, and the request value flows through `run` to os.system
    from typeinfer.cpg.query import project_from_sources

    code = ("import os\nimport sqlite3\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
            "class SafeStore:\n    def execute(self, q):\n        return 'ok'\n\n\n"
            "class Service:\n    def run(self, db, q):\n        return db.execute(q)\n\n\n"
            "def local(q):\n    return Service().run(SafeStore(), q)\n\n\n"
            "def get_service():\n    return Service()\n\n\n"
            "@app.route('/q')\ndef view():\n    svc = get_service()\n"
            "    out = svc.run(sqlite3.Connection(':memory:'), request.args['q'])\n    os.system(out)\n    return 'done'\n")
    cpg = project_from_sources({"app.py": code}).cpg
    rules = load_rules()
    project = project_with_inference(cpg, InferenceOptions(use_model=False, jobs=1), scan_demand(cpg, rules))
    found = {(f.rule.id, f.location[1]) for f in scan(project, rules).findings}
    assert ("py-command-injection", 31) in found


def test_a_source_list_naming_a_type_of_any_module_keeps_name_only_flows_everywhere():
    from typeinfer.analyzer.scan_demand import framework_roots

    assert framework_roots([{"typed": {"type": r"flask\.Request"}}, {"parameter_field": {"parameter": "request"}}]) \
        == {"flask"}
    assert framework_roots([{"typed": {"type": r"flask\.Request"}}, {"typed": {"type": r".*\.Request"}}]) is None


def test_name_only_flows_still_ask_for_types_in_an_app_of_a_framework_the_rules_name():
    # a Pyramid view's untyped `request`: the rules name pyramid's Request, so its flows keep inference
    code = "def view(request, transport):\n    value = request.GET['X']\n    transport.execute(value)\n"
    assert _demanded("from pyramid.view import view_config\n\n\n" + code) == {"transport", "request"}


def test_the_dotted_names_of_reads_on_a_call_inference_resolved_are_brought_up_to_date():
    from typeinfer.analyzer.scan_index import CallIndex
    from typeinfer.cpg.query import project_from_sources

    code = ("import sqlite3\n\n\ndef get_conn():\n    return sqlite3.connect('x')\n\n\n"
            "def view():\n    return get_conn().cursor().description\n")
    project = project_from_sources({"app.py": code})
    index = CallIndex.of(project)
    before = dict(index.qualified_reads(project, "python"))
    project = project_with_inference(project.cpg, InferenceOptions(use_model=False, jobs=1))
    index.refresh(project, project.inferred_calls)
    reads = dict(index.qualified_reads(project, "python"))
    assert reads == dict(CallIndex.of(project).qualified_reads(project, "python"))
    assert "sqlite3.Connection.cursor.description" in reads.values() and reads != before


def test_self_attributes_are_asked_about_in_the_class_and_its_bases_only():
    # `self.db` in Repo reads Repo's (or Base's) db: the Cache class's own `db` types nothing here;
    # a mixin that uses an attribute it does not declare asks about every class's
    from typeinfer.cpg.query import project_from_sources

    code = ("import os\n\n\nclass Base:\n    def __init__(self, db):\n        self.db = db\n\n\n"
            "class Repo(Base):\n    def run(self):\n        self.db.execute(os.environ['Q'])\n\n\n"
            "class Cache:\n    def __init__(self, db):\n        self.db = db\n\n\n"
            "class Mixin:\n    def go(self):\n        self.conn.execute(os.environ['Q'])\n\n\n"
            "class A(Mixin):\n    def __init__(self, c):\n        self.conn = c\n\n\n"
            "class B(Mixin):\n    def __init__(self, c):\n        self.conn = c\n")
    cpg = project_from_sources({"m.py": code}).cpg
    owners = {(cpg.get(cpg.ast_parent(n), Prop.NAME), cpg.get(n, Prop.NAME))
              for n in scan_demand(cpg, load_rules()) if cpg.kind(n) == NodeKind.MEMBER}
    assert owners == {("Base", "db"), ("A", "conn"), ("B", "conn")}

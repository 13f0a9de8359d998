"""Sources by type: request values are found by the request's declared or inferred type wherever
they appear (destructured, renamed, any parameter name), on small Express, Flask, Django and
aiohttp apps with positive and negative cases (`tests/fixtures/scan_typed/`)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions
from typeinfer.analyzer.scan import load_rules, parse_rule, scan
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.query import project_from_cpg, project_from_sources
from typeinfer.loading import project_with_inference

APPS = Path(__file__).resolve().parent / "fixtures" / "scan_typed"

#: every flow the apps hold (the comments in the apps say which handlers are negative cases)
TRUTH = json.loads((APPS / "expected.json").read_text())["findings"]
EXPECTED = {(f["file"], f["line"], f["rule"]) for f in TRUTH}
NEEDS_INFERENCE = {(f["file"], f["line"], f["rule"]) for f in TRUTH if f["needs_inference"]}


def _findings(infer: bool, confidence: str | None = None) -> set[tuple[str, int, str]]:
    cpg = build_project(APPS, BuildOptions(use_cache=False, jobs=1))
    project = project_with_inference(cpg, InferenceOptions(use_model=False, jobs=1)) if infer else project_from_cpg(cpg)
    return {(f.location[0], f.location[1], f.rule.id) for f in scan(project).findings
            if confidence is None or f.confidence == confidence}


def test_typed_sources_find_every_flow_and_no_negative_case():
    assert _findings(infer=True) == EXPECTED


def test_inference_adds_the_flow_whose_sink_needs_an_inferred_receiver_and_removes_none():
    without = _findings(infer=False, confidence="high")
    assert NEEDS_INFERENCE and without == EXPECTED - NEEDS_INFERENCE
    # without the inferred receiver the sink is still matched by its method name, at low confidence
    assert _findings(infer=False, confidence="low") == NEEDS_INFERENCE
    assert _findings(infer=True, confidence="low") == set()


@pytest.mark.parametrize("code, found", [
    ("def v(req: Request):\n    os.system(req.args['x'])\n", True),
    ("def v(req: Request):\n    os.system(req.method)\n", False),
    ("def v(req: str):\n    os.system(req.args)\n", False),  # the name alone does not make a typed source
])
def test_a_rule_for_an_unknown_framework_needs_no_python(code, found):
    rule = parse_rule({
        "id": "acme-cmd", "language": "python",
        "sources": [{"typed": {"type": "acme\\.web\\.Request", "fields": "args|form"}}],
        "sinks": [{"call": "os\\.system"}],
    })
    project = project_from_sources({"m.py": "import os\nfrom acme.web import Request\n\n\n" + code})
    assert bool(scan(project, [rule]).findings) is found


@pytest.mark.parametrize("server, handler, confidence", [
    ("app", "(req: Request, res: Response) => { fs.readFile(req.query.f as string, () => 0); }", "high"),  # the type says so
    ("app", "(req, res) => { fs.readFile(req.query.f, () => 0); }", "high"),  # express() registers it
    ("other", "(req, res) => { fs.readFile(req.query.f, () => 0); }", "low"),  # only the parameter's name does
])
def test_a_source_recognised_by_its_name_only_gives_a_low_confidence_finding(server, handler, confidence):
    code = "import express, { Request, Response } from 'express';\nimport * as fs from 'fs';\nconst app = express();\n" \
           f"const other = makeServer();\n{server}.get('/f', {handler});\n"
    found = scan(project_from_sources({"app.ts": code})).findings
    assert [(f.rule.id, f.confidence) for f in found] == [("ts-path-traversal", confidence)]
    assert found[0].to_dict()["confidence"] == confidence


def test_a_request_parameter_of_the_projects_own_class_is_a_source_by_no_name():
    code = textwrap.dedent("""
        import subprocess

        from pyramid.request import Request as PyramidRequest


        class Request:  # an HTTP client's own request: its headers are what the client sends
            def __init__(self, headers):
                self.headers = headers


        class SignedRequest(Request):
            pass


        class AppRequest(PyramidRequest):  # a framework's request, subclassed
            pass


        def send(request: Request):
            subprocess.run(request.headers["x"], shell=True)


        def sign(request: SignedRequest):
            subprocess.run(request.headers["x"], shell=True)


        def view(request: AppRequest):
            subprocess.run(request.headers["x"], shell=True)


        def untyped_view(request):
            subprocess.run(request.headers["x"], shell=True)
    """)
    found = scan(project_from_sources({"app.py": code}), [r for r in load_rules() if r.id == "py-command-injection"])
    lines = code.splitlines()
    assert sorted(lines[f.location[1] - 1 - 1].strip() for f in found.findings) == [
        "def untyped_view(request):", "def view(request: AppRequest):"]
    assert {f.confidence for f in found.findings} == {"low"}


@pytest.mark.parametrize("code", [
    # a typed request of a framework the rules name by type, under a name that is no fallback's
    "from pyramid.request import Request\n\n\ndef view(r: Request):\n    os.system(r.GET['c'])\n",
    "from sanic import Request\n\n\nasync def handler(r: Request):\n    os.system(r.args.get('c'))\n",
    "import falcon\n\n\nclass Resource:\n    def on_get(self, r: falcon.Request, resp):\n        os.system(r.get_param('c'))\n",
    # the module-global requests of Bottle and Quart
    "from bottle import request\n\n\ndef view():\n    os.system(request.query['c'])\n",
    "from quart import request\n\n\nasync def view():\n    os.system(request.args['c'])\n",
    # what their request methods give
    "from quart import request\n\n\nasync def view():\n    data = await request.get_json()\n    os.system(data['c'])\n",
    "from bottle import request\n\n\ndef view():\n    os.system(request.get_header('X-C'))\n",
    "from litestar import Request\n\n\nasync def view(r: Request):\n    data = await r.json()\n    os.system(data['c'])\n",
])
def test_requests_of_more_frameworks_are_sources_by_type(code):
    found = scan(project_from_sources({"app.py": "import os\n" + code}),
                 [r for r in load_rules() if r.id == "py-command-injection"]).findings
    assert [(f.rule.id, f.confidence) for f in found] == [("py-command-injection", "high")]



def test_a_next_route_handlers_request_body_is_a_source():
    code = ("import { NextRequest } from 'next/server';\nimport { exec } from 'child_process';\n\n"
            "export async function POST(req: NextRequest) {\n  const body = await req.json();\n  exec(body.cmd);\n}\n")
    found = scan(project_from_sources({"route.ts": code}), [r for r in load_rules() if r.id == "ts-command-injection"])
    assert [f.rule.id for f in found.findings] == ["ts-command-injection"]

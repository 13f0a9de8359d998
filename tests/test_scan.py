"""Scan rules on realistic Flask / FastAPI / Express handlers, with and without inferred types; SARIF; CLI.

The "with inference" runs pass an explicit oracle (`HandlerOracle`) that answers, for a LOCAL in
a named handler, the type an inference step would give; the annotate pipeline's oracle will
take its place (`typeinfer.load(..., infer=True)`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from typeinfer.analyzer.sarif import SCHEMA_FILE, to_sarif
from typeinfer.analyzer.scan import RuleError, load_rules, parse_rule, scan
from typeinfer.cpg.query import project_from_sources
from typeinfer.cpg.schema import NodeKind, Prop

FIXTURES = Path(__file__).parent / "fixtures" / "scan"
FILES = {name: (FIXTURES / name).read_text() for name in ("flask_app.py", "fastapi_app.py", "express_app.ts")}


class HandlerOracle:
    """Types for LOCALs by (file, enclosing function name or handler line, variable name)."""

    def __init__(self, table: dict[tuple[str, str, str], str]) -> None:
        self.table = table

    def type_of(self, cpg, node):  # noqa: ANN001, ANN201
        if cpg.kind(node) not in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN):
            return None
        method = cpg.enclosing(node, (NodeKind.METHOD,))
        where = cpg.get(method, Prop.NAME) if method is not None else ""
        if where == "<anonymous>":
            where = f"line {cpg.get(method, Prop.LINE_NUMBER)}"
        return self.table.get((node[0], where, cpg.get(node, Prop.NAME)))

    def confidence_of(self, cpg, node):  # noqa: ANN001, ANN201
        return 0.9


#: What the inference step would say about the undeclared receivers in the fixtures.
INFERRED = HandlerOracle({
    ("flask_app.py", "login", "cur"): "sqlite3.Cursor",
    ("flask_app.py", "login", "conn"): "sqlite3.Connection",
    ("fastapi_app.py", "items", "cur"): "sqlite3.Cursor",
    ("fastapi_app.py", "proxy", "client"): "httpx.AsyncClient",
    ("express_app.ts", "<module>", "pool"): "Pool",
    ("express_app.ts", "<module>", "db"): "mysql.Connection",
    ("flask_app.py", "fetch_preview", "session"): "requests.Session",
    ("express_app.ts", "sendPage", "res"): "express.Response",
    ("express_app.ts", "line 39", "res"): "express.Response",
})


def findings(types=None):  # noqa: ANN001, ANN201
    project = project_from_sources(FILES, types)
    result = scan(project)
    return project, result, {(f.rule.id, f.location[0], f.location[1], f.flow.steps[0].line): f for f in result.findings}


def keys(found: dict) -> set[tuple[str, str, int]]:
    return {(rule, file, line) for rule, file, line, _ in found}


# (rule, file, sink line) of every true flow in the fixtures, and whether it needs inference
NEEDS_INFERENCE = {
    ("py-sql-injection", "flask_app.py", 22),
    ("py-sql-injection", "fastapi_app.py", 18),
    ("ts-sql-injection", "express_app.ts", 15),
    ("ts-sql-injection", "express_app.ts", 20),
    ("py-ssrf", "flask_app.py", 71),  # a helper's `session`, passed from `g`
    ("ts-xss", "express_app.ts", 45),  # a helper's `res`, passed from an untyped handler
    ("ts-xss", "express_app.ts", 41),  # what the URL the request names serves, sent back as HTML
}
FOUND_WITHOUT = {
    ("py-sql-injection", "flask_app.py", 30),  # cur: sqlite3.Cursor declared
    ("py-command-injection", "flask_app.py", 47),  # shell=True
    ("py-command-injection", "flask_app.py", 49),  # os.popen
    ("py-path-traversal", "flask_app.py", 56),  # open(os.path.join(BASE, name))
    ("py-ssrf", "flask_app.py", 62),
    ("py-unsafe-deserialization", "flask_app.py", 67),
    ("py-unsafe-deserialization", "fastapi_app.py", 24),  # yaml.load without a loader
    ("py-ssrf", "fastapi_app.py", 36),  # httpx.get(url)
    ("py-ssrf", "fastapi_app.py", 35),  # `async with httpx.AsyncClient() as client`: a class by its name
    ("ts-sql-injection", "express_app.ts", 25),  # p: Pool declared
    ("ts-command-injection", "express_app.ts", 30),
    ("ts-path-traversal", "express_app.ts", 36),
    ("ts-ssrf", "express_app.ts", 40),
}


def sure(found: dict) -> dict:
    """The findings whose sink call is resolved (not matched by its method name alone)."""
    return {k: f for k, f in found.items() if not f.sink_by_name}


def test_without_inference_finds_exactly_the_flows_that_need_no_inferred_type():
    _, _, found = findings()
    assert keys(sure(found)) == FOUND_WITHOUT
    assert not any(f.inferred_type_needed for f in found.values())
    # a sink whose receiver no type resolves is still matched by its method name, at lower severity
    by_name = {k: f for k, f in found.items() if f.sink_by_name}
    assert by_name and keys(by_name) <= NEEDS_INFERENCE
    assert all(f.confidence == "low" and f.severity == "warning" for f in by_name.values())


def test_with_inference_finds_strictly_more_and_marks_the_new_findings():
    _, _, without = findings()
    _, _, with_types = findings(INFERRED)
    assert keys(with_types) == keys(sure(with_types)) == FOUND_WITHOUT | NEEDS_INFERENCE
    assert keys(sure(without)) < keys(sure(with_types))
    for key, finding in with_types.items():
        assert finding.inferred_type_needed == (key[:3] in NEEDS_INFERENCE), key


def test_negative_cases_are_not_reported():
    _, _, found = findings(INFERRED)
    lines = {(file, line) for _, file, line, _ in found}
    assert ("flask_app.py", 38) not in lines  # parameterized query
    assert ("flask_app.py", 40) not in lines  # int() sanitizes
    assert ("flask_app.py", 48) not in lines  # argument list without a shell
    assert ("fastapi_app.py", 29) not in lines  # yaml.load with SafeLoader


def test_fastapi_dependencies_are_not_sources():
    project, _, _ = findings()
    rule = next(r for r in load_rules() if r.id == "py-sql-injection")
    from typeinfer.analyzer.scan import find_sources
    names = {project.cpg.get(n, Prop.NAME) for n in find_sources(project, rule)
             if project.cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN and n[0] == "fastapi_app.py"}
    assert names == {"name", "body", "url"}


def test_findings_carry_their_flow_path():
    _, _, found = findings(INFERRED)
    flow = next(f for k, f in found.items() if k[:3] == ("py-sql-injection", "flask_app.py", 22)).flow
    assert [(s.line, s.code) for s in flow.compact()] == [
        (19, "request.args"),
        (19, "user"),
        (22, "cur.execute(\"SELECT * FROM users WHERE name = '%s'\" % user)"),
    ]
    express = next(f for k, f in found.items() if k[:3] == ("ts-path-traversal", "express_app.ts", 36)).flow
    assert express.steps[0].code == "req.params" and express.steps[-1].code == "fs.readFileSync(file)"


def test_sarif_output_validates_against_the_official_schema():
    project, result, _ = findings(INFERRED)
    log = to_sarif(result, None)
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {r.id for r in load_rules()}
    assert len(run["results"]) == len(FOUND_WITHOUT | NEEDS_INFERENCE)
    needed = [r for r in run["results"] if r["properties"]["typeinfer/inferredTypeNeeded"]]
    assert len(needed) == len(NEEDS_INFERENCE)
    first = run["results"][0]
    assert first["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]["message"]["text"].startswith("source: ")
    assert first["partialFingerprints"]["typeinfer/v1"]


def test_sarif_columns_are_utf16_when_the_source_can_be_read(tmp_path):
    (tmp_path / "app.py").write_text('from flask import request\nimport os\n'
                                     'def f():\n    s = "é😀"; os.system(request.args["c"])\n')
    from typeinfer.cpg.query import load
    project = load(tmp_path, options=_no_cache())
    log = to_sarif(scan(project), str(tmp_path))
    jsonschema.Draft4Validator(json.loads(SCHEMA_FILE.read_text())).validate(log)
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 4 and region["startColumn"] == len('    s = "é😀"; '.encode("utf-16-le")) // 2 + 1
    assert log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file://")


def _no_cache():  # noqa: ANN202
    from typeinfer.cpg.project import BuildOptions
    return BuildOptions(use_cache=False, jobs=1)


def test_every_builtin_rule_documents_what_why_and_example():
    rules = load_rules()
    assert {r.language for r in rules} == {"python", "typescript"}
    families = {r.id.split("-", 1)[1] for r in rules}
    assert families == {"sql-injection", "command-injection", "path-traversal", "ssrf", "unsafe-deserialization",
                        "code-injection", "xss", "open-redirect", "ldap-injection", "xpath-injection", "xxe"}
    # every family is covered in both languages
    assert {(r.id.split("-", 1)[1], r.language) for r in rules} == {(f, lang) for f in families for lang in ("python", "typescript")}
    for rule in rules:
        assert rule.what and rule.why and rule.example.strip(), rule.id
        assert "What:" in rule.explain()


def test_bad_rules_are_reported_with_their_file():
    with pytest.raises(RuleError, match="missing 'sinks'"):
        parse_rule({"id": "x", "language": "python", "sources": []}, "x.yaml")
    with pytest.raises(RuleError, match="unknown source set"):
        parse_rule({"id": "x", "language": "python", "sources": ["nope"], "sinks": []}, "x.yaml")


def test_user_rules_file(tmp_path):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "rules:\n"
        "  - id: py-eval\n    name: Code injection\n    language: python\n"
        "    sources: [python-web]\n    sinks: [{call: 'builtins\\.eval'}]\n")
    project = project_from_sources({"a.py": "from flask import request\ndef f():\n    return eval(request.args['x'])\n"})
    result = scan(project, load_rules([rules_file]))
    assert [(f.rule.id, f.location[1]) for f in result.findings] == [("py-eval", 3)]



def test_a_function_handed_to_a_framework_registration_takes_a_request_whatever_its_parameter_is_called():
    project = project_from_sources({
        "app.py": (
            "import subprocess\nfrom aiohttp import web\n\n\n"
            "async def run(incoming):\n    subprocess.run(incoming.query['cmd'], shell=True)\n\n\n"
            "async def helper(incoming):\n    subprocess.run(incoming.query['cmd'], shell=True)\n\n\n"
            "app = web.Application()\napp.router.add_get('/run', run)\n"),
        "server.ts": (
            "import express from 'express';\nimport { execSync } from 'child_process';\n\n"
            "const app = express();\nconst admin = express.Router();\n"
            "function purge(r, s) { s.send(execSync('rm -rf ' + r.body.dir)); }\n"
            "function unused(r, s) { s.send(execSync('rm -rf ' + r.body.dir)); }\n"
            "admin.post('/purge', purge);\napp.get('/ls', (q, s) => s.send(execSync('ls ' + q.query.dir)));\n"),
    })
    found = {(f.location[0], f.location[1]): f.confidence for f in scan(project).findings}
    # registered: sources by the registration, so high confidence; `helper` and `unused` are not
    # registered and their parameters are named nothing a name-only fallback knows
    assert found == {("app.py", 6): "high", ("server.ts", 6): "high", ("server.ts", 9): "high"}


def test_handler_registrations_follow_what_the_framework_hands_over():
    project = project_from_sources({
        "app.py": (
            "import subprocess\nfrom aiohttp import web\n\n\n"
            "async def handle(a):\n    return a\n\n\n"
            "async def handle(b):\n    subprocess.run(b.query['cmd'], shell=True)\n\n\n"
            "class Admin:\n    def routes(self):\n        return [web.post('/purge', self.purge)]\n\n"
            "    async def purge(self, c):\n        subprocess.run(c.query['dir'], shell=True)\n\n\n"
            "app = web.Application()\napp.router.add_get('/run', handle)\n"),
        "server.ts": (
            "import express from 'express';\nimport { execSync } from 'child_process';\n\n"
            "const app = express();\n"
            "app.use((err, q, s, next) => s.send(execSync('x ' + err.path)));\n"
            "app.use((err, q, s, next) => s.send(execSync('x ' + q.query.dir)));\n"),
    })
    found = {(f.location[0], f.location[1]) for f in scan(project).findings}
    # the second `handle` is the one bound when it is registered; a bound method through
    # web.post; Express error middleware: the error comes first, the request second
    assert found == {("app.py", 10), ("app.py", 18), ("server.ts", 6)}


def test_a_handler_source_that_cannot_work_is_refused_with_its_file():
    for bad in ({"parameter": 0}, {"factory": "express"}, {"call": "x", "parameter": -1}, {"call": "x", "parameter": True}):
        with pytest.raises(RuleError, match="x.yaml: a handler source"):
            parse_rule({"id": "x", "language": "python", "sources": [{"handler": bad}], "sinks": []}, "x.yaml")

# ----------------------------------------------------------------------------- the command line
def _cli(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command, `python -m typeinfer`."""
    cmd = [sys.executable, "-m", "typeinfer", *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    return root


def test_cli_scan_text_and_sarif(app_dir: Path, tmp_path: Path):
    done = _cli("scan", str(app_dir), "--no-cache", "-q", "--no-infer")
    assert done.returncode == 0, done.stderr
    heads = [line for line in done.stdout.splitlines() if ": [" in line and not line.startswith(" ")]
    by_name = [line for line in heads if "<unresolved>." in line]  # sinks matched by their method name
    assert len(heads) - len(by_name) == len(FOUND_WITHOUT) and f"{len(heads)} finding(s)" in done.stdout
    assert by_name and all(": warning: [" in line and "[low confidence" in line for line in by_name)
    assert "flask_app.py:30:5: error: [py-sql-injection]" in done.stdout

    # the real inference pipeline (static facts alone: conn = sqlite3.connect(...), cur = conn.cursor())
    # types `cur` in the Flask handler, and in the FastAPI handler through the module variable
    # `conn`, and finds the flows the declared types miss
    done = _cli("scan", str(app_dir), "--no-cache", "-q", "--no-model")
    assert done.returncode == 0, done.stderr
    heads = [line for line in done.stdout.splitlines() if ": [" in line and not line.startswith(" ")]
    assert len([line for line in heads if "<unresolved>." not in line]) == len(FOUND_WITHOUT) + 2
    inferred = sorted(line for line in done.stdout.splitlines() if line.endswith("[inferred type needed]"))
    assert [line.split(" SQL")[0] for line in inferred] == ["fastapi_app.py:18:5: error: [py-sql-injection]",
                                                           "flask_app.py:22:5: error: [py-sql-injection]"]

    types = tmp_path / "types.json"
    types.write_text(json.dumps({"flask_app.py:21:cur": ["sqlite3.Cursor", 0.8]}))
    out = tmp_path / "out.sarif"
    done = _cli("scan", str(app_dir), "--no-cache", "-q", "--types", str(types), "--format", "sarif", "-o", str(out))
    assert done.returncode == 0, done.stderr
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(json.loads(SCHEMA_FILE.read_text())).validate(log)
    results = [r for r in log["runs"][0]["results"] if "<unresolved>." not in r["message"]["text"]]
    assert len(results) == len(FOUND_WITHOUT) + 1
    assert all(r["level"] == "warning" and r["rank"] < 50 for r in log["runs"][0]["results"] if r not in results)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results
            if r["properties"]["typeinfer/inferredTypeNeeded"]] == [22]

    done = _cli("scan", str(app_dir), "--no-cache", "-q", "--no-infer", "--fail")
    assert done.returncode == 1
    done = _cli("scan", str(app_dir), "--explain", "py-ssrf")
    assert done.returncode == 0 and done.stdout.startswith("py-ssrf: Server-side request forgery")


def test_cli_query_prints_the_last_expression(app_dir: Path, tmp_path: Path):
    script = tmp_path / "q.py"
    script.write_text("calls = p.calls.full_name('subprocess.*')\ncalls.argument(1)\n")
    done = _cli("query", str(app_dir), str(script), "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("flask_app.py:40:20  CALL") and len(lines) == 3
    done = _cli("query", str(app_dir), "len(p.methods.name('lo.*'))", "-e", "--no-cache", "-q")
    assert done.stdout.strip() == "2"  # login, load
    done = _cli("query", str(app_dir), "p.calls.name('nosuch').first().code", "-e", "--no-cache", "-q")
    assert done.returncode == 1 and "AttributeError" in done.stderr


# ----------------------------------------------------------------------------- SARIF details
TWICE = ('import os\nfrom flask import request\n\n'
         'def a():\n    os.system(request.args["x"])\n\n'
         'def b():\n    os.system(request.args["x"])\n')


def _sarif_of(root: Path, scanned: Path | None = None) -> dict:
    from typeinfer.cpg.query import load
    log = to_sarif(scan(load(scanned or root, options=_no_cache())), str(scanned or root))
    jsonschema.Draft4Validator(json.loads(SCHEMA_FILE.read_text())).validate(log)
    return log


def test_sarif_fingerprints_differ_for_identical_flows_and_survive_lines_added_above(tmp_path):
    (tmp_path / "app.py").write_text(TWICE)
    results = _sarif_of(tmp_path)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["typeinfer/v1"] for r in results]
    assert len(prints) == 2 and len(set(prints)) == 2
    (tmp_path / "app.py").write_text("# a comment\nimport sys\n" + TWICE)
    moved = _sarif_of(tmp_path)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved] == [7, 10]
    assert [r["partialFingerprints"]["typeinfer/v1"] for r in moved] == prints


def test_sarif_uris_are_relative_to_the_git_repository_root(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    app = repo / "services" / "web"
    app.mkdir(parents=True)
    (app / "app.py").write_text(TWICE)
    run = _sarif_of(app)["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "services/web/app.py", "uriBaseId": "%SRCROOT%"}
    thread = run["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert {t["location"]["physicalLocation"]["artifactLocation"]["uri"] for t in thread} == {"services/web/app.py"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    # a single scanned file, and a worktree/submodule whose .git is a file
    run = _sarif_of(app, app / "app.py")["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/web/app.py"
    (repo / ".git").rmdir()
    (repo / ".git").write_text("gitdir: ../elsewhere\n")
    assert _sarif_of(repo)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "services/web/app.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_uris_outside_a_repository_are_relative_to_the_scanned_root(tmp_path, monkeypatch):
    import typeinfer.analyzer.sarif as sarif

    monkeypatch.setattr(sarif, "repository_root", lambda path: None)  # wherever the temp folder lives
    (tmp_path / "app.py").write_text(TWICE)
    run = _sarif_of(tmp_path)["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "app.py", "uriBaseId": "SRCROOT"}
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": tmp_path.resolve().as_uri() + "/"}}


def test_output_file_is_written_with_the_umask(tmp_path):
    import os

    from typeinfer.commands.common import write_text

    old = os.umask(0o027)
    try:
        write_text(tmp_path / "out.sarif", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.sarif").stat().st_mode & 0o777 == 0o640
    os.chmod(tmp_path / "out.sarif", 0o604)
    write_text(tmp_path / "out.sarif", "{}\n")  # an existing file keeps its mode
    assert (tmp_path / "out.sarif").stat().st_mode & 0o777 == 0o604
    assert [p.name for p in tmp_path.iterdir()] == ["out.sarif"]


# ----------------------------------------------------------------------------- named sets in queries
def test_query_sources_and_sinks_by_name():
    from typeinfer.analyzer.scan_project import ScanProject

    p = ScanProject.from_project(project_from_sources(FILES, INFERRED))
    web = p.sources("python-web")
    assert {(n.file, n.line, n.code) for n in web} >= {("flask_app.py", 19, "request.args"),
                                                      ("flask_app.py", 28, "request.form")}
    assert {n.file for n in web} == {"flask_app.py", "fastapi_app.py"}
    assert {n.file for n in p.sources("typescript-web")} == {"express_app.ts"}
    assert {"py-sql-injection", "ts-sql-injection"} <= {r.id for r in p.rules_named("sql")}
    assert {"py-command-injection", "ts-command-injection"} <= {r.id for r in p.rules_named("cwe-78")}
    assert all("sql" in r.id or "CWE-78" in r.tags for r in p.rules_named("sql") + p.rules_named("cwe-78"))
    sql = p.sinks("sql")
    assert {(n.file, n.line) for n in sql} >= {("flask_app.py", 22), ("flask_app.py", 30), ("express_app.ts", 25)}
    reached = p.sinks("py-sql").reachable_by(p.sources("python-web"))
    assert {(n.file, n.line) for n in reached} == {
        (k[1], f.flow.steps[0].line) for k, f in findings(INFERRED)[2].items() if k[0] == "py-sql-injection"}
    with pytest.raises(KeyError, match="known: python-cli"):
        p.sources("python-wbe")
    with pytest.raises(KeyError, match="rule ids and tags"):
        p.sinks("no-such-rule")


def test_load_and_the_query_command_give_a_scan_project(app_dir: Path):
    import typeinfer
    from typeinfer.analyzer.scan_project import ScanProject

    assert isinstance(typeinfer.load(app_dir, options=_no_cache()), ScanProject)
    done = _cli("query", str(app_dir), "len(p.sinks('CWE-78'))", "-e", "--no-cache", "-q", "--no-infer")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 3


def test_a_files_content_is_not_the_path_that_picked_it_but_a_urls_content_is_its_senders():
    py = ("import pickle\nimport requests\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
          "@app.route('/load')\ndef load():\n    return pickle.loads(requests.get(request.args['src']).content)\n\n"
          "@app.route('/local')\ndef local():\n    return pickle.loads(open(request.args['p'], 'rb').read())\n")
    ts = ("import express, { Request, Response } from 'express';\nimport * as fs from 'node:fs';\n"
          "const app = express();\napp.get('/f', (req: Request, res: Response) => {\n"
          "  res.send(fs.readFileSync(req.params.name));\n});\n")
    found = {(f.rule.id, f.location[0], f.location[1]) for f in scan(project_from_sources({"app.py": py, "app.ts": ts})).findings}
    # the fetched bytes are the URL's server's: unsafe deserialization (and the SSRF of the fetch)
    assert ("py-unsafe-deserialization", "app.py", 8) in found and ("py-ssrf", "app.py", 8) in found
    # a file's bytes are not the request's: the path traversal only, no deserialization, no XSS
    assert ("py-path-traversal", "app.py", 12) in found and ("py-unsafe-deserialization", "app.py", 12) not in found
    assert ("ts-path-traversal", "app.ts", 5) in found and ("ts-xss", "app.ts", 5) not in found


def test_an_inherited_source_needs_its_base_and_attribute(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: x\nlanguage: python\nsources: [{inherited: {attribute: request}}]\n"
                   "sinks: [{call: 'os\\\\.system'}]\n")
    with pytest.raises(RuleError, match=r"bad.yaml: an inherited source is \{base: REGEX, attribute: REGEX"):
        load_rules([bad])


def test_a_fetch_of_a_fixed_url_gives_the_servers_content_whatever_the_request_sends_along():
    py = ("import pickle\nimport requests\nfrom flask import Flask, make_response, request\napp = Flask(__name__)\n"
          "API = 'https://api.internal.example/search'\n\n"
          "@app.route('/s')\ndef s():\n    r = requests.get(API, params={'q': request.args['q']}, timeout=5)\n"
          "    return make_response(r.text)\n\n"
          "@app.route('/t')\ndef t():\n    data = requests.get(API, headers={'X': request.headers['X-Token']}).content\n"
          "    return pickle.loads(data)\n\n"
          "@app.route('/u')\ndef u():\n    return pickle.loads(requests.get(url=request.args['src']).content)\n")
    found = {(f.rule.id, f.location[1]) for f in scan(project_from_sources({"app.py": py})).findings}
    assert found == {("py-ssrf", 19), ("py-unsafe-deserialization", 19)}


def test_a_project_type_alias_or_interface_for_the_request_keeps_the_name_source():
    ts = ("import { Request } from 'express';\nimport { exec } from 'child_process';\n"
          "type AuthedRequest = Request & { user?: string };\ninterface AppRequest { query: any; body: any }\n"
          "export function a(req: AuthedRequest) {\n  exec('ls ' + req.query.dir);\n}\n"
          "export function b(req: AppRequest) {\n  exec('ls ' + req.body.dir);\n}\n")
    found = scan(project_from_sources({"app.ts": ts})).findings
    assert sorted((f.rule.id, f.location[1], f.confidence) for f in found) == [
        ("ts-command-injection", 6, "low"), ("ts-command-injection", 9, "low")]

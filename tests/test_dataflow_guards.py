"""Flows that pass a check before the sink are not reported: barrier guards (allow-list membership,
constant maps, type checks, whole-string regex matches, values replaced by constants), dead branches
of constant conditions, and taint through collections by constant element (Python and TypeScript)."""

from __future__ import annotations

import textwrap

import pytest

from typeinfer.analyzer.scan import RuleError, load_rules, parse_rule, scan
from typeinfer.cpg.query import project_from_sources


def flows_of(code: str, path: str = "a.py", **kw):  # noqa: ANN201
    """Flows from calls named `source` to the first argument of calls named `sink`."""
    p = project_from_sources({path: textwrap.dedent(code)})
    return p.calls.name("sink").argument(1).flows(p.calls.name("source"), **kw)


def py(body: str, prelude: str = "") -> str:
    """A Python function whose `x` is tainted, `body` indented inside it."""
    return textwrap.dedent(prelude) + "def handler():\n    x = source()\n" + textwrap.indent(textwrap.dedent(body), "    ")


def ts(body: str, prelude: str = "") -> str:
    return textwrap.dedent(prelude) + "function handler() {\n  let x = source();\n" + textwrap.indent(textwrap.dedent(body), "  ") + "}\n"


def reported(code: str, path: str) -> bool:
    return bool(flows_of(code, path))


# ----------------------------------------------------------------------------- unguarded: still reported
@pytest.mark.parametrize("body", [
    "sink(x)\n",
    "if len(x) > 3:\n    sink(x)\n",                              # not a guard
    "if x in ALLOWED:\n    pass\nsink(x)\n",                      # the guard's branch is not the sink's
    "if x not in ALLOWED:\n    log(x)\nsink(x)\n",                # the bad branch falls through
    "if x in ALLOWED or other():\n    sink(x)\n",                 # 'or' does not tell
    "if x in LIVE:\n    sink(x)\n",                               # not a constant collection
    "if re.match(r'[a-z]+', x):\n    sink(x)\n",                  # not anchored at the end
    "if isinstance(x, str):\n    sink(x)\n",                      # str carries text
    "if not x.isdigit():\n    sink(x)\n",                         # the wrong branch
    "if len(x) > 3:\n    x = 'default'\nsink(x)\n",               # replaced on a non-guard branch
    "sink(FILES.get('a', x))\n",                                  # the default is the user's
    "sink(LIVE[x] if False else x)\n",
    "l = ['safe', x]\nsink(l[1])\n",
    "d = {'a': x, 'b': 'y'}\nsink(d['a'])\n",
    "d = {'a': x, 'b': 'y'}\nsink(d.get('a'))\n",
    "l = ['safe', x]\nsink(l[i])\n",                             # not a constant index
    "num = 50\nif 7 * 18 + num > 200:\n    bar = 'safe'\nelse:\n    bar = x\nsink(bar)\n",
])
def test_python_unguarded_flows_are_reported(body):
    prelude = "ALLOWED = {'png', 'jpg'}\nFILES = {'a': '/srv/a', 'b': '/srv/b'}\nLIVE = load()\n"
    assert reported(py(body, prelude), "a.py"), body


@pytest.mark.parametrize("body", [
    # membership in a constant allow-list, both forms
    "if x in ALLOWED:\n    sink(x)\n",
    "if x not in ALLOWED:\n    abort(400)\nsink(x)\n",
    "if x not in ALLOWED:\n    raise ValueError(x)\nsink('a' + x)\n",
    "if x not in ALLOWED:\n    return\nsink(x)\n",
    "if x in ('a', 'b') and flag:\n    sink(x)\n",
    "if x in frozenset(['a', 'b']):\n    sink(x)\n",
    "if x == 'admin':\n    sink(x)\n",
    # constant map lookups
    "sink(FILES[x])\n",
    "sink(FILES.get(x))\n",
    "sink(FILES.get(x, '/srv/default'))\n",
    "path = FILES[x]\nsink(path)\n",
    # type checks and conversions
    "if isinstance(x, int):\n    sink(x)\n",
    "if not isinstance(x, (int, float)):\n    return\nsink(x)\n",
    "sink(int(x))\n",
    "if x.isdigit():\n    sink(x)\n",
    # whole-string regex matches
    "if re.fullmatch(r'[a-z]+', x):\n    sink(x)\n",
    "if re.match(r'^[a-z]+$', x):\n    sink(x)\n",
    "if not re.fullmatch(r'[a-z]+', x):\n    abort(400)\nsink(x)\n",
    # replaced by a constant on the unsafe branch
    "if x not in ALLOWED:\n    x = 'png'\nsink(x)\n",
    "if not re.fullmatch(r'[a-z]+', x):\n    x = 'default'\nelse:\n    log(x)\nsink(x)\n",
    # dead branches
    "if False:\n    sink(x)\n",
    "num = 50\nif 7 * 18 + num > 200:\n    bar = x\nelse:\n    bar = 'safe'\nsink(bar)\n",
    "num = 86\nbar = 'safe' if (7 * 18) + num > 200 else x\nsink(bar)\n",
    "s = 'ab'\nif s + 'c' == 'abc':\n    bar = 'safe'\nelse:\n    bar = x\nsink(bar)\n",
    "if LIMIT > 5:\n    x = 'safe'\nsink(x)\n",
    # collections by constant element
    "l = ['safe', x]\nsink(l[0])\n",
    "l = ['safe', x, 'other']\nsink(l[-1])\n",
    "d = {'a': x, 'b': 'y'}\nsink(d['b'])\n",
    "d = {'a': x, 'b': 'y'}\nsink(d.get('b'))\n",
    "a, b = 'safe', x\nsink(a)\n",
])
def test_python_guarded_flows_are_not_reported(body):
    prelude = "import re\nALLOWED = {'png', 'jpg'}\nFILES = {'a': '/srv/a', 'b': '/srv/b'}\nLIMIT = 10\n"
    assert not reported(py(body, prelude), "a.py"), body


@pytest.mark.parametrize("body", [
    "sink(x);\n",
    "if (ALLOWED.includes(x) || other()) { sink(x); }\n",
    "if (!ALLOWED.includes(x)) { log(x); }\nsink(x);\n",
    "if (typeof x === \"string\") { sink(x); }\n",
    "if (/[a-z]+/.test(x)) { sink(x); }\n",
    "const o = {a: x, b: \"y\"};\nsink(o.a);\n",
    "const l = [\"safe\", x];\nsink(l[1]);\n",
    "if (LIVE.has(x)) { sink(x); }\n",
])
def test_typescript_unguarded_flows_are_reported(body):
    prelude = "const ALLOWED = [\"png\", \"jpg\"];\nconst LIVE = load();\n"
    assert reported(ts(body, prelude), "a.ts"), body


@pytest.mark.parametrize("body", [
    "if (ALLOWED.includes(x)) { sink(x); }\n",
    "if (!ALLOWED.includes(x)) { return res.status(400).send(\"bad\"); }\nsink(x);\n",
    "if (!ALLOWED.includes(x)) { throw new Error(\"bad\"); }\nsink(x);\n",
    "if (ALLOWED_SET.has(x)) { sink(x); }\n",
    "if (!ALLOWED.includes(x)) { x = \"png\"; }\nsink(x);\n",
    "sink(FILES[x]);\n",
    "const path = FILES[x];\nsink(path);\n",
    "if (typeof x === \"number\") { sink(x); }\n",
    "if (typeof x !== \"number\") { return; }\nsink(x);\n",
    "sink(Number(x));\n",
    "sink(parseInt(x, 10));\n",
    "if (/^[a-z]+$/.test(x)) { sink(x); }\n",
    "if (!/^[a-z]+$/i.test(x)) { return; }\nsink(x);\n",
    "if (false) { sink(x); }\n",
    "const num = 106;\nlet bar = (7 * 18) + num > 200 ? \"safe\" : x;\nsink(bar);\n",
    "const num = 106;\nlet bar;\nif ((7 * 18) + num > 200) { bar = \"safe\"; } else { bar = x; }\nsink(bar);\n",
    "const o = {a: x, b: \"y\"};\nsink(o.b);\n",
    "const o = {a: x, b: \"y\"};\nsink(o[\"b\"]);\n",
    "const l = [\"safe\", x];\nsink(l[0]);\n",
])
def test_typescript_guarded_flows_are_not_reported(body):
    prelude = ("const ALLOWED = [\"png\", \"jpg\"];\nconst ALLOWED_SET = new Set([\"png\", \"jpg\"]);\n"
               "const FILES = {a: \"/srv/a\", b: \"/srv/b\"};\n")
    assert not reported(ts(body, prelude), "a.ts"), body


def test_parameters_are_guarded_too():
    assert not flows_of("""
        ALLOWED = ("png", "jpg")
        def handler(ext):
            if ext not in ALLOWED:
                abort(400)
            sink(ext)
        handler(source())
    """)
    assert flows_of("""
        ALLOWED = ("png", "jpg")
        def handler(ext):
            if ext not in ALLOWED:
                log(ext)
            sink(ext)
        handler(source())
    """)


def test_a_guard_on_one_variable_does_not_guard_another():
    assert flows_of(py("y = source()\nif x in ALLOWED:\n    sink(y)\n", "ALLOWED = {'a'}\n"))


def test_a_redefinition_after_the_guard_is_not_guarded():
    assert flows_of(py("if x in ALLOWED:\n    x = source() + x\n    sink(x)\n", "ALLOWED = {'a'}\n"))


def test_rule_guards_name_calls_that_guard():
    code = py("if is_safe_name(x):\n    sink(x)\n")
    assert flows_of(code)
    assert not flows_of(code, guards=[r".*is_safe_name"])


# ----------------------------------------------------------------------------- through scan rules
FLASK_APP = '''
from flask import Flask, abort, request, send_file
import re, subprocess

app = Flask(__name__)
FILES = {"report": "/srv/report.pdf", "manual": "/srv/manual.pdf"}
ALLOWED = {"png", "jpg"}

@app.route("/open")
def open_file():
    name = request.args.get("name")
    return send_file(FILES.get(name))

@app.route("/ext")
def by_extension():
    ext = request.args.get("ext")
    if ext not in ALLOWED:
        abort(400)
    return send_file("/srv/icon." + ext)

@app.route("/bad")
def unguarded():
    ext = request.args.get("ext")
    return send_file("/srv/icon." + ext)

@app.route("/run")
def run():
    name = request.args.get("name")
    if not re.fullmatch(r"[a-z]+", name):
        abort(400)
    subprocess.run("ls " + name, shell=True)
    subprocess.run("ls " + request.args.get("other"), shell=True)
'''

EXPRESS_APP = '''
import express from "express";
import { exec } from "child_process";
const app = express();
const ALLOWED = ["png", "jpg"];
const FILES = {report: "/srv/report.pdf", manual: "/srv/manual.pdf"};

app.get("/open", (req, res) => {
  const name = req.query.name;
  exec("cat " + FILES[name]);
});

app.get("/ext", (req, res) => {
  const ext = req.query.ext;
  if (!ALLOWED.includes(ext)) {
    return res.status(400).send("bad");
  }
  exec("convert /srv/icon." + ext);
});

app.get("/bad", (req, res) => {
  const ext = req.query.ext;
  exec("convert /srv/icon." + ext);
});
'''


def _scan(files):  # noqa: ANN001, ANN202
    p = project_from_sources({k: textwrap.dedent(v) for k, v in files.items()})
    return scan(p)


def test_scan_flask_app_reports_only_the_unguarded_flows():
    result = _scan({"app.py": FLASK_APP})
    lines = sorted(f.location[1] for f in result.findings)
    text = FLASK_APP.splitlines()
    reported_code = [text[line - 1].strip() for line in lines]
    assert reported_code == ['return send_file("/srv/icon." + ext)', 'subprocess.run("ls " + request.args.get("other"), shell=True)'], reported_code
    assert all("unguarded" in (f.flow.steps[-1].method or "") or "run" in (f.flow.steps[-1].method or "")
               for f in result.findings)


def test_scan_express_app_reports_only_the_unguarded_flow():
    result = _scan({"app.ts": EXPRESS_APP})
    sinks = [i + 1 for i, line in enumerate(EXPRESS_APP.splitlines()) if "exec(" in line]
    assert len(sinks) == 3
    assert [f.location[1] for f in result.findings] == sinks[-1:]  # not the map lookup, not the allow-listed


def test_rule_guards_field():
    data = {"id": "t-cmd", "language": "python", "sources": [{"call": r".*source"}],
            "sinks": [{"call": r"os\.system"}], "guards": [{"call": r".*is_safe_name"}]}
    rule = parse_rule(data)
    assert rule.guards == (r".*is_safe_name",)
    code = "import os\nx = source()\nif is_safe_name(x):\n    os.system(x)\nos.system(x)\n"
    p = project_from_sources({"a.py": code})
    assert [f.location[1] for f in scan(p, [rule]).findings] == [5]
    with pytest.raises(RuleError):
        parse_rule({**data, "guards": [{"membership": "constant", "call": "x"}]})
    redirect = next(r for r in load_rules() if r.id == "py-open-redirect")  # a built-in rule naming a guard
    assert any("url_has_allowed_host_and_scheme" in g for g in redirect.guards)


def test_a_loop_until_allowed_guards_what_follows():
    assert not flows_of(py("while x not in ALLOWED:\n    x = source()\nsink(x)\n", "ALLOWED = {'a'}\n"))
    assert flows_of(py("while x not in ALLOWED:\n    x = source()\n    sink(x)\n", "ALLOWED = {'a'}\n"))


def test_dead_code_neither_defines_nor_sinks():
    assert not flows_of(py("if False:\n    y = source()\nelse:\n    y = 'a'\nsink(y)\n"))
    assert not flows_of("DEBUG = False\ndef f():\n    if DEBUG:\n        sink(source())\n")
    assert flows_of("DEBUG = load()\ndef f():\n    if DEBUG:\n        sink(source())\n")

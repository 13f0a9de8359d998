"""Sinks that only the type inference ranks first for a receiver makes: an open call such as
``session.get(url)`` (no method-name fallback: ``get`` alone is every dict's) becomes an SSRF sink
when the model's best type for ``session``, qualified through the file's imports, is
``requests.Session``: a low-confidence finding that names the type and its probability."""

from __future__ import annotations

import textwrap

from typeinfer.analyzer.scan import load_rules, scan
from typeinfer.cpg.passes.type_writeback import WrittenType, apply_types
from typeinfer.cpg.query import project_from_cpg, project_from_sources
from typeinfer.cpg.schema import NodeKind, Prop

APP = textwrap.dedent("""
    import requests
    from flask import Flask, g, request

    app = Flask(__name__)


    def fetch_title(session, url):
        return session.get(url).text


    def lookup(cache, key):
        return cache.get(key)


    def either(client, url):
        return client.get(url)


    class Previewer:
        def __init__(self, http):
            self.http = http

        def preview(self, url):
            return self.http.get(url).text


    @app.route("/title")
    def title():
        return fetch_title(g.session, request.args["url"])


    @app.route("/key")
    def key():
        return lookup(g.cache, request.args["key"])


    @app.route("/either")
    def either_route():
        return either(g.client, request.args["url"])


    @app.route("/preview")
    def preview():
        return Previewer(g.http).preview(request.args["url"])
""")

#: the model's rankings, as the pipeline writes them back: (slot kind, name) -> ranked types
RANKINGS = {
    (NodeKind.METHOD_PARAMETER_IN, "session"): (("Session", 0.24), ("ClientSession", 0.08)),
    (NodeKind.METHOD_PARAMETER_IN, "cache"): (("Redis", 0.31), ("Session", 0.2)),
    (NodeKind.METHOD_PARAMETER_IN, "client"): (("dict", 0.3), ("Session", 0.25)),  # a sink only second
    (NodeKind.MEMBER, "http"): (("Session", 0.4),),
}


def _project(rankings: dict | None):
    project = project_from_sources({"app.py": APP})
    cpg = project.cpg
    if rankings:
        types = {}
        for n in cpg.g.nodes:
            ranked = rankings.get((cpg.kind(n), cpg.get(n, Prop.NAME)))
            if ranked:
                types[n] = WrittenType(ranked[0][0], "model", ranked[0][1], ranked, confident=False)
        apply_types(cpg, types)
    return project_from_cpg(cpg)


def _ssrf(project) -> dict[int, object]:
    rules = [r for r in load_rules() if r.id == "py-ssrf"]
    return {f.location[1]: f for f in scan(project, rules).findings}


def test_the_receivers_first_ranked_type_makes_an_open_call_a_sink_of_low_confidence():
    found = _ssrf(_project(RANKINGS))
    assert sorted(found) == [9, 25]  # session.get and self.http.get; not cache.get nor client.get
    for line, typ, p in ((9, "Session", "0.24"), (25, "Session", "0.40")):
        f = found[line]
        assert f.confidence == "low" and f.severity == "warning" and f.inferred_type_needed
        assert f.sink_by_ranked_type and not f.sink_by_name
        assert f"requests.Session.get, if the receiver is the {typ} inference ranks first ({p})" in f.message


def test_without_rankings_nothing_is_added():
    assert _ssrf(_project(None)) == {}


def test_a_bare_type_needs_the_file_to_import_its_module():
    project = project_from_sources({"app.py": APP.replace("import requests\n", "")})
    cpg = project.cpg
    types = {n: WrittenType("Session", "model", 0.24, RANKINGS[(NodeKind.METHOD_PARAMETER_IN, "session")], False)
             for n in cpg.g.nodes if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN and cpg.get(n, Prop.NAME) == "session"}
    apply_types(cpg, types)
    assert _ssrf(project_from_cpg(cpg)) == {}


def test_a_first_type_the_model_barely_prefers_makes_no_sink():
    project = project_from_sources({"app.py": APP})
    cpg = project.cpg
    types = {n: WrittenType("Session", "model", 0.1, (("Session", 0.1), ("dict", 0.09)), False)
             for n in cpg.g.nodes if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN and cpg.get(n, Prop.NAME) == "session"}
    apply_types(cpg, types)
    assert _ssrf(project_from_cpg(cpg)) == {}


def _ranked(files: dict[str, str], rankings: dict[str, tuple[tuple[str, float], ...]]):
    """The project of `files` with the parameters named in `rankings` ranked so (below the threshold)."""
    project = project_from_sources(files)
    cpg = project.cpg
    types = {n: WrittenType(rankings[name][0][0], "model", rankings[name][0][1], rankings[name], False)
             for n in cpg.g.nodes if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN
             and (name := cpg.get(n, Prop.NAME)) in rankings}
    apply_types(cpg, types)
    return project_from_cpg(cpg)


def _findings(project, rule_id: str) -> list[tuple[int, str]]:
    return [(f.location[1], f.message) for f in scan(project, [r for r in load_rules() if r.id == rule_id]).findings]


def test_typescript_a_helpers_res_ranked_response_is_an_express_response():
    code = textwrap.dedent("""\
        import express from "express";
        const app = express();

        function sendPage(res, title) {
          res.send("<h1>" + title + "</h1>");
        }

        app.get("/hello", (req, res) => {
          sendPage(res, req.query.name);
        });
    """)
    found = _findings(_ranked({"app.ts": code}, {"res": (("Response", 0.23),)}), "ts-xss")
    assert [line for line, _ in found] == [5]
    assert "express.Response.send, if the receiver is the Response inference ranks first (0.23)" in found[0][1]


def test_a_module_guessed_for_a_bare_type_must_be_one_the_sink_spells_with_that_type():
    # axios' and asyncpg's sink patterns take any class of theirs (`axios(\.[\w.]+)?\.get`): a
    # header map or a dict ranked in a file that imports them is no sink of theirs
    ts = textwrap.dedent("""\
        import axios from "axios";
        import express from "express";
        const app = express();

        function header(headers, name) {
          return headers.get(name);
        }

        app.get("/k", (req, res) => {
          res.json(header(makeHeaders(), req.query.k));
        });
    """)
    assert _findings(_ranked({"app.ts": ts}, {"headers": (("Headers", 0.72),)}), "ts-ssrf") == []
    py = textwrap.dedent("""\
        import asyncpg
        from flask import Flask, request

        app = Flask(__name__)


        def lookup(store, key):
            return store.fetch(key)


        @app.route("/k")
        def k():
            return lookup(make_store(), request.args["k"])
    """)
    assert _findings(_ranked({"app.py": py}, {"store": (("dict", 0.4),)}), "py-sql-injection") == []
    # the same file's `conn` ranked `Connection`: asyncpg's pattern spells no class, so a guess
    # of its module cannot be confirmed either
    assert _findings(_ranked({"app.py": py}, {"store": (("Connection", 0.4),)}), "py-sql-injection") == []

"""TypeScript library types from node_modules: calls of installed packages' exports typed by their
.d.ts files, only where the declaration says one thing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions, infer_project
from typeinfer.analyzer.environment import node_modules_dirs
from typeinfer.analyzer.ts_declarations import Declarations

MYLIB = {
    "package.json": json.dumps({"name": "mylib", "version": "1.0.0", "types": "dist/index.d.ts"}),
    "dist/index.d.ts": """
        import * as shapes from "./shapes.js";
        export * from "./client.js";
        export { shapes };
        export type { Circle } from "./shapes.js";
        export { makeClient as connect } from "./client.js";
        export declare function parse(text: string): number;
        export declare function parse(text: string, radix: number): number;
        export declare function pick(text: string): string;
        export declare function pick(text: string, all: true): string[];
        export declare function identity<T>(value: T): T;
        export declare function later(): Promise<string>;
    """,
    "dist/client.d.ts": """
        export interface Options { retries: number }
        export declare class Base {
            close(): void;
            name(): string;
        }
        export declare class Client extends Base {
            constructor(options?: Options);
            fetch(url: string): Response;
            self(): this;
        }
        export interface Response {
            text(): string;
            json<T>(): T;
        }
        export declare function makeClient(options?: Options): Client;
    """,
    "dist/shapes.d.ts": """
        declare const circle: (radius: number) => Circle;
        export interface Circle { area(): number }
        export { circle };
    """,
}


def install(root: Path, name: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / "node_modules" / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_declarations_answer_only_what_they_say_for_sure(tmp_path):
    install(tmp_path, "mylib", MYLIB)
    (tmp_path / "src").mkdir()
    d = Declarations(node_modules_dirs(tmp_path / "src"))  # found in a parent folder
    assert d.call_return("mylib.parse") == ("number", "number")  # two overloads, one answer
    assert d.call_return("mylib.pick") is None  # overloads that disagree
    assert d.call_return("mylib.identity") is None  # a type parameter
    assert d.call_return("mylib.later") == ("Promise<string>", "Promise<string>")
    assert d.call_return("mylib.connect") == ("Client", "mylib.Client")  # export { a as b } from
    assert d.call_return("mylib.makeClient") == ("Client", "mylib.Client")  # export * from
    assert d.call_return("mylib.Client", construct=True) == ("Client", "mylib.Client")
    assert d.call_return("mylib.Options", construct=True) is None  # an interface is not constructed
    assert d.call_return("mylib.shapes.circle") == ("Circle", "mylib.Circle")  # import * as ns; export { ns }
    assert d.method_return("mylib.Client", "fetch") == ("Response", "mylib.Response")
    assert d.method_return("mylib.Client", "name") == ("string", "string")  # through extends
    assert d.method_return("mylib.Client", "self") is None  # `this`
    assert d.method_return("mylib.Response", "json") is None  # a method's own type parameter
    assert d.call_return("otherlib.x") is None


def test_project_calls_are_typed_from_node_modules(tmp_path, monkeypatch):
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    project = tmp_path / "app"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.ts").write_text(textwrap.dedent("""
        import { connect, Client } from 'mylib';

        export function load(url: string) {
          const client = connect();
          const res = client.fetch(url);
          const body = res.text();
          return body;
        }
    """))

    def by_name() -> dict[str, tuple[str, str]]:
        result = infer_project(project, InferenceOptions(jobs=1, rounds=3))
        return {p.name: (p.type, p.source) for p in result.predictions if p.kind == "variable"}

    shutil.rmtree(project / "node_modules", ignore_errors=True)
    without = by_name()
    install(project, "mylib", MYLIB)
    typed = by_name()
    assert typed["client"] == ("Client", "static")
    assert typed["res"] == ("Response", "static")
    assert typed["body"] == ("string", "static")
    assert without["client"][1] != "static" and without["res"][1] != "static"


@pytest.mark.network
def test_real_packages_zod_and_express(tmp_path, monkeypatch):
    from typeinfer.corpus.fetch import fetch_npm

    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    project = tmp_path / "api"
    project.mkdir()
    for name, version in (("zod", "3.25.76"), ("@types/express", "4.17.21"),
                          ("@types/express-serve-static-core", "4.19.6")):
        shutil.copytree(fetch_npm(name, version), project / "node_modules" / name)
    (project / "app.ts").write_text(textwrap.dedent("""
        import express from 'express';
        import { Router } from 'express';
        import { z } from 'zod';

        export function build() {
          const app = express();
          const router = Router();
          const name = z.string().trim();
          return app;
        }
    """))
    result = infer_project(project, InferenceOptions(jobs=1, rounds=3))
    typed = {p.name: (p.type, p.source) for p in result.predictions}
    assert typed["app"] == ("Express", "static")
    assert typed["router"] == ("Router", "static")
    assert typed["name"] == ("ZodString", "static")
    out = subprocess.run([sys.executable, "-m", "typeinfer", "annotate", str(project), "-q"], capture_output=True,
                         text=True, env={**os.environ, "TYPEINFER_CACHE": str(tmp_path / "cache")})
    assert out.returncode == 0, out.stderr
    # types from a package the project imports are written with an `import type`; one only
    # installed beside another (express's Express lives in express-serve-static-core) is left out
    assert "const router: Router = Router();" in out.stdout
    assert "import type { ZodString } from 'zod';" in out.stdout
    assert "const name: ZodString = z.string().trim();" in out.stdout
    assert "Express" not in out.stdout


def test_ambiguous_or_foreign_answers_are_refused_and_cycles_end(tmp_path):
    install(tmp_path, "gen", {"index.d.ts": """
        export declare class Store {
            get(): string;
            get<T>(key: T): T;
        }
    """})
    install(tmp_path, "esm", {"index.d.ts": """
        declare const api: { foo(): number };
        export default api;
        export declare function foo(): string;
    """})
    install(tmp_path, "basepkg", {"index.d.ts": """
        export interface Response { y(): string }
        export declare class Base { request(): Response }
    """})
    install(tmp_path, "child", {"index.d.ts": """
        import { Base } from "basepkg";
        export interface Response { x(): number }
        export declare class Client extends Base {}
    """})
    ring = {f"m{i}.d.ts": f'export * from "./m{(i + 1) % 6}";\nexport * from "./m{(i + 2) % 6}";\n' for i in range(6)}
    install(tmp_path, "ring", {**ring, "index.d.ts": 'export * from "./m0";\nexport * from "./m3";\n'})
    install(tmp_path, "selfish", {"index.d.ts": 'import * as self from "./index";\nexport = self;\n'})
    d = Declarations(node_modules_dirs(tmp_path))
    assert d.method_return("gen.Store", "get") is None  # one overload is generic
    assert d.call_return("esm.foo") is None  # `esm.foo`: the named export or the default's member
    assert d.method_return("child.Client", "request") == ("Response", "basepkg.Response")
    assert d.call_return("ring.missing") is None
    assert d.call_return("selfish.anything") is None

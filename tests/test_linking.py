"""Call edges across modules, inheritance and type edges (the project linking pass)."""

from __future__ import annotations

import textwrap

from typeinfer.cpg.project import build_sources, update_file
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop, validate
from typeinfer.cpg.source import source_from_text


def project(files: dict[str, str]):
    cpg = build_sources(source_from_text(textwrap.dedent(code), path) for path, code in files.items())
    assert validate(cpg.g) == []
    return cpg


def calls(cpg, name: str) -> list[tuple[str, list[str]]]:
    """(METHOD_FULL_NAME, [CALL edge targets' full names]) of every call named `name`."""
    out = []
    for n in cpg.nodes(NodeKind.CALL):
        if cpg.get(n, Prop.NAME) == name:
            out.append((cpg.get(n, Prop.METHOD_FULL_NAME),
                        [cpg.get(m, Prop.FULL_NAME) for m in cpg.out(n, EdgeKind.CALL)]))
    return out


PY_PROJECT = {
    "pkg/__init__.py": "",
    "pkg/models.py": """
        class Base:
            def save(self):
                return self.validate()

            def validate(self):
                return True

        class User(Base):
            def __init__(self, name):
                self.name = name

        def make(name):
            return User(name)
    """,
    "pkg/app.py": """
        import json
        import os.path
        from .models import User, make as build
        from pkg import models
        import pkg.models as pm

        def handler(raw):
            data = json.loads(raw)
            u = User(data["name"])
            u.save()
            v = build("x")
            w = models.User("y")
            pm.make("z")
            p = os.path.join("a", "b")
            n: User = w
            n.validate()
            return helper(u)

        def helper(x):
            return len(x.name)
    """,
}


def test_python_imported_functions_and_classes_resolve_to_their_methods():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "User") == [("pkg/models.py:User.__init__", ["pkg/models.py:User.__init__"])] * 3
    assert calls(cpg, "build") == [("pkg/models.py:make", ["pkg/models.py:make"])]
    assert calls(cpg, "make") == [("pkg/models.py:make", ["pkg/models.py:make"])]
    assert calls(cpg, "helper") == [("pkg/app.py:helper", ["pkg/app.py:helper"])]


def test_python_methods_resolve_through_constructor_types_declared_types_and_inheritance():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "save") == [("pkg/models.py:Base.save", ["pkg/models.py:Base.save"])]
    # self.validate() inside Base.save, and n.validate() on a variable declared `n: User`
    assert sorted(calls(cpg, "validate")) == [("pkg/models.py:Base.validate", ["pkg/models.py:Base.validate"])] * 2


def test_python_external_calls_get_dotted_names():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "loads") == [("json.loads", [])]
    assert calls(cpg, "join") == [("os.path.join", [])]
    assert calls(cpg, "len") == [("builtins.len", [])]


def test_python_calls_of_classes_make_instances_whose_methods_resolve():
    cpg = project({"app.py": """
        import httpx
        import requests
        from fastapi import Depends
        from lxml import etree

        async def f(url, k):
            files = dict()
            files.get(k)
            s = requests.Session()
            s.get(url)
            async with httpx.AsyncClient() as client:
                await client.post(url)
            root = etree.XML(url)
            root.xpath(url)
            kind = type(url)
            kind.mro()
            db = Depends(url)
            db.execute(url)
    """})
    assert calls(cpg, "get") == [("builtins.dict.get", []), ("requests.Session.get", [])]
    assert calls(cpg, "post") == [("httpx.AsyncClient.post", [])]  # a client enters as itself
    # XML is no class name (lxml's XML() parses), type(x) answers a class, Depends() declares a
    # parameter: none of them is resolved
    assert [full for full, _ in calls(cpg, "xpath") + calls(cpg, "mro") + calls(cpg, "execute")] == [
        "<unresolved>.xpath", "<unresolved>.mro", "<unresolved>.execute"]


def test_python_inheritance_and_eval_type_edges():
    cpg = project(PY_PROJECT)
    user = next(n for n in cpg.nodes(NodeKind.TYPE_DECL) if cpg.get(n, Prop.NAME) == "User")
    assert [cpg.get(b, Prop.FULL_NAME) for b in cpg.out(user, EdgeKind.INHERITS_FROM)] == ["pkg/models.py:Base"]
    local_n = next(n for n in cpg.nodes(NodeKind.LOCAL) if cpg.get(n, Prop.NAME) == "n")
    assert cpg.out(local_n, EdgeKind.EVAL_TYPE) == [user]


def test_relinking_after_an_edit_updates_call_edges():
    cpg = project(PY_PROJECT)
    update_file(cpg, "pkg/models.py", textwrap.dedent("""
        class User:
            def __init__(self, name):
                self.name = name

        def make(name):
            return User(name)
    """))
    assert validate(cpg.g) == []
    assert calls(cpg, "save") == [("<unresolved>.save", [])]
    assert calls(cpg, "build") == [("pkg/models.py:make", ["pkg/models.py:make"])]


TS_PROJECT = {
    "src/db.ts": """
        export class Db {
          query(sql: string) { return sql; }
        }
        export default function connect(): Db { return new Db(); }
        export function helper(x: number) { return x + 1; }
    """,
    "src/app.ts": """
        import connect, { helper as h, Db } from "./db";
        import * as db from "./db.js";
        import express from "express";

        export function handle(req) {
          const conn = connect();
          const d = new Db();
          d.query(req.query.q);
          h(1);
          db.helper(2);
          const app = express();
          return JSON.parse(req.body);
        }
    """,
}


def test_typescript_imports_default_named_namespace_and_new():
    cpg = project(TS_PROJECT)
    assert calls(cpg, "connect") == [("src/db.ts:connect", ["src/db.ts:connect"])]
    assert calls(cpg, "h") == [("src/db.ts:helper", ["src/db.ts:helper"])]
    assert calls(cpg, "helper") == [("src/db.ts:helper", ["src/db.ts:helper"])]
    assert calls(cpg, "query") == [("src/db.ts:Db.query", ["src/db.ts:Db.query"])]
    assert calls(cpg, "parse") == [("JSON.parse", [])]
    assert calls(cpg, "express") == [("express", [])]


def test_python_static_and_class_methods_cls_and_super():
    cpg = project({
        "m.py": """
            class Foo:
                @staticmethod
                def s(x):
                    return x

                @classmethod
                def c(cls):
                    return cls.s(1)

                @classmethod
                def make(cls):
                    return cls()

            class Bar(Foo):
                def s(self, x):
                    return super().s(x)

            Foo.c()
        """,
        "n.py": """
            from m import Foo
            import m
            Foo.s(2)
            m.Foo.c()
        """,
    })
    # cls.s() in Foo.c, Foo.s() imported, super().s() in Bar.s
    assert sorted(calls(cpg, "s")) == [("m.py:Foo.s", ["m.py:Foo.s"])] * 3
    assert calls(cpg, "c") == [("m.py:Foo.c", ["m.py:Foo.c"])] * 2
    assert calls(cpg, "cls") == [("m.py:Foo", [])]


def test_python_package_reexports_and_module_level_variables():
    cpg = project({
        "pkg/__init__.py": "from .db import engine, Engine\n",
        "pkg/db.py": """
            class Engine:
                def connect(self):
                    return 1

            engine = Engine()
        """,
        "a.py": """
            import sqlite3

            class Database:
                def query(self, q):
                    return q

            db = Database()
            conn: sqlite3.Connection = sqlite3.connect("x")

            def local_use():
                return db.query("in a")
        """,
        "b.py": """
            from pkg import engine, Engine
            from a import db, conn
            import a

            engine.connect()
            Engine()
            db.query("x")
            a.db.query("y")
            conn.execute("z")
        """,
    })
    # engine.connect(): pkg/__init__.py re-exports engine from pkg/db.py, whose module level sets it
    assert sorted(calls(cpg, "connect")) == [("pkg/db.py:Engine.connect", ["pkg/db.py:Engine.connect"]),
                                             ("sqlite3.connect", [])]
    assert calls(cpg, "Engine") == [("pkg/db.py:Engine", [])] * 2
    assert calls(cpg, "query") == [("a.py:Database.query", ["a.py:Database.query"])] * 3
    assert calls(cpg, "execute") == [("sqlite3.Connection.execute", [])]


def test_python_with_targets_and_awaited_calls_take_declared_types():
    cpg = project({
        "a.py": """
            import sqlite3

            class Cursor:
                def execute(self, q):
                    return q

            class Conn:
                def __enter__(self) -> "Cursor":
                    return Cursor()

                async def __aenter__(self) -> Cursor:
                    return Cursor()

                def cursor(self) -> "Conn":
                    return self

                def acquire(self) -> "Conn":
                    return self

            async def get_cursor() -> Cursor:
                return Cursor()

            def f(c: Conn, sc: sqlite3.Connection):
                with c.cursor() as cur:
                    cur.execute("a")
                with sc as s:
                    s.execute("b")

            async def g(pool: Conn):
                async with pool.acquire() as conn:
                    conn.execute("c")
                (await get_cursor()).execute("d")
                d = await get_cursor()
                d.execute("e")
                get_cursor().execute("not awaited: a coroutine")
        """,
    })
    got = sorted(calls(cpg, "execute"))
    assert got == sorted([("a.py:Cursor.execute", ["a.py:Cursor.execute"])] * 4
                         + [("sqlite3.Connection.execute", []), ("<unresolved>.execute", [])])


def test_typescript_namespace_imports_module_variables_and_reexports():
    cpg = project({
        "src/models.ts": """
            import { Sequelize } from "sequelize";
            export const sequelize = new Sequelize("db");
            export const typed: Sequelize = make();
            export class Repo { find(): number { return 1; } }
            export const repo = new Repo();
        """,
        "src/y.ts": "export function yf() {}\nexport class Y { m() {} }\n",
        "src/index.ts": "export { yf } from './y';\nexport * from './y';\nexport { Y as YY } from './y';\n",
        "src/app.ts": """
            import * as models from "./models";
            import { repo } from "./models";
            import { yf, Y, YY } from "./index";

            class Db { execute(q: string) {} }
            async function getDb(): Promise<Db> { return new Db(); }

            export async function handle(req) {
              models.sequelize.query(req.body);
              models.typed.query(req.body);
              models.repo.find();
              repo.find();
              yf();
              new Y().m();
              new YY();
              (await getDb()).execute("x");
              const d = await getDb();
              d.execute("y");
            }
        """,
    })
    assert calls(cpg, "query") == [("sequelize.Sequelize.query", [])] * 2
    assert calls(cpg, "find") == [("src/models.ts:Repo.find", ["src/models.ts:Repo.find"])] * 2
    assert calls(cpg, "yf") == [("src/y.ts:yf", ["src/y.ts:yf"])]
    assert calls(cpg, "m") == [("src/y.ts:Y.m", ["src/y.ts:Y.m"])]
    assert sorted(c[0] for c in calls(cpg, "Y") + calls(cpg, "YY")) == ["src/y.ts:Y"] * 2
    assert calls(cpg, "execute") == [("src/app.ts:Db.execute", ["src/app.ts:Db.execute"])] * 2


def test_calls_on_an_untyped_parameter_take_the_type_the_projects_calls_pass_it():
    cpg = project({
        "app.py": """
            import aiohttp
            import requests
            from repo import Repo


            async def fetch(session, url):
                async with session.get(url) as response:
                    return await response.text()


            async def relay(session, url):
                return await fetch(session, url)


            async def handle(url):
                async with aiohttp.ClientSession() as session:
                    return await relay(session, url)


            def load(store, key):
                return store.find(key)


            def main():
                load(Repo(), "a")
                load(Repo(), "b")


            def either(client, url):
                return client.head(url)


            def both():
                either(requests.Session(), "u")
                either(aiohttp.ClientSession(), "u")
        """,
        "repo.py": """
            class Repo:
                def find(self, key):
                    return key
        """,
    })
    # fetch's session comes from relay's, which handle passes an entered ClientSession: two hops
    assert calls(cpg, "get") == [("aiohttp.ClientSession.get", [])]
    assert calls(cpg, "find") == [("repo.py:Repo.find", ["repo.py:Repo.find"])]
    # callers that disagree leave the call open
    assert calls(cpg, "head") == [("<unresolved>.head", [])]


def test_a_parameter_reassigned_in_its_function_does_not_take_its_callers_type():
    cpg = project({"app.py": """
        import requests


        def send(client, url):
            client = client.get_adapter(url)
            return client.send(url)


        def main():
            send(requests.Session(), "u")
    """})
    assert calls(cpg, "get_adapter") == [("requests.Session.get_adapter", [])]
    # the adapter's send stays open (it is no requests.Session.send)
    assert sorted(calls(cpg, "send")) == [("<unresolved>.send", []), ("app.py:send", ["app.py:send"])]


def test_values_copied_round_a_loop_keep_their_type_and_end_the_search():
    # `x = y; y = x` in a loop: each read's reaching definitions lead back to itself (this ran the
    # linker out of stack on real packages: pyrate-limiter, @antv/g2)
    cpg = project({"app.py": """
        class Client:
            def close(self):
                pass


        def rotate(items):
            x = Client()
            y = x
            for _ in items:
                x = y
                y = x
            return x.close()


        def untyped(items):
            a = None
            b = None
            for _ in items:
                a = b
                b = a
            return a.shutdown()
    """, "web.ts": """
        export function spin(n: number) {
            let p = null;
            let q = null;
            for (let i = 0; i < n; i++) { p = q; q = p; }
            return p.stop();
        }
    """})
    assert calls(cpg, "close") == [("app.py:Client.close", ["app.py:Client.close"])]
    assert calls(cpg, "shutdown") == [("<unresolved>.shutdown", [])]
    assert calls(cpg, "stop") == [("<unresolved>.stop", [])]


def test_an_edit_of_the_calling_file_relinks_the_called_files_calls_on_parameters():
    cpg = project({
        "helper.py": "def fetch(session, url):\n    return session.get(url)\n",
        "app.py": "import httpx\nimport requests\nfrom helper import fetch\n\n\ndef main():\n    return fetch(requests.Session(), 'u')\n",
    })
    assert calls(cpg, "get") == [("requests.Session.get", [])]
    # same imports and functions (the interface other files see): only app.py and what it calls are relinked
    update_file(cpg, "app.py", "import httpx\nimport requests\nfrom helper import fetch\n\n\ndef main():\n    return fetch(httpx.Client(), 'u')\n")
    assert validate(cpg.g) == []
    assert calls(cpg, "get") == [("httpx.Client.get", [])]


def test_a_call_on_a_value_derived_from_a_typed_parameter_is_linked_too():
    cpg = project({"m.py": """
        class Resp:
            def json(self):
                return {}


        class Builder:
            def build(self) -> Resp:
                return Resp()


        class Session:
            def make(self) -> Builder:
                return Builder()


        def b(r):
            return r.json()


        def a(s):
            y = s.make()
            x = y.build()
            return b(x)


        a(Session())
    """})
    assert calls(cpg, "build") == [("m.py:Builder.build", ["m.py:Builder.build"])]
    assert calls(cpg, "json") == [("m.py:Resp.json", ["m.py:Resp.json"])]


def test_callers_that_disagree_leave_the_call_open_whatever_order_they_come_in():
    for helper_first in (False, True):
        helper = "def helper(svc):\n    svc.use(Other())\n\n\n"
        code = (
            "class Session:\n    def get(self):\n        return 1\n\n\n"
            "class Other:\n    def get(self):\n        return 2\n\n\n"
            + (helper if helper_first else "")
            + "class Svc:\n    def use(self, c):\n        return c.get()\n\n\n"
            + ("" if helper_first else helper)
            + "def main():\n    svc = Svc()\n    svc.use(Session())\n    helper(svc)\n")
        cpg = project({"m.py": code})
        # Session() from main, Other() through helper: c.get() is either class's
        assert ("<unresolved>.get", []) in calls(cpg, "get"), helper_first


def test_calls_on_attributes_take_the_attributes_types():
    cpg = project({
        "app.py": """
            import aiohttp
            import requests
            from repo import Repo


            class Previewer:
                def __init__(self):
                    self.session = requests.Session()

                def preview(self, url):
                    return self.session.get(url)


            class Fetcher:
                def __init__(self, client):
                    self.client = client

                def fetch(self, url):
                    return self.client.post(url)


            class Cached(Fetcher):
                def again(self, url):
                    return self.client.post(url)


            class Store:
                def __init__(self):
                    self.repo = Repo()

                def lookup(self, key):
                    return self.repo.find(key)


            class Mixed:
                def __init__(self, fast):
                    if fast:
                        self.backend = requests.Session()
                    else:
                        self.backend = aiohttp.ClientSession()

                def go(self, x):
                    return self.backend.patch(x)


            def main(url):
                Fetcher(requests.Session()).fetch(url)
                store = Store()
                return store.repo.find(url)
        """,
        "repo.py": """
            class Repo:
                def find(self, key):
                    return key
        """,
    })
    assert calls(cpg, "get") == [("requests.Session.get", [])]
    # a parameter assigned to the attribute: the type the constructor's callers pass (the base's
    # attribute, in a subclass too)
    assert calls(cpg, "post") == [("requests.Session.post", []), ("requests.Session.post", [])]
    # a project class: a call edge, through self and through an instance
    assert calls(cpg, "find") == [("repo.py:Repo.find", ["repo.py:Repo.find"])] * 2
    # two types assigned: left open
    assert calls(cpg, "patch") == [("<unresolved>.patch", [])]


def test_typescript_calls_on_declared_and_initialised_fields_resolve():
    cpg = project({"app.ts": """
        import { Sequelize } from "sequelize";
        import { Pool } from "pg";

        class UserRepo {
          private db: Sequelize;
          private pool = new Pool();
          constructor(db: Sequelize) {
            this.db = db;
          }
          find(name: string) {
            this.pool.query(name);
            return this.db.query(name);
          }
        }
    """})
    assert sorted(calls(cpg, "query")) == [("pg.Pool.query", []), ("sequelize.Sequelize.query", [])]


def test_attribute_types_do_not_depend_on_method_order_class_level_values_or_who_reads_them():
    builder = """
        class QueryBuilder:
            def filter(self, c) -> "QueryBuilder":
                return self

            def execute(self):
                return 1


        class Repo:
            def __init__(self):
                self.q = QueryBuilder()
    """
    run = """
            def run(self):
                return self.q.execute()
    """
    where = """
            def where(self, c):
                self.q = self.q.filter(c)
    """
    # `self.q = self.q.filter(c)` asks for q's type while q's type is being worked out
    for order in (run + where, where + run):
        cpg = project({"qb.py": textwrap.dedent(builder) + textwrap.indent(textwrap.dedent(order), "    ")})
        assert calls(cpg, "filter") == [("qb.py:QueryBuilder.filter", ["qb.py:QueryBuilder.filter"])]
        assert calls(cpg, "execute") == [("qb.py:QueryBuilder.execute", ["qb.py:QueryBuilder.execute"])]
    cpg = project({"app.py": """
        import requests


        class Api:
            session = requests.Session()

            def a(self, u):
                return self.session.get(u)

            @classmethod
            def b(cls, u):
                return cls.session.post(u)


        class Fetcher:
            def __init__(self, client):
                self.client = client


        def main(u):
            Api.session.put(u)
            f = Fetcher(requests.Session())
            return f.client.head(u)  # only read from outside the class
    """})
    assert [c[0] for name in ("get", "post", "put", "head") for c in calls(cpg, name)] == [
        "requests.Session.get", "requests.Session.post", "requests.Session.put", "requests.Session.head"]


def test_a_method_the_project_does_not_define_is_its_one_library_base_classes():
    cpg = project({"app.py": """
        import socketserver
        import tornado.web
        from unittest import TestCase


        class Base(tornado.web.RequestHandler):
            def helper(self):
                return 1


        class Handler(Base):
            def get(self):
                self.helper()
                return self.get_argument("x")


        class Tests(TestCase):
            def test_x(self):
                self.assertEqual(1, 1)


        class Both(socketserver.ThreadingMixIn, socketserver.TCPServer):
            def go(self):
                self.serve_forever()
    """})
    assert calls(cpg, "helper") == [("app.py:Base.helper", ["app.py:Base.helper"])]  # the project's own first
    assert calls(cpg, "get_argument") == [("tornado.web.RequestHandler.get_argument", [])]  # through Base
    assert calls(cpg, "assertEqual") == [("unittest.TestCase.assertEqual", [])]
    assert calls(cpg, "serve_forever") == [("<unresolved>.serve_forever", [])]  # two library bases: either


def test_what_a_class_binds_itself_is_not_its_library_bases_and_interfaces_are_no_bases():
    cpg = project({"app.py": """
        import six
        import abc
        import threading
        from collections import namedtuple


        class Worker(threading.Thread):
            handler = None

            class Result:
                def save(self):
                    return 1

            def __init__(self, cb):
                self.cb = cb

            def go(self):
                self.cb()
                self.handler()
                self.Result().save()
                self.__class__()
                self.start()


        class Meta(six.with_metaclass(abc.ABCMeta, object)):
            def go(self):
                self.m2()


        class Point(namedtuple("Point", "x y")):
            def go(self):
                self.m3()
    """, "app.ts": """
        import { Repository } from "typeorm";
        import { OnModuleInit } from "@nestjs/common";

        class Repo extends Repository<User> implements OnModuleInit {
          find(sql: string) { return this.query(sql); }
        }

        class Svc implements OnModuleInit {
          run() { return this.runner(); }
        }
    """})
    names = {name: calls(cpg, name)[0][0] for name in ("cb", "handler", "save", "__class__", "start", "m2", "m3",
                                                       "query", "runner")}
    assert names == {"cb": "<unresolved>.cb", "handler": "<unresolved>.handler", "save": "<unresolved>.save",
                     "__class__": "<unresolved>.__class__", "start": "threading.Thread.start",
                     "m2": "<unresolved>.m2", "m3": "<unresolved>.m3",
                     "query": "typeorm.Repository.query", "runner": "<unresolved>.runner"}


def test_attributes_feeding_each_other_in_rings_are_worked_out_once_per_ask(monkeypatch):
    from typeinfer.cpg.passes.linking import Linker

    asked = []
    compute = Linker._compute_callee
    monkeypatch.setattr(Linker, "_compute_callee", lambda self, call: asked.append(call) or compute(self, call))
    lines = ["class Node:", "    def m(self) -> 'Node':", "        return self", "", "class Holder:",
             "    def __init__(self):", *[f"        self.a{i} = Node()" for i in range(8)]]
    for i in range(8):
        lines += [f"    def f{i}(self):", *[f"        self.a{i} = self.a{j}.m()" for j in range(8) if j != i]]
    cpg = project({"h.py": "\n".join(lines) + "\n"})
    assert {full for full, _ in calls(cpg, "m")} == {"h.py:Node.m"}
    # each of the 64 calls asks for the others' answers: worked out again per ask, not per path
    # through the ring (which took millions of computations, 8.7 s, for these 8 attributes)
    assert len(asked) < 64 * 64

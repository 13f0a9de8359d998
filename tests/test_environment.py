"""Library types from the analysed project's environment: found without running anything, read
without importing, and they type library calls that only the model could guess before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.environment import site_packages
from typeinfer.analyzer.pipeline import InferenceOptions, infer_project
from typeinfer.analyzer.typeshed_facts import Typeshed

APP = """
    import httpx
    import broken


    def fetch(url):
        client = httpx.Client(timeout=5)
        response = client.get(url)
        return response


    def make_client():
        return httpx.AsyncClient()


    async def afetch(url):
        async with httpx.AsyncClient() as session:
            page = await session.get(url)
        return page


    def odd():
        value = broken.compute()
        return value
"""


def make_env(folder: Path, version: str = "3.11") -> Path:
    lib = folder / "lib" / f"python{version}" / "site-packages"
    lib.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (folder / "bin").mkdir()
    (folder / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")  # never run
    return lib


def test_environment_is_found_from_the_option_the_project_or_virtual_env(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert site_packages(project / "src") == ()
    local = make_env(project / ".venv")
    assert site_packages(project / "src") == (local,)  # a parent folder's .venv
    other = make_env(tmp_path / "elsewhere")
    assert site_packages(project, tmp_path / "elsewhere" / "bin" / "python") == (other,)
    assert site_packages(project, tmp_path / "elsewhere") == (other,)
    shutil.rmtree(project / ".venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "elsewhere"))
    assert site_packages(project) == (other,)
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # typeinfer's own environment says nothing of the project
    assert site_packages(project) == ()


@pytest.mark.network
def test_installed_package_types_library_calls_and_changes_the_result(tmp_path, monkeypatch):
    from typeinfer.corpus.fetch import fetch_pypi

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    project = tmp_path / "app"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent(APP))
    lib = make_env(project / ".venv")
    wheel = fetch_pypi("httpx", "0.28.1")  # pinned, inline-annotated (py.typed)
    shutil.copytree(wheel / "httpx", lib / "httpx")
    shutil.copytree(wheel / "httpx-0.28.1.dist-info", lib / "httpx-0.28.1.dist-info")
    (lib / "broken").mkdir()
    (lib / "broken" / "__init__.py").write_text("def compute(:\n")  # a package that does not parse

    def rows() -> dict[str, tuple[str, str]]:
        result = infer_project(project, InferenceOptions(jobs=1, rounds=3))
        return {f"{p.function}.{p.name}.{p.kind}": (p.type, p.source) for p in result.predictions}

    with_env = rows()
    assert with_env["fetch.client.variable"] == ("Client", "static")
    assert with_env["fetch.response.variable"] == ("Response", "static")
    assert with_env["fetch.fetch.return"] == ("Response", "static")
    assert with_env["make_client.make_client.return"] == ("AsyncClient", "static")
    assert with_env["odd.value.variable"][1] != "static"
    assert with_env["afetch.session.variable"] == ("AsyncClient", "static")  # async with: awaited __aenter__
    assert with_env["afetch.page.variable"] == ("Response", "static")  # await of a library coroutine

    shutil.move(project / ".venv", tmp_path / "moved-away")  # the same project, without the environment
    without = rows()
    assert all(without[k][1] != "static" for k in ("fetch.client.variable", "fetch.response.variable",
                                                   "make_client.make_client.return"))
    # the command line: --python, and the annotation imports the public name
    out = subprocess.run([sys.executable, "-m", "typeinfer", "annotate", str(project), "-q",
                          "--python", str(tmp_path / "moved-away" / "bin" / "python")],
                         capture_output=True, text=True, env={**os.environ, "TYPEINFER_CACHE": str(tmp_path / "cache")})
    assert out.returncode == 0, out.stderr
    assert "from httpx import AsyncClient, Client, Response" in out.stdout
    assert "-> Response:" in out.stdout


@pytest.mark.network
def test_private_modules_are_named_by_the_package_that_exports_them():
    from typeinfer.corpus.fetch import fetch_pypi

    ts = Typeshed(search_path=(fetch_pypi("httpx", "0.28.1"),))
    assert ts.resolve("httpx.Client") == "httpx.Client"
    fact = ts.method_return("httpx.Client", "get", (), 1, (), None)
    assert fact is not None and fact.full_type == "httpx.Response"
    assert fact.type == "Response"


@pytest.mark.network
@pytest.mark.slow
def test_a_real_package_with_its_dependencies_installed_gains(tmp_path, monkeypatch):
    """typer 0.12.5, its annotations stripped and inferred back, with click, rich, shellingham and
    typing_extensions installed beside it, against the same run without them."""
    from typeinfer.analyzer.evaluate_dir import evaluate_directory
    from typeinfer.corpus.fetch import fetch_pypi

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    shutil.copytree(fetch_pypi("typer", "0.12.5") / "typer", tmp_path / "typer")
    lib = make_env(tmp_path / ".venv")
    for name, version in (("click", "8.1.8"), ("rich", "13.9.4"), ("shellingham", "1.5.4"),
                          ("typing_extensions", "4.12.2")):
        for entry in fetch_pypi(name, version).iterdir():
            if not entry.name.startswith("."):
                (shutil.copytree if entry.is_dir() else shutil.copy)(entry, lib / entry.name)

    def scored() -> tuple[float, int]:
        report = evaluate_directory(tmp_path / "typer", jobs=1, rounds=3)
        static = sum(1 for s in report.sources if s == "static")
        return report.metrics.languages["python"].model.exact, static

    exact_with, static_with = scored()
    shutil.move(tmp_path / ".venv", tmp_path / "moved-away")
    exact_without, static_without = scored()
    assert static_with > static_without
    assert exact_with > exact_without


@pytest.mark.network
def test_a_flow_through_a_library_object_is_found_with_the_environment(tmp_path, monkeypatch):
    """A helper in another file returns `requests.Session()`; its `get` is an SSRF sink only
    once the session's type is known, which the installed requests package tells."""
    from typeinfer.corpus.fetch import fetch_pypi

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    project = tmp_path / "proxy"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "clients.py").write_text(textwrap.dedent("""
        import requests


        def make_session():
            s = requests.Session()
            s.headers["User-Agent"] = "proxy"
            return s
    """))
    (project / "app" / "views.py").write_text(textwrap.dedent("""
        from flask import Flask, request
        from app.clients import make_session

        app = Flask(__name__)


        @app.route("/proxy")
        def proxy():
            session = make_session()
            target = request.args["url"]
            return session.get(target).text
    """))
    lib = make_env(tmp_path / "env-folder")
    for entry in fetch_pypi("requests", "2.32.3").iterdir():
        if not entry.name.startswith("."):
            (shutil.copytree if entry.is_dir() else shutil.copy)(entry, lib / entry.name)

    def findings(*extra: str) -> list[dict]:
        out = subprocess.run([sys.executable, "-m", "typeinfer", "scan", str(project), "--format", "json", "-q",
                              "--no-cache", *extra], capture_output=True, text=True,
                             env={**os.environ, "TYPEINFER_CACHE": str(tmp_path / "cache")})
        assert out.returncode in (0, 1), out.stderr
        return json.loads(out.stdout)["findings"]

    assert findings() == []
    found = findings("--python", str(tmp_path / "env-folder"))
    assert [(f["rule"], f["file"], f["line"]) for f in found] == [("py-ssrf", "app/views.py", 12)]


def test_a_name_an_installed_module_binds_twice_has_no_type(tmp_path):
    package = tmp_path / "site-packages" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent("""
        def f() -> int: ...
        def f() -> str: ...
        def k() -> int: ...
        k = str
        def g() -> bytes: ...
    """))
    ts = Typeshed(search_path=(tmp_path / "site-packages",))
    assert ts.function_return("pkg.f", 0, (), None) is None  # the last definition wins at run time
    assert ts.function_return("pkg.k", 0, (), None) is None
    assert ts.function_return("pkg.g", 0, (), None).type == "bytes"


@pytest.mark.network
def test_an_async_with_client_a_helper_makes_is_typed_by_the_installed_httpx(tmp_path, monkeypatch):
    """``async with client() as c: await c.get(url)``, the client made by a project helper: the
    helper returns an ``httpx.AsyncClient`` and ``c`` is what its ``__aenter__`` gives, both known
    only from the installed httpx, so the SSRF is found with the environment and not without.
    (A client made in place, ``async with httpx.AsyncClient() as c``, is an instance of a class by
    its name: found either way.)"""
    from typeinfer.corpus.fetch import fetch_pypi

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    project = tmp_path / "svc"
    project.mkdir()
    fixture = Path(__file__).parent / "fixtures" / "scan" / "fastapi_app.py"
    (project / "fastapi_app.py").write_bytes(fixture.read_bytes())
    (project / "proxy.py").write_text(textwrap.dedent("""
        import httpx
        from fastapi import FastAPI

        app = FastAPI()


        def client():
            return httpx.AsyncClient(timeout=5)


        @app.get("/relay")
        async def relay(url: str):
            async with client() as c:
                r = await c.get(url)
            return r.text
    """))
    lib = make_env(tmp_path / "env-folder")
    shutil.copytree(fetch_pypi("httpx", "0.28.1") / "httpx", lib / "httpx")

    def ssrf(*extra: str) -> set[tuple[str, int]]:
        out = subprocess.run([sys.executable, "-m", "typeinfer", "scan", str(project), "--format", "json", "-q",
                              "--no-cache", *extra], capture_output=True, text=True,
                             env={**os.environ, "TYPEINFER_CACHE": str(tmp_path / "cache")})
        assert out.returncode in (0, 1), out.stderr
        return {(f["file"], f["line"]) for f in json.loads(out.stdout)["findings"]
                if f["rule"] == "py-ssrf" and f["confidence"] == "high"}

    in_place = ("fastapi_app.py", next(i for i, text in enumerate(fixture.read_text().splitlines(), 1)
                                       if "await client.get(url)" in text))
    helper = ("proxy.py", next(i for i, text in enumerate((project / "proxy.py").read_text().splitlines(), 1)
                              if "await c.get(url)" in text))
    without, with_env = ssrf(), ssrf("--python", str(tmp_path / "env-folder"))
    assert in_place in without and in_place in with_env
    assert helper not in without and helper in with_env

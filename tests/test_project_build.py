"""Whole-project builds: parallel workers, the on-disk cache, and updating one file in place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import typeinfer.cpg.project as project_module
from typeinfer.cpg.project import BuildOptions, build_project, update_file
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop, validate


def write_project(root: Path, n: int = 8) -> Path:
    for i in range(n):
        (root / f"mod{i}.py").write_text(
            f"from mod{(i + 1) % n} import f{(i + 1) % n}\n\n"
            f"def f{i}(x):\n    y = x + {i}\n    if y > 3:\n        return f{(i + 1) % n}(y)\n    return y\n"
        )
        (root / f"ui{i}.ts").write_text(
            f"import {{ g{(i + 1) % n} }} from './ui{(i + 1) % n}';\n"
            f"export function g{i}(a: number): number {{ let b = a * {i}; for (const c of [1, 2]) {{ b += c; }} return b; }}\n"
        )
    return root


def test_parallel_build_equals_sequential_build(tmp_path):
    root = write_project(tmp_path)
    one = build_project(root, BuildOptions(jobs=1, use_cache=False))
    two = build_project(root, BuildOptions(jobs=2, use_cache=False))
    assert one.summary() == two.summary()
    assert set(one.g.edges(keys=True)) == set(two.g.edges(keys=True))
    assert validate(two.g) == []
    # the cross-file calls resolved in both
    resolved = [c for c in two.nodes(NodeKind.CALL) if two.out(c, EdgeKind.CALL)]
    assert len(resolved) == 8  # each Python f_i calls the imported f_(i+1)


def test_second_build_of_an_unchanged_tree_comes_from_the_cache(tmp_path, monkeypatch):
    root = tmp_path / "src"
    root.mkdir()
    write_project(root)
    options = BuildOptions(jobs=1, cache_dir=tmp_path / "cache")
    first = build_project(root, options)

    def no_rebuild(source):  # noqa: ANN001, ANN202
        raise AssertionError(f"{source.relpath} was rebuilt")

    monkeypatch.setattr(project_module, "build_file", no_rebuild)
    second = build_project(root, options)
    assert second.summary() == first.summary()


def test_a_changed_file_is_the_only_one_rebuilt(tmp_path, monkeypatch):
    root = tmp_path / "src"
    root.mkdir()
    write_project(root)
    options = BuildOptions(jobs=1, cache_dir=tmp_path / "cache")
    build_project(root, options)
    (root / "mod3.py").write_text("def f3(x):\n    return str(x)\n")
    rebuilt: list[str] = []
    real = project_module.build_file

    def recording(source):  # noqa: ANN001, ANN202
        rebuilt.append(source.relpath)
        return real(source)

    monkeypatch.setattr(project_module, "build_file", recording)
    cpg = build_project(root, options)
    assert rebuilt == ["mod3.py"]
    assert any(cpg.get(n, Prop.NAME) == "str" for n in cpg.file_nodes("mod3.py"))


def test_update_file_replaces_one_file_and_relinks(tmp_path):
    root = write_project(tmp_path)
    cpg = build_project(root, BuildOptions(jobs=1, use_cache=False))
    before = {path: len(cpg.file_nodes(path)) for path in cpg.files}
    update_file(cpg, "mod0.py", "def f0(x, z):\n    return helper(x)\n\ndef helper(v):\n    return v\n")
    assert validate(cpg.g) == []
    assert {path: len(cpg.file_nodes(path)) for path in cpg.files if path != "mod0.py"} == \
        {path: n for path, n in before.items() if path != "mod0.py"}
    params = [cpg.get(n, Prop.NAME) for n in cpg.file_nodes("mod0.py") if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN]
    assert params == ["x", "z", "v"]
    helper_call = next(n for n in cpg.file_nodes("mod0.py") if cpg.get(n, Prop.NAME) == "helper"
                       and cpg.kind(n) == NodeKind.CALL)
    assert [cpg.get(m, Prop.FULL_NAME) for m in cpg.out(helper_call, EdgeKind.CALL)] == ["mod0.py:helper"]
    # mod7 imports f0 from mod0: its call edge now points at the new f0
    call_f0 = next(n for n in cpg.file_nodes("mod7.py") if cpg.get(n, Prop.NAME) == "f0" and cpg.kind(n) == NodeKind.CALL)
    assert [m[0] for m in cpg.out(call_f0, EdgeKind.CALL)] == ["mod0.py"]


def nodes_by_scan(cpg, kind: NodeKind) -> list:
    return [n for n, props in cpg.g.nodes(data=True) if props[Prop.KIND] == kind]


def test_the_nodes_of_a_kind_follow_updates_removals_and_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    (tmp_path / "p").mkdir()
    root = write_project(tmp_path / "p")
    cpg = build_project(root, BuildOptions(jobs=1))
    kinds = sorted({props[Prop.KIND] for _, props in cpg.g.nodes(data=True)})
    assert [list(cpg.nodes(k)) for k in kinds] == [nodes_by_scan(cpg, k) for k in kinds]  # builds the index
    update_file(cpg, "mod0.py", "class C:\n    def m(self):\n        return helper(1)\n\ndef helper(v):\n    return v\n")
    cpg.remove_file("ui3.ts")
    assert [list(cpg.nodes(k)) for k in kinds] == [nodes_by_scan(cpg, k) for k in kinds]
    assert [m[0] for m in cpg.nodes(NodeKind.TYPE_DECL) if m[0] == "mod0.py"] == ["mod0.py"]
    cached = build_project(root, BuildOptions(jobs=1))  # read back from the graph cache
    assert [list(cached.nodes(k)) for k in kinds] == [nodes_by_scan(cached, k) for k in kinds]


def test_graph_command_prints_counts_per_kind_as_json(tmp_path):
    root = write_project(tmp_path, 3)
    result = subprocess.run([sys.executable, "-m", "typeinfer", "graph", str(root), "--format", "json",
                             "--no-cache", "-j", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["files"] == 6 and summary["languages"] == {"python": 3, "typescript": 3}
    assert summary["nodes_by_kind"]["METHOD"] == 12  # 6 functions + 6 <module>
    assert summary["edges_by_kind"]["CALL"] == 3
    assert summary["files_with_parse_errors"] == []


@pytest.mark.parametrize("name", ["a.py", "b.tsx", "c.js", "d.mjs"])
def test_single_file_paths_are_accepted(tmp_path, name):
    path = tmp_path / name
    path.write_text("x = 1\n" if name.endswith(".py") else "const x = 1;\n")
    cpg = build_project(path, BuildOptions(jobs=1, use_cache=False))
    assert list(cpg.files) == [name]


def test_editing_a_module_variable_re_links_the_files_that_import_it():
    """A file's module variable is part of what other files link against: ``from a import db;
    db.query()`` follows ``db = Database()`` -> ``db = Cache()`` after an in-place update, as a
    full build of the new text does."""
    from typeinfer.cpg.project import build_sources, update_file
    from typeinfer.cpg.schema import NodeKind, Prop
    from typeinfer.cpg.source import source_from_text

    files = {
        "c.py": "class Database:\n    def query(self, q):\n        return q\n\n\nclass Cache:\n    def query(self, q):\n"
                "        return None\n",
        "a.py": "from c import Database, Cache\n\ndb = Database()\n",
        "b.py": "from a import db\n\n\ndef run():\n    return db.query('x')\n",
    }
    cpg = build_sources([source_from_text(text, path) for path, text in files.items()])

    def query_calls():
        return [cpg.get(n, Prop.METHOD_FULL_NAME) for n in cpg.nodes(NodeKind.CALL)
                if n[0] == "b.py" and cpg.get(n, Prop.NAME) == "query"]

    assert query_calls() == ["c.py:Database.query"]
    update_file(cpg, "a.py", "from c import Database, Cache\n\ndb = Cache()\n")
    assert query_calls() == ["c.py:Cache.query"]


def test_ast_children_come_in_order_from_fresh_and_cached_graphs(tmp_path):
    # the builder's own sources: every Python construct it handles, plus the TypeScript fixtures
    root = Path(__file__).resolve().parent.parent
    sources = tmp_path / "src"
    sources.mkdir()
    for path in [*sorted((root / "cpg" / "frontends").glob("*.py")), *sorted((root / "tests/fixtures/scan").rglob("*.ts"))]:
        (sources / path.name).write_bytes(path.read_bytes())
    cache = tmp_path / "cache"
    for _ in range(2):  # built, then read back from the cache
        cpg = build_project(sources, BuildOptions(jobs=1, cache_dir=cache))
        checked = 0
        for n in cpg.g.nodes:
            kids = cpg.ast_children(n)
            orders = [cpg.get(k, Prop.ORDER) for k in kids]
            assert orders == sorted(orders) == list(range(1, len(kids) + 1)), n
            checked += len(kids)
        assert checked > 5000

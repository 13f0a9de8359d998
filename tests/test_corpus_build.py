"""Tests of `typeinfer corpus build`: records from a local package, file selection, de-duplication,
project splits, resumability, the committed sample; one real download with the network mark."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from typeinfer.analyzer.canonical_types import canonicalize
from typeinfer.analyzer.slice_schema import TrainingRecord
from typeinfer.corpus import cli
from typeinfer.corpus.assemble import assemble
from typeinfer.corpus.build import (
    APP_MAX_FILES, PackageSpec, build_package, fetch_package, package_paths, package_state, read_specs, run_packages,
    sample_files, select_files, write_package,
)
from typeinfer.corpus.dedup import fingerprint, find_duplicates
from typeinfer.corpus.fetch import META_FILE, npm_dir_name
from typeinfer.corpus.splits import assign_splits, bucket, split_of
from typeinfer.typemodel.data import read_applications

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "samples" / "records"

PY_MODELS = '''\
from typing import Any, Optional, Mapping


class User:
    name: str

    def __init__(self, name: str, meta: Any) -> None:
        self.name = name

    def greet(self, other: "User") -> Optional[str]:
        return other.name + self.name


def lookup(table: Mapping[str, int], key: str = "a") -> User | None:
    value: int = table[key]
    return None
'''

TS_INDEX = '''\
export interface Item { id: number }
export function pick(items: Item[], n: number): Item | undefined {
  const found: Item | undefined = items.find((i) => i.id === n);
  const extra: any = 1;
  return found;
}
'''

LONG_PY = "\n".join(
    f"def function_{i}(alpha: int, beta: str) -> str:\n    return beta * alpha + str({i})\n" for i in range(30)
)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def records_by_name(records: list[TrainingRecord]) -> dict[tuple[str, str], TrainingRecord]:
    return {(r.kind, r.slice.name): r for r in records}


# --------------------------------------------------------------------------------------------
# One package -> records


def test_python_records_have_canonical_labels_and_user_types(tmp_path):
    root = write_tree(tmp_path / "pkg", {"src/pkg/models.py": PY_MODELS})
    result = build_package(root, "pypi:pkg==1.0", "python")
    recs = records_by_name(result.records)
    assert result.user_types == ["User"]
    assert recs[("return", "greet")].label == "str | None"
    assert recs[("return", "greet")].label_full == "Optional[str]"  # no project type: as written
    assert recs[("parameter", "table")].label == "Mapping[str, int]"
    other = recs[("parameter", "other")]
    assert other.label == "User" and other.is_user_type and other.label_full == "pkg.models.User"
    ret = recs[("return", "lookup")]
    assert ret.label == "User | None" and ret.is_user_type and ret.label_full == "pkg.models.User | None"
    assert not recs[("variable", "value")].is_user_type
    # Any says nothing: no record, but counted
    assert ("parameter", "meta") not in recs
    assert result.stats["slots_uninformative"] == 1
    for r in result.records:
        assert r.label == canonicalize(r.slice.declared_type, "python")
        assert (r.project, r.language, r.file) == ("pypi:pkg==1.0", "python", "src/pkg/models.py")


def test_typescript_records_exclude_any_and_qualify_user_types(tmp_path):
    root = write_tree(tmp_path / "pkg", {"src/lib/index.ts": TS_INDEX, "src/lib/types.d.ts": "export type X = string;\n"})
    result = build_package(root, "npm:pkg@1.0", "typescript")
    recs = records_by_name(result.records)
    assert ("variable", "extra") not in recs  # any
    found = recs[("variable", "found")]
    assert found.label == "Item | undefined" and found.is_user_type
    assert found.label_full == "src/lib:Item | undefined"
    assert recs[("parameter", "n")].label == "number" and not recs[("parameter", "n")].is_user_type
    assert {f.file for f in result.files} == {"src/lib/index.ts"}  # .d.ts left out


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _strings(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in _strings(v)]
    return []


@pytest.mark.parametrize("language,files", [("python", {"m.py": PY_MODELS}), ("typescript", {"m.ts": TS_INDEX})])
def test_label_only_in_declared_type(tmp_path, language, files):
    """The annotation must not leak into what the model reads (everything but declared_type)."""
    result = build_package(write_tree(tmp_path / "p", files), "x:p", language)
    assert result.records
    for r in result.records:
        data = r.slice.to_json()
        annotation = data.pop("declared_type")
        for text in _strings(data):
            assert f": {annotation}" not in text and f"-> {annotation}" not in text, (annotation, text)
            if any(c in annotation for c in "[|\"<"):
                assert annotation not in text, (annotation, text)


def test_select_files_skips_declarations_vendored_generated_minified_and_large(tmp_path):
    root = write_tree(tmp_path / "p", {
        "src/a.ts": "export const a: number = 1;\n",
        "src/a.d.ts": "export declare const a: number;\n",
        "src/gen/x.ts": "// Code generated by protoc. DO NOT EDIT.\nexport const b = 1;\n",
        "node_modules/dep/index.ts": "export const c = 1;\n",
        "vendor/v.ts": "export const d = 1;\n",
        "dist/bundle.ts": "var a=1;" * 1000,
        "big.ts": "// x\n" + "export const e = 1;\n" * 20000,
        "tests/a.test.ts": "import {a} from '../src/a';\n",
        "lib/code.js": "module.exports = 1;\n",
    })
    files, skipped = select_files(root, "typescript")
    assert [rel for _, rel in files] == ["src/a.ts", "tests/a.test.ts"]
    assert skipped["declaration"] == 1 and skipped["generated"] == 1
    assert skipped["minified"] == 1 and skipped["too_large"] == 1


# --------------------------------------------------------------------------------------------
# De-duplication and splits


def test_dedup_drops_exact_and_near_copies_and_keeps_the_first():
    near = LONG_PY.replace("str(7)", "str(700)")
    other = LONG_PY.replace("alpha", "gamma").replace("beta", "delta").replace("return", "yield")
    fps = [
        fingerprint("a", "orig.py", LONG_PY),
        fingerprint("b", "copy.py", LONG_PY.replace("\n", "\n\n").replace("    ", "  ")),  # reformatted
        fingerprint("c", "near.py", near),
        fingerprint("d", "other.py", other),
        fingerprint("e", "tiny.py", "x = 1\n"),
    ]
    result = find_duplicates(fps)
    assert result.exact == {("b", "copy.py"): ("a", "orig.py")}
    assert result.near == {("c", "near.py"): ("a", "orig.py")}
    assert result.checked == 4  # the tiny file is not checked
    assert result.ratio == pytest.approx(0.5)


def test_split_is_stable_and_ignores_versions():
    assert bucket("pypi:attrs==23.2.0") == bucket("pypi:attrs==24.1.0") == bucket("pypi:ATTRS==1")
    assert bucket("npm:@scope/pkg@1.0.0") == bucket("npm:@scope/pkg@2.0.0")
    # sha256 based: this value is fixed for ever (a change reshuffles the corpus)
    import hashlib
    want = int.from_bytes(hashlib.sha256(b"pypi:attrs").digest()[:8], "big") % 100
    assert bucket("pypi:attrs==1") == want
    projects = {f"pypi:p{i}==1": "python" for i in range(40)} | {f"npm:q{i}@1": "typescript" for i in range(40)}
    a, b = assign_splits(projects), assign_splits(dict(reversed(list(projects.items()))))
    assert a == b
    for lang in ("python", "typescript"):
        assert {a[p] for p, lg in projects.items() if lg == lang} == {"train", "valid", "test"}
    share = sum(v == "train" for v in a.values()) / len(a)
    assert 0.6 < share < 0.95
    # few projects: every split still gets each language
    small = assign_splits({"pypi:a==1": "python", "pypi:b==1": "python", "pypi:c==1": "python",
                           "npm:x@1": "typescript", "npm:y@1": "typescript", "npm:z@1": "typescript"})
    for lang_prefix in ("pypi", "npm"):
        assert {s for p, s in small.items() if p.startswith(lang_prefix)} == {"train", "valid", "test"}
    assert split_of("pypi:attrs==1") in ("train", "valid", "test")


def _fake_cache_package(cache: Path, spec: PackageSpec, files: dict[str, str]) -> None:
    """Put an extracted package where `fetch_npm`/`fetch_pypi` find it (a cache hit, no network)."""
    from typeinfer.corpus.fetch import pypi_dir_name

    d = cache / spec.registry / (npm_dir_name(spec.name, spec.version) if spec.registry == "npm"
                                 else pypi_dir_name(spec.name, spec.version))
    write_tree(d, files)
    (d / META_FILE).write_text("{}")


def _specs_and_cache(tmp_path: Path) -> tuple[list[PackageSpec], Path]:
    cache = tmp_path / "cache"
    specs = []
    for i in range(3):
        s = PackageSpec("pypi", f"pyproj{i}", "1.0")
        body = PY_MODELS + LONG_PY.replace("function_", f"f{i}_").replace("alpha", f"a{i}") if i else PY_MODELS
        _fake_cache_package(cache, s, {f"pyproj{i}/models.py": body, f"pyproj{i}/copy_of_models.py": PY_MODELS})
        specs.append(s)
        t = PackageSpec("npm", f"@s/tsproj{i}", "1.0")
        _fake_cache_package(cache, t, {f"src/mod{i}.ts": TS_INDEX.replace("Item", f"Item{i}")})
        specs.append(t)
    return specs, cache


def test_assemble_splits_by_project_and_drops_duplicate_files(tmp_path):
    specs, cache = _specs_and_cache(tmp_path)
    for spec in specs:
        root = fetch_package(spec, cache)
        write_package(tmp_path / "out", spec, build_package(root, spec.project, spec.language), 0.1)
    meta = assemble(tmp_path / "out", specs)
    v1 = tmp_path / "out" / "v1"
    seen: dict[str, str] = {}
    langs = {s: set() for s in ("train", "valid", "test")}
    for split in ("train", "valid", "test"):
        with gzip.open(v1 / f"records-{split}.jsonl.gz", "rt") as f:
            for line in f:
                r = TrainingRecord.from_json(json.loads(line))
                assert r.split == split
                assert seen.setdefault(r.project, split) == split  # a project lives in one split
                langs[split].add(r.language)
    assert all(v == {"python", "typescript"} for v in langs.values())
    with gzip.open(v1 / "projects.jsonl.gz", "rt") as f:
        projects = [json.loads(line) for line in f]
    assert sorted(p["project"] for p in projects) == sorted(s.project for s in specs)
    assert all(set(p) == {"project", "language", "split", "user_types", "imported_types", "visible", "application"}
               for p in projects)
    assert not any(p["application"] for p in projects) and meta["stats"]["applications"] == {}
    # PY_MODELS appears in all three python packages (twice in each): only the first copy is kept
    d = meta["stats"]["dedup"]
    assert (d["exact_duplicates"], d["near_duplicates"]) == (3, 0)
    assert meta["counts"] == json.loads((v1 / "meta.json").read_text())["counts"]
    assert sum(meta["counts"].values()) == sum(1 for s in ("train", "valid", "test")
                                               for _ in gzip.open(v1 / f"records-{s}.jsonl.gz", "rt"))


def test_sample_files_keeps_every_part_of_a_large_package():
    files = [(Path(f"p/{i:03}.py"), f"{d}/{i:03}.py") for d in ("api", "core", "web") for i in range(100)]
    kept = sample_files(files, 30)
    assert len(kept) == 30 and kept == sorted(kept, key=lambda f: f[1])
    assert {rel.split("/")[0] for _, rel in kept} == {"api", "core", "web"}  # evenly spread, not the first 30
    assert sample_files(files, 30) == kept  # the same every run
    assert sample_files(files, 0) == files and sample_files(files[:5], 30) == files[:5]


def test_applications_are_read_from_their_manifest_sampled_and_split_among_themselves(tmp_path):
    manifest = tmp_path / "manifest"
    manifest.mkdir()
    header = "name\tversion\tlicense\tdomain\tfiles\tloc\tparam_annotation_density\treturn_annotation_density\thas_py_typed\n"
    (manifest / "pypi.tsv").write_text(header + "".join(f"pyproj{i}\t1.0\tMIT\tweb\t1\t100\t1\t1\tyes\n" for i in range(3)))
    (manifest / "pypi-apps.tsv").write_text(header + "".join(f"app{i}\t2.0\tMIT\tapp\t9\t900\t1\t1\tyes\n"
                                                              for i in range(4)) + "PyProj1\t1.0\tMIT\tapp\t1\t100\t1\t1\tyes\n")
    specs = read_specs(manifest)  # a library listed as an application too is built once, as a library
    assert [(s.name, s.max_files) for s in specs] == [(f"pyproj{i}", 0) for i in range(3)] + \
        [(f"app{i}", APP_MAX_FILES) for i in range(4)]
    cache = tmp_path / "cache"
    for spec in specs:
        body = PY_MODELS.replace("class ", f"class {spec.name.capitalize()}")
        _fake_cache_package(cache, spec, {f"{spec.name}/m{k}.py": body.replace("Address", f"Address{k}")
                                          for k in range(3)})
    small = [PackageSpec(s.registry, s.name, s.version, 2 if s.max_files else 0) for s in specs]
    for spec in small:
        result = build_package(fetch_package(spec, cache), spec.project, spec.language, spec.max_files)
        assert len(result.files) == (2 if spec.max_files else 3)
        assert result.stats.get("skipped_sampled_out", 0) == (1 if spec.max_files else 0)
        write_package(tmp_path / "out", spec, result, 0.1)
        assert package_state(tmp_path / "out", spec) == "done"
    # another file limit is another build of the package
    assert package_state(tmp_path / "out", PackageSpec("pypi", "app0", "2.0", APP_MAX_FILES)) == "todo"
    meta = assemble(tmp_path / "out", small)
    with gzip.open(tmp_path / "out" / "v1" / "projects.jsonl.gz", "rt") as f:
        projects = {p["project"]: p for p in map(json.loads, f)}
    apps = {p: row["split"] for p, row in projects.items() if row["application"]}
    assert sorted(apps) == sorted(s.project for s in small if s.max_files)
    assert {"valid", "test"} <= set(apps.values())  # an application report is possible on both
    assert meta["stats"]["applications"]["python"] == {s: list(apps.values()).count(s) for s in ("train", "valid", "test")}
    # the libraries' splits do not depend on the applications beside them
    libraries = [s for s in small if not s.max_files]
    assemble(tmp_path / "libs", libraries, work=tmp_path / "out")
    with gzip.open(tmp_path / "libs" / "v1" / "projects.jsonl.gz", "rt") as f:
        assert {p["project"]: p["split"] for p in map(json.loads, f)} == \
            {p: row["split"] for p, row in projects.items() if not row["application"]}
    assert read_applications(tmp_path / "out") == set(apps)
    # the applications' own report: only their records are scored
    split = next(s for s in ("test", "valid") if s in apps.values())
    with gzip.open(tmp_path / "out" / "v1" / f"records-{split}.jsonl.gz", "rt") as f:
        expected = sum(json.loads(line)["project"] in apps for line in f)
    from typeinfer.cli import main

    assert main(["eval", "--corpus", str(tmp_path / "out"), "--split", split, "--applications",
                 "--json", str(tmp_path / "apps.json")]) == 0
    report = json.loads((tmp_path / "apps.json").read_text())["languages"]["python"]["model"]
    assert report["n"] == expected > 0 and report["reach"] is not None


def test_second_run_does_nothing_and_failures_are_logged(tmp_path):
    specs, cache = _specs_and_cache(tmp_path)
    broken = PackageSpec("npm", "no-sources", "1.0")
    _fake_cache_package(cache, broken, {"README.md": "nothing to see\n"})
    out = tmp_path / "out"
    first = run_packages(specs + [broken], out, jobs=2, cache=cache)
    assert sorted(o.status for o in first).count("done") == len(specs)
    assert [o.project for o in first if o.status == "failed"] == [broken.project]
    assert package_state(out, broken) == "failed"
    stamps = {p: p.stat().st_mtime_ns for p in (out / "v1" / "packages").iterdir()}
    second = run_packages(specs + [broken], out, jobs=2, cache=cache)
    assert {o.status for o in second} == {"skipped"}
    assert {p: p.stat().st_mtime_ns for p in (out / "v1" / "packages").iterdir()} == stamps
    assemble(out, specs + [broken])
    rows = (out / "v1" / "failures.tsv").read_text().splitlines()
    assert rows[0] == "project\tstage\terror" and rows[1].startswith("npm:no-sources@1.0\tbuild\t")
    data, done, _ = package_paths(out, specs[0])
    assert data.exists() and json.loads(done.read_text())["records"] > 0


def test_cli_build_offline(tmp_path, capsys):
    specs, cache = _specs_and_cache(tmp_path)
    manifest = tmp_path / "manifest"
    manifest.mkdir()
    (manifest / "pypi.tsv").write_text("name\tversion\n" + "".join(f"{s.name}\t{s.version}\n" for s in specs if s.registry == "pypi"))
    (manifest / "npm.tsv").write_text("name\tversion\n" + "".join(f"{s.name}\t{s.version}\n" for s in specs if s.registry == "npm"))
    card = tmp_path / "README.md"
    argv = ["build", "--manifest", str(manifest), "--out", str(tmp_path / "out"), "--cache", str(cache),
            "--jobs", "1", "--card", str(card)]
    assert cli.main(argv) == 0
    assert "records" in capsys.readouterr().out
    text = card.read_text()
    assert "Records per language, kind and split" in text and "top 1000" in text and "duplicate" in text
    assert cli.main(argv + ["--limit", "1"]) == 0  # resumable: nothing rebuilt
    meta = json.loads((tmp_path / "out" / "v1" / "meta.json").read_text())
    assert meta["run"]["packages_skipped"] == 2


# --------------------------------------------------------------------------------------------
# The committed sample (read by the trainer's tests)


def test_committed_sample_is_small_and_complete():
    v1 = SAMPLE / "v1"
    size = sum(p.stat().st_size for p in v1.rglob("*") if p.is_file())
    assert size < 1_000_000
    assert not (v1 / "packages").exists()
    langs: dict[str, set[str]] = {}
    total = 0
    for split in ("train", "valid", "test"):
        with gzip.open(v1 / f"records-{split}.jsonl.gz", "rt") as f:
            for line in f:
                r = TrainingRecord.from_json(json.loads(line))
                assert r.split == split and r.label == canonicalize(r.slice.declared_type, r.language)
                langs.setdefault(split, set()).add(r.language)
                total += 1
    assert all(v == {"python", "typescript"} for v in langs.values()), langs
    assert 100 <= total <= 2000
    meta = json.loads((v1 / "meta.json").read_text())
    assert sum(meta["counts"].values()) == total


# --------------------------------------------------------------------------------------------
# Real download


@pytest.mark.network
def test_real_package_end_to_end(tmp_path):
    manifest = tmp_path / "manifest"
    manifest.mkdir()
    (manifest / "npm.tsv").write_text("name\tversion\n@chevrotain/gast\t13.2.0\n")
    out = tmp_path / "out"
    assert cli.main(["build", "--manifest", str(manifest), "--out", str(out), "--cache", str(tmp_path / "cache"),
                     "--jobs", "1", "--card", "none"]) == 0
    meta = json.loads((out / "v1" / "meta.json").read_text())
    assert meta["stats"]["packages_built"] == 1 and sum(meta["counts"].values()) > 20


@pytest.mark.network
def test_a_build_on_a_ray_instance_writes_the_records_a_local_build_writes(tmp_path):
    """The same packages (a real typed one from PyPI among them) built by local processes and by
    Ray tasks: byte-identical records."""
    ray = pytest.importorskip("ray")
    specs, cache = _specs_and_cache(tmp_path)
    real = PackageSpec("pypi", "typer", "0.12.5")
    downloaded = fetch_package(real, None)  # from PyPI once, into the user's cache; then beside the others
    shutil.copytree(downloaded, cache / "pypi" / downloaded.name)
    specs.append(real)
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    assert {o.status for o in run_packages(specs, local, jobs=2, cache=cache)} == {"done"}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert {o.status for o in run_packages(specs, on_ray, jobs=2, cache=cache, cluster="local")} == {"done"}
    finally:
        ray.shutdown()
    for out in (local, on_ray):
        assemble(out, specs)
    for split in ("train", "valid", "test"):
        name = f"records-{split}.jsonl.gz"
        assert gzip.open(on_ray / "v1" / name).read() == gzip.open(local / "v1" / name).read()
    for spec in specs:
        assert gzip.open(package_paths(on_ray, spec)[0]).read() == gzip.open(package_paths(local, spec)[0]).read()

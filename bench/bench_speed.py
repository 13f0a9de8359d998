"""typeinfer against the type checker its users already run, side by side in one run (issue 24).

Python: real typed code no one here wrote, not in the training corpus, annotations stripped
(`strip`), about 100k lines:
- `basedpyright` (npm, pinned) full check of the stripped directory: the reference;
- `typeinfer annotate DIR --format json` with a cold cache (a fresh `TYPEINFER_CACHE`);
- the same again on the unchanged tree (the caches the first run left);
- the same cold with `--no-model` (static facts only);
- `typeinfer scan` with inference and with `--no-infer`, graph cache off.
TypeScript: `annotate` against `tsc --noEmit` (the `--verify` checker) on a stripped zod.

Each run is a subprocess; wall seconds, CPU seconds (user+sys of the process and its children) and
peak memory (the whole process tree's RSS, sampled every 50 ms) are recorded.  The editor's number
(one edit inside a function -> updated hints) is `bench_lsp.py --big`'s.

    python bench/bench_speed.py [--only python|typescript] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from typeinfer.analyzer.strip import strip_tree_results
from typeinfer.analyzer.checkers import ensure_checker
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi

sys.path.insert(0, str(Path(__file__).parent))
from bench_annotate import machine  # noqa: E402

#: (registry, name, version, folder inside the package): two libraries and an application
PYTHON_CODE = [("pypi", "textual", "0.89.1", "textual"), ("pypi", "rich", "13.9.4", "rich"),
               ("pypi", "poetry", "1.8.5", "poetry")]
TYPESCRIPT_CODE = [("npm", "zod", "3.25.76", "src")]
BASEDPYRIGHT = "1.40.1"


def loc(root: Path, suffixes: tuple[str, ...]) -> int:
    """Non-blank lines of the files with `suffixes` under `root`."""
    total = 0
    for path in root.rglob("*"):
        if path.suffix in suffixes and path.is_file():
            total += sum(1 for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip())
    return total


def stripped_tree(code: list[tuple[str, str, str, str]], work: Path) -> Path:
    """The packages of `code` with their annotations stripped, side by side under `work/tree`."""
    tree = work / "tree"
    for registry, name, version, sub in code:
        source = (fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)) / sub
        strip_tree_results(source, tree / name)
    return tree


def basedpyright(tools: Path) -> list[str]:
    """``[node, script]`` of the pinned basedpyright, installed from npm into `tools` at first use."""
    prefix = tools / f"basedpyright-{BASEDPYRIGHT}"
    script = prefix / "node_modules" / "basedpyright" / "index.js"
    if not script.is_file():
        subprocess.run(["npm", "install", "--prefix", str(prefix), f"basedpyright@{BASEDPYRIGHT}", "--no-audit",
                        "--no-fund", "--loglevel=error"], check=True)
    return [shutil.which("node") or "node", str(script)]


def _tree_rss_kb(pid: int) -> int:
    """RSS of `pid` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        p = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(p)
        rss[p] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Wall and CPU seconds and peak process-tree memory of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cmd": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)), "rc": proc.returncode,
            "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak[0] / 1024),
            "stdout": out, "stderr": err.decode(errors="replace")[-2000:]}


def typeinfer(*args: str) -> list[str]:
    return [sys.executable, "-m", "typeinfer", *args]


def python_rows(work: Path, tools: Path) -> tuple[int, list[dict]]:
    tree = stripped_tree(PYTHON_CODE, work)
    lines = loc(tree, (".py",))
    cache = work / "cache"
    env = {**os.environ, "TYPEINFER_CACHE": str(cache)}
    rows = [("basedpyright full check", measure([*basedpyright(tools), "--outputjson", str(tree)], tree, env))]
    shutil.rmtree(cache, ignore_errors=True)
    cold = measure(typeinfer("annotate", str(tree), "--format", "json", "-q"), tree, env)
    rows.append(("annotate --format json, cold caches", cold))
    warm = measure(typeinfer("annotate", str(tree), "--format", "json", "-q"), tree, env)
    rows.append(("the same, re-run on the unchanged tree", warm))
    same = cold["rc"] == 0 and cold["stdout"] == warm["stdout"]
    rows[-1][1]["same_output"] = same
    shutil.rmtree(cache, ignore_errors=True)
    rows.append(("annotate --no-model, cold caches",
                 measure(typeinfer("annotate", str(tree), "--format", "json", "-q", "--no-model"), tree, env)))
    rows.append(("scan --no-infer, graph cache off",
                 measure(typeinfer("scan", str(tree), "--format", "json", "-q", "--no-cache", "--no-infer"), tree, env)))
    rows.append(("scan with inference, graph cache off",
                 measure(typeinfer("scan", str(tree), "--format", "json", "-q", "--no-cache"), tree, env)))
    return lines, rows


def typescript_rows(work: Path) -> tuple[int, list[dict]]:
    tree = stripped_tree(TYPESCRIPT_CODE, work)
    lines = loc(tree, (".ts", ".tsx"))
    (tree / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": True, "noEmit": True,
                                                                        "target": "es2022", "skipLibCheck": True},
                                                    "include": ["**/*.ts"]}))
    cache = work / "cache"
    env = {**os.environ, "TYPEINFER_CACHE": str(cache)}
    rows = [("tsc --noEmit", measure([*ensure_checker("typescript"), "--noEmit", "-p", str(tree)], tree, env))]
    shutil.rmtree(cache, ignore_errors=True)
    cold = measure(typeinfer("annotate", str(tree), "--format", "json", "-q"), tree, env)
    rows.append(("annotate --format json, cold caches", cold))
    warm = measure(typeinfer("annotate", str(tree), "--format", "json", "-q"), tree, env)
    warm["same_output"] = cold["rc"] == 0 and cold["stdout"] == warm["stdout"]
    rows.append(("the same, re-run on the unchanged tree", warm))
    return lines, rows


def render(title: str, lines: int, rows: list[tuple[str, dict]]) -> str:
    reference = rows[0][1]
    out = [f"{title}: {lines:,} non-blank lines", "",
           "| run | rc | wall s | CPU s | peak MB | wall vs reference | memory vs reference |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        same = "" if "same_output" not in r else f" (output {'identical' if r['same_output'] else 'DIFFERS'})"
        out.append(f"| {name}{same} | {r['rc']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_mb']} | "
                   f"{r['wall_s'] / reference['wall_s']:.2f}x | {r['peak_mb'] / max(1, reference['peak_mb']):.2f}x |")
    by_name = dict(rows)
    cold = by_name.get("annotate --format json, cold caches")
    warm = by_name.get("the same, re-run on the unchanged tree")
    if cold and warm:
        out.append(f"\nre-run / cold: {warm['wall_s'] / cold['wall_s']:.2f}x")
    scan_off = by_name.get("scan --no-infer, graph cache off")
    scan_on = by_name.get("scan with inference, graph cache off")
    if scan_off and scan_on:
        out.append(f"scan with inference / --no-infer: {scan_on['wall_s'] / scan_off['wall_s']:.2f}x")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["python", "typescript"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--tools", type=Path, default=Path.home() / ".cache" / "typeinfer" / "bench-tools")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-speed-"))
    report = {"machine": machine()}
    print(f"Machine: {report['machine']}\n")
    try:
        if args.only in (None, "python"):
            lines, rows = python_rows(work / "python", args.tools)
            print(render("Python (" + ", ".join(f"{n}=={v}" for _, n, v, _ in PYTHON_CODE) + ", stripped)",
                         lines, rows) + "\n", flush=True)
            report["python"] = {"loc": lines, "runs": [{"run": n, **{k: v for k, v in r.items() if k != "stdout"}}
                                                       for n, r in rows]}
        if args.only in (None, "typescript"):
            lines, rows = typescript_rows(work / "typescript")
            print(render("TypeScript (" + ", ".join(f"{n}=={v}" for _, n, v, _ in TYPESCRIPT_CODE) + ", stripped)",
                         lines, rows))
            report["typescript"] = {"loc": lines, "runs": [{"run": n, **{k: v for k, v in r.items() if k != "stdout"}}
                                                           for n, r in rows]}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

"""`typeinfer batch` on many real repositories: a local Ray instance against plain processes.

For each engine, in turn, the same batch of pinned PyPI packages (one folder each, the published
sources as they are), the same command (`scan` with inference by default), caches off:

    typeinfer batch scan REPOS --out OUT --cluster {processes|local} -j 2 --args=--no-cache

Measured: wall seconds of the whole command (Ray's start included); throughput in non-blank
source lines per second; the peak resident memory of each worker process (sampled from /proc
every 0.2 s: the pool's workers, forked from the batch's fork server, for processes; ``ray::``
worker processes for Ray) and, for Ray, of its own service processes (raylet, GCS, ...); and Ray's overhead, its wall time over the
processes' minus one.

    python bench/bench_batch.py [--json out.json] [--jobs 2] [--command scan] [--repeat 1] [--running]

With ``--running`` a third engine: a local Ray instance started before the batch (``ray start
--head``) and reached with ``--cluster auto``, as a team's standing cluster would be; its start and
stop are not timed, so it shows what Ray costs per repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from typeinfer.corpus.fetch import fetch_pypi

#: (name, version, sub-folder of what `fetch_pypi` unpacks: the wheel's top level, "" for all of it)
PACKAGES = [
    ("attrs", "24.3.0", ""), ("blinker", "1.9.0", ""), ("bottle", "0.12.25", ""), ("certifi", "2024.8.30", ""),
    ("click", "8.1.8", ""), ("colorama", "0.4.6", ""), ("flask", "3.1.0", ""), ("httpbin", "0.10.2", ""),
    ("httpx", "0.28.1", ""), ("idna", "3.10", ""), ("itsdangerous", "2.2.0", ""), ("markupsafe", "3.0.2", "src"),
    ("packaging", "24.2", ""), ("python-dateutil", "2.9.0.post0", ""), ("requests", "2.32.3", ""),
    ("shellingham", "1.5.4", ""), ("six", "1.16.0", ""), ("tabulate", "0.9.0", ""), ("toml", "0.10.2", ""),
    ("typer", "0.12.5", ""), ("werkzeug", "3.1.3", ""),
]


def checkouts(root: Path) -> int:
    """One folder per package under `root`; the non-blank source lines of them all."""
    loc = 0
    for name, version, sub in PACKAGES:
        source = fetch_pypi(name, version) / sub if sub else fetch_pypi(name, version)
        shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("*.dist-info"))
        target = root / name
        loc += sum(sum(1 for line in p.read_bytes().splitlines() if line.strip())
                   for p in target.rglob("*.py"))
    return loc


class MemorySampler(threading.Thread):
    """Peak RSS, parent and command line of every process, sampled from /proc every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.parents: dict[int, int] = {}
        self.cmdlines: dict[int, str] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    status = (entry / "status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                pid = int(entry.name)
                rss_kb = int(fields["VmRSS"].split()[0]) if "VmRSS" in fields else 0
                self.parents[pid] = int(fields.get("PPid", "0").strip())
                self.cmdlines[pid] = cmdline
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss_kb)
            time.sleep(0.2)

    def descends_from(self, pid: int, ancestor: int) -> bool:
        for _ in range(20):
            pid = self.parents.get(pid, 0)
            if pid == ancestor:
                return True
            if pid <= 1:
                return False
        return False


def run_engine(cluster: str, repos: Path, out: Path, jobs: int, command: str) -> dict:
    cmd = [sys.executable, "-m", "typeinfer", "batch", command, str(repos), "--out", str(out), "--cluster", cluster,
           "-j", str(jobs), "-q", "--args=--no-cache"]
    sampler = MemorySampler()
    sampler.start()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    workers, services = [], []
    for pid, kb in sampler.peaks.items():
        line = sampler.cmdlines.get(pid, "")
        if cluster == "processes":
            # the pool's workers: forked from the fork server the batch started (not the server itself)
            parent = sampler.parents.get(pid, 0)
            if sampler.descends_from(pid, proc.pid) and "forkserver" in sampler.cmdlines.get(parent, "") \
                    and parent != proc.pid:
                workers.append(kb)
        elif "ray::" in line:
            workers.append(kb)
        elif any(s in line for s in ("raylet", "gcs_server", "ray/_private", "ray/dashboard", "log_monitor")):
            services.append(kb)
    return {"cluster": cluster, "returncode": proc.returncode, "wall_s": round(wall, 1),
            "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",
            "worker_peak_rss_mb": sorted(round(kb / 1024) for kb in workers)[-jobs:],
            "ray_services_peak_rss_mb": round(sum(services) / 1024) if services else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--command", default="scan", choices=["scan", "annotate", "graph"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine, alternating")
    parser.add_argument("--running", action="store_true",
                        help="also run on a local Ray instance started before the batch (`ray start --head`, "
                             "`--cluster auto`): Ray's per-repository cost without its start and stop")
    args = parser.parse_args()
    engines = ("processes", "local", "auto") if args.running else ("processes", "local")
    ray_cli = str(Path(sys.executable).with_name("ray"))
    with tempfile.TemporaryDirectory(prefix="typeinfer-batch-bench-") as tmp:
        repos = Path(tmp) / "repos"
        repos.mkdir()
        loc = checkouts(repos)
        rows = []
        if args.running:
            subprocess.run([ray_cli, "start", "--head", f"--num-cpus={args.jobs}", "--include-dashboard=false",
                            "--disable-usage-stats"], check=True, capture_output=True)
        try:
            for i in range(args.repeat):
                for cluster in engines:
                    row = run_engine(cluster, repos, Path(tmp) / f"out-{cluster}-{i}", args.jobs, args.command)
                    row["loc_per_s"] = round(loc / row["wall_s"])
                    rows.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            if args.running:
                subprocess.run([ray_cli, "stop"], capture_output=True)
    best = {c: min(r["wall_s"] for r in rows if r["cluster"] == c) for c in engines}
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
              "packages": len(PACKAGES), "loc": loc, "command": args.command, "jobs": args.jobs, "runs": rows,
              "ray_overhead": round(best["local"] / best["processes"] - 1, 3)}
    if args.running:
        report["ray_overhead_running_instance"] = round(best["auto"] / best["processes"] - 1, 3)
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()

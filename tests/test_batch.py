"""`typeinfer batch`: many repositories on a real local Ray instance (started here) or on local
processes, with the same per-repository answers as the single-repository commands, retries of
a killed worker's job, resume, and one-line failures that do not stop the batch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from typeinfer import cli
from typeinfer.cluster.batch import BatchOptions, run_batch
from typeinfer.cluster.repos import read_repos
from typeinfer.corpus.fetch import fetch_pypi

PACKAGES = [("colorama", "0.4.6", "colorama"), ("tabulate", "0.9.0", "tabulate"), ("bottle", "0.12.25", "bottle.py")]


@pytest.fixture(scope="module")
def ray_instance():
    """A local two-CPU Ray instance, started by the tests (skipped without the cluster extra)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def checkouts(tmp_path_factory) -> Path:
    """Three real pinned packages, one folder each."""
    root = tmp_path_factory.mktemp("checkouts")
    for name, version, sub in PACKAGES:
        source = fetch_pypi(name, version) / sub
        target = root / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir()
            shutil.copy2(source, target / source.name)
    return root


def _local_output(argv: list[str], capsys) -> dict:
    capsys.readouterr()
    assert cli.main(argv) in (0, 1)
    return json.loads(capsys.readouterr().out)


@pytest.mark.network
@pytest.mark.slow
def test_a_batch_on_ray_gives_each_repository_the_single_repository_answer(ray_instance, checkouts, tmp_path, capsys):
    for command, output, options in (("scan", "scan.sarif", ["--format", "sarif"]),
                                     ("annotate", "annotate.json", ["--format", "json"])):
        out = tmp_path / command
        summary = run_batch(read_repos(checkouts), BatchOptions(command, out, cluster="local", args=["--no-cache"]))
        assert summary.done == len(PACKAGES) and not summary.failed
        for name, _, _ in PACKAGES:
            batch = json.loads((out / name / output).read_text())
            local = _local_output([command, str(checkouts / name), *options, "-q", "--no-cache"], capsys)
            assert batch == local, (command, name)
        if command == "scan":
            merged = json.loads((out / "merged.sarif").read_text())
            assert [r["automationDetails"]["id"] for r in merged["runs"]] == ["bottle/", "colorama/", "tabulate/"]


def _ray_task_pids() -> list[int]:
    """Ray worker processes running a repository's job (not processes they started)."""
    titled = set()
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"ray::run_repo" in (entry / "cmdline").read_bytes():
                    titled.add(int(entry.name))
                    status = (entry / "status").read_text()
                    parents[int(entry.name)] = int(status.split("PPid:", 1)[1].split()[0])
            except (OSError, IndexError, ValueError):
                continue
    return sorted(pid for pid in titled if parents.get(pid) not in titled)


@pytest.mark.network
@pytest.mark.slow
def test_a_worker_killed_mid_job_is_retried_and_no_result_is_lost(ray_instance, checkouts, tmp_path):
    out = tmp_path / "out"
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(
        summary=run_batch(read_repos(checkouts), BatchOptions("annotate", out, cluster="local",
                                                             args=["--no-cache", "--jobs", "1"]))))
    thread.start()
    killed = None
    deadline = time.monotonic() + 120
    seen: dict[int, float] = {}
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        now = time.monotonic()
        running = _ray_task_pids()
        seen = {pid: seen.get(pid, now) for pid in running}  # a pid leaves when its job ends
        busy = [pid for pid, since in seen.items() if now - since > 0.5]  # well inside a job
        if busy:
            killed = busy[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    thread.join(timeout=600)
    assert killed is not None, "no Ray worker was seen running a repository"
    summary = result["summary"]
    assert summary.done == len(PACKAGES) and not summary.failed
    attempts = [json.loads((out / name / "result.json").read_text())["attempts"] for name, _, _ in PACKAGES]
    assert sorted(attempts) == [1, 1, 2]  # the killed job ran again; the others once
    for name, _, _ in PACKAGES:
        assert json.loads((out / name / "annotate.json").read_text())["predictions"]


@pytest.mark.network
def test_resume_skips_finished_unchanged_repositories(checkouts, tmp_path):
    repos = tmp_path / "repos"
    shutil.copytree(checkouts / "colorama", repos / "colorama")
    shutil.copytree(checkouts / "tabulate", repos / "tabulate")
    out = tmp_path / "out"
    options = BatchOptions("scan", out, args=["--no-model"], cluster="processes", jobs=2, resume=True)
    first = run_batch(read_repos(repos), options)
    assert (first.done, first.skipped) == (2, 0)
    again = run_batch(read_repos(repos), options)
    assert (again.done, again.skipped) == (0, 2)
    with open(repos / "tabulate" / "__init__.py", "a") as handle:
        handle.write("\n# changed\n")
    changed = run_batch(read_repos(repos), options)
    assert (changed.done, changed.skipped) == (1, 1)
    other = run_batch(read_repos(repos), BatchOptions("scan", out, args=[], cluster="processes", jobs=2, resume=True))
    assert other.done == 2  # other options: not the same result


def test_repositories_that_cannot_be_analysed_fail_in_one_line_and_the_batch_goes_on(tmp_path, capsys):
    repos = tmp_path / "repos"
    (repos / "good").mkdir(parents=True)
    (repos / "good" / "m.py").write_text("import os\n\ndef run(cmd):\n    os.system(cmd)\n")
    (repos / "docs").mkdir()
    (repos / "docs" / "README.md").write_text("no code here\n")
    listing = tmp_path / "repos.txt"
    listing.write_text("# checkouts\nrepos/good\nrepos/docs\nrepos/missing\nhttps://example.com/x.git\n")
    out = tmp_path / "out"
    status = cli.main(["batch", "scan", str(listing), "--out", str(out), "--cluster", "processes", "-j", "2",
                       "--args=--no-model"])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "docs: failed after 1 attempt(s): no Python or TypeScript files" in err
    assert "missing: failed after 1 attempt(s): no such directory" in err
    assert "x.git: failed after 1 attempt(s): not a local directory" in err
    assert json.loads((out / "good" / "result.json").read_text())["status"] == "done"
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert sorted(f["repo"] for f in failures) == ["docs", "missing", "x.git"]


def test_bad_batch_usage_is_one_line_before_any_repository_runs(tmp_path, capsys):
    (tmp_path / "repos" / "good").mkdir(parents=True)
    (tmp_path / "repos" / "good" / "m.py").write_text("x = 1\n")
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder\n")
    latin = tmp_path / "list.txt"
    latin.write_bytes(b"caf\xe9/\n")
    cases = [
        (["--out", str(taken)], "cannot write to"),
        (["--out", str(tmp_path / "o"), "--args=--help"], "see 'typeinfer scan --help'"),
        (["--out", str(tmp_path / "o"), "--args=--output x.sarif"], "--output is the batch's to choose"),
        (["--out", str(tmp_path / "o"), "--args=--no-such-option"], "--args:"),
    ]
    for extra, message in cases:
        assert cli.main(["batch", "scan", str(tmp_path / "repos"), "--cluster", "processes", *extra]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert cli.main(["batch", "scan", str(latin), "--out", str(tmp_path / "o")]) == 2
    assert "cannot read" in capsys.readouterr().err

"""A batch: one command over many repositories, on an engine, with outputs per repository.

Layout of the output folder::

    OUT/<repo>/<output>        the command's output (scan.sarif, annotate.json, graph.json)
    OUT/<repo>/result.json     `task.RepoOutcome.to_json`, written after the output: a repository
                               with ``"status": "done"`` here is finished
    OUT/failures.jsonl         one line per repository that failed: repo, path, reason, attempts
    OUT/merged.sarif           scan: every finished repository's run, one run each, with
                               ``automationDetails.id`` = "<repo>/"

A failed job (a crash, a killed worker, a time-out, an error of the analysis) is tried once
more; a repository that cannot be analysed at all (not a directory, no source files) is not.
With `resume`, a repository whose result.json says done, for the same command and arguments, the
same typeinfer and model (`task.tool_fingerprint`) and the same content fingerprint, is not run
again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from typeinfer.cpg.atomic_write import atomic_text

from .engines import Crash, make_engine
from .repos import Repo, content_fingerprint
from .task import COMMANDS, RepoOutcome, run_repo, tool_fingerprint

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]

RESULT_FILE = "result.json"
FAILURES_FILE = "failures.jsonl"
MERGED_SARIF = "merged.sarif"


@dataclass
class BatchOptions:
    """What to run, where, and where the outputs go."""

    command: str
    out: Path
    args: list[str] = field(default_factory=list)  #: the command's own options
    cluster: str = ""  #: `engines.make_engine`'s names
    jobs: int = 0
    resume: bool = False
    retries: int = 1
    timeout_s: float | None = None


@dataclass
class BatchSummary:
    """Counts for the end-of-batch line, and the repositories that failed."""

    engine: str = ""
    done: int = 0
    skipped: int = 0
    failed: list[dict] = field(default_factory=list)
    findings: int = 0

    def line(self, total: int, out: Path) -> str:
        """The end-of-batch summary line."""
        return (f"batch on {self.engine}: {total} repositories: {self.done} done, {self.skipped} unchanged "
                f"(skipped), {len(self.failed)} failed; {self.findings} findings; outputs in {out}")


def run_batch(repos: list[Repo], options: BatchOptions,
              report: Callable[[str, RepoOutcome | None, BatchSummary], None] | None = None) -> BatchSummary:
    """Run `options.command` over `repos`; `report(repo name, outcome or None when skipped,
    summary so far)` is called as each repository finishes."""
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary()
    tool = tool_fingerprint(options.args)
    todo: dict[str, Repo] = {}
    for repo in repos:
        previous = _finished(out, repo, options, tool) if options.resume else None
        if previous is not None:
            summary.skipped += 1
            summary.findings += previous.get("findings") or 0
            if report:
                report(repo.name, None, summary)
        else:
            todo[repo.name] = repo
    engine = make_engine(options.cluster, options.jobs, options.timeout_s, _process_context()) if todo else None
    summary.engine = engine.name if engine is not None else "nothing to run"
    attempts = {name: 0 for name in todo}
    try:
        for name, repo in todo.items():
            engine.submit(name, run_repo, repo, options.command, options.args)
        while engine is not None and engine.pending():
            name, outcome = engine.wait()
            repo = todo[name]
            attempts[name] += 1
            if isinstance(outcome, Crash):
                outcome = RepoOutcome(repo.name, repo.path, options.command, list(options.args),
                                      status="failed", reason=outcome)
            if outcome.status != "done" and not outcome.permanent and attempts[name] <= options.retries:
                engine.submit(name, run_repo, repo, options.command, options.args)
                continue
            outcome.attempts, outcome.tool = attempts[name], tool
            _save(out, outcome)
            if outcome.status == "done":
                summary.done += 1
                summary.findings += outcome.findings or 0
            else:
                summary.failed.append({"repo": repo.name, "path": repo.path, "reason": outcome.reason,
                                       "attempts": attempts[name]})
            if report:
                report(name, outcome, summary)
    finally:
        if engine is not None:
            engine.close()
    with atomic_text(out / FAILURES_FILE) as handle:
        handle.writelines(json.dumps(f) + "\n" for f in sorted(summary.failed, key=lambda f: f["repo"]))
    if options.command == "scan":
        _merge_sarif(out, repos)
    return summary


def _process_context():  # noqa: ANN202 - a multiprocessing context
    """Worker processes forked from a fork server that has imported the job's code already: not
    from this process, whose progress thread makes a plain fork unsafe."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["typeinfer.cluster.task"])
    return context


def _finished(out: Path, repo: Repo, options: BatchOptions, tool: str) -> dict | None:
    """The repository's result.json when it is done for these options, by this typeinfer and
    model (`tool`), and its content has not changed since, else None."""
    try:
        previous = json.loads((out / repo.name / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if previous.get("status") != "done" or previous.get("command") != options.command \
            or previous.get("args") != list(options.args) or previous.get("tool") != tool or repo.problem:
        return None
    if not (out / repo.name / previous.get("output_file", "")).is_file():
        return None
    return previous if previous.get("fingerprint") == content_fingerprint(Path(repo.path)) else None


def _save(out: Path, outcome: RepoOutcome) -> None:
    """The output, then result.json (atomically each): result.json says the output is complete."""
    folder = out / outcome.repo
    folder.mkdir(parents=True, exist_ok=True)
    if outcome.status == "done":
        with atomic_text(folder / outcome.output_file) as handle:
            handle.write(outcome.output)
    with atomic_text(folder / RESULT_FILE) as handle:
        handle.write(json.dumps(outcome.to_json(), indent=1) + "\n")


def _merge_sarif(out: Path, repos: list[Repo]) -> None:
    """One SARIF log with each finished repository's runs, tagged with the repository's name."""
    runs = []
    for repo in sorted(repos, key=lambda r: r.name):
        try:
            result = json.loads((out / repo.name / RESULT_FILE).read_text(encoding="utf-8"))
            if result.get("status") != "done":
                continue
            log = json.loads((out / repo.name / COMMANDS["scan"][0]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for run in log.get("runs", []):
            run["automationDetails"] = {"id": f"{repo.name}/"}
            runs.append(run)
    merged = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": runs}
    with atomic_text(out / MERGED_SARIF) as handle:
        handle.write(json.dumps(merged, indent=1) + "\n")

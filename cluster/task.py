"""One repository's job, as a worker runs it: the single-repository command, in-process.

The command line is the one a user would type (``typeinfer scan PATH --format sarif ...``),
parsed by the command's own parser and run by its own handler, as `typeinfer.cli.main` does, so
a batch's per-repository output is exactly the local command's.  The worker's process keeps the loaded model between repositories (the pipeline's
per-process model cache), so a worker loads it once.  What the command prints on stdout is the
output; its stderr lines are kept as the repository's log.  Nothing is written here: the
driver writes the outputs, so a result reported done is on disk whatever happens to a worker.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from typeinfer.commands import annotate, graph, scan
from typeinfer.commands.common import UsageError, UsageParser, release_graphs
from typeinfer.cpg.project import BuildError

from .repos import Repo, content_fingerprint

__all__ = ["COMMANDS", "RepoOutcome", "command_parser", "run_repo", "tool_fingerprint"]

_COMMAND_MODULES = {"scan": scan, "annotate": annotate, "graph": graph}

#: batch command -> (output file name, the command's output options)
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "scan": ("scan.sarif", ("--format", "sarif")),
    "annotate": ("annotate.json", ("--format", "json")),
    "graph": ("graph.json", ("--format", "json")),
}


@dataclass
class RepoOutcome:
    """What one repository's job gave: its output text, counts and log, or why it failed.

    JSON form (``result.json`` beside the output, without ``output``): ``repo, path, command,
    args, fingerprint, tool, status ("done"/"failed"), reason, output_file, findings, slots, seconds,
    permanent, attempts, log``."""

    repo: str
    path: str
    command: str
    args: list[str]
    fingerprint: str = ""
    tool: str = ""  #: `tool_fingerprint` of the run (set by the batch)
    status: str = "done"
    reason: str = ""
    output_file: str = ""
    findings: int | None = None  #: scan: results in the SARIF
    slots: int | None = None  #: annotate: predictions in the JSON
    seconds: float = 0.0
    permanent: bool = False  #: a failure another try cannot mend (not a directory, no source files)
    attempts: int = 1  #: tries it took (set by the batch: a crashed or failed job is tried again once)
    log: list[str] = field(default_factory=list)
    output: str = field(default="", repr=False)

    def to_json(self) -> dict:
        """The JSON form (without the output text)."""
        data = asdict(self)
        data.pop("output")
        return data


def run_repo(repo: Repo, command: str, args: list[str]) -> RepoOutcome:
    """Run `command` on `repo` with the extra command-line `args`; never raises for a problem of
    the repository (a failed outcome says why)."""
    start = time.perf_counter()
    output_file, output_args = COMMANDS[command]
    outcome = RepoOutcome(repo.name, repo.path, command, list(args), output_file=output_file)
    if repo.problem:
        outcome.permanent = True
        return _failed(outcome, repo.problem, start)
    outcome.fingerprint = content_fingerprint(Path(repo.path))
    if not outcome.fingerprint:
        outcome.permanent = True
        return _failed(outcome, "no Python or TypeScript files", start)
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = [command, repo.path, *output_args, "--quiet", *args]
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            parsed = command_parser(command).parse_args(argv)
            status = parsed.func(parsed)
    except (UsageError, BuildError) as exc:  # what the command line reports in one line, exit status 2
        return _failed(outcome, str(exc), start, stderr.getvalue())
    except (Exception, SystemExit) as exc:  # a crash on this repository: reported, the batch goes on
        return _failed(outcome, f"{type(exc).__name__}: {exc}", start, stderr.getvalue())
    finally:
        release_graphs()  # the worker goes on with the next repository
    outcome.log = [line for line in stderr.getvalue().splitlines() if line.strip()]
    if status not in (0, 1):
        return _failed(outcome, outcome.log[-1] if outcome.log else f"exit status {status}", start)
    outcome.output = stdout.getvalue()
    _count(outcome)
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome


def command_parser(command: str) -> argparse.ArgumentParser:
    """The `typeinfer` parser with just `command` (its module's own `register`): what
    `typeinfer.cli` builds for it, without the other subcommands (batch among them)."""
    parser = UsageParser(prog="typeinfer")
    _COMMAND_MODULES[command].register(parser.add_subparsers(dest="command", parser_class=UsageParser))
    return parser


def tool_fingerprint(args: list[str]) -> str:
    """What besides a repository's files decides its result: typeinfer's code, the model the
    command would load (``--model`` or the bundled one) and the files its options name
    (``--rules r.yaml``), by content."""
    from typeinfer.analyzer.result_cache import code_fingerprint
    from typeinfer.typemodel.model_files import default_model_dir
    from typeinfer.typemodel.prediction_cache import model_key

    digest = hashlib.sha256(code_fingerprint().encode())
    model = Path(args[args.index("--model") + 1]) if "--model" in args[:-1] else default_model_dir()
    try:
        digest.update(model_key(model).encode())
    except OSError:
        digest.update(b"<no model>")
    for arg in args:
        path = Path(arg)
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _failed(outcome: RepoOutcome, reason: str, start: float, log: str = "") -> RepoOutcome:
    outcome.status, outcome.reason = "failed", reason.splitlines()[0] if reason else "failed"
    outcome.log = [line for line in log.splitlines() if line.strip()] or outcome.log
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome


def _count(outcome: RepoOutcome) -> None:
    try:
        data = json.loads(outcome.output)
    except ValueError:
        return
    if outcome.command == "scan":
        outcome.findings = sum(len(run.get("results", [])) for run in data.get("runs", []))
    elif outcome.command == "annotate":
        outcome.slots = len(data.get("predictions", []))

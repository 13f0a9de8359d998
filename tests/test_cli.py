"""The `typeinfer` command line as a whole: every command module is registered, in one order;
the commands whose stage parses its own arguments (corpus, train, eval) keep their own help and
report bad usage in one line with exit status 2, without touching `argparse` for anyone else."""

from __future__ import annotations

import argparse
import gc
import pkgutil
from pathlib import Path

import pytest

import typeinfer.commands
from typeinfer import cli

ORIGINAL_ERROR = argparse.ArgumentParser.error


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_every_command_module_is_registered_once_in_order():
    modules = {m.name for m in pkgutil.iter_modules(typeinfer.commands.__path__)} - {"common"}
    assert {m.__name__.rsplit(".", 1)[1] for m in cli.COMMANDS} == modules
    assert all(callable(m.register) and callable(m.run) for m in cli.COMMANDS)
    assert _subcommands(cli.make_parser()) == ["graph", "export", "corpus", "train", "eval", "annotate",
                                               "slice", "query", "scan", "batch", "lsp"]


@pytest.mark.parametrize("argv, message", [
    ([], None),
    (["nosuch"], "typeinfer: argument COMMAND: invalid choice: 'nosuch'"),
    (["annotate"], "typeinfer annotate: the following arguments are required: path"),
    (["corpus"], "typeinfer corpus: the following arguments are required: command"),
    (["corpus", "build", "--jobs", "x"], "typeinfer corpus build: argument --jobs: invalid int value: 'x'"),
    (["train"], "typeinfer train: the following arguments are required: --corpus, --out"),
    (["train", "--corpus", "a", "--out", "b", "--bogus"], "typeinfer train: unrecognized arguments: --bogus"),
    (["eval"], "typeinfer eval: the following arguments are required: --corpus"),
    (["eval", "--split", "bogus", "--corpus", "c"], "typeinfer eval: argument --split: invalid choice: 'bogus'"),
    (["eval", "some/dir", "--bogus"], "typeinfer eval: unrecognized arguments: --bogus"),
    (["lsp", "--tcp"], "typeinfer lsp: argument --tcp: expected 2 arguments"),
])
def test_bad_usage_exits_2_with_one_line(capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    if message is None:  # no command: the help, on stderr
        assert err.startswith("usage: typeinfer [-h] [--version] COMMAND ...")
        return
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert argparse.ArgumentParser.error is ORIGINAL_ERROR


@pytest.mark.parametrize("argv, usage", [
    (["--help"], "usage: typeinfer [-h] [--version] COMMAND ..."),
    (["annotate", "--help"], "usage: typeinfer annotate [-h]"),
    (["corpus", "--help"], "usage: typeinfer corpus [-h] {build} ..."),
    (["corpus", "build", "-h"], "usage: typeinfer corpus build [-h]"),
    (["train", "--help"], "usage: typeinfer train [-h] --corpus CORPUS --out OUT"),
    (["eval", "--help"], "usage: typeinfer eval [-h] --corpus CORPUS"),
    (["eval", "dir", "--help"], "usage: typeinfer eval [-h] [--model MODEL] [--no-model]"),
    (["query", "--help"], "usage: typeinfer query [-h]"),
    (["lsp", "--help"], "usage: typeinfer lsp [-h] [--tcp HOST PORT] [--log FILE]"),
])
def test_help_comes_from_each_command(capsys, argv, usage):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(usage)


def test_version(capsys):
    from typeinfer import __version__

    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"typeinfer {__version__}"


def test_the_stages_keep_argparse_behaviour_on_their_own(capsys):
    """Run directly (`python -m typeinfer.corpus.cli`, tests), a stage uses plain argparse."""
    from typeinfer.corpus.cli import main as corpus_main
    from typeinfer.typemodel.cli import main_train

    for run in (corpus_main, main_train):
        with pytest.raises(SystemExit) as exit_:
            run([])
        assert exit_.value.code == 2
        assert "error: the following arguments are required" in capsys.readouterr().err


def test_graph_reports_the_calls_resolved_without_and_with_inference():
    import json
    import subprocess
    import sys
    from pathlib import Path

    app = Path(__file__).resolve().parent / "fixtures" / "scan_typed"
    done = subprocess.run([sys.executable, "-m", "typeinfer", "graph", str(app), "--format", "json", "--no-model",
                           "--no-cache", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    calls = json.loads(done.stdout)["calls"]
    assert calls["resolved_with_inference"] == calls["resolved_without_inference"] + calls["resolved_only_by_inference"]
    assert calls["resolved_only_by_inference"] >= 1  # cur.execute(...) needs the inferred sqlite3.Cursor
    done = subprocess.run([sys.executable, "-m", "typeinfer", "graph", str(app), "--format", "json", "--no-infer",
                           "--no-cache", "-q"], capture_output=True, text=True, timeout=300)
    assert "resolved_with_inference" not in json.loads(done.stdout)["calls"]


def test_a_command_run_in_process_leaves_the_collector_as_it_found_it(capsys):
    # the command freezes its graph for its own run; a caller running many (tests, a batch
    # worker) must get its objects back to the cycle collector, or every graph stays in memory
    import weakref

    from typeinfer.commands import graph as graph_command

    built: list[weakref.ref] = []
    build_graph = graph_command.build_graph
    graph_command.build_graph = lambda args: built.append(weakref.ref(cpg := build_graph(args))) or cpg
    try:
        assert gc.get_freeze_count() == 0
        assert cli.main(["graph", str(Path(__file__).parent / "fixtures" / "scan" / "flask_app.py"), "-q",
                         "--no-cache"]) == 0
        assert gc.get_freeze_count() == 0
    finally:
        graph_command.build_graph = build_graph
    assert len(built) == 1 and built[0]() is None  # the command's graph is freed, not left for a later build to freeze


def test_a_defect_of_typeinfer_is_one_line_and_exit_70_unless_the_traceback_is_asked_for(capsys, monkeypatch, tmp_path):
    from typeinfer.commands import graph

    def broken(args):  # stands for a bug in a project-wide pass (a RecursionError in the linker was one)
        raise RecursionError("maximum recursion depth exceeded in comparison")

    monkeypatch.setattr(graph, "run", broken)
    monkeypatch.delenv("TYPEINFER_TRACEBACK", raising=False)
    assert cli.main(["graph", str(tmp_path)]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error in `typeinfer graph " in err and "RecursionError" in err and "TYPEINFER_TRACEBACK=1" in err
    monkeypatch.setenv("TYPEINFER_TRACEBACK", "1")
    with pytest.raises(RecursionError):
        cli.main(["graph", str(tmp_path)])

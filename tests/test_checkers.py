"""The checked copy `annotate --verify` keeps (`checkers.CheckSession`), with the real
basedpyright and its language server from the test extra: a check after an edit reports what
the command line reports on the same files, including the files that import the edited one."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.checkers import Checker, check_tree, find_checker, open_session

MODULE = """\
def first(items):
    return items[0]
"""

USER = """\
from lib import first

first(["a"]).upper()
"""

#: `first` declared to return an int: its caller's `.upper()` becomes an error in another file
MODULE_ANNOTATED = b"def first(items) -> int:\n    return items[0]\n"


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "lib.py").write_text(MODULE, encoding="utf-8")
    (root / "app.py").write_text(textwrap.dedent(USER), encoding="utf-8")
    return root


def _errors(diagnostics) -> list[tuple[str, int, int, str]]:
    return sorted((d.file, d.line, d.column, d.code) for d in diagnostics)


def test_a_check_through_the_language_server_reports_what_the_command_line_reports(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    with open_session(project, "python") as session:
        assert session.incremental  # basedpyright-langserver from the test extra
        assert session.baseline == []
        after = session.check({"lib.py": MODULE_ANNOTATED})
        annotated = tmp_path / "annotated"
        _project(annotated)
        (annotated / "lib.py").write_bytes(MODULE_ANNOTATED)
        assert _errors(after) == _errors(check_tree(annotated, "python")) == [
            ("app.py", 3, 14, "reportAttributeAccessIssue")]
        assert session.check({"lib.py": MODULE.encode()}) == []  # taken back: the error goes
    assert (project / "lib.py").read_text(encoding="utf-8") == MODULE  # the project itself is never touched


def test_a_language_server_that_does_not_start_leaves_the_checks_to_the_command_line(tmp_path: Path) -> None:
    project = _project(tmp_path)
    found = find_checker("python")
    broken = Checker(found.cmd, found.label, server=(str(Path("/bin/false")),))
    with open_session(project, "python", checker=broken) as session:
        assert not session.incremental
        assert _errors(session.check({"lib.py": MODULE_ANNOTATED})) == [("app.py", 3, 14, "reportAttributeAccessIssue")]


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads the processes' working folders in /proc")
def test_closing_a_session_stops_its_language_server_and_removes_the_copy(tmp_path: Path) -> None:
    session = open_session(_project(tmp_path), "python")
    work = session.work
    assert session.incremental and _running_in(work)
    session.close()
    assert not work.exists()
    assert not _running_in(work)


def _running_in(folder: Path) -> list[int]:
    """Processes whose working folder is `folder` (the language server runs in the copy)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd").startswith(str(folder.resolve())):
                    out.append(int(entry.name))
            except OSError:
                continue
    return out

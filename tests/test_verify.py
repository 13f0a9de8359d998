"""`annotate --verify`: a real checker (basedpyright from the test extra, tsc from npm) drops the
annotations that add errors.

The edits are built with `annotate_source` directly, so these tests do not depend on the model.
Offline tests cover the pure parts (line mapping, new-error matching, attribution) and run
basedpyright; the network ones install the pinned tsc into the typeinfer cache (once, through
`ensure_checker`: `--verify` itself never installs anything) and run it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.checkers import Diagnostic, ensure_checker, find_checker
from typeinfer.analyzer.verify import CodeFacts, attribute, line_map, lines_on_disk, new_errors, verify
from typeinfer.analyzer.writer.contract import Annotation, Applied, EditResult
from typeinfer.analyzer.writer.source import annotate_source

@pytest.fixture
def pinned_tsc() -> list[str]:
    """typeinfer's pinned tsc, installed from npm into the typeinfer cache if it is not yet."""
    return ensure_checker("typescript")


PY_SOURCE = """\
def inc(x):
    return x + 1


def double(n):
    return n * 2


def shout(s):
    print(s)
"""

TS_SOURCE = """\
export function size(s) {
    return s.length;
}

export function double(n) {
    return n * 2;
}
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _param(name: str, function: str, line: int, column: int, type_: str) -> Annotation:
    return Annotation(kind="parameter", name=name, function=function, line=line, column=column, type=type_)


def _edit(root: Path, rel: str, language: str, annotations: list[Annotation]) -> tuple[Path, EditResult]:
    path = root / rel
    edit = annotate_source(path.read_bytes(), rel, language, annotations)
    assert len(edit.applied) == len(annotations), edit.skipped
    return path, edit


def _line_of(edit: EditResult, text: str) -> int:
    """The 1-based line of the annotated bytes that holds `text`."""
    return next(i for i, line in enumerate(edit.data.decode().splitlines(), 1) if text in line)


def _graph_facts(root: Path) -> CodeFacts:
    """`CodeFacts` of the project at `root`, as `annotate --verify` reads them off its graph."""
    from typeinfer.analyzer.verify_facts import graph_facts
    from typeinfer.cpg.project import BuildOptions, build_project

    return graph_facts(build_project(root, BuildOptions(use_cache=False, jobs=1)))


def _applied(edit: EditResult) -> set[tuple[str, str]]:
    return {(a.annotation.name, a.annotation.type) for a in edit.applied}


# ---------------------------------------------------------------------------------------------
# offline
# ---------------------------------------------------------------------------------------------


TS_BASE = "class Base<T> {\n  _parse(input) { return input; }\n}\n"
TS_ITEMS = "class Items<T> extends Base<T> {\n  _parse(input) { return [input]; }\n}\n"
#: a subclass whose `_parse` override the tests' error is about, beside another method (line 5)
TS_OVERRIDE = TS_BASE + "class Items<T> extends Base<T> {\n  other(n) { return n; }\n  _parse(input) { return [input]; }\n}\n"


def _override_error(line: int, column: int, more: str = "") -> Diagnostic:
    """tsc's error on `Items._parse` no longer fitting `Base._parse` (TS2416)."""
    return Diagnostic("m.ts", line, column, "TS2416", "Property '_parse' in type 'Items<T>' is not assignable to "
                                                      "the same property in base type 'Base<T>'." + more)


def test_line_map_follows_inserted_lines() -> None:
    old = b"a\nb\nc\n"
    new = b"x\ny\na\nb2\nc\n"
    assert line_map(old, new) == {1: 3, 2: 4, 3: 5}


def test_new_errors_ignore_shifted_moved_and_reworded_baseline_errors() -> None:
    edit = EditResult("m.py", "python", b"def f(x):\n    return x.y\n", b"from __future__ import annotations\n"
                      b"def f(x: int):\n    return x.y\n")
    baseline = [Diagnostic("m.py", 2, 12, "reportAttributeAccessIssue", 'Cannot access attribute "y" for class "A"'),
                Diagnostic("other.py", 7, 1, "reportCallIssue", "Expected 0 positional arguments")]
    after = [Diagnostic("m.py", 3, 12, "reportAttributeAccessIssue", 'Cannot access attribute "y" for class "int"'),
             Diagnostic("other.py", 7, 1, "reportCallIssue", "Expected 0 positional arguments"),
             Diagnostic("other.py", 9, 1, "reportCallIssue", "Expected 0 positional arguments")]
    assert new_errors(baseline, after, {"m.py": edit}) == [after[2]]


def test_attribute_prefers_named_annotation_then_enclosing_function(tmp_path: Path) -> None:
    root = _project(tmp_path, {"m.py": PY_SOURCE})
    _, edit = _edit(root, "m.py", "python", [_param("x", "inc", 1, 8, "str"), _param("n", "double", 5, 11, "int")])
    inside = Diagnostic("m.py", 3, 12, "reportOperatorIssue",
                        'Operator "+" not supported for types "str" and "Literal[1]"')
    call_site = Diagnostic("m.py", 7, 12, "reportArgumentType",
                           'Argument of type "Literal[1]" cannot be assigned to parameter "x" of type "str" '
                           'in function "inc"')
    blame = attribute([inside, call_site], {"m.py": edit})
    assert blame[inside][1].name == "x" and blame[call_site][1].name == "x"


# ---------------------------------------------------------------------------------------------
# network: real checkers
# ---------------------------------------------------------------------------------------------


def test_pyright_drops_exactly_the_wrong_annotation(tmp_path: Path) -> None:
    root = _project(tmp_path, {"pkg/__init__.py": "", "pkg/m.py": PY_SOURCE,
                               "pkg/use.py": "import requests\nfrom pkg.m import double\n\nprint(double(2))\n"})
    wrong = _param("x", "inc", 1, 8, "str")
    right = _param("n", "double", 5, 11, "int")
    edits = [_edit(root, "pkg/m.py", "python", [wrong, right])]
    result = verify(root, edits, "python")
    assert [d.annotation for d in result.dropped] == [wrong]
    assert result.dropped[0].error.code == "reportOperatorIssue"
    assert result.converged and not result.unattributed
    (path, edit), = result.edits
    assert path == root / "pkg/m.py"
    assert _applied(edit) == {("n", "int")}
    assert b"def double(n: int):" in edit.data and b"def inc(x):" in edit.data
    assert any(s.annotation == wrong and s.reason.startswith("type checker: new error") for s in edit.skipped)


def test_an_error_no_rule_ties_to_an_annotation_is_removed_by_dropping_the_fewest_nearest(tmp_path: Path) -> None:
    # the error is in a file without annotations and quotes no annotation's name: no rule blames
    # one, so the last-resort search finds the fewest annotations whose removal leaves no new error
    root = _project(tmp_path, {"pkg/__init__.py": "",
                               "pkg/m.py": "def double(n):\n    return n * 2\n\n\ndef make():\n    return loads('1')\n\n\n"
                                           "def shout(s):\n    print(s)\n\n\nfrom json import loads\n",
                               "pkg/use.py": "from pkg.m import make\n\nx = make() + 1\n"})
    good, wrong, kept = (_param("n", "double", 1, 11, "int"),
                         Annotation(kind="return", name="make", function="make", line=5, column=4, type="str"),
                         _param("s", "shout", 9, 10, "str"))
    edits = [_edit(root, "pkg/m.py", "python", [good, wrong, kept])]
    result = verify(root, edits, "python")
    assert result.converged and result.remaining == []
    assert wrong in [d.annotation for d in result.dropped]
    assert [d.annotation for d in result.dropped] == [wrong]  # the one to blame, found by checking
    assert result.rounds > 2 and not result.unattributed  # checks beyond the first tied the error to it
    (_, edit), = result.edits
    assert b"def make():" in edit.data and b"def shout(s: str):" in edit.data
    assert all(d.error.file == "pkg/use.py" for d in result.dropped)


def test_pyright_keeps_everything_when_nothing_breaks(tmp_path: Path) -> None:
    # the baseline error (`undefined_name`) stays, shifted by the inserted import: not new
    root = _project(tmp_path, {"m.py": PY_SOURCE + "\nundefined_name()\n"})
    edits = [_edit(root, "m.py", "python", [_param("n", "double", 5, 11, "int"), _param("s", "shout", 9, 10, "str")])]
    result = verify(root, edits, "python")
    assert result.dropped == [] and result.converged and result.rounds == 1
    assert result.edits[0][1].data == edits[0][1].data


@pytest.mark.network
@pytest.mark.usefixtures("pinned_tsc")
def test_tsc_drops_exactly_the_wrong_annotation(tmp_path: Path) -> None:
    root = _project(tmp_path, {"src/m.ts": TS_SOURCE,
                               "src/use.ts": 'import { double } from "./m";\nimport lodash from "lodash";\n'
                                             "console.log(double(2), lodash);\n"})
    wrong = _param("s", "size", 1, 21, "number")
    right = _param("n", "double", 5, 23, "number")
    edits = [_edit(root, "src/m.ts", "typescript", [wrong, right])]
    result = verify(root, edits, "typescript")
    assert [d.annotation for d in result.dropped] == [wrong]
    assert result.dropped[0].error.code == "TS2339"
    assert result.converged
    edit = result.edits[0][1]
    assert _applied(edit) == {("n", "number")}
    assert b"function double(n: number)" in edit.data and b"function size(s)" in edit.data


@pytest.mark.network
@pytest.mark.usefixtures("pinned_tsc")
def test_tsc_no_op_and_other_languages_pass_through(tmp_path: Path) -> None:
    root = _project(tmp_path, {"m.ts": TS_SOURCE, "p.py": PY_SOURCE})
    ts_edit = _edit(root, "m.ts", "typescript", [_param("n", "double", 5, 23, "number")])
    py_edit = _edit(root, "p.py", "python", [_param("x", "inc", 1, 8, "str")])  # wrong, but not checked here
    result = verify(root, [py_edit, ts_edit], "typescript")
    assert result.dropped == [] and result.converged
    assert result.edits == [py_edit, ts_edit]


@pytest.mark.network
def test_ensure_checker_is_idempotent() -> None:
    first = ensure_checker("typescript")
    assert ensure_checker("typescript") == first and Path(first[1]).is_file()


def test_the_python_checker_is_the_named_environments_else_typeinfers_pinned_basedpyright(tmp_path: Path) -> None:
    """No npm for Python: basedpyright from the environment given with --python, else the one the
    `verify` extra installs beside typeinfer; never a program from a .venv inside the analysed tree."""
    import sys

    root = _project(tmp_path / "proj", {"m.py": PY_SOURCE})
    own = (str(Path(sys.executable).parent / "basedpyright"),)
    env = root / ".venv"
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (env / "bin" / "basedpyright").symlink_to(Path(sys.executable).parent / "basedpyright")
    found = find_checker("python")
    assert found.cmd == own and found.label == "basedpyright 1.40.2"  # the tree's own .venv is not run
    assert find_checker("python", python=env).cmd == (str(env / "bin" / "basedpyright"),)
    result = verify(root, [_edit(root, "m.py", "python", [_param("x", "inc", 1, 8, "str")])], "python")
    assert result.checker == "basedpyright 1.40.2" and len(result.dropped) == 1


@pytest.mark.network
def test_cli_annotate_verify_reports_in_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from typeinfer import cli

    root = _project(tmp_path, {"m.py": "def answer():\n    return 42\n"})
    assert cli.main(["annotate", str(root), "--no-model", "--no-cache", "-q", "--verify"]) == 0
    out, err = capsys.readouterr()
    assert "+def answer() -> int:" in out
    assert "verify: 0 annotations dropped (new type errors)" in err


def test_cli_annotate_verify_refuses_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from typeinfer import cli

    root = _project(tmp_path, {"m.py": "x = 1\n"})
    assert cli.main(["annotate", str(root), "--verify", "--format", "json"]) != 0
    assert "--verify" in capsys.readouterr().err


def test_attribute_prefers_the_annotation_whose_type_the_message_quotes(tmp_path: Path) -> None:
    root = _project(tmp_path, {"m.py": "def f(a):\n    return 1\n"})
    ret = Annotation(kind="return", name="f", function="f", line=1, column=4, type="str")
    _, edit = _edit(root, "m.py", "python", [ret, _param("a", "f", 1, 6, "int")])
    error = Diagnostic("m.py", 4, 12, "reportReturnType", 'Type "Literal[1]" is not assignable to return type "str"')
    assert attribute([error], {"m.py": edit})[error][1] == ret


def test_an_override_error_naming_a_generic_class_blames_that_class_method(tmp_path: Path) -> None:
    root = _project(tmp_path, {"m.ts": TS_OVERRIDE})
    other = _param("n", "Items.other", 5, 8, "number")
    wrong = Annotation(kind="return", name="_parse", function="Items._parse", line=6, column=2, type="string")
    _, edit = _edit(root, "m.ts", "typescript", [other, wrong])
    error = _override_error(4, 7)
    assert attribute([error], {"m.ts": edit})[error][1] == wrong


@pytest.mark.network
@pytest.mark.parametrize("language", ["python", "typescript"])
@pytest.mark.usefixtures("pinned_tsc")
def test_the_readme_demo_written_in_place_adds_no_checker_error(tmp_path: Path, language: str) -> None:
    """The quick start's sample project, after a plain ``annotate --write`` (no --verify), has
    no error that pyright / tsc did not report before."""
    import shutil

    from typeinfer import cli
    from typeinfer.analyzer.checkers import check_tree
    from typeinfer.analyzer.writer.contract import EditResult

    sample = Path(__file__).resolve().parent.parent / "corpus" / "samples" / "project"
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(sample, before)
    shutil.copytree(sample, after)
    assert cli.main(["annotate", str(after), "--write", "--no-cache", "-q", "-j", "1"]) == 0
    suffix = ".py" if language == "python" else ".ts"
    edits = {p.relative_to(before).as_posix(): EditResult(p.name, language, p.read_bytes(),
                                                          (after / p.relative_to(before)).read_bytes())
             for p in before.rglob(f"*{suffix}")}
    assert any(e.changed for e in edits.values())
    assert new_errors(check_tree(before, language), check_tree(after, language), edits) == []


@pytest.mark.network
@pytest.mark.usefixtures("pinned_tsc")
def test_tsc_call_site_error_in_an_unannotated_file_drops_the_parameter_it_contradicts(tmp_path: Path) -> None:
    """tsc's TS2345 names neither the parameter nor the function: the call around the argument
    is read back from the calling file, which holds no annotation."""
    root = _project(tmp_path, {
        "src/jwt.ts": """
            export function isValidJWT(jwt, alg) {
              return alg ? jwt.length > 0 : false;
            }
        """,
        "src/use.ts": """
            import { isValidJWT } from './jwt';
            export const ok = isValidJWT({ typ: 'x' }, 'HS256');
        """,
    })
    wrong = _param("jwt", "isValidJWT", 2, 28, "string")
    right = _param("alg", "isValidJWT", 2, 33, "string")
    edits = [_edit(root, "src/jwt.ts", "typescript", [wrong, right])]
    result = verify(root, edits, "typescript")
    assert [d.annotation for d in result.dropped] == [wrong]
    assert result.converged and result.unattributed == []


def test_an_override_error_is_blamed_on_the_overriding_methods_parameter(tmp_path: Path) -> None:
    root = _project(tmp_path, {"m.ts": TS_OVERRIDE})
    other = _param("n", "Items.other", 5, 8, "number")
    wrong = _param("input", "Items._parse", 6, 9, "number")
    _, edit = _edit(root, "m.ts", "typescript", [other, wrong])
    error = _override_error(4, 7)
    assert attribute([error], {"m.ts": edit})[error][1] == wrong


def test_an_override_error_once_the_override_holds_no_annotation_blames_the_base_not_a_sibling(tmp_path: Path) -> None:
    code = "class Other<T> extends Base<T> {\n  _parse(input) { return input; }\n}\n" + TS_BASE + TS_ITEMS
    root = _project(tmp_path, {"m.ts": code})
    sibling = _param("input", "Other._parse", 2, 9, "string")
    base = _param("input", "Base._parse", 5, 9, "number")
    _, edit = _edit(root, "m.ts", "typescript", [sibling, base])
    error = _override_error(8, 3)
    assert attribute([error], {"m.ts": edit})[error][1] == base


def test_a_call_site_error_quoting_the_parameters_instance_type_blames_that_parameter(tmp_path: Path) -> None:
    root = _project(tmp_path, {"util.ts": "export function joinValues<T>(array, separator) {\n"
                                          "  return array.join(separator);\n}\n",
                               "use.ts": "import { joinValues } from './util';\nexport const s = joinValues(OPTIONS, ',');\n"})
    array = _param("array", "joinValues", 1, 30, "T[]")
    separator = _param("separator", "joinValues", 1, 37, "string")
    _, edit = _edit(root, "util.ts", "typescript", [array, separator])
    error = Diagnostic("use.ts", 2, 29, "TS2345", "Argument of type 'T' is not assignable to parameter of type "
                                                "'any[][]'.\nType 'string' is not assignable to type 'any[]'.")
    blame = attribute([error], {"util.ts": edit}, lambda rel: (root / rel).read_bytes())
    assert blame[error] == ("util.ts", array)


def test_an_error_in_a_function_without_annotations_blames_the_annotations_of_what_it_calls(tmp_path: Path) -> None:
    # `merge(status: Status)` makes `parse`, which returns its result, fail: every annotation of
    # the functions `parse` calls goes at once; one of a function it does not call stays
    code = ("class Status:\n    value = 1\n\n\n"
            "def merge(status, items):\n    return {'status': status.value, 'items': items}\n\n\n"
            "def unrelated(n):\n    return n\n\n\n"
            "class Items:\n    def parse(self, data):\n        return merge(self.status, data)\n")
    root = _project(tmp_path, {"m.py": code})
    status, items, other = (_param("status", "merge", 5, 10, "Status"), _param("items", "merge", 5, 18, "list"),
                            _param("n", "unrelated", 9, 14, "int"))
    _, edit = _edit(root, "m.py", "python", [status, items, other])
    lines = edit.data.decode().splitlines()
    at = next(i for i, text in enumerate(lines, 1) if "return merge(" in text)  # the error, in the annotated text
    error = Diagnostic("m.py", at, 9, "reportReturnType", 'Type "dict[str, Any]" is not assignable to return type "Out"')
    groups: dict = {}
    calls = {("m.py", 15): {("m.py", "merge")}}  # the error's line in the file on disk
    facts = CodeFacts(lambda path, line: calls.get((path, line), set()), lambda path, line: [])
    blame = attribute([error], {"m.py": edit}, None, facts, groups)
    assert blame[error] == ("m.py", status)
    assert {a for _, a in groups[error]} == {status, items}


def test_what_verify_dropped_stays_out_of_later_runs_until_verify_accepts_it(tmp_path: Path, monkeypatch) -> None:
    """A plain re-run does not put back what --verify dropped; a later --verify run decides again
    (here the checker accepts the annotation, so it is forgotten and written)."""
    from typeinfer.analyzer import annotate
    from typeinfer.analyzer.pipeline import InferenceOptions, infer_project
    from typeinfer.analyzer.slots import KINDS
    from typeinfer.analyzer.verify_state import DroppedAnnotation, DroppedStore

    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    root = _project(tmp_path / "proj", {"m.py": "def answer():\n    return 42\n"})
    result = infer_project(root, InferenceOptions(use_model=False, use_cache=False, jobs=1))
    DroppedStore.for_project(root).record([], [DroppedAnnotation("m.py", "return", "answer", "answer", "int",
                                                                 "type checker: new error m.py:2: ...")])

    diffs: list[str] = []
    summary = annotate.run(result, "diff", KINDS, diffs.append)
    assert diffs == [] and summary.annotated == 0
    assert any("answer: int not written, dropped by an earlier --verify" in m for m in summary.messages)

    summary = annotate.run(result, "diff", KINDS, diffs.append, verify=True)
    assert summary.annotated == 1 and "+def answer() -> int:" in "\n".join(diffs)
    assert DroppedStore.for_project(root).entries == {}
    diffs.clear()
    annotate.run(result, "diff", KINDS, diffs.append)
    assert "+def answer() -> int:" in "\n".join(diffs)


def test_an_assignment_error_goes_to_the_annotation_of_the_name_assigned_elsewhere() -> None:
    """basedpyright reports a subclass's ``_status_line = local_property()`` against the
    declared type a base class's annotation gave the attribute: that annotation is blamed, not
    whatever annotation sits nearest the error."""
    src = ("class Base:\n    def __init__(self):\n        self._status_line: str = 'x'\n\n"
           "    def nearest(self, n: str):\n        return n\n\n"
           "class Local(Base):\n    _status_line = local_property()\n")
    status = Annotation("attribute", "_status_line", "Base", 3, 13, "str")
    nearest = Annotation("parameter", "n", "Base.nearest", 5, 23, "str")  # nearer, and quoted too
    edit = EditResult("m.py", "python", src.encode(), src.encode(),
                      applied=[Applied(status, 3, 13), Applied(nearest, 5, 23)])
    error = Diagnostic("m.py", 9, 5, "reportAssignmentType",
                       'Type "property" is not assignable to declared type "str"')
    assert attribute([error], {"m.py": edit})[error][1] == status


def test_a_returned_value_that_misses_the_declared_return_type_blames_that_return_annotation(tmp_path: Path) -> None:
    code = ("class Route:\n    pass\n\n\nclass App:\n    def route(self, path):\n        def decorator(callback):\n"
            "            route = Route()\n            return callback\n        return decorator\n\n"
            "    def get(self, path):\n        return self.route(path)\n")
    root = _project(tmp_path, {"m.py": code})
    outer = Annotation(kind="return", name="route", function="App.route", line=6, column=8, type="Route")
    local = Annotation(kind="variable", name="route", function="App.route.decorator", line=8, column=12, type="Route")
    other = Annotation(kind="return", name="get", function="App.get", line=12, column=8, type="Route")
    _, edit = _edit(root, "m.py", "python", [outer, local, other])
    at = _line_of(edit, "return decorator")
    error = Diagnostic("m.py", at, 16, "reportReturnType",
                       'Type "(callback: Unknown) -> Unknown" is not assignable to return type "Route"')
    assert attribute([error], {"m.py": edit})[error][1] == outer  # not the nearer variable, not get's


def test_an_error_on_a_value_read_from_an_attribute_blames_what_was_assigned_to_it(tmp_path: Path) -> None:
    code = ("class Upload:\n    def __init__(self, filename, size):\n        self.raw = filename\n        self.size = size\n\n"
            "    def name(self):\n        fname = self.raw\n        return fname.decode('utf8')\n")
    root = _project(tmp_path, {"m.py": code})
    filename, size = _param("filename", "Upload.__init__", 2, 23, "str"), _param("size", "Upload.__init__", 2, 33, "str")
    _, edit = _edit(root, "m.py", "python", [filename, size])
    at = _line_of(edit, "fname.decode")
    error = Diagnostic("m.py", at, 22, "reportAttributeAccessIssue", 'Cannot access attribute "decode" for class "str"')
    facts = _graph_facts(root)
    # fname <- self.raw <- filename: the parameter whose value the line reads, not its neighbour
    assert attribute([error], {"m.py": edit}, None, facts)[error][1] == filename


def test_an_override_error_is_not_blamed_on_another_class_annotation_its_message_happens_to_name(tmp_path: Path) -> None:
    code = TS_BASE + "class Text<T> extends Base<T> {\n  _parse(input) { const status = 1; return input; }\n}\n" + TS_ITEMS
    root = _project(tmp_path, {"m.ts": code})
    other = Annotation(kind="variable", name="status", function="Text._parse", line=5, column=24, type="number")
    own = _param("input", "Items._parse", 8, 9, "number")
    _, edit = _edit(root, "m.ts", "typescript", [other, own])
    error = _override_error(8, 3, "\nTypes of property 'status' are incompatible.")
    assert attribute([error], {"m.ts": edit})[error][1] == own


def test_lines_on_disk_follow_an_annotated_line_past_an_added_import() -> None:
    old = b"def g(a):\n    x = 1\n    return x\n"
    new = b"from __future__ import annotations\n\ndef g(a: int) -> int:\n    x: int = 1\n    return x\n"
    assert lines_on_disk(old, new) == {3: 1, 4: 2, 5: 3}  # the import and the blank line come from none


def test_an_attribute_read_is_followed_to_what_its_own_class_assigns(tmp_path: Path) -> None:
    code = ("class A:\n    def __init__(self, name):\n        self.name = name\n\n\n"
            "class B:\n    def __init__(self, title):\n        self.name = title\n\n"
            "    def show(self):\n        return self.name.decode()\n")
    root = _project(tmp_path, {"m.py": code})
    a_name, b_title = _param("name", "A.__init__", 2, 23, "str"), _param("title", "B.__init__", 7, 23, "str")
    _, edit = _edit(root, "m.py", "python", [a_name, b_title])
    at = _line_of(edit, ".decode()")
    error = Diagnostic("m.py", at, 26, "reportAttributeAccessIssue", 'Cannot access attribute "decode" for class "str"')
    facts = _graph_facts(root)
    assert attribute([error], {"m.py": edit}, None, facts)[error][1] == b_title


def test_an_attribute_annotation_is_blamed_together_with_the_parameter_it_is_assigned_from(tmp_path: Path) -> None:
    """``fname = self.raw; fname.decode()`` with ``self.raw: str = filename`` and ``filename: str``:
    dropping the attribute's alone leaves it the parameter's type, so both go at once; a value
    read beside it on the line (``size``) is no source of it and stays."""
    code = ("class Upload:\n    def __init__(self, filename, size):\n        self.raw = filename\n\n"
            "    def name(self, size):\n        fname = self.raw\n        return fname.decode(size)\n")
    root = _project(tmp_path, {"m.py": code})
    filename = _param("filename", "Upload.__init__", 2, 23, "str")
    raw = Annotation(kind="attribute", name="raw", function="", line=3, column=8, type="str")
    size = _param("size", "Upload.name", 5, 19, "str")
    _, edit = _edit(root, "m.py", "python", [filename, raw, size])
    at = _line_of(edit, "fname.decode")
    error = Diagnostic("m.py", at, 22, "reportAttributeAccessIssue", 'Cannot access attribute "decode" for class "str"')
    facts = _graph_facts(root)
    groups: dict = {}
    blame = attribute([error], {"m.py": edit}, None, facts, groups)
    assert blame[error][1] == raw
    assert [a for _, a in groups[error]] == [raw, filename]


def test_a_member_of_none_is_blamed_on_what_the_called_variable_was_taken_from(tmp_path: Path) -> None:
    """``match = pattern.match`` then ``match(path).groupdict()``: the error is about the value
    ``match`` returns, so the annotation of ``pattern`` is blamed, not ``path``'s beside it."""
    code = ("import re\n\n\ndef add(rule):\n    pattern = re.compile(rule)\n    match = pattern.match\n\n"
            "    def getargs(path):\n        return match(path).groupdict()\n    return getargs\n")
    root = _project(tmp_path, {"m.py": code})
    pattern = Annotation(kind="variable", name="pattern", function="add", line=5, column=4, type="re.Pattern[str]")
    path = _param("path", "add.getargs", 8, 16, "str")
    _, edit = _edit(root, "m.py", "python", [pattern, path])
    at = _line_of(edit, ".groupdict()")
    error = Diagnostic("m.py", at, 28, "reportOptionalMemberAccess", '"groupdict" is not a known attribute of "None"')
    facts = _graph_facts(root)
    assert attribute([error], {"m.py": edit}, None, facts)[error][1] == pattern


def test_a_message_naming_a_parameter_blames_the_parameter_not_its_functions_return() -> None:
    src = "class Response:\n    def apply(self, response):\n        pass\n"
    returns = Annotation("return", "apply", "Response.apply", 2, 30, "None")
    response = Annotation("parameter", "response", "Response.apply", 2, 20, "Response")
    edit = EditResult("m.py", "python", src.encode(), src.encode(),
                      applied=[Applied(returns, 2, 30), Applied(response, 2, 20)])
    error = Diagnostic("m.py", 9, 5, "reportArgumentType", 'Argument of type "Local" cannot be assigned to parameter '
                       '"response" of type "Response" in function "apply"')
    assert attribute([error], {"m.py": edit})[error][1] == response


def test_an_error_on_an_annotated_attribute_line_blames_that_attribute_not_the_parameter_of_its_name() -> None:
    src = "class Route:\n    def __init__(self, name=None):\n        self.name = name or None\n"
    param = Annotation("parameter", "name", "Route.__init__", 2, 23, "str | None")
    attr = Annotation("attribute", "name", "", 3, 17, "str")
    edit = EditResult("m.py", "python", src.encode(), src.encode(), applied=[Applied(param, 2, 23), Applied(attr, 3, 17)])
    error = Diagnostic("m.py", 3, 14, "reportAttributeAccessIssue",
                       'Cannot assign to attribute "name" for class "Route*"\n  Type "str | None" is not assignable to type "str"')
    assert attribute([error], {"m.py": edit})[error][1] == attr


def test_a_dropped_return_type_takes_the_same_return_type_of_the_functions_returning_its_call(tmp_path: Path) -> None:
    """``get`` returns ``self.route(...)``: once ``route``'s wrong ``-> Route`` goes, ``get``'s
    ``-> Route`` rests on nothing; both go in the same round, so one more check converges."""
    code = ("class Route:\n    pass\n\n\nclass App:\n    def route(self, path):\n        def decorator(callback):\n"
            "            return callback\n        return decorator\n\n"
            "    def get(self, path):\n        return self.route(path)\n\n    def size(self):\n        return 1\n")
    root = _project(tmp_path, {"m.py": code})
    route = Annotation(kind="return", name="route", function="App.route", line=6, column=8, type="Route")
    get = Annotation(kind="return", name="get", function="App.get", line=11, column=8, type="Route")
    size = Annotation(kind="return", name="size", function="App.size", line=14, column=8, type="int")
    edits = [_edit(root, "m.py", "python", [route, get, size])]
    facts = _graph_facts(root)
    result = verify(root, edits, "python", facts=facts)
    assert {d.annotation.name for d in result.dropped} == {"route", "get"}
    assert result.converged and result.rounds == 2
    assert _applied(result.edits[0][1]) == {("size", "int")}


def _path_with(tmp_path: Path, programs: dict[str, str | Path]) -> str:
    """A PATH of one folder holding `programs`: a name -> a program to link to, or a shell script's body."""
    import shutil

    folder = tmp_path / "bin"
    folder.mkdir()
    for name, program in programs.items():
        if isinstance(program, Path):
            (folder / name).symlink_to(program)
        else:
            (folder / name).write_text(f"#!/bin/sh\n{program}\n")
            (folder / name).chmod(0o755)
    for tool in ("node", "npm"):  # what an install would need is there: --verify must still not install
        found = shutil.which(tool)
        if found and not (folder / tool).exists():
            (folder / tool).symlink_to(found)
    return str(folder)


def test_verify_installs_no_checker_and_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """No network at run time: with no tsc on PATH and the pinned one not installed, TypeScript
    is left unverified with a one-line reason, and nothing is fetched."""
    from typeinfer import cli
    from typeinfer.analyzer.checkers import CheckerUnavailable

    cache = tmp_path / "cache"
    monkeypatch.setenv("TYPEINFER_CACHE", str(cache))
    monkeypatch.setenv("PATH", _path_with(tmp_path, {"tsc": "echo Version 4.9.5"}))
    with pytest.raises(CheckerUnavailable, match="Version 4.9.5, older than 5.*--fetch-checkers"):
        find_checker("typescript")
    root = _project(tmp_path / "proj", {"m.ts": 'export function greet() {\n  return "hi";\n}\n'})
    assert cli.main(["annotate", str(root), "--no-model", "--no-cache", "-q", "--verify"]) == 0
    out, err = capsys.readouterr()
    assert "+export function greet(): string {" in out
    assert "no typescript checker" in err and "typescript annotations not verified" in err
    assert not (cache / "tools").exists()


def test_fetch_checkers_goes_with_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from typeinfer import cli

    root = _project(tmp_path, {"m.ts": TS_SOURCE})
    assert cli.main(["annotate", str(root), "--fetch-checkers"]) != 0
    assert "--fetch-checkers goes with --verify" in capsys.readouterr().err


@pytest.mark.network
def test_the_users_tsc_comes_before_the_pinned_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   pinned_tsc: list[str]) -> None:
    from typeinfer.analyzer.checkers import fetch_checkers

    fetch_checkers(_project(tmp_path / "proj", {"m.ts": TS_SOURCE}), ["typescript"])  # installed already: nothing to do
    assert find_checker("typescript").cmd == tuple(pinned_tsc)
    monkeypatch.setenv("PATH", _path_with(tmp_path, {"tsc": Path(pinned_tsc[1])}))
    found = find_checker("typescript")
    assert found.cmd == (str(tmp_path / "bin" / "tsc"),) and found.label == "tsc 7.0.2"


def test_a_tsc_of_the_analysed_tree_on_path_is_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`npm run` puts the project's own node_modules/.bin on PATH: a program there is part of the
    code under analysis, so --verify neither runs nor uses it."""
    from typeinfer import cli
    from typeinfer.analyzer.checkers import CheckerUnavailable

    root = _project(tmp_path / "proj", {"m.ts": 'export function greet() {\n  return "hi";\n}\n'})
    marker = tmp_path / "ran"
    tree_bin = root / "node_modules" / ".bin"
    tree_bin.mkdir(parents=True)
    (tree_bin / "tsc").write_text(f"#!/bin/sh\ntouch {marker}\necho Version 7.0.0\n")
    (tree_bin / "tsc").chmod(0o755)
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", f"{tree_bin}:{_path_with(tmp_path, {})}")
    with pytest.raises(CheckerUnavailable, match="no tsc on PATH"):
        find_checker("typescript", root=root)
    assert cli.main(["annotate", str(root), "--no-model", "--no-cache", "-q", "--verify"]) == 0
    assert "typescript annotations not verified" in capsys.readouterr().err
    assert not marker.exists()


def test_fetch_checkers_fetches_nothing_for_a_tree_without_typescript(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from typeinfer.analyzer.checkers import fetch_checkers

    calls = tmp_path / "npm-calls"
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", _path_with(tmp_path, {"npm": f'echo "$@" >> {calls}; exit 1'}))
    root = _project(tmp_path / "proj", {"m.py": PY_SOURCE})
    fetch_checkers(root, ["python", "typescript"])
    assert not calls.exists()

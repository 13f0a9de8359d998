"""Language adapters: lookup, refusal of unknown languages, and each adapter's builtins, dotted
names and import specifiers on real examples."""

from __future__ import annotations

import pytest

from typeinfer.analyzer.canonical_types import PYTHON_BUILTINS, TYPESCRIPT_BUILTIN_TYPES
from typeinfer.analyzer.languages import ADAPTERS, LanguageAdapter, UnknownLanguageError, adapter_for
from typeinfer.analyzer.writer.imports import AUTO_IMPORTS


def test_every_registered_language_is_found_by_name():
    assert [a.name for a in ADAPTERS] == ["python", "typescript"]
    for adapter in ADAPTERS:
        assert isinstance(adapter, LanguageAdapter)
        assert adapter_for(adapter.name) is adapter


@pytest.mark.parametrize("language", ["javascript", "Python", "py", "rust", ""])
def test_an_unknown_language_is_refused_with_its_name(language):
    with pytest.raises(KeyError) as err:
        adapter_for(language)
    assert isinstance(err.value, UnknownLanguageError)
    message = str(err.value)
    assert repr(language) in message and "python" in message and "typescript" in message


def test_adapters_are_frozen():
    with pytest.raises(AttributeError):
        adapter_for("python").name = "typescript"  # type: ignore[misc]


def test_python_builtins_need_no_import():
    py = adapter_for("python")
    for name in ("int", "str", "dict", "None", "Optional", "Any"):
        assert name in py.builtin_types
    assert PYTHON_BUILTINS <= py.builtin_types and set(AUTO_IMPORTS) <= py.builtin_types
    assert "User" not in py.builtin_types and "string" not in py.builtin_types


def test_typescript_builtins_need_no_import():
    ts = adapter_for("typescript")
    assert ts.builtin_types == TYPESCRIPT_BUILTIN_TYPES
    for name in ("string", "number", "Promise", "Date"):
        assert name in ts.builtin_types
    assert "int" not in ts.builtin_types and "None" not in ts.builtin_types


def test_self_names():
    assert adapter_for("python").self_names == {"self", "cls"}
    assert adapter_for("typescript").self_names == {"this"}


@pytest.mark.parametrize("full_name, dotted", [
    ("pkg/models.py:User", "pkg.models.User"),
    ("src/httpx/_client.py:Client.send", "httpx._client.Client.send"),
    ("pkg/__init__.py:Config", "pkg.Config"),
    ("lib/stubs.pyi:Thing", "stubs.Thing"),
    ("app.py:main", "app.main"),
])
def test_python_dotted_names(full_name, dotted):
    assert adapter_for("python").dotted_name(full_name) == dotted


def test_typescript_full_names_stay_as_they_are():
    assert adapter_for("typescript").dotted_name("src/models.ts:User") == "src/models.ts:User"


def test_python_import_module():
    py = adapter_for("python")
    assert py.import_module("src/pkg/models.py:User", "src/pkg/models.py", "src/pkg/api.py") == "pkg.models"
    assert py.import_module("pkg/__init__.py:Config", "pkg/__init__.py", "pkg/cli.py") == "pkg"


@pytest.mark.parametrize("decl, user, module", [
    ("src/models.ts", "src/api.ts", "./models"),
    ("src/types/index.d.ts", "src/api.ts", "./types/index.d"),
    ("src/models.ts", "src/routes/user.ts", "../models"),
    ("models.ts", "api.ts", "./models"),
])
def test_typescript_import_module_is_a_relative_specifier(decl, user, module):
    assert adapter_for("typescript").import_module(decl + ":User", decl, user) == module


def test_imported_entities():
    py, ts = adapter_for("python"), adapter_for("typescript")
    assert py.split_entity("collections.abc.Mapping") == ("collections.abc", "Mapping")
    assert py.entity_dotted("collections.abc.Mapping") == "collections.abc.Mapping"
    assert ts.split_entity("zod:ZodType") == ("zod", "ZodType")
    assert ts.entity_dotted("./models:User") == "./models.User"
    assert py.dotted_full_types and not ts.dotted_full_types


def test_typescript_static_tables_are_the_ones_the_static_typer_reads():
    from typeinfer.analyzer.languages import typescript as typescript_adapter
    from typeinfer.analyzer.slices import extract_slices
    from typeinfer.analyzer.static_facts import infer_static
    from typeinfer.cpg.project import build_sources
    from typeinfer.cpg.source import source_from_text

    cpg = build_sources([source_from_text("const n = 'abc'.length;\nconst d = new Date();\n", "m.ts")])
    slices = [s for s in extract_slices(cpg).slices if s.kind == "variable"]
    facts = {s.name: f.type for s, f in zip(slices, infer_static(cpg, slices)) if f is not None}
    assert facts == {"n": "number", "d": "Date"}  # TS_MEMBERS["string"]["length"], TS_NEW["Date"]
    tables = adapter_for("typescript").static_tables
    assert tables.global_calls is typescript_adapter.TS_GLOBAL_CALLS and tables.global_calls["JSON.parse"] is None
    assert tables.constructors is typescript_adapter.TS_NEW and tables.constructors["Date"] == "Date"
    assert tables.members is typescript_adapter.TS_MEMBERS and tables.members["string"]["length"] == "number"
    assert tables.typeof is typescript_adapter.TS_TYPEOF and tables.typeof["bigint"] == "bigint"
    empty = adapter_for("python").static_tables
    assert not (empty.global_calls or empty.constructors or empty.members or empty.typeof)


# -- slicing, stripping, consistency, evidence and --verify read these adapter fields

_STAGE_FIELDS = ("str_type", "bool_type", "bare_return_type", "checker", "checker_args", "checker_config",
                 "checker_output", "scope_node_types")


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_every_adapter_fills_the_stage_fields(adapter: LanguageAdapter):
    from typeinfer.analyzer import checkers
    for name in _STAGE_FIELDS:
        assert getattr(adapter, name), f"{adapter.name} leaves {name} empty"
    assert adapter.checker_executables or adapter.checker in checkers.PINNED
    assert adapter.checker_output in checkers.PARSERS
    config_name, config = adapter.checker_config
    assert config_name and config
    assert adapter.static_tables.unary_numeric
    assert adapter.container_literal_type("list", adapter.str_type)


def test_python_adapter_stage_fields():
    py = adapter_for("python")
    assert (py.str_type, py.bool_type, py.bare_return_type) == ("str", "bool", "None")
    assert py.checker == "basedpyright" and py.checker_executables == ("basedpyright", "pyright")
    assert py.checker_output == "pyright-json" and "--outputjson" in py.checker_args and "{workdir}" in py.checker_args
    assert py.checker_config[0] == "pyrightconfig.json" and py.checker_config[1]["typeCheckingMode"] == "basic"
    assert py.container_literal_type("list", "int") == "list[int]" and py.container_literal_type("set", "") == "set"
    assert py.typed_tuple_literals and py.docstrings and not py.annotatable_lambdas and not py.async_wraps_return
    assert py.object_literal_type == ""
    assert py.stored_annotation("int", "type") == "int"
    assert py.stored_annotation("dict[str,\n    int]", "type") == "dict[str, int]"
    assert py.builtins_module == "builtins" and not py.builtin_members
    assert "Any" in py.any_member_types and "__dict__" in py.implicit_members
    assert py.static_tables.unary_numeric["bool"] == "int" and "number" not in py.static_tables.unary_numeric
    assert {"function_definition", "class_definition"} <= py.scope_node_types


def test_typescript_adapter_stage_fields():
    ts = adapter_for("typescript")
    assert (ts.str_type, ts.bool_type, ts.bare_return_type) == ("string", "boolean", "undefined")
    assert ts.checker == "typescript"  # tsc
    from typeinfer.analyzer import checkers
    assert checkers.PINNED[ts.checker][1].endswith("/tsc")
    assert ts.checker_output == "tsc-text" and "--noEmit" in ts.checker_args
    assert ts.checker_config[0] in ts.checker_args and ts.checker_config[1]["compilerOptions"]["noEmit"] is True
    assert ts.container_literal_type("list", "number") == "number[]" and ts.container_literal_type("list", "") == ""
    assert not ts.typed_tuple_literals and not ts.docstrings and ts.annotatable_lambdas and ts.async_wraps_return
    assert ts.object_literal_type == "object"
    assert ts.stored_annotation(": Map<string,  number>", "type_annotation") == "Map<string, number>"
    assert ts.builtins_module == "" and not ts.any_member_types and not ts.implicit_members
    assert "push" in ts.builtin_members["Array"] and "then" in ts.builtin_members["Promise"]
    assert ts.static_tables.unary_numeric == {"number": "number", "bigint": "bigint"}
    assert {"arrow_function", "method_definition", "class_declaration"} <= ts.scope_node_types
    assert not ts.scope_node_types & adapter_for("python").scope_node_types


def test_stages_hold_no_per_language_tables_of_their_own():
    from typeinfer.analyzer import consistency, verify
    assert not hasattr(consistency, "_TS_MEMBERS") and not hasattr(consistency, "_PY_ANY_MEMBER")
    assert verify._SCOPE_NODES == frozenset().union(*(a.scope_node_types for a in ADAPTERS))


# -- the source writer, stubs and the editor's anchors ------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_every_adapter_provides_the_writer_syntax_and_the_anchors(adapter):
    from typeinfer.analyzer.stubs import STUB_WRITERS
    from typeinfer.analyzer.writer.syntax import AnchorSyntax, WriterSyntax
    from typeinfer.cpg.source import parse

    w = adapter.writer
    assert isinstance(w, WriterSyntax) and isinstance(adapter.anchors, AnchorSyntax)
    assert w.stub_suffix in STUB_WRITERS  # the stub writer of the language's stub format exists
    for f in (w.locate_slot, w.bindings, w.type_problem, w.type_names, w.import_edits,
              adapter.anchors.name_slot):
        assert callable(f)
    assert adapter.anchors.functions and set(adapter.anchors.functions) <= set(adapter.anchors.containers)
    root = parse({"python": b"x = 1\n", "typescript": b"const x = 1;\n"}[adapter.name], w.grammar).root_node
    assert "x" in w.bindings(root).names
    assert w.type_problem("") == "empty type" and w.type_problem("A | B") is None
    assert w.type_names("A | B") == ["A", "B"]


def test_the_writer_and_anchors_of_each_language_differ_where_the_syntax_does():
    py, ts = adapter_for("python"), adapter_for("typescript")
    assert (py.writer.grammar, ts.writer.grammar) == ("python", "typescript")
    assert (py.writer.stub_suffix, ts.writer.stub_suffix) == (".pyi", ".d.ts")
    assert py.writer.coding_cookie and not ts.writer.coding_cookie
    assert "javascript" in ts.writer.stub_only_grammars and not py.writer.stub_only_grammars
    assert py.writer.auto_imports is AUTO_IMPORTS and not ts.writer.auto_imports
    assert "None" in py.writer.builtin_names and "string" in ts.writer.builtin_names
    assert py.writer.type_problem("x # c") == "type text contains a comment"
    assert ts.writer.type_problem("x // c") == "type text contains a comment"
    assert py.anchors.return_arrow and not ts.anchors.return_arrow


@pytest.mark.parametrize("language", ["javascript", "rust", "py"])
def test_the_writer_refuses_a_language_without_an_adapter_naming_it(language):
    from typeinfer.analyzer.stubs import stub_for
    from typeinfer.analyzer.writer.contract import Annotation
    from typeinfer.analyzer.writer.source import annotate_source
    from typeinfer.analyzer.writer.source import normalize_language, writer_syntax

    ann = Annotation("variable", "x", "", 1, 0, "int")
    for call in (lambda: annotate_source(b"x = 1\n", "m.py", language, [ann]),
                 lambda: stub_for(b"x = 1\n", "m.py", language, [ann]),
                 lambda: writer_syntax(language), lambda: normalize_language(language)):
        with pytest.raises(UnknownLanguageError) as err:
            call()
        assert repr(language) in str(err.value)


def test_editor_anchors_come_from_the_adapter():
    from typeinfer.cpg.source import parse
    from typeinfer.lsp.anchors import anchor_for, enclosing_function
    from typeinfer.lsp.positions import LineIndex

    py = b"def f(a, b=1):\n    y = a\n"
    tree = parse(py, "python")
    index = LineIndex(py.decode())
    assert anchor_for(tree, index, "python", "return", 1, 4).annotation_text("int") == " -> int"
    assert anchor_for(tree, index, "python", "parameter", 1, 6).insert == (0, 7)
    assert enclosing_function(tree, 1, 4, "python") == "f"
    ts_src = b"function g(x?, ...r) { const z = x; }\n"
    tree = parse(ts_src, "typescript")
    index = LineIndex(ts_src.decode())
    assert anchor_for(tree, index, "typescript", "return", 1, 9).annotation_text("T") == ": T"
    assert anchor_for(tree, index, "typescript", "parameter", 1, 11).insert == (0, 13)  # after `?`
    assert anchor_for(tree, index, "typescript", "parameter", 1, 18).insert == (0, 19)  # `...r`
    assert enclosing_function(tree, 0, 29, "typescript") == "g"
    with pytest.raises(UnknownLanguageError, match="'rust'"):
        enclosing_function(tree, 0, 29, "rust")

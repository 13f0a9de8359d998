"""Language adapters: lookup, refusal of unknown languages, and each adapter's builtins, dotted
names and import specifiers on real examples."""

from __future__ import annotations

import pytest

from typeinfer.analyzer.canonical_types import PYTHON_BUILTINS, TYPESCRIPT_BUILTIN_TYPES
from typeinfer.analyzer.languages import ADAPTERS, LanguageAdapter, UnknownLanguageError, adapter_for
from typeinfer.analyzer.writer import AUTO_IMPORTS


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
    from typeinfer.analyzer import static_facts
    tables = adapter_for("typescript").static_tables
    assert tables.global_calls is static_facts.TS_GLOBAL_CALLS and tables.global_calls["JSON.parse"] is None
    assert tables.constructors is static_facts.TS_NEW and tables.constructors["Date"] == "Date"
    assert tables.members is static_facts.TS_MEMBERS and tables.members["string"]["length"] == "number"
    assert tables.typeof is static_facts.TS_TYPEOF and tables.typeof["bigint"] == "bigint"
    empty = adapter_for("python").static_tables
    assert not (empty.global_calls or empty.constructors or empty.members or empty.typeof)

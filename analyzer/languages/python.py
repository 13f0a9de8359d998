"""The Python adapter: builtins, dotted module names and imports of project types."""

from __future__ import annotations

from typeinfer.cpg.frontends.python import stored_annotation
from typeinfer.cpg.schema import SELF_NAMES

from ..writer.python_syntax import PYTHON_ANCHORS, PYTHON_SYNTAX
from .adapter import LanguageAdapter, StaticTables

#: Python's binary operators and the dunder that defines each (the typeshed name to look up)
OPERATOR_DUNDERS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "%": "__mod__", "&": "__and__", "|": "__or__",
                    "^": "__xor__", "<<": "__lshift__", ">>": "__rshift__", "@": "__matmul__", "/": "__truediv__",
                    "//": "__floordiv__"}
#: builtins whose result is what the first argument's dunder returns (typeshed types them
#: through a protocol: ``round(number: SupportsRound[T], ndigits) -> T``)
PROTOCOL_CALLS = {"builtins.round": "__round__", "builtins.abs": "__abs__", "builtins.next": "__next__",
                  "builtins.iter": "__iter__"}


def dotted_name(full_name: str) -> str:
    """``pkg/models.py:User`` -> ``pkg.models.User`` (a leading ``src/`` or ``lib/`` is dropped)."""
    path, _, qual = full_name.partition(":")
    module = path.removesuffix(".py").removesuffix(".pyi").replace("/", ".").removesuffix(".__init__")
    for prefix in ("src.", "lib."):
        module = module.removeprefix(prefix)
    return f"{module}.{qual}" if module else qual


def import_module(full_name: str, decl_file: str, from_file: str) -> str:
    """The module a project type is imported from: its dotted name less the type's own name."""
    return dotted_name(full_name).rsplit(".", 1)[0]


def container_literal_type(container: str, element: str) -> str:
    """``[1, 2]`` -> ``list[int]``; an empty or mixed literal is the bare container."""
    return f"{container}[{element}]" if element else container


#: types a value of which may have any member (the consistency filter accepts them)
ANY_MEMBER_TYPES = frozenset({"Any", "object", "type", "Callable", "Protocol"})
#: --verify: pyright's generated config (basic mode, missing imports not reported)
PYRIGHT_CONFIG = {"typeCheckingMode": "basic", "reportMissingImports": False,
                  "reportMissingModuleSource": False}


PYTHON = LanguageAdapter(
    name="python",
    self_names=SELF_NAMES & {"self", "cls"},
    import_module=import_module,
    dotted_name=dotted_name,
    entity_separator=".",
    dotted_full_types=True,
    writer=PYTHON_SYNTAX,
    anchors=PYTHON_ANCHORS,
    static_tables=StaticTables(unary_numeric={"int": "int", "float": "float", "complex": "complex", "bool": "int"}),
    str_type="str",
    bool_type="bool",
    bare_return_type="None",
    container_literal_type=container_literal_type,
    typed_tuple_literals=True,
    annotatable_lambdas=False,
    docstrings=True,
    stored_annotation=stored_annotation,
    any_member_types=ANY_MEMBER_TYPES,
    implicit_members=frozenset({"__class__", "__dict__"}),
    builtins_module="builtins",
    checker="basedpyright",
    checker_executables=("basedpyright", "pyright"),
    checker_server_suffix="-langserver",
    checker_args=("--outputjson", "-p", "{workdir}"),
    checker_config=("pyrightconfig.json", PYRIGHT_CONFIG),
    checker_output="pyright-json",
)

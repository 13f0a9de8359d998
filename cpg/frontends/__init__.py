"""Language front ends: tree-sitter tree -> one file's AST-level graph.

Each front end module exposes ``build_module(b: AstBuilder, root: tree_sitter.Node,
namespace_block: int) -> int``: it creates the file's ``<module>`` METHOD as an AST child of the
NAMESPACE_BLOCK, everything below it, and returns the METHOD's id.  `build_ast` does the part
common to all languages (FILE, NAMESPACE_BLOCK, error count); the CFG and reaching-definition
passes run afterwards on the result (`cpg/passes`).

A front end that can walk one function's body again (the language server's per-edit path,
`cpg/function_update.py`) also exposes:

- ``editable_function(root, start, end) -> (function, body) | None``: the tree-sitter nodes of
  the outermost function whose body holds the bytes, when that function can be walked alone;
- ``writes_outside(body) -> bool``: the body has effects or bindings a walk of it alone cannot
  reproduce (the caller then rebuilds the file);
- ``writes_to_class(function, first_parameter, modifiers) -> bool | None``: whether
  ``self.x``/``this.x`` writes in a function defined in a class make MEMBERs of that class
  (None: it cannot be told, the caller rebuilds the file);
- ``rebuild_function_body(b, function, context) -> FunctionBody``: the body walked again with
  the names it sees read back from the graph (`ast_builder.FunctionContext`).
"""

from __future__ import annotations

from ..ast_builder import AstBuilder
from ..file_graph import FileGraph
from ..schema import NodeKind
from ..source import SourceFile, count_parse_errors, parse


def build_ast(source: SourceFile) -> FileGraph:
    """Parse `source` and build its AST-level graph (no CFG yet)."""
    from importlib import import_module

    tree = parse(source)
    b = AstBuilder(source.relpath, source.language, source.data, source.content_hash)
    b.graph.parse_errors = count_parse_errors(tree)
    file_node = b.add(NodeKind.FILE, None, NAME=source.relpath, LANGUAGE=source.language,
                      PARSE_ERRORS=b.graph.parse_errors, code=source.relpath)
    namespace = b.add(NodeKind.NAMESPACE_BLOCK, tree.root_node, NAME="<global>",
                      FULL_NAME=f"{source.relpath}:<global>", FILENAME=source.relpath, code="<global>")
    b.child(file_node, namespace)
    frontend = import_module(f"{__name__}.{source.language}")  # python.py / typescript.py
    frontend.build_module(b, tree.root_node, namespace)
    return b.graph

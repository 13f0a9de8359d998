"""`typeinfer lsp [--tcp HOST PORT] [--log FILE]`: run the language server (`typeinfer.lsp`)."""

from __future__ import annotations

import argparse
from typing import Any

from typeinfer.lsp.cli import add_arguments


def register(subparsers: Any) -> None:
    """Add `lsp` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("lsp", help="run the language server (stdio, or --tcp HOST PORT)",
                              description="Speak the Language Server Protocol over stdio (or TCP): inlay hints, "
                                          "hover and code actions with inferred types.")
    add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the language server (stdio by default)."""
    from typeinfer.lsp.server import run as serve

    return serve(args)

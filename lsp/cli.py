"""`typeinfer lsp`: the command-line entry of the language server.

`add_lsp_command(subparsers)` registers the subcommand on `typeinfer`'s parser;
`python -m typeinfer.lsp` runs the same thing.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tcp", nargs=2, metavar=("HOST", "PORT"), help="listen on TCP instead of stdio")
    parser.add_argument("--log", metavar="FILE", help="write the server's log to FILE")


def cmd_lsp(args: argparse.Namespace) -> int:
    """Run the language server (stdio by default)."""
    from .server import run

    return run(args)


def add_lsp_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register `typeinfer lsp [--tcp HOST PORT] [--log FILE]`."""
    p = subparsers.add_parser("lsp", help="run the language server (stdio, or --tcp HOST PORT)",
                              description="Speak the Language Server Protocol over stdio (or TCP): inlay hints, "
                                          "hover and code actions with inferred types.")
    add_arguments(p)
    p.set_defaults(func=cmd_lsp)
    return p

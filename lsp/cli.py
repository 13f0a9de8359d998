"""The language server's command line: its options (`add_arguments`, shared with `typeinfer lsp`)
and `main`, the entry of ``python -m typeinfer.lsp``.

`typeinfer lsp` is registered by `typeinfer.commands.lsp`; both run `server.run(args)`.
"""

from __future__ import annotations

import argparse
from typing import Sequence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The server's options: --tcp HOST PORT, --log FILE."""
    parser.add_argument("--tcp", nargs=2, metavar=("HOST", "PORT"), help="listen on TCP instead of stdio")
    parser.add_argument("--log", metavar="FILE", help="write the server's log to FILE")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m typeinfer.lsp [--tcp HOST PORT] [--log FILE]`."""
    from .server import run

    parser = argparse.ArgumentParser(prog="typeinfer lsp", description=run.__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)

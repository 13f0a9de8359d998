"""`typeinfer corpus build ...`: the corpus stage parses its own arguments (`typeinfer.corpus.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from typeinfer.commands.common import UsageParser, add_pass_through_parser


def register(subparsers: Any) -> None:
    """Add `corpus` to the `typeinfer` subparsers."""
    add_pass_through_parser(subparsers, "corpus",
                            "build the training corpus from the manifest (corpus build --help)").set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the corpus command line on the arguments after `corpus`."""
    from typeinfer.corpus.cli import main

    return int(main(args.rest, parser_class=UsageParser) or 0)

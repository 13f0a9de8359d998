"""`typeinfer eval`: two evaluations, each parsing its own arguments.

``typeinfer eval --corpus DIR ...`` scores the model on a corpus split
(`typeinfer.typemodel.cli.main_eval`); ``typeinfer eval PATH ...`` (the first argument is not an
option) strips an annotated directory and scores the pipeline on it
(`typeinfer.analyzer.evaluate_dir.main`).
"""

from __future__ import annotations

import argparse
from typing import Any

from typeinfer.commands.common import UsageParser, add_pass_through_parser


def register(subparsers: Any) -> None:
    """Add `eval` to the `typeinfer` subparsers."""
    add_pass_through_parser(
        subparsers, "eval",
        "evaluate on the corpus test split (--corpus DIR), or on an annotated PATH it strips itself",
    ).set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the corpus evaluation, or the directory evaluation when the first argument is a PATH."""
    argv = args.rest
    if argv and not argv[0].startswith("-"):  # `typeinfer eval PATH`: an annotated directory
        from typeinfer.analyzer.evaluate_dir import main
    else:
        from typeinfer.typemodel.cli import main_eval as main
    return int(main(argv, parser_class=UsageParser) or 0)

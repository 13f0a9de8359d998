"""`typeinfer train --corpus DIR --out DIR`: the training stage parses its own arguments
(`typeinfer.typemodel.cli.main_train`)."""

from __future__ import annotations

import argparse
from typing import Any

from typeinfer.commands.common import UsageParser, add_pass_through_parser


def register(subparsers: Any) -> None:
    """Add `train` to the `typeinfer` subparsers."""
    add_pass_through_parser(subparsers, "train",
                            "train the type model on a corpus and export it as int8 ONNX").set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the training command line on the arguments after `train`."""
    from typeinfer.typemodel.cli import main_train

    return int(main_train(args.rest, parser_class=UsageParser) or 0)

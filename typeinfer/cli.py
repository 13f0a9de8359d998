"""The `typeinfer` command: one subcommand per job, each a small function.

Each subcommand is a module of `typeinfer.commands` (``register(subparsers)``, ``run(args)``);
this module only builds the parser from `COMMANDS`, in order, and runs the chosen handler.
Bad usage exits 2 with a one-line message; problems with the user's files are reported as one
line each and never stop a project-wide run; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from typeinfer.commands import annotate, batch, corpus, export, graph, lsp, query, scan, train
from typeinfer.commands import eval as eval_command
from typeinfer.commands import slice as slice_command
from typeinfer.commands.common import UsageError, UsageParser, release_graphs
from typeinfer.cpg.project import BuildError

#: exit status of a run stopped by a defect in typeinfer itself (sysexits' EX_SOFTWARE)
INTERNAL_ERROR = 70
#: set (to anything) to see the traceback of such a defect instead of its one line
TRACEBACK_VARIABLE = "TYPEINFER_TRACEBACK"

#: The subcommands, in the order `typeinfer --help` lists them.
COMMANDS = (graph, export, corpus, train, eval_command, annotate, slice_command, query, scan, batch, lsp)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = UsageParser(prog="typeinfer", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"typeinfer {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=UsageParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _version() -> str:
    from typeinfer import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `typeinfer` console script."""
    parser = make_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"typeinfer: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("typeinfer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a defect of typeinfer's own: one line, not a traceback, unless asked
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        command = " ".join(list(sys.argv[1:] if argv is None else argv)[:2])
        print(f"typeinfer: internal error in `typeinfer {command}`: {type(exc).__name__}: {exc}; please report it "
              f"with the traceback that {TRACEBACK_VARIABLE}=1 shows", file=sys.stderr)
        return INTERNAL_ERROR
    finally:
        # a caller running commands in its own process (argv given) gets the frozen graph back to
        # the cycle collector; the console script, which exits now, would only pay for collecting it
        if argv is not None:
            release_graphs()


if __name__ == "__main__":
    raise SystemExit(main())

"""The subcommands of `typeinfer`, one module each.

Every module has ``register(subparsers)`` (adds its parser and sets ``func`` to its handler) and
``run(args) -> int`` (the handler, returning the exit status).  `typeinfer.cli` registers them
in one ordered list; what several commands share (the build options, the progress bar, building
the graph, atomic writes, the one-line usage errors) lives in `typeinfer.commands.common`.
"""

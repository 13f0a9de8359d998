"""`python -m typeinfer` is the `typeinfer` command."""

from typeinfer.cli import main

raise SystemExit(main())

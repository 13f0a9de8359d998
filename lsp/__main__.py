"""`python -m typeinfer.lsp`: the language server over stdio (`--tcp HOST PORT`, `--log FILE`)."""

from typeinfer.lsp.cli import main

raise SystemExit(main())

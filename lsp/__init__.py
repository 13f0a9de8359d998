"""The typeinfer language server (`typeinfer lsp`, `python -m typeinfer.lsp`).

Modules: `server` (pygls wiring), `analysis` (the analysis thread), `state` (per-document and
workspace state, prediction cache), `positions` (bytes <-> UTF-16), `anchors` (where a slot sits
in the text), `hover`, `inlay_hints`, `code_actions`, `diagnostics` (one per feature), `edits`
(writer output -> TextEdits), `settings`, `cli`.  See lsp/README.md for editor set-up.
"""

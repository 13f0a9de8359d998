"""Optional diagnostics (off by default): an annotation that disagrees with a confident inference.

What it does: for each declared slot whose static inference, made while ignoring the declaration
(`analysis.Analyzer._disagreements`), is not accepted by the declared type, an Information
diagnostic on the name, when the inference's confidence reaches ``diagnosticsMinConfidence``.

What it does not do: type-check; a disagreement is a hint to look, not an error.
"""

from __future__ import annotations

from lsprotocol import types

from .hover import evidence_lines
from .settings import Settings
from .state import DocumentState

SOURCE = "typeinfer"


def diagnostics(doc: DocumentState, settings: Settings) -> list[types.Diagnostic]:
    if not (settings.enabled and settings.diagnostics):
        return []
    out = []
    for item in doc.items:
        p = item.prediction
        if not item.declared or p.confidence < settings.diagnostics_min_confidence:
            continue
        a = item.anchor
        why = evidence_lines(item, limit=2)
        message = (f"`{p.name}` is annotated `{item.declared}` but typeinfer infers `{p.type}` "
                   f"({p.confidence:.0%}, {p.source})" + (f": {why[0]}" if why else ""))
        out.append(types.Diagnostic(
            range=types.Range(types.Position(a.line, a.start), types.Position(a.line, a.end)),
            message=message, severity=types.DiagnosticSeverity.Information, source=SOURCE,
            code="annotation-disagrees"))
    return out

"""SARIF 2.1.0 output of a scan (what GitHub code scanning and IDEs read).

What it writes: one run; ``tool.driver`` with version and every rule (short/full description,
help text from the rule's What/Why/Example, default level, ``security-severity`` and tags);
one result per finding with the sink as its location, the source-to-sink path as a
``codeFlows[0].threadFlows[0].locations`` list, a line-independent ``partialFingerprints``
entry (``typeinfer/v1``), and the property ``typeinfer/inferredTypeNeeded``.  File URIs are
relative to ``%SRCROOT%`` (the scanned root, given in ``originalUriBaseIds``).  Columns are
converted from the graph's 0-based byte offsets to SARIF's 1-based UTF-16 code units when the
source file can be read (else bytes + 1).  Validated against the official schema in
``analyzer/schemas/sarif-2.1.0.json`` by the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .scan import Finding, Rule, ScanResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/typeinfer/typeinfer"


class _Columns:
    """Byte column -> UTF-16 column, reading each source file once."""

    def __init__(self, root: str | None) -> None:
        self.root = Path(root) if root else None
        self.lines: dict[str, list[bytes] | None] = {}

    def utf16(self, file: str, line: int | None, byte_col: int | None) -> int:
        if byte_col is None:
            return 1
        text = self._lines(file)
        if text is None or line is None or not 0 < line <= len(text):
            return byte_col + 1
        prefix = text[line - 1][:byte_col].decode("utf-8", errors="replace")
        return len(prefix.encode("utf-16-le")) // 2 + 1

    def _lines(self, file: str) -> list[bytes] | None:
        if file not in self.lines:
            path = (self.root / file) if self.root and self.root.is_dir() else self.root
            try:
                self.lines[file] = path.read_bytes().splitlines() if path is not None else None
            except OSError:
                self.lines[file] = None
        return self.lines[file]


def _rule(rule: Rule) -> dict[str, Any]:
    props: dict[str, Any] = {"tags": ["security", *rule.tags], "precision": "medium"}
    if rule.security_severity is not None:
        props["security-severity"] = f"{float(rule.security_severity):.1f}"
    help_text = f"{rule.what}\n\n{rule.why}\n\nExample:\n{rule.example}"
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.name.split()),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.what or rule.name},
        "help": {"text": help_text, "markdown": f"{rule.what}\n\n{rule.why}\n\n```\n{rule.example}```"},
        "defaultConfiguration": {"level": rule.severity},
        "properties": props,
    }


def _location(cols: _Columns, file: str, line: int | None, column: int | None, code: str,
              message: str | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, line or 1), "startColumn": cols.utf16(file, line, column)}
    snippet = code.splitlines()[0] if code else ""
    if snippet:
        region["snippet"] = {"text": snippet}
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": file, "uriBaseId": "SRCROOT"},
                                                "region": region}}
    if message:
        loc["message"] = {"text": message}
    return loc


def _result(finding: Finding, rule_index: int, cols: _Columns) -> dict[str, Any]:
    steps = finding.flow.compact()
    sink = finding.flow.steps[-1]
    thread = []
    for i, step in enumerate(steps):
        label = "source" if i == 0 else ("sink" if i == len(steps) - 1 else (step.note or "flow"))
        text = f"{label}: {' '.join(step.code.split())[:120]}"
        thread.append({"location": _location(cols, step.file, step.line, step.column, step.code, text),
                       "kinds": ["taint"] if 0 < i < len(steps) - 1 else (["source"] if i == 0 else ["sink"])})
    return {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": finding.rule.severity,
        "message": {"text": finding.message},
        "locations": [_location(cols, sink.file, sink.line, sink.column, sink.code)],
        "codeFlows": [{"threadFlows": [{"locations": thread}]}],
        "partialFingerprints": {"typeinfer/v1": finding.fingerprint()},
        "properties": {"typeinfer/inferredTypeNeeded": finding.inferred_type_needed},
    }


def to_sarif(result: ScanResult, root: str | None = None, version: str | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log (a JSON-ready dict) of a scan of the project at `root`."""
    if version is None:
        from typeinfer import __version__ as version
    index = {rule.id: i for i, rule in enumerate(result.rules)}
    cols = _Columns(root)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "typeinfer", "version": version, "semanticVersion": version,
                            "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in result.rules]}},
        "results": [_result(f, index[f.rule.id], cols) for f in result.findings],
        "columnKind": "utf16CodeUnits",
        "properties": {"typeinfer/truncated": result.truncated},
    }
    if root:
        base = Path(root).resolve()
        if base.is_file():
            base = base.parent
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": base.as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

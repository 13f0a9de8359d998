"""SARIF 2.1.0 output of a scan (what GitHub code scanning and IDEs read).

What it writes: one run; ``tool.driver`` with version and every rule (short/full description,
help text from the rule's What/Why/Example, default level, ``security-severity`` and tags);
one result per finding with the sink as its location, the source-to-sink path as a
``codeFlows[0].threadFlows[0].locations`` list, a line-independent ``partialFingerprints``
entry (``typeinfer/v1``, see `fingerprints`), and the property ``typeinfer/inferredTypeNeeded``.
File URIs: when the scanned path is inside a git repository (a ``.git`` entry in it or a folder
above), relative to the repository's root, with ``uriBaseId`` ``%SRCROOT%`` (the root's
``file:`` URI in ``originalUriBaseIds``), as code scanning expects; otherwise relative to the
scanned root, with ``uriBaseId`` ``SRCROOT`` naming that root.  Columns are
converted from the graph's 0-based byte offsets to SARIF's 1-based UTF-16 code units when the
source file can be read (else bytes + 1).  Validated against the official schema in
``analyzer/schemas/sarif-2.1.0.json`` by the tests.
"""

from __future__ import annotations

import hashlib
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


class _Artifacts:
    """Where file URIs are relative to: the git repository's root holding the scanned path
    (``%SRCROOT%``), else the scanned root (``SRCROOT``)."""

    def __init__(self, root: str | None) -> None:
        self.base: Path | None = None  # the scanned folder (a scanned file's folder)
        self.prefix = ""  # the scanned folder relative to the repository root, with a trailing "/"
        self.repo: Path | None = None
        self.base_id = "SRCROOT"
        if not root:
            return
        scanned = Path(root).resolve()
        self.base = scanned.parent if scanned.is_file() else scanned
        self.repo = repository_root(self.base)
        if self.repo is not None:
            self.base_id = "%SRCROOT%"
            rel = self.base.relative_to(self.repo).as_posix()
            self.prefix = "" if rel == "." else rel + "/"

    def uri(self, file: str) -> str:
        return self.prefix + file

    def original_uri_base_ids(self) -> dict[str, Any]:
        if self.repo is not None:
            return {"%SRCROOT%": {"uri": self.repo.as_uri() + "/",
                                  "description": {"text": "The root of the git repository that holds the scanned files."}}}
        if self.base is not None:
            return {"SRCROOT": {"uri": self.base.as_uri() + "/"}}
        return {}


def repository_root(path: Path) -> Path | None:
    """The nearest folder at or above `path` with a ``.git`` entry (folder, or file of a worktree
    or submodule); None outside a git repository.  Git itself is not run."""
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def fingerprints(findings: list[Finding]) -> list[str]:
    """The ``partialFingerprints`` value of each finding: `Finding.fingerprint` (rule, file, sink
    and source code; no line numbers, so unrelated edits above keep it) made distinct for identical
    flows in one file by their occurrence index in file order: the first keeps the plain hash
    (the value before occurrences were counted), the n-th (n > 0) hashes it with n."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        base = finding.fingerprint()
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else hashlib.sha256(f"{base}\0{n}".encode()).hexdigest()[:32])
    return out


def _location(cols: _Columns, file: str, line: int | None, column: int | None, code: str,
              message: str | None = None, artifacts: _Artifacts | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, line or 1), "startColumn": cols.utf16(file, line, column)}
    snippet = code.splitlines()[0] if code else ""
    if snippet:
        region["snippet"] = {"text": snippet}
    where = artifacts or _Artifacts(None)
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": where.uri(file), "uriBaseId": where.base_id},
                                                "region": region}}
    if message:
        loc["message"] = {"text": message}
    return loc


def _result(finding: Finding, rule_index: int, cols: _Columns, artifacts: _Artifacts, fingerprint: str) -> dict[str, Any]:
    steps = finding.flow.compact()
    sink = finding.flow.steps[-1]
    thread = []
    for i, step in enumerate(steps):
        label = "source" if i == 0 else ("sink" if i == len(steps) - 1 else (step.note or "flow"))
        text = f"{label}: {' '.join(step.code.split())[:120]}"
        thread.append({"location": _location(cols, step.file, step.line, step.column, step.code, text, artifacts),
                       "kinds": ["taint"] if 0 < i < len(steps) - 1 else (["source"] if i == 0 else ["sink"])})
    return {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [_location(cols, sink.file, sink.line, sink.column, sink.code, artifacts=artifacts)],
        "codeFlows": [{"threadFlows": [{"locations": thread}]}],
        "partialFingerprints": {"typeinfer/v1": fingerprint},
        "properties": {"typeinfer/inferredTypeNeeded": finding.inferred_type_needed,
                       "typeinfer/confidence": finding.confidence},
        # a source recognised by its name only ranks lower (SARIF rank: 0-100, higher is more important)
        "rank": 40.0 if finding.confidence == "low" else 90.0,
    }


def to_sarif(result: ScanResult, root: str | None = None, version: str | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log (a JSON-ready dict) of a scan of the project at `root`."""
    if version is None:
        from typeinfer import __version__ as version
    index = {rule.id: i for i, rule in enumerate(result.rules)}
    cols = _Columns(root)
    artifacts = _Artifacts(root)
    # occurrence indexes count in file order, whatever order the findings come in
    ordered = sorted(result.findings, key=lambda f: (f.location[0], f.location[1] or 0, f.location[2] or 0))
    prints = dict(zip(map(id, ordered), fingerprints(ordered)))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "typeinfer", "version": version, "semanticVersion": version,
                            "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in result.rules]}},
        "results": [_result(f, index[f.rule.id], cols, artifacts, prints[id(f)]) for f in result.findings],
        "columnKind": "utf16CodeUnits",
        "properties": {"typeinfer/truncated": result.truncated},
    }
    if artifacts.original_uri_base_ids():
        run["originalUriBaseIds"] = artifacts.original_uri_base_ids()
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

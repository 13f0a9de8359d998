"""Language-server latency: inlay hints after an edit, and initialize -> first hints.

Workspace: the installed `pygls` and `lsprotocol` packages (dependencies, so always there) plus
`networkx/classes/graph.py` as a 2,000-line `big.py`: about 25k lines of Python.  The server runs as
a subprocess (`python -m typeinfer.lsp`) driven by pygls' client over stdio, with a fresh graph
cache (`TYPEINFER_CACHE` in a temporary directory) so the initial build is not a cache hit.

Measured:
- initialize -> first inlay hints of big.py (the document is analysed alone while the workspace
  builds), and initialize -> hints from the whole-workspace analysis;
- inlay-hint request latency right after each of N edits typed into big.py (a viewport of 60
  lines around the edit, and the whole file), p50/p95;
- freshness: edit -> the analysis of that version installed (debounce included), p50/p95.

With --big: bottle.py 0.13.4 (4,681 lines, from PyPI through corpus.fetch) and zod 3.25.76's
src/v3/types.ts (5,136 lines, from npm), each alone in a workspace (--language picks one):
- ingestion: 1,000 single-character didChange notifications sent back to back, then one request
  round trip; edits/s over the whole burst (the server applies every change as it reads it);
- RSS of the server and its analysis process before and after 3 rounds of 1,000 such edits (and after each round);
- a new statement in one method -> the method's inlay hints, asked for as an editor does on the
  server's ``workspace/inlayHint/refresh``, show the new statement's type, p50/p95, and what was
  analysed again (`scope`: "function" when only that method and its dependants were);
- a statement typed a key every 40 ms -> from its last key to the analysis of that version
  installed and the hints answered (the debounce after typing);
- reference, in the same run: basedpyright-langserver (from the environment's PATH, when
  installed) for Python, typescript-language-server (pinned, installed from npm into --tools)
  for TypeScript, given the same edits -> its inlay hints for the method answered.

Usage: python bench/bench_lsp.py [--edits 200] [--keep DIR] | --big [--samples 6] [--agreement N]
[--language python|typescript|both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TYPED = 5  #: statements typed key by key in --big
TS_LANGUAGE_SERVER = "6.0.2"  #: the TypeScript reference server, pinned (npm)
TYPESCRIPT = "5.9.3"  #: the TypeScript its tsserver comes from


def make_workspace(root: Path) -> Path:
    import lsprotocol
    import networkx
    import pygls

    for pkg in (pygls, lsprotocol):
        src = Path(pkg.__file__).parent
        shutil.copytree(src, root / src.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    big = root / "big.py"
    shutil.copy(Path(networkx.__file__).parent / "classes" / "graph.py", big)
    return big


def loc(root: Path) -> int:
    return sum(p.read_text(encoding="utf-8", errors="replace").count("\n") for p in root.rglob("*.py"))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _plain(value):  # noqa: ANN001, ANN202
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def status(client: LanguageClient, uri: str) -> dict:
    s = _plain(await client.protocol.send_request_async("typeinfer/status", {}))
    s["doc"] = next((d for d in s["documents"] if d["uri"] == uri), {})
    return s


async def run(edits: int, keep: Path | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-lsp-"))
    cache = Path(tempfile.mkdtemp(prefix="typeinfer-bench-cache-"))
    try:
        root = work / "ws"
        root.mkdir()
        big = make_workspace(root)
        text = big.read_text()
        uri = big.as_uri()
        lines = text.split("\n")
        client = LanguageClient("bench", "1")
        os.environ["TYPEINFER_CACHE"] = str(cache)
        await client.start_io(sys.executable, "-m", "typeinfer.lsp")
        # like VS Code: textEdits of inlay hints are resolved lazily (inlayHint/resolve)
        caps = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            inlay_hint=types.InlayHintClientCapabilities(resolve_support=types.ClientInlayHintResolveOptions(
                properties=["tooltip", "textEdits"]))))
        t0 = time.perf_counter()
        await client.initialize_async(types.InitializeParams(capabilities=caps, root_uri=root.as_uri(),
                                                             initialization_options={"debounceMs": 100}))
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        whole = types.Range(types.Position(0, 0), types.Position(len(lines), 0))
        first = await client.text_document_inlay_hint_async(types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=whole))
        first_hints = time.perf_counter() - t0
        while True:
            s = await status(client, uri)
            if s["workspaceReady"] and s["idle"] and s["doc"].get("inGraph"):
                break
            await asyncio.sleep(0.05)
        workspace_hints = time.perf_counter() - t0
        hints_full = await client.text_document_inlay_hint_async(types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=whole))

        # edits: type one character at a time into a comment line inserted in the middle of the file
        target = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("    def "))
        version = 1
        version += 1
        insert(client, uri, version, target, 0, "    # \n")
        viewport_ms, full_ms, fresh_ms, counts, resolve_ms = [], [], [], [], []
        resolved_with_edits = 0
        col = 6
        for k in range(edits):
            version += 1
            sent = time.perf_counter()
            insert(client, uri, version, target, col, "x")
            col += 1
            view = types.Range(types.Position(max(0, target - 30), 0), types.Position(target + 30, 0))
            t = time.perf_counter()
            got = await client.text_document_inlay_hint_async(types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=view))
            viewport_ms.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            got_full = await client.text_document_inlay_hint_async(types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=whole))
            full_ms.append(1000 * (time.perf_counter() - t))
            counts.append((len(got or []), len(got_full or [])))
            if got:
                t = time.perf_counter()
                resolved = await client.inlay_hint_resolve_async(got[0])
                resolve_ms.append(1000 * (time.perf_counter() - t))
                resolved_with_edits += bool(resolved.text_edits)
            if k % 20 == 19:  # every 20th edit: pause and measure how long until the analysis caught up
                while True:
                    s = await status(client, uri)
                    if s["doc"].get("analyzedVersion") == version:
                        break
                    await asyncio.sleep(0.01)
                fresh_ms.append(1000 * (time.perf_counter() - sent))
            else:
                await asyncio.sleep(0.03)  # ~30 characters a second
        final = await status(client, uri)
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.sleep(0.2)
        await client.stop()
        return {
            "workspace_loc": loc(root), "big_py_lines": len(lines), "files": sum(1 for _ in root.rglob("*.py")),
            "first_hints_s": first_hints, "first_hint_count": len(first or []),
            "workspace_hints_s": workspace_hints, "workspace_hint_count": len(hints_full or []),
            "viewport_p50_ms": statistics.median(viewport_ms), "viewport_p95_ms": pct(viewport_ms, 0.95),
            "full_p50_ms": statistics.median(full_ms), "full_p95_ms": pct(full_ms, 0.95),
            "fresh_p50_ms": statistics.median(fresh_ms), "fresh_p95_ms": pct(fresh_ms, 0.95),
            "hints_per_viewport": statistics.median(c[0] for c in counts),
            "hints_per_file": statistics.median(c[1] for c in counts),
            "resolve_p50_ms": statistics.median(resolve_ms) if resolve_ms else 0.0,
            "resolve_p95_ms": pct(resolve_ms, 0.95) if resolve_ms else 0.0,
            "resolved_with_edits": f"{resolved_with_edits}/{len(resolve_ms)}",
            "edits": edits, "cache": {k: final[k] for k in ("cacheSize", "cacheHits", "cacheMisses")},
        }
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


@dataclass(frozen=True)
class BigFile:
    """A real file of 3,000+ lines in one language, and how the benchmark edits it."""

    registry: str
    package: str
    version: str
    member: str
    language: str
    header: str  #: a regular expression matching a method's first line
    first: str  #: the statement added first: a string variable, typed into between its quotes
    statement: str  #: a statement added per sample (``{k}``: the sample's number; it reads the variable)
    body_line: str  #: a regular expression matching a line inside a function body (--agreement)
    assignment: str  #: a statement --agreement adds (``{k}``, ``{value}``)
    values: tuple[str, ...]

    @property
    def name(self) -> str:
        return Path(self.member).name

    def fetch(self) -> Path:
        from typeinfer.corpus.fetch import fetch_npm, fetch_pypi

        return (fetch_pypi if self.registry == "pypi" else fetch_npm)(self.package, self.version) / self.member

    def edit_site(self, lines: list[str]) -> tuple[int, int, int]:
        """A method in the second half of the file: its first line, its first body line, the body's indent."""
        target = next(i for i in range(len(lines) // 2, len(lines) - 1) if re.match(self.header, lines[i])
                      and lines[i + 1].strip() and _indent(lines[i + 1]) > _indent(lines[i]))
        return target, target + 1, _indent(lines[target + 1])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


BIG_FILES = {
    "python": BigFile("pypi", "bottle", "0.13.4", "bottle.py", "python", r"    def ", 's = ""', "y{k} = len(s) * {k}",
                      r'^(?!.*""")(?!.*[:\\,(]\s*$) {8,}\S', "v{k} = {value}",
                      ("len(str(1))", "[]", "self", "0.5", "dict()")),
    # zod's core: classes with long methods, generics, arrows (5,136 lines)
    "typescript": BigFile("npm", "zod", "3.25.76", "src/v3/types.ts", "typescript", r"  (async )?[A-Za-z_]\w*(<.*>)?\(.*\{$",
                          'const s = "";', "const y{k} = s.length * {k};", r"^ {4,}(?![*/|&.])\S.*;\s*$",
                          "const v{k} = {value};",
                          ("String(1).length", "[]", "{}", "0.5", "new Map()")),
}


def insert(client: LanguageClient, uri: str, version: int, line: int, col: int, text: str) -> None:
    """Send a didChange that inserts `text` at (line, col)."""
    at = types.Position(line, col)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)]))


def _hint_params(uri: str, start: int, end: int) -> types.InlayHintParams:
    return types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                 range=types.Range(types.Position(start, 0), types.Position(end, 0)))


def reference_server(language: str, tools: Path) -> tuple[list[str], dict, str] | None:
    """The command line and initialization options of the language's reference server:
    basedpyright-langserver from the environment's PATH; typescript-language-server (pinned,
    with the TypeScript it drives) installed from npm into `tools` at first use."""
    if language == "python":
        server = shutil.which("basedpyright-langserver")
        return ([server, "--stdio"], {}, "basedpyright-langserver") if server else None
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None
    prefix = tools / f"typescript-language-server-{TS_LANGUAGE_SERVER}"
    script = prefix / "node_modules" / "typescript-language-server" / "lib" / "cli.mjs"
    if not script.is_file():
        subprocess.run([npm, "install", "--prefix", str(prefix), f"typescript-language-server@{TS_LANGUAGE_SERVER}",
                        f"typescript@{TYPESCRIPT}", "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    hints = {"includeInlayVariableTypeHints": True, "includeInlayFunctionLikeReturnTypeHints": True,
             "includeInlayParameterNameHints": "none"}
    return ([node, str(script), "--stdio"], {"preferences": hints},
            f"typescript-language-server {TS_LANGUAGE_SERVER} (TypeScript {TYPESCRIPT})")


async def run_reference(samples: int, big: BigFile, tools: Path) -> dict:
    """The same edits in the language's reference server: edit -> its inlay hints for the edited
    method answered (both check lazily, on request)."""
    found = reference_server(big.language, tools)
    if found is None:
        return {}
    command, options, label = found
    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-ref-"))
    try:
        path = work / big.name
        shutil.copy(big.fetch(), path)
        text = path.read_text()
        uri, lines = path.as_uri(), text.split("\n")
        client = LanguageClient("bench", "1")
        await client.start_io(*command)
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                             root_uri=work.as_uri(), initialization_options=options))
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=big.language, version=1, text=text)))
        target, body, indent = big.edit_site(lines)
        await client.text_document_inlay_hint_async(_hint_params(uri, 0, len(lines)))  # the first full check
        version, fresh_ms = 1, []
        insert(client, uri, 2, body, 0, " " * indent + big.first + "\n")
        version = 2
        for k in range(samples):
            version += 1
            sent = time.perf_counter()
            insert(client, uri, version, body + 1, 0, " " * indent + big.statement.format(k=k) + "\n")
            await client.text_document_inlay_hint_async(_hint_params(uri, target, body + 30 + k))
            fresh_ms.append(1000 * (time.perf_counter() - sent))
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.sleep(0.2)
        await client.stop()
        return {"fresh_ms": fresh_ms, "server": label}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_agreement(edits: int, big: BigFile) -> dict:
    """In process, with the bundled model: `edits` random statements added inside the file's
    functions one after another; after each, the per-function analysis's visible hints
    (confidence at or above the threshold) against a whole-file analysis of the same text."""
    import random

    from typeinfer.lsp.analysis import Analyzer, Snapshot
    from typeinfer.lsp.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-agree-"))
    try:
        path = work / big.name
        shutil.copy(big.fetch(), path)
        text = path.read_text()
        analyzer = Analyzer(work, lambda: Settings(), lambda _: None)
        analyzer.prepare()
        analyzer.workspace_ready.wait()

        def snap(t: str, v: int) -> Snapshot:
            return Snapshot(path.as_uri(), v, t, big.name, big.language, big.language, True)

        def visible(result) -> list:  # noqa: ANN001
            return sorted((i.prediction.kind, i.prediction.function, i.prediction.name, i.prediction.line,
                           i.prediction.type, i.anchor, i.writable) for i in result.items
                          if i.prediction.confidence >= result.threshold and not i.declared)

        analyzer.analyze(snap(text, 1))
        rng, same, scopes, ms, visible_count = random.Random(1), 0, Counter(), [], 0
        differing: list[int] = []  #: after each edit that was not identical, how many hints differ
        for k in range(edits):
            lines = text.split("\n")
            bodies = [i for i, line in enumerate(lines) if re.match(big.body_line, line)]
            i = rng.choice(bodies)
            lines.insert(i, " " * _indent(lines[i]) + big.assignment.format(k=k, value=rng.choice(big.values)))
            text = "\n".join(lines)
            result = analyzer.analyze(snap(text, 2 + k))
            scopes[result.scope] += 1
            ms.append(1000 * result.seconds)
            fresh = Analyzer(work, lambda: Settings(), lambda _: None)
            fresh.cpg, fresh.predictor, fresh.cache = analyzer.cpg, analyzer.predictor, analyzer.cache
            fresh.workspace_ready.set()
            reference = fresh.analyze(snap(text, 1000 + k))  # the whole file, on the same graph
            mine, whole = visible(result), visible(reference)
            same += mine == whole
            if mine != whole:
                differing.append(len(set(mine) ^ set(whole)))
            visible_count += len(whole)
        return {"edits": edits, "same": same, "scopes": dict(scopes), "ms": ms, "visible": visible_count / edits,
                "differing": differing}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the server and its analysis process)."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            total += sum(rss_mb(int(child)) for child in children)
    except OSError:
        pass
    return total


async def run_big(samples: int, big: BigFile) -> dict:
    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-lsp-"))
    cache = Path(tempfile.mkdtemp(prefix="typeinfer-bench-cache-"))
    try:
        root = work / "ws"
        root.mkdir()
        path = root / big.name
        shutil.copy(big.fetch(), path)
        text = path.read_text()
        uri, lines = path.as_uri(), text.split("\n")
        client = LanguageClient("bench", "1")
        refreshed = asyncio.Event()

        @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
        def on_refresh(_ls: LanguageClient, _params: None) -> None:
            refreshed.set()

        os.environ["TYPEINFER_CACHE"] = str(cache)
        await client.start_io(sys.executable, "-m", "typeinfer.lsp")
        pid = client._server.pid  # noqa: SLF001
        # an editor's flow: the server asks for hints again once an analysis lands (refresh), the
        # client then asks for the visible range's hints
        capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
            inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True)))
        await client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri(),
                                                             initialization_options={"debounceMs": 100}))
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=big.language, version=1, text=text)))

        async def settled(version: int) -> None:
            while True:
                s = await status(client, uri)
                if s["workspaceReady"] and s["idle"] and s["doc"].get("inGraph") \
                        and s["doc"].get("analyzedVersion") == version:
                    return
                await asyncio.sleep(0.01)

        await settled(1)
        target, body, indent = big.edit_site(lines)
        version = 2
        insert(client, uri, version, body, 0, " " * indent + big.first + "\n")
        await settled(version)
        col = indent + big.first.index('"') + 1  # typing goes inside the string literal: the code stays valid
        rss = [rss_mb(pid)]
        rates = []
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(1000):
                version += 1
                insert(client, uri, version, body, col, "x")
                col += 1
            await status(client, uri)  # answered after every change before it was applied
            rates.append(1000 / (time.perf_counter() - t))
            await settled(version)
            rss.append(rss_mb(pid))
        fresh_ms, scopes, hint_ms = [], [], []
        for k in range(samples):  # a new statement in the method each time: slots come and go
            version += 1
            refreshed.clear()
            sent = time.perf_counter()
            insert(client, uri, version, body + 1, 0, " " * indent + big.statement.format(k=k) + "\n")
            while True:  # until the method's hints show the new statement's variable
                await asyncio.wait_for(refreshed.wait(), 60)
                refreshed.clear()
                asked = time.perf_counter()
                hints = await client.text_document_inlay_hint_async(_hint_params(uri, target, body + 30 + k))
                if any(h.position.line == body + 1 for h in hints or ()):
                    break
            fresh_ms.append(1000 * (time.perf_counter() - sent))
            hint_ms.append(1000 * (time.perf_counter() - asked))
            await settled(version)
            scopes.append((await status(client, uri))["doc"].get("scope"))
        typed_ms = []
        for k in range(TYPED):  # a statement typed a key every 40 ms: from its last key to its hints
            version += 1
            insert(client, uri, version, body + 1, 0, " " * indent + "\n")
            for col, key in enumerate(big.statement.format(k=900 + k), start=indent):
                await asyncio.sleep(0.04)
                version += 1
                insert(client, uri, version, body + 1, col, key)
            last = time.perf_counter()
            await settled(version)
            await client.text_document_inlay_hint_async(_hint_params(uri, target, body + 40 + samples + 2 * k))
            typed_ms.append(1000 * (time.perf_counter() - last))
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.sleep(0.2)
        await client.stop()
        return {"lines": len(lines), "rates": rates, "rss": rss, "fresh_ms": fresh_ms, "scopes": scopes,
                "hint_ms": hint_ms, "typed_ms": typed_ms}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--big", action="store_true",
                        help="bottle.py and zod's types.ts: ingestion, RSS, edit -> hints, against a reference server")
    parser.add_argument("--language", choices=("python", "typescript", "both"), default="both",
                        help="with --big: which big file")
    parser.add_argument("--tools", type=Path, default=Path.home() / ".cache" / "typeinfer" / "bench-tools",
                        help="where the TypeScript reference server is installed from npm")
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--agreement", type=int, metavar="N",
                        help="with --big: N random edits in process, the per-function hints against a whole-file analysis")
    args = parser.parse_args()
    if args.big:
        for language in ("python", "typescript") if args.language == "both" else (args.language,):
            big = BIG_FILES[language]
            b = asyncio.run(run_big(args.samples, big))
            print(f"{big.name} ({big.package} {big.version}) {b['lines']} lines")
            print("ingestion, 3 rounds of 1,000 didChange: " + ", ".join(f"{r:.0f}" for r in b["rates"]) + " edits/s")
            print("server RSS: start " + " -> ".join(f"{m:.0f}" for m in b["rss"]) + " MB (after each round)")
            print(f"new statement in one method (a lone edit) -> its hints answered ({len(b['fresh_ms'])} edits): "
                  f"p50 {statistics.median(b['fresh_ms']):.0f} ms, p95 {pct(b['fresh_ms'], 0.95):.0f} ms; "
                  f"re-analysed: {dict(Counter(b['scopes']))}; of which the hint request after the refresh: "
                  f"p50 {statistics.median(b['hint_ms']):.0f} ms")
            print(f"a statement typed a key every 40 ms -> from its last key to its hints ({TYPED} statements, "
                  f"the analysis of the last version installed, polled): p50 {statistics.median(b['typed_ms']):.0f} ms, "
                  f"max {max(b['typed_ms']):.0f} ms")
            if args.agreement:
                a = run_agreement(args.agreement, big)
                print(f"{a['edits']} random statements added in functions (in process, bundled model): per-function "
                      f"analysis {dict(a['scopes'])}, p50 {statistics.median(a['ms']):.0f} ms, "
                      f"p95 {pct(a['ms'], 0.95):.0f} ms; visible hints identical to a whole-file analysis after "
                      f"{a['same']} of {a['edits']} (~{a['visible']:.0f} visible hints each"
                      + (f"; after the others, {', '.join(map(str, a['differing']))} hints differed)"
                         if a["differing"] else ")"))
            ref = asyncio.run(run_reference(args.samples, big, args.tools))
            if ref:
                print(f"{ref['server']}, same edits -> its hints for the method answered: "
                      f"p50 {statistics.median(ref['fresh_ms']):.0f} ms, p95 {pct(ref['fresh_ms'], 0.95):.0f} ms")
        return
    r = asyncio.run(run(args.edits, args.keep))
    print(f"workspace: {r['files']} files, {r['workspace_loc']} lines; big.py {r['big_py_lines']} lines; {r['edits']} edits")
    print(f"initialize -> first hints (big.py analysed alone): {r['first_hints_s']:.2f} s ({r['first_hint_count']} hints)")
    print(f"initialize -> whole-workspace hints: {r['workspace_hints_s']:.2f} s ({r['workspace_hint_count']} hints)")
    print(f"inlay hints after an edit, 60-line viewport: p50 {r['viewport_p50_ms']:.1f} ms, p95 {r['viewport_p95_ms']:.1f} ms"
          f" ({r['hints_per_viewport']} hints)")
    print(f"inlay hints after an edit, whole file:       p50 {r['full_p50_ms']:.1f} ms, p95 {r['full_p95_ms']:.1f} ms"
          f" ({r['hints_per_file']} hints)")
    print(f"inlayHint/resolve (textEdits via the writer): p50 {r['resolve_p50_ms']:.1f} ms, p95 {r['resolve_p95_ms']:.1f} ms"
          f" ({r['resolved_with_edits']} with edits)")
    print(f"edit -> re-analysis installed (100 ms debounce included): p50 {r['fresh_p50_ms']:.0f} ms, "
          f"p95 {r['fresh_p95_ms']:.0f} ms")
    print(f"prediction cache: {r['cache']}")


if __name__ == "__main__":
    main()

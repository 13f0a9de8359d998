"""The language server: pygls wiring, one thin handler per request.

What it does: keeps `DocumentState`s from didOpen/didChange/didSave/didClose, hands snapshots to
the analysis process (`AnalysisProcess`: debounced, coalesced; a child process, so that reading
edits never waits for analysis), installs its results on the event loop and asks the
client to refresh inlay hints; answers inlay hints, hover and code actions from the documents'
current items (moved through any edits since the last analysis), so requests never wait for the
graph.  The only wait is a first inlay-hint request on a document never analysed yet: it waits up
to `FIRST_RESULT_WAIT` seconds, and a `$/cancelRequest` ends that wait.

What it does not do: analysis (analysis.py) or presentation (hover.py, inlay_hints.py,
code_actions.py, diagnostics.py).  `typeinfer/status` is a small custom request for tests and
benchmarks (is the workspace built, how many jobs are pending, cache size).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from typeinfer import __version__

from . import code_actions, diagnostics, hover, inlay_hints
from .analysis import FileResult, Snapshot
from .analysis_process import AnalysisProcess
from .positions import ENCODINGS, UTF16
from .settings import Settings
from .state import DocumentState, document_identity, uri_to_path

log = logging.getLogger("typeinfer.lsp")

#: how long a first inlay-hint request on a document waits for its first analysis
FIRST_RESULT_WAIT = 10.0
#: seconds the analysis host waits for the event loop to take a document's snapshot
SNAPSHOT_WAIT = 10.0
STATUS = "typeinfer/status"
PROGRESS_TOKEN = "typeinfer/build"


class TypeinferProtocol(LanguageServerProtocol):
    """pygls' protocol, except that it keeps no copy of the documents' text: each document's
    text is its `DocumentState`, which applies an edit in time proportional to the edit, where
    pygls rewrites the whole text on every keystroke."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None


class _PipeReader:
    """An asyncio stream as pygls' reader: the end of the input reads as empty bytes."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""


class TypeinferServer(LanguageServer):
    """State shared by the handlers."""

    def __init__(self) -> None:
        super().__init__("typeinfer", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=TypeinferProtocol)
        self.settings = Settings()
        self.documents: dict[str, DocumentState] = {}
        self.root: Path | None = None
        self.analyzer: AnalysisProcess | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.progress_ready = False
        self.first_results: dict[str, asyncio.Event] = {}
        self.diagnosed: set[str] = set()
        self.installs = 0

    # ------------------------------------------------------------------ capabilities of the client
    def _client_supports(self, *path: str) -> bool:
        node: Any = self.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return False
        return bool(node)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """pygls' stdio loop, but reading the client's pipe with asyncio's own reader: pygls
        hands every header and body line to a thread (three hops a keystroke).  Any stdin that is
        not a pipe goes to pygls' reader."""
        from pygls.io_ import StdoutWriter, run_async

        source = stdin or sys.stdin.buffer
        try:
            if not stat.S_ISFIFO(os.fstat(source.fileno()).st_mode):
                raise ValueError("not a pipe")
        except (OSError, ValueError, AttributeError):
            super().start_io(stdin, stdout)
            return
        self._stop_event = threading.Event()  # what pygls' shutdown() sets to end `run_async`
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            stream = asyncio.StreamReader(limit=1 << 26)
            await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), source)
            await run_async(stop_event=self._stop_event, reader=_PipeReader(stream), protocol=self.protocol,
                            logger=log, error_handler=self.report_server_error)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def in_step(self, uri: str) -> DocumentState | None:
        """The open document `uri`, unless its text may differ from the client's (`desynced`)."""
        doc = self.documents.get(uri)
        return None if doc is None or doc.desynced else doc

    def position_encoding(self) -> str:
        """The position encoding negotiated at initialize (`positions.ENCODINGS`; UTF-16 before it)."""
        try:
            encoding = self.workspace.position_encoding
        except RuntimeError:  # no workspace yet: nothing was negotiated
            return UTF16
        encoding = str(getattr(encoding, "value", encoding) or UTF16)
        return encoding if encoding in ENCODINGS else UTF16

    def resolves_text_edits(self) -> bool:
        """Whether the client resolves inlay hints' textEdits lazily (then they are left out)."""
        node: Any = self.client_capabilities
        for name in ("text_document", "inlay_hint", "resolve_support"):
            node = getattr(node, name, None)
            if node is None:
                return False
        return "textEdits" in (node.properties or [])

    # ------------------------------------------------------------------ from the analysis thread
    def _from_thread(self, fn: Any, *args: Any) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)

    def _progress(self, stage: str, message: str, percentage: int | None) -> None:
        def send() -> None:
            if not self.progress_ready:
                return
            try:
                if stage == "begin":
                    value: Any = types.WorkDoneProgressBegin(title="typeinfer", message=message, percentage=0,
                                                             cancellable=False)
                    self.work_done_progress.begin(PROGRESS_TOKEN, value)
                elif stage == "report":
                    self.work_done_progress.report(PROGRESS_TOKEN, types.WorkDoneProgressReport(
                        message=message, percentage=percentage))
                else:
                    self.work_done_progress.end(PROGRESS_TOKEN, types.WorkDoneProgressEnd(message=message))
            except Exception:  # noqa: BLE001 - progress is cosmetic
                log.debug("progress %s failed", stage, exc_info=True)

        self._from_thread(send)

    def _message(self, text: str) -> None:
        self._from_thread(lambda: self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Info, message=text)))

    def _publish(self, result: FileResult) -> None:
        self._from_thread(self.install, result)

    # ------------------------------------------------------------------ on the loop
    def snapshot(self, doc: DocumentState) -> Snapshot:
        return Snapshot(doc.uri, doc.version, doc.text, doc.relpath, doc.language, doc.grammar, doc.in_workspace,
                        doc.encoding)

    def schedule(self, doc: DocumentState, delay: float) -> None:
        """Analyse `doc` once it has been quiet for `delay` seconds; its snapshot (the whole text)
        is taken then, not on every keystroke."""
        if self.analyzer is not None:
            self.analyzer.schedule_document(doc.uri, doc.relpath, lambda: self._snapshot_from_thread(doc.uri), delay)

    def _snapshot_from_thread(self, uri: str) -> Snapshot | None:
        """The snapshot of an open document, taken on the event loop (which owns the documents)
        for a thread that waits for it; None once the document is closed or the loop is gone."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return None

        async def take() -> Snapshot | None:
            doc = self.documents.get(uri)
            return self.snapshot(doc) if doc is not None else None

        try:
            return asyncio.run_coroutine_threadsafe(take(), loop).result(SNAPSHOT_WAIT)
        except Exception:  # noqa: BLE001 - the loop stopped (shutdown): nothing to analyse
            return None

    def install(self, result: FileResult) -> None:
        doc = self.documents.get(result.uri)
        if doc is None:
            return
        doc.install(result.version, result.text, result.items)
        doc.threshold, doc.refused = result.threshold, result.refused
        doc.dirty = result.version != doc.version
        doc.in_graph, doc.scope, doc.analysis_seconds = result.in_workspace_graph, result.scope, result.seconds
        self.installs += 1
        event = self.first_results.get(doc.uri)
        if event is not None:
            event.set()
        if doc.in_workspace and not result.in_workspace_graph and self.analyzer is not None \
                and self.analyzer.workspace_ready.is_set():
            self.schedule(doc, 0.0)  # analysed alone while the build ran: now with the project
        if self._client_supports("workspace", "inlay_hint", "refresh_support"):
            try:
                self.workspace_inlay_hint_refresh(None)
            except Exception:  # noqa: BLE001
                log.debug("inlay hint refresh failed", exc_info=True)
        self.publish_diagnostics(doc)

    def workspace_built(self) -> None:
        """Documents analysed on their own while the graph was built: again, with the project."""
        for doc in self.documents.values():
            if doc.in_workspace and not doc.in_graph:
                self.schedule(doc, 0.0)

    def publish_diagnostics(self, doc: DocumentState) -> None:
        found = diagnostics.diagnostics(doc, self.settings)
        if not found and doc.uri not in self.diagnosed:
            return
        self.diagnosed.add(doc.uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=doc.uri, diagnostics=found, version=doc.version))

    def update_settings(self, data: Any) -> None:
        before = self.settings
        self.settings = self.settings.merged(data)
        diagnostics_toggled = self.settings.diagnostics != before.diagnostics
        if diagnostics_toggled or self.settings.min_confidence != before.min_confidence:
            # declared slots are found by the analysis, and which items the writer can place is
            # checked there at the threshold in force
            for doc in self.documents.values():
                self.schedule(doc, 0.0)
                if diagnostics_toggled and not self.settings.diagnostics:
                    self.publish_diagnostics(doc)
        elif self.settings != before:
            for doc in self.documents.values():
                self.publish_diagnostics(doc)
            if self._client_supports("workspace", "inlay_hint", "refresh_support"):
                self.workspace_inlay_hint_refresh(None)

    def status(self) -> dict[str, Any]:
        analyzer = self.analyzer
        return {
            "workspaceReady": bool(analyzer and analyzer.workspace_ready.is_set()),
            "pending": analyzer.pending() if analyzer else 0,
            "idle": bool(analyzer and analyzer.idle.is_set()),
            "modelError": analyzer.model_error if analyzer else None,
            "cacheSize": len(analyzer.cache) if analyzer else 0,
            "cacheHits": analyzer.cache.hits if analyzer else 0,
            "cacheMisses": analyzer.cache.misses if analyzer else 0,
            "installs": self.installs,
            "documents": [{"uri": uri, "version": d.version, "analyzedVersion": d.analyzed_version,
                           "items": len(d.items), "dirty": d.dirty, "inGraph": d.in_graph, "desynced": d.desynced,
                           "scope": d.scope}
                          for uri, d in self.documents.items()],
        }


def _root_of(params: types.InitializeParams) -> Path | None:
    for uri in [params.root_uri] + [f.uri for f in (params.workspace_folders or [])]:
        if uri:
            path = uri_to_path(uri)
            if path is not None and path.is_dir():
                return path
    if params.root_path and Path(params.root_path).is_dir():
        return Path(params.root_path)
    return None


def create_server() -> TypeinferServer:
    """A server with every handler registered."""
    server = TypeinferServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: TypeinferServer, params: types.InitializeParams) -> None:
        ls.settings = ls.settings.merged(params.initialization_options)
        ls.root = _root_of(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: TypeinferServer, params: types.InitializedParams) -> None:
        ls.loop = asyncio.get_running_loop()
        if ls._client_supports("window", "work_done_progress"):
            try:
                await asyncio.wait_for(ls.work_done_progress.create_async(PROGRESS_TOKEN), 5)
                ls.progress_ready = True
            except Exception:  # noqa: BLE001 - no progress bar, same analysis
                log.debug("progress token refused", exc_info=True)
        ls.analyzer = AnalysisProcess(ls.root, lambda: ls.settings, ls._publish, ls._progress, ls._message,
                                      lambda: ls._from_thread(ls.workspace_built))
        ls.analyzer.start()
        for doc in ls.documents.values():  # opened before `initialized` finished
            ls.schedule(doc, 0.0)
        if ls._client_supports("workspace", "configuration"):
            try:
                result = await asyncio.wait_for(ls.workspace_configuration_async(types.ConfigurationParams(
                    items=[types.ConfigurationItem(section="typeinfer")])), 5)
                if result:
                    ls.update_settings(result[0])
            except Exception:  # noqa: BLE001 - defaults then
                log.debug("workspace/configuration failed", exc_info=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: TypeinferServer, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and params.settings:
            ls.update_settings(params.settings)
        if ls._client_supports("workspace", "configuration"):
            try:
                result = await asyncio.wait_for(ls.workspace_configuration_async(types.ConfigurationParams(
                    items=[types.ConfigurationItem(section="typeinfer")])), 5)
                if result:
                    ls.update_settings(result[0])
            except Exception:  # noqa: BLE001
                log.debug("workspace/configuration failed", exc_info=True)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TypeinferServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        identity = document_identity(item.uri, item.language_id, ls.root)
        if identity is None:
            return
        relpath, language, grammar, in_workspace = identity
        doc = DocumentState(item.uri, item.version, item.text, relpath, language, grammar, in_workspace,
                            ls.position_encoding())
        ls.documents[item.uri] = doc
        ls.first_results.setdefault(item.uri, asyncio.Event())
        ls.schedule(doc, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TypeinferServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            log.info("didChange for a document never opened: %s", params.text_document.uri)
            return
        version = params.text_document.version
        changes = list(params.content_changes)
        if doc.desynced:  # only a whole text puts it back in step
            whole = [c for c in changes if getattr(c, "range", None) is None]
            if not whole:
                return
            changes, doc.desynced = whole[-1:], False
        try:
            doc.apply_changes(version, changes)
        except Exception:  # noqa: BLE001 - never offer an edit computed from a text we are unsure of
            log.warning("a change to %s could not be applied; no hints until it is saved or reopened",
                        doc.uri, exc_info=True)
            doc.desynced, doc.items = True, []
            ls.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=f"typeinfer lost track of the text of {doc.relpath}: save or reopen it to get hints back."))
            return
        now = time.monotonic()
        delay = doc.analysis_delay(ls.settings.debounce_ms / 1000.0, now)
        doc.last_change = now
        ls.schedule(doc, delay)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TypeinferServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return
        if params.text is not None and (params.text != doc.text or doc.desynced):
            doc.apply_changes(doc.version, [types.TextDocumentContentChangeWholeDocument(text=params.text)])
            doc.desynced = False
        if doc.dirty or doc.analyzed_version != doc.version:
            ls.schedule(doc, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TypeinferServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.documents.pop(uri, None)
        ls.first_results.pop(uri, None)
        if doc is None:
            return
        if ls.analyzer is not None:
            ls.analyzer.forget(uri)
            if doc.in_workspace:
                ls.analyzer.revert(uri, doc.relpath)
        if uri in ls.diagnosed:
            ls.diagnosed.discard(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    async def inlay_hint(ls: TypeinferServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        doc = ls.in_step(params.text_document.uri)
        if doc is None or not ls.settings.enabled:
            return []
        if doc.analyzed_version is None:
            event = ls.first_results.get(doc.uri)
            if event is not None:
                try:
                    await asyncio.wait_for(event.wait(), FIRST_RESULT_WAIT)
                except asyncio.TimeoutError:
                    pass
            doc = ls.in_step(params.text_document.uri)
            if doc is None:
                return []
        return inlay_hints.inlay_hints(doc, params.range, ls.settings, lazy_edits=ls.resolves_text_edits())

    @server.feature(types.INLAY_HINT_RESOLVE)
    def inlay_hint_resolve(ls: TypeinferServer, hint: types.InlayHint) -> types.InlayHint:
        data = hint.data if isinstance(hint.data, dict) else {}
        return inlay_hints.resolve(ls.in_step(str(data.get("uri", ""))), hint)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: TypeinferServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.in_step(params.text_document.uri)
        if doc is None or not ls.settings.enabled:
            return None
        return hover.hover(doc, params.position, ls.settings)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.RefactorRewrite, code_actions.ANNOTATE_ALL_KIND]))
    def on_code_action(ls: TypeinferServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        doc = ls.in_step(params.text_document.uri)
        if doc is None:
            return []
        return code_actions.code_actions(doc, params.range, ls.settings, params.context.only)

    @server.feature(STATUS)
    def on_status(ls: TypeinferServer, params: Any) -> dict[str, Any]:
        return ls.status()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: TypeinferServer, params: Any) -> None:
        if ls.analyzer is not None:
            ls.analyzer.stop()

    return server


def run(args: argparse.Namespace) -> int:
    """Speak the Language Server Protocol over stdio (or TCP)."""
    if getattr(args, "log", None):
        logging.basicConfig(filename=args.log, level=logging.INFO,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
    else:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    server = create_server()
    if getattr(args, "tcp", None):
        host, port = args.tcp
        server.start_tcp(host, int(port))
    else:
        server.start_io()
    return 0



"""A type checker's language server, driven from synchronous code (`annotate --verify`).

A command-line checker re-reads the standard library and re-checks every file on each run;
its language server keeps them and re-checks only the files that changed and the files that
import them (bottle.py, 4,400 lines: 1.3 s after a change against 3.4 s for a command-line run).
`CheckerServer` starts the server (``basedpyright-langserver --stdio``, through pygls' client),
opens the files of a project copy once, then on each `errors(changed)` sends the changed texts
and pulls every open file's diagnostics (``textDocument/diagnostic``: the server answers once
that file is analysed, so no answer is stale).  The client runs on an event loop in a thread of
its own, so callers stay synchronous.  Any failure is a `CheckerServerError` (one line); the
caller falls back to the command line.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Coroutine, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.client import BaseLanguageClient

START_TIMEOUT_S = 60  #: the server's start and its answer to ``initialize`` (before any analysis)
STOP_TIMEOUT_S = 10
#: server notifications nobody here reads: handled so pygls does not log each one as unknown
_IGNORED_NOTIFICATIONS = ("window/logMessage", "window/showMessage", "$/progress", "telemetry/event",
                          "textDocument/publishDiagnostics", "pyright/beginProgress",
                          "pyright/reportProgress", "pyright/endProgress")

T = TypeVar("T")


class CheckerServerError(Exception):
    """The server did not start, answer in time, or exited; one line."""


class CheckerServer:
    """One language server process over a project copy at `root`.

    `errors(changed)` opens (first time) or updates the files it is given and returns, per
    opened file, the error-severity diagnostics as ``(line, column, code, message)`` (0-based
    line and UTF-16 column, as LSP gives them).
    """

    def __init__(self, cmd: list[str], root: Path, language_id: str, timeout_s: float) -> None:
        self.root = Path(root)
        self.language_id = language_id
        self.timeout_s = timeout_s
        self._versions: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="typeinfer-checker-server",
                                        daemon=True)
        self._thread.start()
        self._client = BaseLanguageClient("typeinfer-verify", "1")
        for method in _IGNORED_NOTIFICATIONS:
            self._client.feature(method)(_ignore)
        self._client.feature(lsp.WORKSPACE_CONFIGURATION)(_no_settings)
        try:
            self._call(self._start(cmd), START_TIMEOUT_S)
        except CheckerServerError:
            self.close()
            raise

    async def _start(self, cmd: list[str]) -> None:
        # a process group of its own: the pip wheel's server is a Python launcher running node,
        # and a kill must reach node too
        await self._client.start_io(cmd[0], *cmd[1:], cwd=str(self.root), start_new_session=os.name == "posix")
        uri = self.root.resolve().as_uri()
        await self._client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=uri, process_id=os.getpid(),
            workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=self.root.name or "project")]))
        self._client.initialized(lsp.InitializedParams())

    def errors(self, changed: Mapping[str, str]) -> dict[str, list[tuple[int, int, str, str]]]:
        """Open or update the files in `changed` (relative path -> text), then every open file's errors."""
        return self._call(self._errors(dict(changed)), self.timeout_s)

    async def _errors(self, changed: dict[str, str]) -> dict[str, list[tuple[int, int, str, str]]]:
        for rel, text in changed.items():
            uri = self._uri(rel)
            version = self._versions.get(rel, 0) + 1
            if version == 1:
                self._client.text_document_did_open(lsp.DidOpenTextDocumentParams(
                    lsp.TextDocumentItem(uri, self.language_id, version, text)))
            else:
                self._client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                    [lsp.TextDocumentContentChangeWholeDocument(text)]))
            self._versions[rel] = version
        files = sorted(self._versions)
        reports = await asyncio.gather(*(self._client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(self._uri(rel)))) for rel in files))
        out: dict[str, list[tuple[int, int, str, str]]] = {}
        for rel, report in zip(files, reports):
            items = getattr(report, "items", None) or []
            out[rel] = [(d.range.start.line, d.range.start.character, str(d.code or ""), d.message)
                        for d in items if d.severity == lsp.DiagnosticSeverity.Error]
        return out

    def _uri(self, rel: str) -> str:
        return (self.root.resolve() / rel).as_uri()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        if not self._thread.is_alive():
            coro.close()
            raise CheckerServerError("the checker's language server is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise CheckerServerError(f"the checker's language server gave no answer within {timeout:.0f} s") from None
        except CheckerServerError:
            raise
        except Exception as exc:  # the server exited, refused a request or sent what pygls cannot read
            raise CheckerServerError(f"the checker's language server failed: {exc}") from None

    def close(self) -> None:
        """Shut the server down (killed if it does not exit in time) and stop the client's loop."""
        if not self._thread.is_alive():
            return
        try:
            self._call(self._stop(), STOP_TIMEOUT_S)
        except CheckerServerError:
            self._loop.call_soon_threadsafe(self._kill)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STOP_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()

    async def _stop(self) -> None:
        process = self._process()
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(self._client.shutdown_async(None), STOP_TIMEOUT_S / 3)
                self._client.exit(None)
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S / 3)
            except Exception:  # noqa: BLE001 - a server that will not shut down is killed
                self._kill()
        await asyncio.wait_for(self._client.stop(), STOP_TIMEOUT_S / 3)

    def _process(self) -> asyncio.subprocess.Process | None:
        return getattr(self._client, "_server", None)  # pygls keeps the process it started there

    def _kill(self) -> None:
        process = self._process()
        if process is None:
            return
        if os.name == "posix":
            try:  # the launcher and the node it started, even once the launcher is gone
                os.killpg(process.pid, signal.SIGKILL)
                return
            except OSError:
                pass
        if process.returncode is None:
            process.kill()


def _ignore(*_: Any) -> None:
    return None


def _no_settings(params: lsp.ConfigurationParams) -> list[None]:
    """No client settings: the generated ``pyrightconfig.json`` beside the sources decides."""
    return [None for _ in params.items]

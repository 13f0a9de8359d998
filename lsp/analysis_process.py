"""The analysis in a child process: reading the client's edits never waits for it.

The server's event loop applies every ``didChange`` as it reads it; an `Analyzer` in the same
process would hold the interpreter for seconds on a big file and starve that loop.  Here the
`Analyzer` (its graph, model and caches) lives in a child process started with ``spawn``; this
side keeps only the debounced job table (`JobQueue`): when a document's job is due and the child
is free, its latest snapshot is sent over a pipe, one at a time, so a burst of edits costs one
transfer and one analysis.  Results, progress, messages and the workspace-ready signal come
back over the same pipe and reach the callbacks from a reader thread, as `Analyzer`'s do.

Messages, parent -> child: ``("job", uri, snapshot | None, relpath, settings)``, ``("stop",)``.
Child -> parent: ``("result", FileResult)`` (after an edit inside one function, without the items
it keeps from the document's previous result: `FileResult.compact` / `expanded`), ``("done", model_error, cache_size, hits, misses)``
after each job, ``("progress", stage, message, percentage)``, ``("message", text)``, ``("ready",)``.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .analysis import AnalysisHost, Analyzer, FileResult, Snapshot
from .jobs import Job
from .settings import Settings

log = logging.getLogger("typeinfer.lsp")


class CacheCounts:
    """The child's prediction-cache counters, as last reported."""

    def __init__(self) -> None:
        self.size = self.hits = self.misses = 0

    def __len__(self) -> int:
        return self.size


class AnalysisProcess(AnalysisHost):
    """`Analyzer`'s interface (an `AnalysisHost` with a `cache`), with the analysis in a child process."""

    def __init__(self, root: Path | None, settings: Callable[[], Settings],
                 publish: Callable[[FileResult], None],
                 progress: Callable[[str, str, int | None], None] | None = None,
                 message: Callable[[str], None] | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(root, settings, publish, progress, message, on_ready)
        self.cache = CacheCounts()
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, root, settings(), _log_file()),
                                        name="typeinfer-analysis", daemon=True)
        self._send_lock = threading.Lock()
        self._job_done = threading.Event()
        #: each document's last result's items, as the child made them: a result of an edit inside
        #: one function comes without the items it keeps from them (`FileResult.compact`)
        self._last_items: dict[str, list] = {}

    # ------------------------------------------------------------------ control (any thread)
    def start(self) -> None:
        self._process.start()
        threading.Thread(target=self._read, name="typeinfer-results", daemon=True).start()
        threading.Thread(target=self._dispatch, name="typeinfer-dispatch", daemon=True).start()

    def stop(self) -> None:
        self.jobs.stop()
        self._send(("stop",))
        self._process.join(5)
        if self._process.is_alive():
            self._process.terminate()

    def schedule_document(self, uri: str, relpath: str, take_snapshot: Callable[[], Snapshot | None],
                          delay: float = 0.0) -> None:
        """Analyse a document after `delay` seconds of quiet, with the snapshot `take_snapshot`
        returns when the job is due (None: closed meanwhile, nothing to do)."""
        self.jobs.put(Job(time.monotonic() + delay, uri, take_snapshot, relpath))

    # ------------------------------------------------------------------ threads
    def _send(self, message: tuple[Any, ...]) -> bool:
        try:
            with self._send_lock:
                self._conn.send(message)
            return True
        except (OSError, ValueError):  # the child is gone
            return False

    def _dispatch(self) -> None:
        while (job := self.jobs.take()) is not None:
            snapshot = job.snapshot() if callable(job.snapshot) else job.snapshot
            if snapshot is None and job.snapshot is not None:  # closed before it was due
                self.jobs.done()
                continue
            self._job_done.clear()
            if not self._send(("job", job.uri, snapshot, job.relpath, self.settings())):
                log.error("the analysis process is gone; no more analysis")
                self.jobs.stop()
                return
            self._job_done.wait()
            self.jobs.done()

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                self._job_done.set()
                return
            kind = message[0]
            try:
                if kind == "result":
                    result = message[1].expanded(self._last_items.get(message[1].uri, []))
                    self._last_items[result.uri] = result.items
                    self.publish(result)
                    if result.scope == "file":
                        _freeze_survivors()
                elif kind == "done":
                    self.model_error, self.cache.size, self.cache.hits, self.cache.misses = message[1:]
                    self._job_done.set()
                elif kind == "progress":
                    self.progress(*message[1:])
                elif kind == "message":
                    self.message(message[1])
                elif kind == "ready":
                    self.workspace_ready.set()
                    self.on_ready()
            except Exception:  # noqa: BLE001 - a callback failing must not stop the results
                log.exception("handling %s from the analysis process failed", kind)


def serve(conn: Any, root: Path | None, settings: Settings, log_file: str | None = None) -> None:
    """The child process: an `Analyzer` running the jobs the parent sends, until told to stop."""
    os.dup2(2, 1)  # stdout is the parent's protocol stream: nothing may ever be written there
    sys.stdout = sys.stderr
    if log_file:
        logging.basicConfig(filename=log_file, level=logging.INFO,
                            format="%(asctime)s analysis %(levelname)s %(message)s")
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    current = [settings]
    analyzer = Analyzer(root, lambda: current[0], lambda result: send(("result", result)),
                        lambda *args: send(("progress", *args)), lambda text: send(("message", text)),
                        lambda: send(("ready",)))
    analyzer.prepare()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] != "job":
            return
        _, uri, snapshot, relpath, current[0] = message
        result = analyzer.run_job(uri, snapshot, relpath)
        if result is not None:
            send(("result", result.compact()))
            if result.scope == "file":
                _freeze_survivors()
        cache = analyzer.cache
        send(("done", analyzer.model_error, len(cache), cache.hits, cache.misses))


def _freeze_survivors() -> None:
    """Collect everything once (what was frozen before too) and move what survives out of the
    cyclic collector's sight.  Called after a whole-file analysis, on both sides of the pipe: the
    graph, the documents and their items outlive many edits, and a full collection that an edit's
    garbage triggers would walk them all (a per-edit p95 of 250 ms became 150 ms in the analysis
    process on a 4,700-line file; in the server, one edit in 30 took 60 ms more).  Acyclic
    garbage is still freed by reference counting."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _log_file() -> str | None:
    """The file the server logs to (``--log``), for the child to log to as well."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return handler.baseFilename
    return None

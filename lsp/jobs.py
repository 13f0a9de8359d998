"""The documents waiting for analysis: one job per document, each due after its debounce.

A newer job of a document replaces its pending one (a burst of edits costs one analysis), and
`take` hands out the job that is due first, one at a time: the taker calls `done` when it has
finished it.  `idle` is set while nothing is pending or being analysed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class Job:
    """Analyse `snapshot` (an `analysis.Snapshot`) once `due`; no snapshot: put the closed
    document's file back to its text on disk."""

    due: float
    uri: str = field(compare=False)
    snapshot: Any = field(compare=False, default=None)
    relpath: str = field(compare=False, default="")


class JobQueue:
    """Debounced, coalesced document jobs, taken one at a time (any thread may put)."""

    def __init__(self) -> None:
        self.idle = threading.Event()
        self._jobs: dict[str, Job] = {}
        self._cond = threading.Condition()
        self._busy = False
        self._stopped = False

    def put(self, job: Job) -> None:
        """Queue `job`, replacing the pending job of its document."""
        with self._cond:
            self.idle.clear()
            self._jobs[job.uri] = job
            self._cond.notify_all()

    def forget(self, uri: str) -> None:
        """Drop the pending job of a document (closed)."""
        with self._cond:
            self._jobs.pop(uri, None)
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._jobs)

    def stop(self) -> None:
        """Drop every job; `take` returns None from now on."""
        with self._cond:
            self._stopped = True
            self._jobs.clear()
            self._cond.notify_all()

    def take(self) -> Job | None:
        """Block until a job is due and the previous one is done; None once stopped."""
        with self._cond:
            while True:
                if self._stopped:
                    return None
                if self._jobs and not self._busy:
                    job = min(self._jobs.values())
                    wait = job.due - time.monotonic()
                    if wait <= 0:
                        del self._jobs[job.uri]
                        self._busy = True
                        return job
                    self._cond.wait(wait)
                    continue
                if not self._jobs and not self._busy:
                    self.idle.set()
                self._cond.wait()

    def done(self) -> None:
        """The job `take` handed out is finished."""
        with self._cond:
            self._busy = False
            if not self._jobs:
                self.idle.set()
            self._cond.notify_all()


class SchedulesDocuments:
    """The document side of an analysis host: `schedule`, `revert`, `forget` and `pending` over
    its `jobs` (a `JobQueue`), shared by the in-process `Analyzer` and `AnalysisProcess`."""

    jobs: JobQueue

    def schedule(self, snapshot: Any, delay: float = 0.0) -> None:
        """Analyse `snapshot` (an `analysis.Snapshot`) after `delay` seconds of quiet (replaces a
        pending one of the document)."""
        self.jobs.put(Job(time.monotonic() + delay, snapshot.uri, snapshot, snapshot.relpath))

    def revert(self, uri: str, relpath: str) -> None:
        """A closed workspace document: its graph goes back to the file on disk."""
        self.jobs.put(Job(time.monotonic(), uri, None, relpath))

    def forget(self, uri: str) -> None:
        """A closed document: its pending job is dropped."""
        self.jobs.forget(uri)

    def pending(self) -> int:
        return self.jobs.pending()

"""Where jobs run: local worker processes, or a Ray cluster (a batch's repositories, a corpus
build's packages).

Both engines take jobs with `submit` (a key, a module-level function and its arguments) and hand
back finished ones, in the order they finish, with `wait`: ``(key, result)`` where the result is
what the function returned, or a `Crash` when the worker died, the job ran past its time or the
function raised (the caller decides about retries).

`ProcessEngine` (``--cluster processes``, the default without the ``cluster`` extra): a pool of
``--jobs`` processes; a worker killed mid-job breaks the pool, the jobs running then come back as
crashed and the pool is started again.  `RayEngine` (``--cluster local|auto|ray://HOST:PORT``): one Ray task
per repository (a task per CPU at a time); Ray reuses its worker processes, so the model a
worker loaded stays loaded for the next repository.  The repositories' paths must be readable
where the tasks run (a shared file system on a multi-node cluster); outputs come back to the
driver, which writes them.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable


__all__ = ["ClusterUnavailable", "Crash", "ProcessEngine", "RayEngine", "make_engine"]


class Crash(str):
    """Why a job gave no result (one line): the worker died, it timed out, or it raised."""


Finished = tuple[Hashable, Any]


class ClusterUnavailable(Exception):
    """Ray is not installed or the cluster cannot be reached; one line."""


class ProcessEngine:
    """Jobs on a pool of local processes, at most `jobs` handed to it at a time (a worker that
    dies fails only the jobs running then, not the queued ones).  It takes no time-out: a process
    pool cannot stop one job."""

    name = "processes"

    def __init__(self, jobs: int, context: Any = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self._context = context
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        self._queue: deque[tuple[Hashable, Callable[..., Any], tuple]] = deque()
        self._running: dict[Future, Hashable] = {}

    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        """Queue `fn(*args)` as the job `key`."""
        self._queue.append((key, fn, args))

    def pending(self) -> int:
        """Jobs queued or running."""
        return len(self._queue) + len(self._running)

    def wait(self) -> Finished:
        """The next job to finish: (key, what it returned, or a `Crash`)."""
        while self._queue and len(self._running) < self.jobs:
            key, fn, args = self._queue.popleft()
            try:
                future = self._pool.submit(fn, *args)
            except BrokenProcessPool:  # a worker died earlier: a fresh pool for what comes next
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self._context)
                future = self._pool.submit(fn, *args)
            self._running[future] = key
        done, _ = wait_futures(list(self._running), return_when=FIRST_COMPLETED)
        future = next(iter(done))
        key = self._running.pop(future)
        try:
            return key, future.result()
        except BrokenProcessPool:
            return key, Crash("the worker process died")
        except Exception as exc:  # noqa: BLE001 - what a worker raised, for the failures file
            return key, Crash(f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        """Stop the workers; queued jobs are dropped."""
        self._queue.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


class RayEngine:
    """Jobs as Ray tasks on a local instance or a cluster."""

    def __init__(self, cluster: str, jobs: int, timeout_s: float | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ClusterUnavailable("Ray is not installed: pip install 'typeinfer[cluster]' "
                                     "(or --cluster processes)") from None
        self.ray = ray
        self.timeout_s = timeout_s
        self.name = f"ray ({cluster})"
        if not ray.is_initialized():
            try:
                quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
                if cluster == "local":  # a new instance, even beside one `ray start` left running
                    ray.init(address="local", num_cpus=jobs or None, include_dashboard=False, **quiet)
                elif cluster == "auto":
                    try:
                        ray.init(address="auto", **quiet)
                    except ConnectionError:  # no running cluster: a local instance
                        ray.init(address="local", num_cpus=jobs or None, include_dashboard=False, **quiet)
                else:
                    ray.init(address=cluster, **quiet)
            except Exception as exc:  # noqa: BLE001 - Ray's own errors, in one line
                raise ClusterUnavailable(f"cannot start or reach the Ray cluster {cluster!r}: {exc}") from None
        self._remotes: dict[Callable[..., Any], Any] = {}
        self._queue: deque[tuple[Hashable, Callable[..., Any], tuple]] = deque()
        self._running: dict[Any, tuple[Hashable, float]] = {}
        # as many jobs handed to Ray as it has CPUs: a job's time counts from when it can run
        self._slots = max(1, int(ray.cluster_resources().get("CPU", jobs or 1)))

    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        """Queue `fn(*args)` as the job `key` (a module-level function: Ray pickles it by name)."""
        self._queue.append((key, fn, args))

    def pending(self) -> int:
        """Jobs queued or running."""
        return len(self._queue) + len(self._running)

    def wait(self) -> Finished:
        """The next job to finish: (key, what it returned, or a `Crash`)."""
        ray = self.ray
        while self._queue and len(self._running) < self._slots:
            key, fn, args = self._queue.popleft()
            if fn not in self._remotes:  # retries are the caller's, counted and reported
                self._remotes[fn] = ray.remote(max_retries=0)(fn)
            self._running[self._remotes[fn].remote(*args)] = (key, time.monotonic())
        while True:
            ready, _ = ray.wait(list(self._running), num_returns=1, timeout=1.0)
            if ready:
                ref = ready[0]
                key, _started = self._running.pop(ref)
                try:
                    return key, ray.get(ref)
                except ray.exceptions.WorkerCrashedError:
                    return key, Crash("the worker process died")
                except ray.exceptions.TaskCancelledError:
                    return key, Crash(f"ran longer than {self.timeout_s:g} s" if self.timeout_s else "cancelled")
                except Exception as exc:  # noqa: BLE001 - RayTaskError and friends, in one line
                    text = str(exc).strip()
                    return key, Crash(text.splitlines()[-1] if text else type(exc).__name__)
            if self.timeout_s is not None:
                now = time.monotonic()
                for ref, (key, started) in list(self._running.items()):
                    if now - started > self.timeout_s:
                        ray.cancel(ref, force=True)

    def close(self) -> None:
        """Drop queued jobs.  A Ray instance this engine started stops with the process; one the
        caller started (or a cluster) is left running."""
        self._queue.clear()


def make_engine(cluster: str, jobs: int, timeout_s: float | None = None,
                context: Any = None) -> ProcessEngine | RayEngine:
    """The engine `--cluster` names: ``processes``; ``local``, ``auto`` or ``ray://HOST:PORT``;
    "" for the default (a local Ray instance when Ray is installed, else processes).  `timeout_s`
    applies on Ray only; `context`: the multiprocessing start method's context for processes
    (default: the platform's)."""
    if cluster == "":
        try:
            import ray  # noqa: F401
        except ImportError:
            return ProcessEngine(jobs, context)
        cluster = "local"
    if cluster == "processes":
        return ProcessEngine(jobs, context)
    return RayEngine(cluster, jobs, timeout_s)

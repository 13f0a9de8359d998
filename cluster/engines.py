"""Where a batch's repository jobs run: local worker processes, or a Ray cluster.

Both engines take jobs with `submit` and hand back finished ones, in the order they finish,
with `wait`: ``(key, outcome)`` where the outcome is a `task.RepoOutcome`, or a one-line
string when the worker died or the job ran past its time (the batch decides about retries).

`ProcessEngine` (``--cluster processes``, the default without the ``cluster`` extra): a pool of
``--jobs`` processes; a worker killed mid-job breaks the pool, its jobs come back as crashed and
the pool is started again.  `RayEngine` (``--cluster local|auto|ray://HOST:PORT``): one Ray task
per repository (a task per CPU at a time); Ray reuses its worker processes, so the model a
worker loaded stays loaded for the next repository.  The repositories' paths must be readable
where the tasks run (a shared file system on a multi-node cluster); outputs come back to the
driver, which writes them.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Hashable

from .repos import Repo
from .task import RepoOutcome, run_repo

__all__ = ["ClusterUnavailable", "ProcessEngine", "RayEngine", "make_engine"]

Finished = tuple[Hashable, "RepoOutcome | str"]


class ClusterUnavailable(Exception):
    """Ray is not installed or the cluster cannot be reached; one line."""


class ProcessEngine:
    """Jobs on a pool of local processes."""

    name = "processes"

    def __init__(self, jobs: int, timeout_s: float | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout_s = timeout_s
        self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        self._running: dict[Future, Hashable] = {}

    def submit(self, key: Hashable, repo: Repo, command: str, args: list[str]) -> None:
        try:
            future = self._pool.submit(run_repo, repo, command, args)
        except BrokenProcessPool:  # a worker died earlier: a fresh pool for what comes next
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
            future = self._pool.submit(run_repo, repo, command, args)
        self._running[future] = key

    def pending(self) -> int:
        return len(self._running)

    def wait(self) -> Finished:
        done, _ = wait_futures(list(self._running), return_when=FIRST_COMPLETED)
        future = next(iter(done))
        key = self._running.pop(future)
        try:
            return key, future.result()
        except BrokenProcessPool:
            return key, "the worker process died"
        except Exception as exc:  # noqa: BLE001 - what a worker raised, for the failures file
            return key, f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
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
                if cluster == "local":
                    ray.init(num_cpus=jobs or None, include_dashboard=False, **quiet)
                elif cluster == "auto":
                    try:
                        ray.init(address="auto", **quiet)
                    except ConnectionError:  # no running cluster: a local instance
                        ray.init(num_cpus=jobs or None, include_dashboard=False, **quiet)
                else:
                    ray.init(address=cluster, **quiet)
            except Exception as exc:  # noqa: BLE001 - Ray's own errors, in one line
                raise ClusterUnavailable(f"cannot start or reach the Ray cluster {cluster!r}: {exc}") from None
        self._remote = ray.remote(max_retries=0)(run_repo)  # retries are the batch's, counted and reported
        self._running: dict[Any, tuple[Hashable, float]] = {}

    def submit(self, key: Hashable, repo: Repo, command: str, args: list[str]) -> None:
        self._running[self._remote.remote(repo, command, args)] = (key, time.monotonic())

    def pending(self) -> int:
        return len(self._running)

    def wait(self) -> Finished:
        ray = self.ray
        while True:
            ready, _ = ray.wait(list(self._running), num_returns=1, timeout=1.0)
            if ready:
                ref = ready[0]
                key, _started = self._running.pop(ref)
                try:
                    return key, ray.get(ref)
                except ray.exceptions.WorkerCrashedError:
                    return key, "the worker process died"
                except ray.exceptions.TaskCancelledError:
                    return key, f"ran longer than {self.timeout_s:g} s"
                except Exception as exc:  # noqa: BLE001 - RayTaskError and friends, in one line
                    return key, str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            if self.timeout_s is not None:
                now = time.monotonic()
                for ref, (key, started) in list(self._running.items()):
                    if now - started > self.timeout_s:
                        ray.cancel(ref, force=True)

    def close(self) -> None:
        pass  # the Ray instance outlives the batch only when the caller started it


def make_engine(cluster: str, jobs: int, timeout_s: float | None = None) -> ProcessEngine | RayEngine:
    """The engine `--cluster` names: ``processes``; ``local``, ``auto`` or ``ray://HOST:PORT``;
    "" for the default (a local Ray instance when Ray is installed, else processes)."""
    if cluster == "":
        try:
            import ray  # noqa: F401
        except ImportError:
            return ProcessEngine(jobs, timeout_s)
        cluster = "local"
    if cluster == "processes":
        return ProcessEngine(jobs, timeout_s)
    return RayEngine(cluster, jobs, timeout_s)

"""The one execution engine of ``finrisk run`` and ``finrisk sweep``: independent notebook executions as tasks
on Dask, one kernel per worker process at a time, each kernel's threads capped so that N workers share the cores
instead of fighting over them. A run of several notebooks is a sweep over notebooks.

Tasks that run one at a time (a single task, or one worker) run in this process, in order, with no cluster to
start; otherwise they run on a ``LocalCluster`` of ``workers`` processes (default: one per core), or on the
cluster at ``scheduler``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = [
    "THREAD_VARS",
    "available_cores",
    "capped_threads",
    "check_workers",
    "map_tasks",
    "threads_per_kernel",
]

# Read by the kernels papermill starts: OpenMP/BLAS pools (numpy, scikit-learn) and TensorFlow's op pools.
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def available_cores() -> int:
    """Cores this process may use (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_workers(workers: object, caller: str) -> None:
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(
            f"{caller}: workers must be a positive number of processes, got {workers!r}"
        )


def threads_per_kernel(workers: int) -> int:
    """Threads each kernel gets when ``workers`` kernels share the cores (at least one)."""
    return max(1, available_cores() // max(1, workers))


def set_thread_env(threads: int | None) -> None:
    """Cap the thread pools of kernels started from now on in this process (inherited environment)."""
    if threads:
        for var in THREAD_VARS:
            os.environ[var] = str(threads)


@contextmanager
def capped_threads(threads: int | None) -> Iterator[None]:
    """:func:`set_thread_env` for the duration, the previous environment restored afterwards."""
    saved = {var: os.environ.get(var) for var in THREAD_VARS}
    set_thread_env(threads)
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _with_threads(fn: Callable[..., Any], threads: int | None, *args: Any) -> Any:
    """Run ``fn(*args)`` in a Dask worker with the kernel thread cap set (module level: picklable)."""
    set_thread_env(threads)
    return fn(*args)


def probe_scheduler(address: str, timeout_s: float) -> None:
    """Fail fast (``OSError``) when nothing listens at a TCP scheduler address, instead of Dask's retries."""
    import socket

    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return
    host, port = parse_host_port(location)
    with socket.create_connection((host, port), timeout=timeout_s):
        pass


@contextmanager
def dask_client(
    workers: int, scheduler: str | None = None, connect_timeout_s: float = 10, caller: str = "run"
) -> Iterator[Any]:
    """A Dask client on a fresh ``LocalCluster`` of ``workers`` single-threaded processes, or on the cluster
    at ``scheduler``; ``ConnectionError`` when it cannot be reached. Closed on exit."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            probe_scheduler(scheduler, connect_timeout_s)
            client = Client(scheduler, timeout=connect_timeout_s)
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                preload=["finrisk_utils.workbench.startup"],  # its dask_setup, in each worker
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = f"the Dask scheduler at {scheduler!r}" if scheduler else "a local Dask cluster"
        raise ConnectionError(f"{caller}: cannot reach {where}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def map_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int, Any], None] | None = None,
    connect_timeout_s: float = 10,
    caller: str = "run",
) -> list[Any]:
    """``[fn(*task) for task in tasks]``, executed in parallel; returns the results in the order of ``tasks``.

    ``fn`` must never raise for a failing notebook (the failure is its result): a raised exception stops the
    lot. ``on_done(index, result)`` is called in this process as each task finishes (in finishing order). On
    Ctrl-C the pending tasks are cancelled and ``KeyboardInterrupt`` propagates; the caller keeps what finished
    through ``on_done``. Each kernel gets ``cores // workers`` threads (``THREAD_VARS``).
    """
    check_workers(workers, caller)
    if not tasks:
        return []
    n_workers = min(workers or available_cores(), len(tasks))
    # a remote cluster's workers size their own machines; locally the kernels share this one's cores
    threads = None if scheduler else threads_per_kernel(n_workers)
    results: list[Any] = [None] * len(tasks)
    if n_workers == 1 and not scheduler:  # one at a time: in this process, no cluster to start
        with capped_threads(threads if workers else None):
            for i, task in enumerate(tasks):
                results[i] = fn(*task)
                if on_done:
                    on_done(i, results[i])
        return results
    from dask.distributed import as_completed

    with dask_client(n_workers, scheduler, connect_timeout_s, caller) as client:
        futures = [client.submit(_with_threads, fn, threads, *task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in as_completed(futures):
                i = index[future.key]
                results[i] = future.result()
                if on_done:
                    on_done(i, results[i])
        except KeyboardInterrupt:
            client.cancel(futures)
            raise
    return results

"""The Dask client the engine talks through: an embedded LocalCluster, or a remote scheduler."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import dask
import distributed

from core.errors import ConfigError
from core.settings import Settings

__all__ = ["DaskConnection", "connect"]

# Dask's stubs describe the blocking API; with asynchronous=True the same calls return
# awaitables, so the client and the cluster are handled as Any at this one seam.
_Client: Any = distributed.Client
_LocalCluster: Any = distributed.LocalCluster


# Dask's housekeeping defaults (a 20 ms event-loop tick, a 0.5 s system monitor, a 100 ms
# memory monitor) cost ~13-15 % of one core on an idle embedded cluster, taken straight from
# ffmpeg on a small machine (measured with bench/video_render_vs_ffmpeg.py). Jobs here run for
# seconds, so slower housekeeping loses nothing; nannies pass this config to their workers.
#
# Nannies also put MALLOC_TRIM_THRESHOLD_=65536 into each worker's environment (to hand freed
# pandas/numpy memory back to the OS), and every ffmpeg the worker starts inherits it: glibc
# then trims the heap on nearly every free of x264's frame buffers, doubling ffmpeg's system
# time (~4 % slower encodes, measured). Workers here hold no large arrays: keep the rest of
# Dask's default (one OpenMP/BLAS thread per single-threaded worker), drop that one.
_EMBEDDED_CONFIG = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
}


@dataclass
class DaskConnection:
    client: Any  # distributed.Client(asynchronous=True)
    cluster: Any  # distributed.LocalCluster(asynchronous=True); None when the scheduler is remote

    @property
    def embedded(self) -> bool:
        return self.cluster is not None

    async def close(self) -> None:
        await self.client.close()
        if self.cluster is not None:
            await self.cluster.close()


async def connect(settings: Settings, *, processes: bool) -> DaskConnection:
    """A client for ``settings.dask_address``, or for a new loopback LocalCluster.

    The embedded cluster runs ``settings.dask_workers`` worker processes of one thread each
    (one job per process), under nannies that restart a killed worker; no dashboard.
    ``processes=False`` runs the workers as threads of this process: it starts in
    milliseconds, for callers (tests) that need no process isolation.
    """
    if settings.dask_address:
        try:
            # The connect timeout is Dask's own setting (distributed.comm.timeouts.connect, 30 s).
            client = await _Client(settings.dask_address, asynchronous=True)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {settings.dask_address}",
                value=settings.dask_address,
                hint="Start it (`dask scheduler`) or fix ATOMS_DASK_ADDRESS (tcp://host:8786); "
                "unset it to run jobs on an embedded cluster.",
            ) from exc
        return DaskConnection(client, None)
    dask.config.set(_EMBEDDED_CONFIG)
    # The embedded scheduler and nannies live in this process: their INFO lines (every worker
    # registering, every connection) would drown the server's own log.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    cluster = await _LocalCluster(
        n_workers=settings.dask_workers,
        threads_per_worker=1,
        processes=processes,
        # Worker processes talk TCP on loopback; thread workers talk in-process (no socket).
        **({"host": "127.0.0.1"} if processes else {}),
        dashboard_address=None,
        # The scheduler serves health and metrics over HTTP even without a dashboard, on :8787
        # unless told otherwise: keep it on loopback, on a free port, so two servers never clash.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        asynchronous=True,
        silence_logs=logging.WARNING,
    )
    client = await _Client(cluster, asynchronous=True)
    return DaskConnection(client, cluster)

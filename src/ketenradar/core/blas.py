"""How many threads the BLAS/LAPACK libraries use in the web server.

NumPy and SciPy each load an OpenBLAS, and each starts one thread per core for every call.
In the web application the concurrency comes from the requests already (a pool of up to 40
threads): each request thread that solves with a Leontief model would start BLAS threads of
its own, so 40 concurrent shocks on a 2-core machine ran 80+ busy threads. Measured on the
OECD ICIO table (4,000 industries), 16 shocks in 40 request threads took 5.6 s with the
libraries' default and 0.8 s with one BLAS thread per call; the one computation that gains
from BLAS threads, factorising a model (0.5 s against 0.9 s), happens once per table year.

:func:`limit_for_server` therefore sets every loaded BLAS to ``KETENRADAR_BLAS_THREADS``
threads (default 1; ``0`` leaves the libraries' own default) when the web application
starts. The command line and the Python API keep the libraries' default: there one call has
the machine to itself. (The setting: :mod:`ketenradar.core.settings`, ``docs/settings.md``.)
"""

from __future__ import annotations

import logging

from ketenradar.core.settings import settings

log = logging.getLogger(__name__)


def server_threads() -> int:
    """``KETENRADAR_BLAS_THREADS`` (default 1); ``0`` means the libraries' default."""
    return settings().blas_threads


def limit_for_server() -> dict[str, int]:
    """Set the BLAS libraries loaded by NumPy and SciPy to :func:`server_threads` threads.

    Returns the threads per library file as set (empty when the setting is 0). Process-wide:
    call it once, when the server starts, not around single computations (a limit set and
    restored in one thread would change it for every other thread meanwhile).
    """
    n = server_threads()
    if n == 0:
        return {}
    import scipy.linalg  # noqa: F401  (loads SciPy's own OpenBLAS, so that it is limited too)
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=n, user_api="blas")
    libs = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    log.info("BLAS threads per call: %s", ", ".join(f"{p}={k}" for p, k in libs.items()))
    return libs

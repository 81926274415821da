"""A bounded, thread-safe cache that computes each missing value once, however many ask.

The web application serves every request from a thread of one pool, and its heavy views (a
Leontief model of a 4,000-industry table, the explorer's sorted views, a what-if) are cached.
A plain ``dict`` with an eviction step is not safe there: two threads may evict the same key,
and on a cold cache fifty clients asking for the same view compute it fifty times at once,
each holding a thread and memory. :class:`SingleFlightCache` fixes both:

* one lock guards the values, their order of use and the eviction;
* a missing key is computed by the first thread that asks for it (the *leader*); the threads
  asking while it runs wait for that computation and get its value (or its exception) instead
  of starting their own ("single flight");
* the computation itself runs outside the lock, so other keys are served meanwhile;
* :attr:`SingleFlightCache.stats` counts hits, computations, joined waits and evictions.

A thread that asks again for the key it is computing (a ``make`` that recurses into its own
key) computes it directly rather than waiting for itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any


@dataclass
class CacheStats:
    """What a cache did since it was made (or last cleared)."""

    hits: int = 0  #: answered from a stored value
    computed: int = 0  #: values computed (one per miss that led a computation)
    joined: int = 0  #: callers that waited for another thread's computation of their key
    evicted: int = 0  #: values dropped to stay within the bound
    failed: int = 0  #: computations that raised (nothing stored)


class _Flight:
    """One computation in progress: who runs it and where its outcome goes."""

    def __init__(self, generation: int) -> None:
        self.owner = threading.get_ident()
        self.generation = generation
        self.future: Future[Any] = Future()


class SingleFlightCache:
    """Values by key, the ``maxsize`` most recently used kept (``None``: no bound), each
    computed at most once at a time.

    ``get(key, make)`` returns the stored value for ``key``, or computes ``make()`` once for
    everyone asking while it runs. A ``make`` that raises stores nothing: the leader and the
    callers waiting for it get the exception, and the next call tries again.
    """

    def __init__(self, maxsize: int | None = 128, name: str = "cache") -> None:
        if maxsize is not None and maxsize < 1:
            raise ValueError(f"maxsize must be at least 1 or None, not {maxsize}")
        self.maxsize = maxsize
        self.name = name
        self.stats = CacheStats()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value for ``key``: stored, being computed by another thread (waited for), or
        computed now by calling ``make()``."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.stats.hits += 1
                return self._values[key]
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight(self._generation)
                self.stats.computed += 1
                leader = True
            elif flight.owner == threading.get_ident():
                leader = None  # the leader asks for its own key again: no waiting for itself
            else:
                self.stats.joined += 1
                leader = False
        if leader is None:
            return make()
        if not leader:
            return flight.future.result()
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                self.stats.failed += 1
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.future.set_exception(exc)
            raise
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
            if flight.generation == self._generation:  # not cleared meanwhile
                self._values[key] = value
                self._values.move_to_end(key)
                while self.maxsize is not None and len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
                    self.stats.evicted += 1
        flight.future.set_result(value)
        return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The stored value for ``key`` (without computing it or counting a hit)."""
        with self._lock:
            return self._values.get(key, default)

    def clear(self) -> None:
        """Forget every stored value and the statistics; computations running now finish for
        their callers but store nothing."""
        with self._lock:
            self._values.clear()
            self._flights.clear()
            self._generation += 1
            self.stats = CacheStats()


class BusyError(Exception):
    """Every slot of a :class:`ConcurrencyLimit` is taken and its queue is full."""


class ConcurrencyLimit:
    """At most ``slots`` computations at once, at most ``queue`` callers waiting for a slot.

    Unlike a plain semaphore, it does not let an unbounded crowd wait: a caller that finds the
    slots taken and the queue full gets :class:`BusyError` at once, so the threads of a server's
    pool are not all parked behind one kind of costly request. Counts what happened
    (``peak_running``, ``refused``) for tests and logs.
    """

    def __init__(self, slots: int, queue: int) -> None:
        if slots < 1 or queue < 0:
            raise ValueError(f"need slots >= 1 and queue >= 0, not {slots} and {queue}")
        self.slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self.peak_running = 0
        self.refused = 0
        self._cond = threading.Condition()

    def __enter__(self) -> ConcurrencyLimit:
        with self._cond:
            if self.running >= self.slots:
                if self.waiting >= self.queue:
                    self.refused += 1
                    raise BusyError(
                        f"{self.running} computations are running and {self.waiting} waiting"
                    )
                self.waiting += 1
                try:
                    while self.running >= self.slots:
                        self._cond.wait()
                finally:
                    self.waiting -= 1
            self.running += 1
            self.peak_running = max(self.peak_running, self.running)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self.running -= 1
            self._cond.notify()

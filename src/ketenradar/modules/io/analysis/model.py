"""The Leontief (demand-side) and Ghosh (supply-side) models of one table, factorised once.

Notation (Miller & Blair 2009, *Input-Output Analysis*, 2nd ed., ch. 2, 6 and 12):

* ``A = Z x̂⁻¹`` technical coefficients, ``L = (I − A)⁻¹`` the Leontief inverse;
* ``v = va ⊘ x`` value-added coefficients; ``v̂ L`` the value-added multipliers;
* ``B = x̂⁻¹ Z`` allocation coefficients, ``G = (I − B)⁻¹ = x̂⁻¹ L x̂`` the Ghosh inverse.

Nothing here forms ``L`` or ``G`` in full: one LU factorisation of ``I − A`` answers every
product with ``L`` (``L b`` by a solve, ``b' L`` by a transposed solve), and ``G`` follows
from ``L`` by the similarity above. Industries with zero output have zero rows and columns in
``A`` and ``B``; their ``L`` and ``G`` rows are those of the identity.

**Threads.** One model is shared by every request of the web application
(:func:`ketenradar.modules.io.api.load_model` caches it), so every solve may run in many
threads at once. SciPy's LAPACK wrapper of ``getrs`` (behind ``scipy.linalg.lu_solve``)
turns the 0-based pivot indices into LAPACK's 1-based ones *in place* in the array it is
given, calls LAPACK with the GIL released, and turns them back afterwards (the read-only flag
does not stop it). Two solves sharing one pivot array therefore race: LAPACK swaps rows with
indices off by one or two, and a lost update leaves the shared pivots wrong for good. The
result was heap corruption that aborted the server ("malloc(): corrupted size vs.
prev_size") under three or four concurrent shocks, or silently wrong answers. Each solve
here hands LAPACK its own copy of the pivots (a few microseconds for 4,000 industries); the
factor matrix itself is only read by ``getrs`` and stays shared. :meth:`IOModel.freeze`
makes every shared array read-only, so that an analysis writing into one fails loudly
instead of changing what the other requests see.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ketenradar.core.errors import DataError
from ketenradar.datasets.iotable import IOTable


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast_shapes(a.shape, b.shape))
    np.divide(a, b, out=out, where=b != 0)
    return out


class IOModel:
    """Coefficients and one LU factorisation of ``I − A`` for a table."""

    def __init__(self, table: IOTable) -> None:
        self.table = table
        x = table.x.astype(float)
        self.x = x
        self.A = _safe_div(table.Z, x[None, :])
        self.v = _safe_div(table.va, x)
        with np.errstate(all="ignore"):
            self._lu, self._piv = scipy.linalg.lu_factor(
                np.eye(table.n) - self.A, check_finite=False
            )
        diag = np.abs(np.diag(self._lu))
        if not np.isfinite(self._lu).all() or diag.min() <= 1e-12 * diag.max():
            raise DataError(
                f"table {table.source} {table.year}: I − A is singular or nearly so "
                f"(smallest pivot {diag.min():.3g}); the Leontief inverse does not exist"
            )
        self._check_productive()

    def _check_productive(self) -> None:
        """Refuse a table whose ``A`` is not productive (spectral radius >= 1).

        For a productive ``A``, ``L = I + A + A² + …`` so every output multiplier ``1'L`` is
        at least 1; a multiplier below 1 means ``L`` has negative entries and no Leontief
        model exists. The columns whose inputs reach their output (column sum of ``A`` >= 1)
        are named as the likely cause.
        """
        mult = self.output_multipliers()
        if (mult >= 1.0 - 1e-9).all():
            return
        colsum = self.A.sum(axis=0)
        bad = np.flatnonzero(colsum >= 1.0 - 1e-12)
        if not len(bad):
            bad = np.flatnonzero(mult < 1.0 - 1e-9)
        idx = self.table.index()
        names = ", ".join(
            f"{idx['region'].iat[j]}_{idx['sector'].iat[j]} ({colsum[j]:.4f})" for j in bad[:10]
        )
        raise DataError(
            f"table {self.table.source} {self.table.year}: the input coefficients are not "
            "productive (the Leontief inverse has negative entries); industries whose "
            f"intermediate inputs reach their output (column sum of A): {names}"
        )

    def freeze(self) -> IOModel:
        """Make the model's arrays and its table's read-only (for a model shared between
        threads: an in-place write then raises instead of changing every request's answer)."""
        t = self.table
        for a in (self.x, self.A, self.v, self._lu, self._piv, t.Z, t.x, t.va, t.other, t.y_total):
            a.flags.writeable = False
        if t.Y is not None:
            t.Y.flags.writeable = False
        return self

    # --- products with L -------------------------------------------------------------
    def _solve(self, b: np.ndarray, trans: int) -> np.ndarray:
        # the pivots are copied for every call: SciPy's getrs wrapper rewrites the array it is
        # given while LAPACK runs without the GIL (see the module docstring, "Threads")
        return scipy.linalg.lu_solve(
            (self._lu, self._piv.copy()), b, trans=trans, check_finite=False
        )

    def leontief_solve(self, b: np.ndarray) -> np.ndarray:
        """``L b`` for a vector or a matrix of columns (safe to call from many threads)."""
        return self._solve(b, 0)

    def leontief_left(self, b: np.ndarray) -> np.ndarray:
        """``b' L`` (returned as a column block: ``(L' b)``) for a vector or matrix of columns
        (safe to call from many threads)."""
        return self._solve(b, 1)

    def leontief_columns(self, cols: np.ndarray) -> np.ndarray:
        """The columns ``cols`` of ``L`` (n × len(cols))."""
        e = np.zeros((self.table.n, len(cols)))
        e[cols, np.arange(len(cols))] = 1.0
        return self.leontief_solve(e)

    def leontief_inverse(self) -> np.ndarray:
        """The full ``L`` (n × n): for tests and small tables; analyses avoid it."""
        return self.leontief_solve(np.eye(self.table.n))

    def output_multipliers(self) -> np.ndarray:
        """Simple output multipliers ``1' L`` (column sums of L)."""
        return self.leontief_left(np.ones(self.table.n))

    def va_multipliers(self) -> np.ndarray:
        """Total value-added multipliers ``v' L``: value added per unit of final demand."""
        return self.leontief_left(self.v)

    def embodied_va(self, y: np.ndarray) -> np.ndarray:
        """Value added of every industry embodied in final demand ``y``: ``v̂ L y`` (``y`` a
        vector, or a matrix with one final-demand vector per column)."""
        q = self.leontief_solve(y)
        return self.v * q if q.ndim == 1 else self.v[:, None] * q

    # --- the Ghosh side ----------------------------------------------------------------
    @property
    def primary_inputs(self) -> np.ndarray:
        """Primary inputs ``x − 1'Z`` (value added and other primary inputs)."""
        return self.x - self.table.Z.sum(axis=0)

    def ghosh_left(self, b: np.ndarray) -> np.ndarray:
        """``b' G`` with ``G = x̂⁻¹ L x̂`` (rows of zero-output industries are identity rows)."""
        x = self.x
        active = x > 0
        scaled = _safe_div(b, x)
        out = self.leontief_left(scaled) * x
        out[~active] = b[~active]
        return out

    def ghosh_columns(self, cols: np.ndarray) -> np.ndarray:
        """Columns ``cols`` of ``G``: ``x̂⁻¹ L[:, cols] x_cols``."""
        Lc = self.leontief_columns(cols)
        G = _safe_div(Lc, self.x[:, None]) * self.x[cols][None, :]
        dead = self.x[cols] == 0
        G[cols[dead], np.flatnonzero(dead)] = 1.0
        return G

"""ketenradar: strategic dependencies of Dutch and European industry from public data.

The Python API mirrors the ``ketenradar`` command; see :mod:`ketenradar.modules.trade.api`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

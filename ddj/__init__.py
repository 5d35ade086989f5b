"""ddj: set what officials said about a military incident against what everyone else reported.

The public surface: :func:`load` a dataset (validated), :func:`inspect` one without raising,
and the :class:`Dataset` it returns. Errors are :class:`DDJError` subclasses; data caveats are
:class:`DataCaveatWarning` warnings.
"""

from ddj._version import __version__
from ddj.datasets import Dataset, inspect, load, shipped_datasets
from ddj.errors import DDJError, ValidationError
from ddj.warnings import DataCaveatWarning

__all__ = [
    "DDJError",
    "DataCaveatWarning",
    "Dataset",
    "ValidationError",
    "__version__",
    "inspect",
    "load",
    "shipped_datasets",
]

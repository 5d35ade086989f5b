"""Compare official and unofficial accounts: field-by-field statuses, acknowledgement, corroboration, grades.

>>> from ddj.compare import compare, Comparison, STATUSES, GRADES

The module is also callable, so ``ddj.compare(dataset)`` works whether ``ddj.compare`` names this
package or the function.
"""

from __future__ import annotations

import sys
import types

from ddj.compare.api import ATTRIBUTE_COLUMNS, INCIDENT_COLUMNS, Comparison, compare
from ddj.compare.grades import GRADES
from ddj.compare.statuses import STATUSES

__all__ = ["ATTRIBUTE_COLUMNS", "GRADES", "INCIDENT_COLUMNS", "STATUSES", "Comparison", "compare"]


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):  # ddj.compare(dataset) once the package is imported
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

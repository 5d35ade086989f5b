"""Compare official and unofficial accounts: field-by-field statuses, acknowledgement, corroboration, grades.

>>> from ddj.compare import compare, Comparison, STATUSES, GRADES

``ddj.compare`` is this package; the comparison itself is the function ``ddj.compare.compare(dataset)``.
"""

from __future__ import annotations

from ddj.compare.attribute_table import ATTRIBUTE_COLUMNS, AttributeBatches
from ddj.compare.comparison import (
    ACCOUNT_COLUMNS_READ,
    INCIDENT_COLUMNS,
    INCIDENT_COLUMNS_READ,
    Comparison,
    compare,
    compare_in_batches,
)
from ddj.compare.grades import GRADES
from ddj.compare.statuses import STATUSES

__all__ = [
    "ACCOUNT_COLUMNS_READ",
    "ATTRIBUTE_COLUMNS",
    "GRADES",
    "INCIDENT_COLUMNS",
    "INCIDENT_COLUMNS_READ",
    "STATUSES",
    "AttributeBatches",
    "Comparison",
    "compare",
    "compare_in_batches",
]

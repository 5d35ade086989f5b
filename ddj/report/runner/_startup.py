"""What a report process leaves out at start-up: imports no report needs that cost more than the report.

``jsonschema`` (imported by nbformat, Papermill, nbconvert and altair) builds a grammar for the ``iri``
string format at import time when the optional ``rfc3987_syntax`` package is installed (JupyterLab's
event system installs it): about 0.8 s of CPU in every process, more than a whole warm report. Neither
the notebook format nor the Vega-Lite schema uses that format, so report processes mark the module
as absent before jsonschema is imported; jsonschema then skips that one format check.

The warm kernel does the same for itself in ``_warm_kernel.preload`` (it cannot import ddj), and so do ``ddj
explore``'s server and each Explorer visitor's kernel (:func:`ddj.widgets.startup.run`, its first cell).
"""

from __future__ import annotations

import sys

#: Modules report processes treat as not installed.
SKIPPED_MODULES = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Mark :data:`SKIPPED_MODULES` as absent, unless jsonschema was already imported (then it is too late
    and nothing changes).
    """
    if "jsonschema" in sys.modules:
        return
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None makes `import name` raise ImportError

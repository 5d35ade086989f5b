"""The Content-Security-Policy every page and every chart's embed file carries: nothing fetched from anywhere, and
only ddj's own inline scripts (listed by their hashes) run.

Apart from the exporter so that the chart kit (:mod:`ddj.report.pages.figures`) and the front page
(:mod:`ddj.report.pages.index`) take the same policy without importing the exporter.
"""

from __future__ import annotations

import base64
import hashlib


def content_security_policy(scripts: list[str]) -> str:
    """The page's policy: nothing fetched from anywhere; only the given inline scripts run.

    ``'unsafe-eval'`` is there because Vega compiles its expressions into functions; no script can
    use it unless it is one of the page's own (their hashes are listed), so injected markup cannot.

    Examples
    --------
    >>> "connect-src 'none'" in content_security_policy([])
    True

    Without charts the page runs no script at all and may fetch nothing.
    """
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    script_src = f"{hashes} 'unsafe-eval'" if scripts else "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
        "connect-src 'none'; frame-src 'none'; media-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )

"""The runner: read ``reports.toml``, decide what must run (cache, schedule), run notebooks in warm kernels
(pool, engine, executors), write each report's folder and manifest, and leave no process behind (lifecycle).

Every private hook it has into CPython, jupyter_client, nbclient and nbconvert is in :mod:`ddj.report.runner.hooks`.
"""

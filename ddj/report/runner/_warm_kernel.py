"""Code that runs inside a warm kernel. ddj never imports this module: :mod:`ddj.report.runner.pool` sends its
source to each kernel it starts, where it lives as ``sys.modules["_ddj_warm"]`` so that clearing the
user namespace cannot remove it. It needs nothing but the standard library and IPython, so a kernel
without ddj installed can be warmed too.

The pool calls these functions through the kernel's shell channel, never as a notebook cell:
:func:`preload` once (import the heavy modules, then record the state every report starts from),
:func:`reset` before each report, :func:`check` after each report, then :func:`clean` (without waiting:
the kernel frees the report's objects while the worker writes its page).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import os
import sys
import warnings
from typing import Any

_STATE: dict[str, Any] = {}


def preload(modules: list[str]) -> None:
    """Import ``modules`` (those that fail are skipped, their output discarded), start vl-convert's JavaScript
    engine if it was imported (its first chart is slow; no state of it shows in a report), then record the state.
    """
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - preloading is an optimisation; the notebook's own import reports errors
                continue
        if "vl_convert" in sys.modules:
            with contextlib.suppress(Exception):
                sys.modules["vl_convert"].vegalite_to_svg({"mark": "point"})
    _STATE.update(
        modules=set(sys.modules),
        environ=dict(os.environ),
        run_environ=dict(os.environ),
        path=list(sys.path),
        filters=list(warnings.filters),
        settings=_settings(),
    )
    # What the imports made lives as long as the kernel: leave it out of every later garbage collection
    # (a full collection went from about 0.1 s to nothing, and automatic ones during reports get cheaper).
    gc.collect()
    gc.freeze()


def reset(cwd: str, env: dict[str, str]) -> None:
    """Give the next report the state right after :func:`preload`: a new IPython session (empty namespace,
    history and execution count 1), the recorded environment plus ``env``, ``cwd``, ``sys.path``, warning
    filters (with every once-only warning shown again) and the libraries' global settings.
    """
    os.environ.clear()
    os.environ.update(_STATE["environ"])
    os.environ.update(env)
    _STATE["run_environ"] = dict(os.environ)
    os.chdir(cwd)
    sys.path[:] = _STATE["path"]
    warnings.filters[:] = _STATE["filters"]  # type: ignore[index]  # a list at run time
    warnings.onceregistry.clear()  # type: ignore[attr-defined]  # undocumented, not in typeshed
    # Empties every module's registry of warnings already shown: the same private call as
    # ddj.report.runner.hooks.forget_shown_warnings (this module cannot import ddj), tested in
    # tests/report/runner/test_hooks.py.
    warnings._filters_mutated()  # type: ignore[attr-defined]  # noqa: SLF001
    _restore_settings(_STATE["settings"])
    get_ipython().reset(new_session=True)  # type: ignore[name-defined]  # noqa: F821 - IPython's builtin


def clean() -> None:
    """Drop the last report's namespace and collect its garbage."""
    get_ipython().reset(new_session=False)  # type: ignore[name-defined]  # noqa: F821 - IPython's builtin
    gc.collect()


def check() -> str:
    """After a report: the modules it imported and whether it changed state that :func:`reset` restores (JSON)."""
    new = [name for name in list(sys.modules) if name not in _STATE["modules"]]
    changed = [
        name
        for name, now, then in (
            ("environment", dict(os.environ), _STATE["run_environ"]),
            ("sys.path", list(sys.path), _STATE["path"]),
            ("warnings filters", list(warnings.filters), _STATE["filters"]),
            ("library settings", _settings(), _STATE["settings"]),
        )
        if now != then
    ]
    _STATE["modules"].update(new)
    return json.dumps({"new_modules": new, "changed": changed})


def _settings() -> dict[str, Any]:
    """Global settings of libraries already imported: polars' Config, altair's theme, renderer and data transformer."""
    found: dict[str, Any] = {}
    polars = sys.modules.get("polars")
    if polars is not None and hasattr(polars, "Config"):
        with contextlib.suppress(Exception):
            found["polars"] = polars.Config.save()
    altair = sys.modules.get("altair")
    if altair is not None:
        for name in ("theme", "renderers", "data_transformers"):
            registry: Any = getattr(altair, name, None)
            with contextlib.suppress(Exception):
                found[f"altair.{name}"] = (registry.active, dict(registry.options))
    return found


def _restore_settings(settings: dict[str, Any]) -> None:
    if _settings() == settings:
        return
    polars = sys.modules.get("polars")
    if "polars" in settings and polars is not None:
        polars.Config.restore_defaults()
        polars.Config.load(settings["polars"])
    altair = sys.modules.get("altair")
    for key, value in settings.items():
        if key.startswith("altair.") and altair is not None:
            active, options = value
            with contextlib.suppress(Exception):
                getattr(altair, key.split(".", 1)[1]).enable(active, **options)

"""Run reports: check every report's parameters first, then run each in isolation and write its folder.

For each report ``reports/<report>/`` receives, every file written atomically (temporary file, then
rename): the executed notebook ``<report>.ipynb``, the page ``<report>.html``, ``charts/<chart>.svg``
and ``.png``, and ``manifest.json`` (see :mod:`ddj.report.runner.manifest`).

A report that fails does not stop the others. Its executed notebook is kept as
``<report>.failed.ipynb`` with the error cell, the last good page and notebook stay in place, and its
manifest records the failure and the last success. ``reports/index.html`` lists every report.

A report whose inputs are unchanged since its last good run is skipped (see :mod:`ddj.report.runner.cache`;
``force=True`` runs it anyway), and every run's outcome is recorded for schedules (see
:mod:`ddj.report.runner.schedule`). Deciding what to skip imports no polars and starts no kernel.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddj._io import file_sha256
from ddj.errors import DDJError, NotebookError, ParameterError
from ddj.report._files import write_file
from ddj.report.runner import manifest as mf
from ddj.report.runner.cache import Cache, split_reports
from ddj.report.runner.config import DEFAULT_TIMEOUT, GroupError, ReportSpec
from ddj.report.runner.executors import Executor, SerialExecutor
from ddj.report.runner.params import NotebookParameters, check_values, read_parameters

if TYPE_CHECKING:
    from ddj.datasets.dataset import Dataset


@dataclass(frozen=True)
class ReportJob:
    """Everything one report run needs, as plain data, so a worker elsewhere can run it."""

    name: str
    group: str
    title: str
    notebook: Path
    notebook_sha256: str
    parameters: dict[str, Any]
    datasets: tuple[dict[str, Any], ...]
    out_dir: Path
    packages: dict[str, str]
    git: dict[str, Any] | None
    timeout: int = DEFAULT_TIMEOUT
    schedule: str | None = None
    content_key: str | None = None
    engine: str | None = None


@dataclass(frozen=True)
class ReportResult:
    """How one report ended: ``ok``, ``failed``, ``invalid`` or ``skipped`` (its inputs are unchanged since its
    last good run), how long it took, and what failed.
    """

    name: str
    group: str
    status: str
    duration: float = 0.0
    message: str = ""
    html: Path | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """True when the report ran without error or was skipped because its inputs are unchanged."""
        return self.status in ("ok", "skipped")


@dataclass
class RunSummary:
    """Every report's result, in the order the reports were declared, and the index page written."""

    results: list[ReportResult] = field(default_factory=list)
    index: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every report is :attr:`ReportResult.ok`."""
        return all(r.ok for r in self.results)

    @property
    def exit_code(self) -> int:
        """The process exit status for the run: 0 when every report is ok, else 1."""
        return 0 if self.ok else 1


# --- orchestration -------------------------------------------------------------------------------


def run_reports(
    specs: Sequence[ReportSpec],
    out_dir: str | Path,
    *,
    group_errors: Sequence[GroupError] = (),
    executor: Executor | None = None,
    progress: Any = None,
    write_index: bool = True,
    force: bool = False,
    now: dt.datetime | None = None,
    cache: Cache | None = None,
    refused: Sequence[tuple[ReportSpec, str]] = (),
) -> RunSummary:
    """Skip the reports whose inputs are unchanged, check the others' parameters, run the valid ones, write
    the index and the schedule state; return every result.

    Reports whose parameters or datasets are refused are ``invalid`` (their manifest says why; their
    last good page stays) and no kernel starts for them; the others still run. ``force`` runs unchanged
    reports too. ``now`` is the time recorded as this run's (default: the clock). ``cache`` holds file
    hashes and grid values (default: the output folder's, see :mod:`ddj.report.runner.cache`). ``refused`` are
    reports the caller already refused, each with why (a schedule that cannot be evaluated): they are
    recorded ``invalid`` like reports whose dataset paths lead outside their folder.

    Parameters
    ----------
    specs : sequence of ReportSpec
        The reports to run, in the order results are returned.
    out_dir : str or pathlib.Path
        The output folder (created if need be); each report writes ``out_dir / name``.
    group_errors : sequence of GroupError, default ()
        Groups whose reports could not be listed; each becomes an ``invalid`` result.
    executor : Executor, optional
        What runs the reports (:class:`SerialExecutor`, warm kernels, Dask); one at a time in this process
        when None.
    progress : Progress, optional
        The progress display (:func:`ddj.report.runner.progress.make_progress`); nothing is shown when None.
    write_index : bool, default True
        Write ``index.html`` when anything ran or failed, or when there is none yet.
    force : bool, default False
        As above.
    now : datetime.datetime, optional
        As above.
    cache : Cache, optional
        As above.
    refused : sequence of (ReportSpec, str), default ()
        As above.
    """
    from ddj.report.runner import schedule

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    now = now or schedule.clock()
    cache = cache if cache is not None else Cache.for_output(out_dir)
    executor = executor or SerialExecutor()
    todo, current, unsafe = split_reports(specs, out_dir, cache, force=force)
    results = [ReportResult(e.group, e.group, "invalid", message=e.message) for e in group_errors]
    results += [_refuse(spec, out_dir, DDJError(message)) for spec, message in [*refused, *unsafe]]
    results += [_skipped(spec, manifest, out_dir) for spec, manifest in current]
    if progress is not None:
        progress.start(len(specs) + len(group_errors) + len(refused))
        for result in results:
            progress.report_finished(result)
    if todo:
        todo = longest_first(todo, out_dir)
        start = getattr(executor, "start", None)
        if start is not None:  # kernels warm up while the parameters are checked, one per report at most
            start(todo[0][0].notebook, len(todo), notebooks=[spec.notebook for spec, _ in todo])
        engine = getattr(executor, "engine", None)

        def jobs() -> Iterator[ReportJob]:  # prepared one by one as the executor asks: the first runs at once
            for item in iter_jobs([spec for spec, _ in todo], out_dir, keys={spec.name: key for spec, key in todo}):
                if isinstance(item, ReportResult):
                    results.append(item)
                    if progress is not None:
                        progress.report_finished(item)
                else:
                    yield replace(item, engine=engine)

        started = progress.report_started if progress is not None else None
        for result in executor.map(
            run_report, jobs(), on_start=(lambda job: started(job.name)) if started else None, on_error=lost_report
        ):
            results.append(result)
            if progress is not None:
                progress.report_finished(result)
    if progress is not None:
        progress.close()
    cache.save()
    schedule.State.for_output(out_dir).record(results, now).save()
    order = {s.name: i for i, s in enumerate(specs)}
    results.sort(key=lambda r: order.get(r.name, -1))
    index = None
    if write_index and (todo or group_errors or not (out_dir / "index.html").is_file()):
        from ddj.report.pages.index import write_index as _write_index

        index = _write_index(out_dir)
    return RunSummary(results, index)


def longest_first(todo: list[tuple[ReportSpec, str | None]], out_dir: Path) -> list[tuple[ReportSpec, str | None]]:
    """The reports to run, those that took longest last time first (reports never run before first of all, in their
    order; then the others by their last duration), so that no long report starts last while the other workers idle.
    """

    def last_duration(item: tuple[ReportSpec, str | None]) -> float:
        previous = mf.read_manifest(out_dir / item[0].name) or {}
        seconds = previous.get("duration_seconds")
        return float(seconds) if isinstance(seconds, (int, float)) and seconds > 0 else float("inf")

    durations = {item[0].name: last_duration(item) for item in todo}
    return sorted(todo, key=lambda item: -durations[item[0].name])


def _skipped(spec: ReportSpec, manifest: dict[str, Any], out_dir: Path) -> ReportResult:
    html = out_dir / spec.name / manifest["outputs"]["html"]
    when = str(manifest.get("finished") or "")[:19].replace("T", " ")
    return ReportResult(spec.name, spec.group, "skipped", message=f"unchanged since the run of {when} UTC", html=html)


def prepare_jobs(
    specs: Sequence[ReportSpec], out_dir: Path, *, keys: dict[str, str | None] | None = None
) -> list[ReportJob | ReportResult]:
    """Check each report's parameters against its notebook (loading each dataset once); return a job per
    valid report and an ``invalid`` result (with its manifest written) per refused one. ``keys`` gives
    reports' content keys (see :mod:`ddj.report.runner.cache`), recorded in their manifests.

    Parameters
    ----------
    specs : sequence of ReportSpec
        The reports to prepare, in order.
    out_dir : pathlib.Path
        The output folder; an invalid report's manifest is written to ``out_dir / name``.
    keys : dict of str to (str or None), optional
        As above, by report name; no key is recorded when None.
    """
    return list(iter_jobs(specs, out_dir, keys=keys))


def iter_jobs(
    specs: Sequence[ReportSpec], out_dir: Path, *, keys: dict[str, str | None] | None = None
) -> Iterator[ReportJob | ReportResult]:
    """:func:`prepare_jobs` one report at a time, in order, so the first can run while the others are checked.

    Parameters
    ----------
    specs : sequence of ReportSpec
        The reports to prepare, in order.
    out_dir : pathlib.Path
        The output folder; an invalid report's manifest is written to ``out_dir / name``.
    keys : dict of str to (str or None), optional
        The reports' content keys by name, recorded in their manifests; no key is recorded when None.
    """
    notebooks: dict[Path, NotebookParameters | NotebookError] = {}
    datasets: dict[str, Any] = {}

    def load(reference: str) -> Any:
        if reference not in datasets:
            import ddj

            try:
                datasets[reference] = ddj.load(reference, warn=False)
            except DDJError as err:
                datasets[reference] = err
        found = datasets[reference]
        if isinstance(found, DDJError):
            raise found
        return found

    for spec in specs:
        if spec.notebook not in notebooks:
            try:
                notebooks[spec.notebook] = read_parameters(spec.notebook)
            except NotebookError as err:
                notebooks[spec.notebook] = err
        declared = notebooks[spec.notebook]
        try:
            if isinstance(declared, NotebookError):
                raise declared
            values = check_values(
                declared, spec.parameters, report=spec.name, base_dir=spec.base_dir, load_dataset=load
            )
        except (NotebookError, ParameterError) as err:
            yield _refuse(spec, out_dir, err)
            continue
        scoped = _scope_of(spec.notebook, values)
        try:
            records = tuple(
                mf.dataset_record(
                    p.name,
                    values[p.name],
                    load(values[p.name]),
                    _slice_record(load(values[p.name]), scoped[1]) if scoped and scoped[0] == p.name else None,
                )
                for p in declared
                if p.is_dataset and values[p.name] is not None
            )
        except ValueError as err:  # a dataset file outside its folder ("is not in the subpath")
            yield _refuse(spec, out_dir, DDJError(f"a dataset of this report cannot be recorded: {err}"))
            continue
        yield ReportJob(
            name=spec.name,
            group=spec.group,
            title=_title(spec),
            notebook=spec.notebook,
            notebook_sha256=file_sha256(spec.notebook),
            parameters=values,
            datasets=records,
            out_dir=out_dir,
            packages=mf.package_versions(),
            git=mf.git_state(spec.notebook.parent),
            timeout=spec.timeout,
            schedule=spec.schedule,
            content_key=(keys or {}).get(spec.name),
        )


def _scope_of(notebook: Path, values: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The dataset parameter and incident ids a notebook's declared scope reads (see :mod:`ddj.report.runner.cache`)."""
    from ddj.report.runner.cache import notebook_scope, scoped_incidents

    scope = notebook_scope(notebook, file_sha256(notebook))
    ids = scoped_incidents(scope, values)
    return (scope["dataset"], ids) if scope is not None and ids is not None else None


def _slice_record(dataset: Dataset, incident_ids: list[str]) -> dict[str, Any] | None:
    """The manifest's ``slice`` of a scoped dataset: its incidents (with the related ones) and its digest."""
    from ddj.datasets.scope import scope, slice_digest

    try:
        scoped = scope(dataset, incidents=incident_ids)
    except DDJError:  # an unknown incident: the notebook's run says so
        return None
    return {
        "incidents": sorted(set(incident_ids)),
        "read": scoped.incidents["incident_id"].to_list(),
        "digest": slice_digest(scoped),
    }


def _refuse(spec: ReportSpec, out_dir: Path, err: DDJError) -> ReportResult:
    folder = out_dir / spec.name
    previous = mf.read_manifest(folder)
    moment = mf.now()
    message = str(err)
    manifest = {
        "ddj_manifest": mf.MANIFEST_VERSION,
        "report": spec.name,
        "group": spec.group,
        "title": _title(spec),
        "notebook": {"path": str(spec.notebook), "name": spec.notebook.name},
        "parameters": spec.parameters,
        "status": "invalid",
        "started": moment,
        "finished": moment,
        "duration_seconds": 0.0,
        "attempts": 0,
        "error": {
            "ename": type(err).__name__,
            "evalue": message,
            "message": message.splitlines()[0],
            "parameter": getattr(err, "parameter", None),
        },
        "outputs": (previous or {}).get("outputs", {}),
        "last_success": mf.last_success(previous),
    }
    folder.mkdir(parents=True, exist_ok=True)
    mf.write_manifest(folder, manifest)
    short = message if len(message.splitlines()) == 1 else " ".join(message.splitlines())
    return ReportResult(spec.name, spec.group, "invalid", message=short)


def _title(spec: ReportSpec) -> str:
    """The page title: the declared title, or the notebook's first heading and the report's name; a report
    run with a filter (the ``filters`` parameter the Explorer writes) says which in its title too.
    """
    if spec.title:
        return spec.title
    heading = _notebook_heading(spec.notebook)
    title = f"{heading}: {spec.name}" if heading else spec.name
    filtered = _filter_words(spec.parameters.get("filters"))
    return f"{title}, filtered to {filtered}" if filtered else title


def _filter_words(filters: Any) -> str:
    """A ``filters`` parameter in a reader's words ("status: official and other accounts contradict"), or ""
    when there is none or it does not read.
    """
    if not isinstance(filters, str) or not filters.strip():
        return ""
    from ddj.errors import DDJError
    from ddj.filters import FilterSpec, value_words

    try:
        spec = FilterSpec.from_json(filters)
    except DDJError:  # the run reports a bad filter itself, when the notebook reads it
        return ""
    return spec.describe(value_words) if spec.active() else ""


def _notebook_heading(notebook: Path) -> str:
    import json

    try:  # json, not nbformat: nbformat imports jsonschema, slow to import in the process that starts the run
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell.get("cell_type") == "markdown":
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                match = re.search(r"^#\s+(.+?)\s*#*\s*$", source, re.MULTILINE)
                if match:
                    return match.group(1)
    except (OSError, ValueError, LookupError, TypeError, AttributeError):  # the run reports a broken notebook itself
        return ""
    return ""


# --- one report ----------------------------------------------------------------------------------


def warm_worker() -> None:
    """Load what a report's page needs (the page exporter and the charts' scripts): a worker process runs this
    while its first kernel starts (:class:`~ddj.report.runner.executors.WarmExecutor`'s ``warm_up``), so its
    first report does not wait for it. The worker draws no chart: the kernel made each SVG, and the PNG is
    rasterised from it.
    """
    from ddj.report.pages.figures import javascript_bundle
    from ddj.report.pages.htmlexport import _exporter

    _exporter()
    javascript_bundle()


def run_report(job: ReportJob) -> ReportResult:
    """Run one report and write its folder; never raises for a failing notebook.

    Needs nothing but ``job``, so an executor may run it in another process or on another machine that
    sees the same files.
    """
    from ddj.report.runner import engine

    folder = job.out_dir / job.name
    folder.mkdir(parents=True, exist_ok=True)
    previous = mf.read_manifest(folder)
    started, clock = mf.now(), time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=f".{job.name}.", suffix=".staging", dir=job.out_dir))
    manifest = _base_manifest(job)
    manifest["started"] = started
    try:
        execution = engine.execute(
            job.notebook,
            job.parameters,
            staging / f"{job.name}.ipynb",
            cwd=job.notebook.parent,
            timeout=job.timeout,
            engine_name=job.engine,
        )
        manifest["attempts"] = execution.attempts
        failure = execution.failure
        if failure is None:
            try:
                _publish(job, folder, execution.notebook, manifest)
            except Exception as err:  # noqa: BLE001 - an export bug fails this report only
                failure = engine.CellFailure(
                    None, None, "", type(err).__name__, f"the run finished but the report could not be written: {err}"
                )
        if failure is not None:
            if execution.notebook is not None:
                _write_notebook(folder / f"{job.name}.failed.ipynb", execution.notebook, folder)
            manifest.update(
                status="failed",
                error=failure.as_dict(),
                outputs={**(previous or {}).get("outputs", {}), "failed_notebook": f"{job.name}.failed.ipynb"},
                last_success=mf.last_success(previous),
            )
            message = failure.summary()
        else:
            manifest.update(status="ok", error=None)
            manifest["last_success"] = None
            message = ""
    except Exception as err:  # noqa: BLE001 - whatever happens, the other reports run
        manifest.update(
            status="failed",
            attempts=manifest.get("attempts", 0),
            error={"ename": type(err).__name__, "evalue": str(err), "message": f"{type(err).__name__}: {err}"},
            outputs=(previous or {}).get("outputs", {}),
            last_success=mf.last_success(previous),
        )
        message = f"{type(err).__name__}: {err}"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest["finished"] = mf.now()
    manifest["duration_seconds"] = round(time.monotonic() - clock, 3)
    if manifest["status"] == "ok":
        manifest["last_success"] = mf.last_success(manifest)
    mf.write_manifest(folder, manifest)
    html = folder / f"{job.name}.html"
    return ReportResult(
        job.name,
        job.group,
        manifest["status"],
        manifest["duration_seconds"],
        message,
        html if html.exists() else None,
        manifest.get("attempts", 0),
    )


def _base_manifest(job: ReportJob) -> dict[str, Any]:
    return {
        "ddj_manifest": mf.MANIFEST_VERSION,
        "report": job.name,
        "group": job.group,
        "title": job.title,
        "notebook": {"path": str(job.notebook), "name": job.notebook.name, "sha256": job.notebook_sha256},
        "parameters": job.parameters,
        "datasets": list(job.datasets),
        "packages": job.packages,
        "git": job.git,
        "schedule": job.schedule,
        "input_fingerprint": mf.input_fingerprint(
            job.notebook_sha256, job.parameters, list(job.datasets), job.packages
        ),
        "content_key": job.content_key,
    }


def lost_report(job: ReportJob, err: BaseException) -> ReportResult:
    """Record a report whose worker was lost before it could say how the run ended (a crashed worker
    process, a cluster that went away): a failed manifest that keeps the last good page.
    """
    folder = job.out_dir / job.name
    folder.mkdir(parents=True, exist_ok=True)
    previous = mf.read_manifest(folder)
    moment = mf.now()
    message = f"the worker running this report was lost: {type(err).__name__}: {err}".rstrip(": ")
    manifest = {
        **_base_manifest(job),
        "status": "failed",
        "started": moment,
        "finished": moment,
        "duration_seconds": 0.0,
        "attempts": 0,
        "error": {"ename": type(err).__name__, "evalue": str(err), "message": message},
        "outputs": (previous or {}).get("outputs", {}),
        "last_success": mf.last_success(previous),
    }
    mf.write_manifest(folder, manifest)
    return ReportResult(job.name, job.group, "failed", message=message)


def _publish(job: ReportJob, folder: Path, nb: Any, manifest: dict[str, Any]) -> None:
    """Export the page and charts, then move everything into the folder, the page and manifest last."""
    from ddj.report.pages.figures import chart_files, kit_files
    from ddj.report.pages.htmlexport import export_html, methods_box

    outputs: dict[str, Any] = {"notebook": f"{job.name}.ipynb", "html": f"{job.name}.html"}
    manifest["outputs"] = outputs
    exported = export_html(nb, title=job.title, methods_html=methods_box(manifest))
    charts_dir = folder / "charts"
    charts = []
    for chart in exported.charts:  # SVG, PNG, PNGs 640 and 1280 px wide, CSV and embed file: the chart's CMS kit
        files = chart_files(chart)
        for name, data in files.items():
            write_file(charts_dir / name, data)
        svg, png = kit_files(chart.name)["svg"], kit_files(chart.name)["png"]
        charts.append(
            {
                "name": chart.name,
                "svg": f"charts/{svg}",
                "svg_sha256": _sha(files[svg]),
                "png": f"charts/{png}",
                "png_sha256": _sha(files[png]),
                "files": {f"charts/{name}": _sha(data) for name, data in files.items()},
            }
        )
    keep = {path.removeprefix("charts/") for c in charts for path in c["files"]}
    if charts_dir.is_dir():
        for stale in charts_dir.iterdir():
            if stale.suffix in (".svg", ".png", ".csv", ".html") and stale.name not in keep:
                stale.unlink()
        if not any(charts_dir.iterdir()):
            charts_dir.rmdir()
    notebook_bytes = _write_notebook(folder / outputs["notebook"], nb, folder)
    html = exported.html.encode("utf-8")
    write_file(folder / outputs["html"], html)
    (folder / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
    outputs.update(charts=charts, html_sha256=_sha(html), notebook_sha256=_sha(notebook_bytes))


def _write_notebook(path: Path, nb: Any, folder: Path) -> bytes:
    import nbformat

    papermill = nb.metadata.get("papermill")
    if papermill is not None:
        papermill["output_path"] = str(path.relative_to(folder))
    data = nbformat.writes(nb).encode("utf-8")
    write_file(path, data)
    return data


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# --- ad hoc runs ---------------------------------------------------------------------------------


def adhoc_spec(
    notebook: str | Path,
    raw: Sequence[tuple[str, str] | tuple[str, str, bool]],
    *,
    name: str | None = None,
    base_dir: Path | None = None,
) -> ReportSpec:
    """A report for ``ddj run NOTEBOOK -p name value ...``: command-line strings read by each parameter's type.

    Each item of ``raw`` is ``(name, text)`` or ``(name, text, as_text)``; ``as_text`` (``-r``) passes the text
    as it is, like ``papermill -r``. A parameter of no checked type (``msg = None``) reads ``-p`` text the way
    ``papermill -p`` does (numbers, ``True``/``False``/``None``, else text).

    Parameters
    ----------
    notebook : str or pathlib.Path
        The notebook to run.
    raw : sequence of tuple
        The ``-p``/``-r`` values, as above.
    name : str, optional
        The report's name (its output folder); the notebook's stem joined to the values' texts, made a safe
        file name, when None.
    base_dir : pathlib.Path, optional
        The folder relative dataset folders are resolved against; the current folder when None.

    Raises
    ------
    ParameterError
        A value cannot be read as its parameter's type, or names no parameter (also when the notebook has no
        ``parameters`` cell: Papermill would only warn).
    """
    from ddj.html import safe_filename
    from ddj.report.runner.params import parse_cli_value

    path = Path(notebook).resolve()
    declared = read_parameters(path)
    values: dict[str, Any] = {}
    problems = []
    for key, text, *rest in raw:
        as_text = bool(rest and rest[0])
        if key not in declared or as_text:
            values[key] = text  # check_values names an unknown one, with the close matches
            continue
        try:
            values[key] = parse_cli_value(declared[key], text)
        except ValueError as err:
            problems.append(f"parameter {key!r} ({declared[key].type_text}): {err}")
    report = name or safe_filename("-".join([path.stem, *(item[1] for item in raw)]), max_length=120)
    if problems:
        raise ParameterError(problems, report=report, parameter=raw[0][0])
    check_values(declared, values, report=report, base_dir=base_dir or Path.cwd())
    return ReportSpec(
        name=safe_filename(report, max_length=120),
        group=path.stem,
        notebook=path,
        parameters=values,
        base_dir=base_dir or Path.cwd(),
    )

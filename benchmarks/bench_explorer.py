"""Benchmark the Explorer: what a visitor waits for and costs at 200,000 and 1,000,000 incidents, and the time
from a filter change to new chart data at a million.

**Visitors.** For each size, ``ddj explore`` is started on the synthetic package (``--port 0 --no-token
--no-browser``) after its prepared data (:mod:`ddj.widgets.shared`) are removed from ddj's cache folder, so the
one-off preparation (load, validate, compare, write the shared files) is timed: from the command's start to the
address it prints. Then :data:`VISITORS` visitors open the page one after another (``GET /``; Voila answers when
every cell has run, the widgets drawn in the kernel). Reported per visitor: the seconds to the first view
(target: at most :data:`FIRST_VIEW_TARGET_S` at a million) and the kernel's private memory, its unique set
size (what stopping that kernel would give back; the pages of the shared files are counted once, in the
operating system's page cache, whatever the number of visitors). The memory per *extra* visitor is the median
over the visitors after the first (target: at most :data:`EXTRA_VISITOR_TARGET_GB`). ``DDJ_BENCH_EXPLORER_SIZES``
changes the sizes (comma-separated); ``DDJ_BENCH_EXPLORER_BASELINE=1`` also measures the old way, each kernel
loading and comparing the dataset itself (about 3.4 GB and 50 s per visitor at a million).

**Filter changes.** The prepared data of the largest size are opened as a kernel opens them; then, for each of
several typical filter changes, :meth:`~ddj.widgets.state.ExplorerData.view` is timed: the mask, the counts, the
table and the data each chart embeds after pre-aggregation. Each change is timed at least 20 times; the figure
reported is the median over all timings, against the target of 30 ms. Building the Altair specifications from
that data is timed too, for information.

The synthetic packages are written once into ``benchmarks/data/`` (git ignores it) and reused while
``ddj/synth.py`` is unchanged. Run: ``make bench`` or ``.venv/bin/python -m benchmarks explorer``.
``DDJ_BENCH_INCIDENTS`` changes the size of the filter-change part; ``DDJ_BENCH_REPEAT`` the timings per change
(default 25). The machine should be otherwise idle: the visitors' times are wall-clock seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INCIDENTS = int(os.environ.get("DDJ_BENCH_INCIDENTS", "1000000"))
REPEAT = max(20, int(os.environ.get("DDJ_BENCH_REPEAT", "25")))
SEED = 1
TARGET_MS = 30.0
SIZES = [int(n) for n in os.environ.get("DDJ_BENCH_EXPLORER_SIZES", "200000,1000000").split(",") if n.strip()]
BASELINE = os.environ.get("DDJ_BENCH_EXPLORER_BASELINE", "") not in ("", "0")
VISITORS = 3
FIRST_VIEW_TARGET_S = 15.0
EXTRA_VISITOR_TARGET_GB = 0.5
TARGET_SIZE = 1_000_000
SERVER_TIMEOUT_S = 1800


def dataset_folder(incidents: int = INCIDENTS, seed: int = SEED) -> Path:
    """The cached synthetic package, written on first use; keyed by size, seed and the synth code."""
    code = hashlib.sha256((ROOT / "ddj" / "synth.py").read_bytes()).hexdigest()[:10]
    folder = HERE / "data" / f"synth-{incidents}-seed{seed}-{code}"
    if not (folder / "datapackage.json").is_file():
        from ddj.synth import write_synthetic

        print(f"writing the synthetic dataset ({incidents:,} incidents) to {folder} ...", flush=True)
        write_synthetic(folder, incidents=incidents, seed=seed)
    return folder


def filter_changes(data) -> list[tuple[str, object]]:
    """Typical changes a reporter makes, each a new :class:`~ddj.filters.FilterSpec`."""
    import datetime as dt

    from ddj.filters import FilterSpec

    country = data.values("country")[0]
    region = data.values("region")[0]
    first_id = data.facts["incident_id"][data.facts.height // 2]
    return [
        ("one country", FilterSpec(countries=[country])),
        ("contradictions only", FilterSpec(statuses=["contradict"])),
        ("official silence only", FilterSpec(statuses=["official_silent"])),
        (
            "country + contradictions + 2018",
            FilterSpec(
                countries=[country],
                statuses=["contradict"],
                date_from=dt.date(2018, 1, 1),
                date_to=dt.date(2018, 12, 31),
            ),
        ),
        ("helicopters, contested", FilterSpec(aircraft_categories=["helicopter"], grades=["contested"])),
        ("local media accounts", FilterSpec(sides=["unofficial"], source_kinds=["local_media"])),
        (
            "one region, one month",
            FilterSpec(regions=[region], date_from=dt.date(2019, 3, 1), date_to=dt.date(2019, 3, 31)),
        ),
        ("one incident", FilterSpec(incident_ids=[first_id])),
        ("everything (filters cleared)", FilterSpec()),
    ]


# --- visitors: first view and memory per kernel -------------------------------------------------------------


def _memory(pid: int) -> dict[str, float]:
    """A process's resident, proportional and unique (private) set sizes and anonymous memory, in GB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0]) / 1024 / 1024
    return {
        "rss_gb": round(fields.get("Rss", 0), 3),
        "pss_gb": round(fields.get("Pss", 0), 3),
        "uss_gb": round(fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0), 3),
        "anonymous_gb": round(fields.get("Anonymous", 0), 3),
    }


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kernels(root: int) -> list[int]:
    def cmdline(pid: int) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""

    return sorted(pid for pid in _descendants(root) if b"ipykernel_launcher" in cmdline(pid))


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def measure_visitors(
    folder: Path, *, shared: bool = True, visitors: int = VISITORS, cold: bool = True
) -> dict[str, object]:
    """Start ``ddj explore`` on ``folder`` (its prepared data removed first), open the page ``visitors`` times,
    and return the preparation time and, per visitor, the first-view seconds and the kernel's memory.

    Parameters
    ----------
    folder : Path
        The dataset package.
    shared : bool, default True
        Serve the prepared data every kernel maps (the default); False makes each kernel load and compare the
        dataset itself, as before (``DDJ_EXPLORER_NO_SHARED=1``).
    visitors : int, default VISITORS
        Pages opened, one after another, each kept open.
    cold : bool, default True
        Remove the prepared data first, so that preparing them is timed.
    """
    import http.client
    from urllib.parse import urlsplit

    from ddj.widgets.shared import prepared_folder

    if cold:
        shutil.rmtree(prepared_folder(folder), ignore_errors=True)
    env = dict(os.environ)
    if not shared:
        env["DDJ_EXPLORER_NO_SHARED"] = "1"
    log = Path(tempfile.mkstemp(prefix="ddj-bench-explore-", suffix=".log")[1])
    command = [sys.executable, "-m", "ddj", "explore", str(folder), "--port", "0", "--no-token", "--no-browser"]
    command += ["--max-kernels", str(visitors + 1), "--cull-idle-timeout", "0"]
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    try:
        url = None
        while url is None:
            found = re.search(r"serving the Explorer of .* at (http://\S+)", log.read_text(errors="replace"))
            if found:
                url = found.group(1)
            elif process.poll() is not None or time.perf_counter() - started > SERVER_TIMEOUT_S:
                msg = f"ddj explore did not start: {log.read_text(errors='replace')[-3000:]}"
                raise RuntimeError(msg)
            else:
                time.sleep(0.2)
        prepared_s = time.perf_counter() - started
        parts = urlsplit(url)
        rows = []
        for _ in range(visitors):
            before = set(_kernels(process.pid))
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=SERVER_TIMEOUT_S)
            connection.request("GET", "/", headers={"Host": parts.netloc})
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            seconds = time.perf_counter() - started
            connection.close()
            if (
                response.status != 200
                or "application/vnd.jupyter.widget-view+json" not in page
                or "There was an error when executing cell" in page
            ):
                msg = f"the page did not show the Explorer (HTTP {response.status}); the server's log: "
                raise RuntimeError(msg + log.read_text(errors="replace")[-4000:])
            new = [pid for pid in _kernels(process.pid) if pid not in before]
            rows.append({"first_view_s": round(seconds, 2), **_memory(new[0])})
        return {"prepare_s": round(prepared_s, 1), "visitors": rows}
    finally:
        _stop(process)
        log.unlink(missing_ok=True)


def report_visitors() -> tuple[list[dict[str, object]], bool]:
    """Measure :func:`measure_visitors` at each of :data:`SIZES`; print and return the rows and whether the
    targets at a million were met.
    """
    out: list[dict[str, object]] = []
    ok = True
    ways = [("shared", True)] + ([("each kernel loads", False)] if BASELINE else [])
    print(
        f"{'incidents':>10} {'way':<18} {'prepare s':>9} {'visitor':>7} {'first view s':>12} "
        f"{'private GB':>10} {'anon GB':>8} {'RSS GB':>7}"
    )
    for size in SIZES:
        folder = dataset_folder(size)
        for way, shared in ways:
            measured = measure_visitors(folder, shared=shared)
            visitors = measured["visitors"]
            assert isinstance(visitors, list)
            for i, row in enumerate(visitors, start=1):
                print(
                    f"{size:>10,} {way:<18} {measured['prepare_s']:>9} {i:>7} {row['first_view_s']:>12.1f} "
                    f"{row['uss_gb']:>10.2f} {row['anonymous_gb']:>8.2f} {row['rss_gb']:>7.2f}",
                    flush=True,
                )
            extra = statistics.median(row["uss_gb"] for row in visitors[1:]) if len(visitors) > 1 else None
            first_view = max(row["first_view_s"] for row in visitors)
            out.append(
                {
                    "incidents": size,
                    "way": way,
                    "prepare_s": measured["prepare_s"],
                    "first_view_s": first_view,
                    "extra_visitor_gb": extra,
                    "visitors": visitors,
                }
            )
            if shared and size == TARGET_SIZE:
                good = first_view <= FIRST_VIEW_TARGET_S and (extra is None or extra <= EXTRA_VISITOR_TARGET_GB)
                ok = ok and good
            print(
                f"{size:,} incidents, {way}: first view at most {first_view:.1f} s, memory per extra visitor "
                f"{extra if extra is None else f'{extra:.2f}'} GB"
                + (
                    f" (targets at a million: {FIRST_VIEW_TARGET_S:.0f} s, {EXTRA_VISITOR_TARGET_GB} GB)"
                    if shared and size == TARGET_SIZE
                    else ""
                ),
                flush=True,
            )
    return out, ok


def main() -> int:
    import polars as pl

    from ddj.widgets.charts import build_charts
    from ddj.widgets.shared import is_prepared, open_prepared, prepare_in_child, prepared_folder

    visitors, visitors_ok = report_visitors()

    folder = dataset_folder()
    started = time.perf_counter()
    prepared: Path | None = prepared_folder(folder)  # there already when this size was measured above
    if prepared is None or not is_prepared(prepared, same_code=False):
        prepared = prepare_in_child(str(folder))
    if prepared is None:
        msg = "ddj's cache folder cannot be written: the Explorer's data cannot be prepared"
        raise RuntimeError(msg)
    ready = time.perf_counter() - started
    started = time.perf_counter()
    data = open_prepared(prepared)
    opened = time.perf_counter() - started
    print(
        f"\n{data.total:,} incidents, {data.comparison.accounts.height:,} accounts: prepared in {ready:.1f} s "
        f"(0 when already prepared), opened in {opened:.2f} s",
        flush=True,
    )

    every: list[float] = []
    rows = []
    print(f"{'filter change':<34} {'incidents':>10} {'median ms':>10} {'p90 ms':>7} {'charts ms':>10}  modes")
    for name, spec in filter_changes(data):
        data.view(spec)  # warm: the first call of a shape compiles nothing, but let caches settle
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            view = data.view(spec)
            times.append((time.perf_counter() - started) * 1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            for chart in build_charts(view, data).values():
                chart.to_dict()
            charts_ms = (time.perf_counter() - started) * 1000
        every += times
        median = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        modes = f"timeline by {view.period}, matrix {view.matrix_mode}, map {view.map_mode}"
        rows.append(
            {
                "change": name,
                "incidents": view.counts.incidents,
                "median_ms": round(median, 2),
                "p90_ms": round(p90, 2),
                "chart_specs_ms": round(charts_ms, 1),
            }
        )
        print(
            f"{name:<34} {view.counts.incidents:>10,} {median:>10.1f} {p90:>7.1f} {charts_ms:>10.1f}  {modes}",
            flush=True,
        )
    overall = statistics.median(every)
    ok = overall <= TARGET_MS
    print(
        f"median time from a filter change to new chart data at {data.total:,} incidents: "
        f"{overall:.1f} ms over {len(every)} timings (target: at most {TARGET_MS:.0f} ms) "
        f"{'OK' if ok else 'OVER THE TARGET'}"
    )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "explorer.json").write_text(
        json.dumps(
            {
                "incidents": data.total,
                "median_ms": round(overall, 2),
                "target_ms": TARGET_MS,
                "repeat": REPEAT,
                "changes": rows,
                "visitors": visitors,
                "first_view_target_s": FIRST_VIEW_TARGET_S,
                "extra_visitor_target_gb": EXTRA_VISITOR_TARGET_GB,
                "polars": pl.__version__,
                "threads": pl.thread_pool_size(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0 if ok and visitors_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

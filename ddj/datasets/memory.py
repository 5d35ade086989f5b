"""Whether a dataset fits in this computer's memory, checked from its files before any is read.

Reading a dataset costs memory in proportion to its data: a CSV's text becomes typed columns (an id
of a few characters takes 16 bytes, a date 4), a Parquet file's compressed columns expand to about 16
bytes a cell. The factors below are measured by ``benchmarks/bench_validate.py`` (peak resident memory
of ``ddj validate`` and ``ddj.load`` on a 2 GB CSV package, over its bytes) and rounded up. A dataset
whose estimate exceeds the memory available is refused with a message giving both figures, before
anything is read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ddj.errors import DatasetTooLargeError

if TYPE_CHECKING:
    from ddj.datasets.dataset_kind import DatasetKind
    from ddj.datasets.package import PackageSpec

#: Peak memory over CSV bytes when the tables are kept whole (``ddj.load``, the Explorer, reports).
LOAD_FACTOR = 3.0
#: Peak memory over CSV bytes when only validating (``ddj validate``: free text checked, not kept).
VALIDATE_FACTOR = 1.5
#: Memory a Parquet cell takes once read (a text cell is a 16-byte view; numbers 8, dates 4), and the
#: share of it validation keeps.
PARQUET_CELL = 24
PARQUET_VALIDATE_SHARE = 0.7
#: Memory that Python, polars and ddj's modules need whatever the data.
BASELINE = 300 << 20
#: Estimates below this are never refused (the check is for large data, and costs a file listing).
SMALL = 512 << 20
#: Set to a size (``8G``, ``512M``, a number of bytes) to use instead of the memory detected; ``0`` turns
#: the check off.
ENV = "DDJ_MEMORY_LIMIT"

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """``8G``, ``512m``, ``1.5g`` or a number of bytes, as bytes.

    Examples
    --------
    >>> parse_size("8G"), parse_size("512M"), parse_size("1000")
    (8589934592, 536870912, 1000)

    Units are powers of 1024, as memory is counted.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    if not match:
        msg = f"{ENV}={text!r} is not a size; write it as 8G, 512M or a number of bytes (0 turns the check off)"
        raise DatasetTooLargeError(msg)
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def available_memory() -> int | None:
    """Bytes of memory this process can still use: the least of what the system has available, the
    container's (cgroup) limit less its use, and :envvar:`DDJ_MEMORY_LIMIT`; ``None`` if unknown.
    """
    override = os.environ.get(ENV)
    if override is not None and override.strip():
        return parse_size(override)
    found: list[int] = []
    try:
        meminfo = Path("/proc/meminfo").read_text()
        match = re.search(r"^MemAvailable:\s+(\d+) kB", meminfo, re.MULTILINE)
        if match:
            found.append(int(match.group(1)) * 1024)
    except OSError:
        pass
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 1 << 60:
            found.append(max(0, int(limit) - usage))
    if not found:
        try:  # macOS and others: the physical memory, as a ceiling
            found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (AttributeError, OSError, ValueError):
            return None
    return min(found)


def _parquet_cells(path: Path) -> int:
    """Rows × columns of a Parquet file, from its footer (nothing else is read)."""
    try:
        scan = pl.scan_parquet(path)
        return scan.select(pl.len()).collect().item() * len(scan.collect_schema())
    except Exception:  # noqa: BLE001 - a damaged file: the reader says so with its own message
        return 0


def estimate(package: PackageSpec, *, keep_text: bool) -> int:
    """Bytes of memory reading ``package``'s files is expected to need at its peak."""
    total = 0.0
    for spec in package.resources.values():
        try:
            size = spec.path.stat().st_size
        except OSError:
            continue
        if spec.format == "parquet":
            total += _parquet_cells(spec.path) * PARQUET_CELL * (1.0 if keep_text else PARQUET_VALIDATE_SHARE)
        else:
            total += size * (LOAD_FACTOR if keep_text else VALIDATE_FACTOR)
    return BASELINE + int(total)


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"


def check_memory(package: PackageSpec, kind: DatasetKind | None = None, *, keep_text: bool) -> None:
    """Refuse a package whose files are too large for the memory available, before reading them.

    Parameters
    ----------
    package : PackageSpec
        The package as :func:`ddj.datasets.package.read_package` reads it (its files are sized, not read).
    kind : DatasetKind, optional
        The package's kind; not used by the estimate, accepted so callers can pass what they hold.
    keep_text : bool
        Whether the free-text columns will be kept in memory; without them the estimate is lower.

    Raises
    ------
    DatasetTooLargeError
        Naming the package, the size of its files, the memory needed and the memory available, and
        what to do (validate only, split the data, use a larger computer, or set DDJ_MEMORY_LIMIT).
    """
    del kind
    needed = estimate(package, keep_text=keep_text)
    if needed < SMALL:
        return
    available = available_memory()
    if not available or needed <= available:  # unknown or turned off, or it fits
        return
    sizes = {spec.display: spec.path.stat().st_size for spec in package.resources.values() if spec.path.is_file()}
    largest = max(sizes, key=sizes.__getitem__)
    lighter = (
        ""
        if not keep_text
        else (
            f" `ddj validate` needs less (about {_gb(estimate(package, keep_text=False))}): it checks the free text "
            "without keeping it."
        )
    )
    msg = (
        f"{package.folder}: the data files are {_gb(sum(sizes.values()))} (the largest, {largest}, "
        f"{_gb(sizes[largest])}); reading them needs about {_gb(needed)} of memory, and this computer has "
        f"{_gb(available)} available. Stopped before reading, rather than run out of memory.{lighter} Use a "
        "computer with more memory, close other programs, or split the dataset (by year or by region) into "
        f"packages that fit. To override the check, set {ENV} to the memory to assume (0 turns it off); "
        "README.md, 'How large a dataset', gives the sizes ddj handles."
    )
    raise DatasetTooLargeError(msg)

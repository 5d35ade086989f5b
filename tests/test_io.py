"""ddj._io: atomic writes leave files with the mode open() gives a new file, and nothing behind."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from ddj._io import atomic_write_bytes, atomic_write_text

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_an_atomic_write_gets_the_mode_open_gives_a_new_file(tmp_path, umask, mask):
    umask(mask)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    written = atomic_write_text(tmp_path / "sub" / "atomic.txt", "x")
    assert _mode(written) == _mode(plain) == 0o666 & ~mask
    assert written.read_text() == "x"
    assert sorted(p.name for p in written.parent.iterdir()) == ["atomic.txt"]  # no temporary file left


def test_replacing_a_file_gives_the_new_mode_and_the_new_bytes(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "cache.json"
    target.write_bytes(b"old")
    target.chmod(0o600)  # as the writes before this fix left their files
    atomic_write_bytes(target, b"new")
    assert (_mode(target), target.read_bytes()) == (0o644, b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "keep.txt"
    target.write_text("before")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "after")
    assert target.read_text() == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

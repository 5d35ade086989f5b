"""The Explorer's data prepared once and shared by every visitor's kernel (issue 19, item 6): the same views as
data computed in the kernel, memory-mapped rather than copied, keyed on the dataset's files and ddj's code, an
invalid dataset refused with its message, and the served notebook opening the prepared folder in one step.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import polars as pl
import pytest

import ddj
from ddj.errors import DDJError
from ddj.filters import FilterSpec
from ddj.widgets import serve, shared, startup
from ddj.widgets.state import ExplorerData
from ddj.widgets.views import incident_html
from tests.fixtures.minimal import write_package

SYRIA = "syria-ru-aviation"
SPECS = [
    FilterSpec(),
    FilterSpec(statuses=["contradict"]),
    FilterSpec(countries=["Syria"], grades=["contested"]),
    FilterSpec(search="mi-8", date_from="2016-01-01"),
    FilterSpec(attribute_statuses=["cause:contradict"], sides=["unofficial"]),
]


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """The cache folder of ddj in a temporary folder: nothing prepared yet."""
    monkeypatch.setenv("DDJ_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def direct():
    return ExplorerData(ddj.load(SYRIA, warn=False))


def test_the_prepared_data_show_what_the_kernel_would_compute(cache, direct):
    folder = shared.prepare(SYRIA)
    assert folder.parent == cache / shared.FOLDER
    opened = shared.open_prepared(folder)
    assert opened.total == direct.total and opened.bounds == direct.bounds and opened.cell == direct.cell
    for spec in SPECS:
        mine, theirs = opened.view(spec), direct.view(spec)
        assert mine.counts == theirs.counts, spec
        for name in ("table", "timeline", "matrix", "map"):
            assert getattr(mine, name).equals(getattr(theirs, name)), (spec, name)
        assert opened.facets(spec) == direct.facets(spec), spec
        for order in ("-date", "grade", "status"):
            assert opened.rows(spec, order=order)[0].equals(direct.rows(spec, order=order)[0])
        assert opened.export(spec).equals(direct.export(spec))
    for incident_id in direct.facts["incident_id"]:
        assert incident_html(opened, incident_id) == incident_html(direct, incident_id)
    assert opened.dataset.accounts.sort("account_id").equals(direct.dataset.accounts.sort("account_id"))


def test_the_prepared_files_are_memory_mapped_not_read(cache):
    folder = shared.prepare(SYRIA)
    opened = shared.open_prepared(folder)
    maps = Path("/proc/self/maps").read_text()
    for name in ("facts", "comparison-accounts", "comparison-attributes", "dataset-incidents"):
        assert str(folder / f"{name}.arrow") in maps, name  # the pages are the file's, shared by every kernel
    assert opened.facts.height == 20  # and still in use


def test_a_prepared_folder_is_reused_and_keyed_on_the_files_and_the_code(cache, tmp_path, monkeypatch):
    first = shared.prepare(SYRIA)

    def no_load(*args, **kwargs):
        raise AssertionError("prepared data were loaded again")

    monkeypatch.setattr("ddj.datasets.load", no_load)
    assert shared.prepare(SYRIA) == first and shared.prepare_in_child(SYRIA) == first
    monkeypatch.undo()
    monkeypatch.setenv("DDJ_CACHE_DIR", str(cache))
    # the same files in another folder share the prepared data; a changed file does not
    copy = Path(shutil.copytree(ddj.datasets.resolve(SYRIA), tmp_path / "copy"))
    assert shared.prepared_folder(copy) == first
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["description"] = str(descriptor.get("description", "")) + " Edited."
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert shared.prepared_folder(copy) != first
    # a module preparing used that has changed since prepares again
    meta = json.loads((first / "meta.json").read_text(encoding="utf-8"))
    assert "compare/comparison.py" in meta["code"] and "widgets/state.py" in meta["code"]
    assert shared.is_prepared(first)
    meta["code"]["compare/comparison.py"] = "0" * 32
    (first / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert not shared.is_prepared(first)
    again = shared.prepare(SYRIA)
    assert again == first and shared.is_prepared(again)


def test_only_the_most_recently_used_folders_are_kept(cache, tmp_path):
    for i in range(shared.KEEP + 2):
        package = write_package(tmp_path / f"p{i}")
        shared.prepare(str(package))
    kept = [p for p in (cache / shared.FOLDER).iterdir() if p.is_dir()]
    assert len(kept) == shared.KEEP and all(shared.is_prepared(p) for p in kept)


def test_an_invalid_dataset_is_refused_with_its_message_and_an_unwritable_cache_prepares_nothing(cache, tmp_path):
    def bad_date(tables):
        tables["incidents"][0]["date_start"] = "2021-13-45"

    package = write_package(tmp_path / "bad", bad_date)
    with pytest.raises(DDJError, match="date_start") as raised:
        shared.prepare_in_child(str(package))
    assert "Traceback" not in str(raised.value)
    assert not (cache / shared.FOLDER).exists() or not any((cache / shared.FOLDER).iterdir())
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    other = {"DDJ_CACHE_DIR": str(tmp_path / "a-file" / "cache")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in other.items():
            patch.setenv(name, value)
        assert shared.prepare_in_child(SYRIA) is None  # each kernel then loads the dataset itself


def test_the_served_notebook_opens_the_prepared_folder_in_one_step(cache, tmp_path):
    folder = shared.prepare(SYRIA)
    path = serve.write_notebook(tmp_path, SYRIA, FilterSpec(statuses=["official_silent"]), folder)
    nb = nbformat.read(path, as_version=4)
    at = [c.metadata.get("tags", []) for c in nb.cells].index(["injected-parameters"])
    said = [c.metadata.get("ddj", {}).get("then") for c in nb.cells[at:-1]]
    assert said == [startup.OPEN, startup.DRAW]
    assert [c.metadata["ddj"]["step"] for c in nb.cells[at + 1 : -1]] == ["open"]
    namespace: dict = {}
    for cell in nb.cells:  # run the served notebook as Voila does, cell by cell
        if cell.cell_type == "code":
            exec(cell.source, namespace)
            if cell.metadata.get("ddj", {}).get("step") == "open":
                waiting = startup.waiting(SYRIA)
    explorer = namespace["explorer"]
    assert waiting is not None and explorer.data is waiting and startup.waiting(SYRIA) is None
    assert str(folder / "facts.arrow") in Path("/proc/self/maps").read_text()
    assert explorer.view.table["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]
    assert isinstance(explorer.data.facts, pl.DataFrame)


def test_a_bad_filter_is_checked_against_the_prepared_facts(cache):
    folder = shared.prepare(SYRIA)
    serve.check_view(SYRIA, FilterSpec(countries=["Syria"]), folder)
    with pytest.raises(DDJError, match="Did you mean 'Syria'"):
        serve.check_view(SYRIA, FilterSpec(countries=["syria"]), folder)


def test_a_kernel_that_cannot_open_the_prepared_folder_loads_the_dataset_itself(tmp_path, capsys):
    startup.run("open", SYRIA, prepared=str(tmp_path / "gone"))
    data = startup.take(SYRIA)
    assert isinstance(data, ExplorerData) and data.total == 20  # loaded and compared in this kernel
    assert capsys.readouterr().out == ""  # nothing in the page; the reason goes to the server's log

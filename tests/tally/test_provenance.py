"""The snapshot's identity in the package: declared commit or "commit unknown", content hash, data through."""

from __future__ import annotations

import json
import shutil

import pytest

from ddj.datasets.registry import data_dir
from ddj.errors import PackageError
from ddj.tally import build as tally_build
from ddj.tally import provenance

NAME = "ukraine-equipment-losses"
FOLDER = data_dir() / NAME
COMMITS = {
    "raw/ua-genstaff-official": "37655f8bbdd6806d2f94416253116b02a750c97b",
    "raw/oryx-losses": "815abce67c8f1d3cadd3e5fb96e7e988a4940949",
}


def test_the_shipped_package_records_each_snapshot_commit_hash_and_last_date():
    descriptor = json.loads((FOLDER / "datapackage.json").read_text(encoding="utf-8"))
    snapshot = {item["folder"]: item for item in descriptor["ddj"]["snapshot"]}
    assert {k: v["commit"] for k, v in snapshot.items()} == COMMITS
    for folder, item in snapshot.items():
        assert item["content_sha256"] == provenance.content_sha256(FOLDER / folder)
        assert item["manifest"] == f"{folder}/SOURCE.json"
    assert snapshot["raw/ua-genstaff-official"]["data_through"] == "2026-08-08"
    assert snapshot["raw/oryx-losses"]["data_through"] == "2024-10-06"
    titles = [s["title"] for s in descriptor["sources"]]
    assert all(any(commit in t for t in titles) for commit in COMMITS.values())
    block = (FOLDER / "README.md").read_text(encoding="utf-8").split("<!-- sources:start -->")[1]
    block = block.split("<!-- sources:end -->")[0]
    for folder, commit in COMMITS.items():
        assert f"`{folder}/`" in block and f"commit `{commit}`" in block
    assert "data through 2024-10-06" in block


def _copy(tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(FOLDER, copy)
    return copy


def test_a_new_snapshot_under_an_old_manifest_is_refused_before_writing(tmp_path):
    copy = _copy(tmp_path)
    licence = copy / "raw" / "oryx-losses" / "LICENSE.txt"
    licence.write_bytes(licence.read_bytes() + b"\n")  # the files change, the manifest does not
    before = (copy / "datapackage.json").read_bytes()
    with pytest.raises(PackageError, match=r"oryx-losses/SOURCE\.json: the manifest describes other files") as error:
        tally_build.build(copy)
    assert "delete the manifest to record the commit as unknown" in str(error.value)
    assert (copy / "datapackage.json").read_bytes() == before


def test_without_a_manifest_the_build_records_the_content_hash_and_says_the_commit_is_unknown(tmp_path):
    copy = _copy(tmp_path)
    (copy / "raw" / "oryx-losses" / "SOURCE.json").unlink()
    tally_build.build(copy)
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    item = next(i for i in descriptor["ddj"]["snapshot"] if i["folder"] == "raw/oryx-losses")
    digest = provenance.content_sha256(copy / "raw" / "oryx-losses")
    assert item["commit"] is None and item["content_sha256"] == digest and item["data_through"] == "2024-10-06"
    text = json.dumps(descriptor)
    assert COMMITS["raw/oryx-losses"] not in text  # the old commit is cited nowhere
    assert f"commit unknown, content sha256 {digest}" in text
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert COMMITS["raw/oryx-losses"] not in readme
    assert "commit unknown (the raw files carry none and no manifest declares one)" in readme
    assert COMMITS["raw/ua-genstaff-official"] in readme  # the other folder keeps its declared commit


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({"repository": "a/b", "commit": "37655f8"}, "'commit' is '37655f8', not a full 40-digit"),
        ({"repository": "a/b", "url": "javascript:alert(1)"}, "only http and https links"),
        ({"repository": "a/b", "commit": "0" * 40}, "'content_sha256' is missing, and the manifest declares commit"),
        ({"repository": "a/b", "date": "5 May 2024", "content_sha256": "x"}, "not a date written YYYY-MM-DD"),
        ({"url": "https://example.org"}, "'repository' is required"),
        ({"repository": "a/b", "tag": "v1"}, "'tag' is not a manifest key"),
    ],
)
def test_a_malformed_manifest_is_refused_naming_the_file_and_key(tmp_path, manifest, message):
    path = tmp_path / "SOURCE.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PackageError, match=r"SOURCE\.json") as error:
        provenance.read_manifest(path)
    assert message in str(error.value)


def test_a_manifest_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "SOURCE.json"
    path.write_text("{commit: 1", encoding="utf-8")
    with pytest.raises(PackageError, match="not a readable JSON file"):
        provenance.read_manifest(path)


def test_a_datasheet_without_the_sources_block_gets_a_snapshot_section(tmp_path):
    base = data_dir().parent / "tests" / "fixtures" / "importers" / "tally_snapshot" / "base"
    folder = tmp_path / "losses"
    shutil.copytree(base, folder)
    assert "<!-- sources:start -->" not in (base / "README.md").read_text(encoding="utf-8")
    tally_build.build(folder)
    text = (folder / "README.md").read_text(encoding="utf-8")
    section = text.split("## Snapshot", 1)[1]
    assert section.count("commit unknown (the raw files carry none and no manifest declares one)") == 2
    assert tally_build.build(folder, check=True).changed == []  # and a rerun leaves it as it is

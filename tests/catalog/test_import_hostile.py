"""Imports of hostile records: bad text skips one record, over-long ids are refused, huge descriptions are cut.

Runs on both engines: a NUL byte only breaks PostgreSQL, a lone surrogate breaks UTF-8 everywhere.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.importers.base import DESCRIPTION_MAX, IDENTIFIER_MAX
from catalog.models import Dataset
from catalog.services import catalog_import

pytestmark = pytest.mark.django_db


def _corpus(tmp_path, lines: list[str]):
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _record(ext_id: str, description: str = "A fine dataset of things.") -> str:
    return json.dumps({"id": ext_id, "name": ext_id, "description": description, "variants": [ext_id]})


@pytest.mark.parametrize(
    "bad_line",
    [
        '{"id": "bad", "name": "Bad \\ud800 name", "description": "x"}',
        '{"id": "bad", "name": "Bad", "description": "nul \\u0000 here"}',
        '{"id": "bad\\udfff", "name": "Bad", "description": "x"}',
        '{"id": "bad", "name": "Bad", "description": "x", "variants": ["ok", "\\u0000"]}',
    ],
    ids=["surrogate-in-title", "nul-in-description", "surrogate-in-id", "nul-in-variants"],
)
def test_a_record_with_bad_text_is_skipped_and_the_rest_imported(tmp_path, bad_line):
    path = _corpus(tmp_path, [_record("first"), bad_line, _record("last")])
    report = catalog_import(path=path, fmt="datafinder")
    assert (report.created, report.skipped) == (2, 1)
    assert sorted(Dataset.objects.values_list("external_id", flat=True)) == ["first", "last"]
    (ref, reason), = report.errors
    assert "NUL byte or an invalid Unicode character" in reason
    ref.encode("utf-8")  # printable: the report can be written anywhere
    json.dumps(report.to_dict()).encode("utf-8")


def test_the_command_prints_a_report_with_bad_ids(tmp_path):
    path = _corpus(tmp_path, ['{"id": "x\\ud800", "name": "Bad", "description": "x"}', _record("good")])
    out = StringIO()
    call_command("import_catalog", str(path), "--format", "datafinder", stdout=out)
    text = out.getvalue()
    assert "1 created" in text and "1 skipped" in text
    assert "\\ud800" in text  # escaped, not raw


def test_a_nul_in_a_csv_record_skips_only_that_record(tmp_path, catalog_data):
    header = (catalog_data / "seed.csv").read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    row = dict.fromkeys(columns, "")

    def line(**values):
        cells = row | {"source": "data.gov.sg", "status": "active"} | values
        return ",".join(f'"{cells[c]}"' if cells[c] else "" for c in columns)

    path = tmp_path / "seed.csv"
    path.write_text(
        "\n".join([header, line(dataset_id="a1", title="Alpha"), line(dataset_id="a2", title="Be\x00ta"),
                   line(dataset_id="a3", title="Gamma")]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    report = catalog_import(path=path, fmt="csv")
    assert report.created == 2
    assert [e.ref for e in report.errors] and "NUL" in report.errors[0].reason


def test_an_identifier_longer_than_the_column_is_refused_never_cut(tmp_path):
    long_a = "a" * (IDENTIFIER_MAX + 100)
    long_b = "a" * (IDENTIFIER_MAX + 100 - 1) + "b"  # the same first 300 characters
    path = _corpus(tmp_path, [_record(long_a), _record(long_b), _record("a" * IDENTIFIER_MAX)])
    report = catalog_import(path=path, fmt="datafinder")
    assert report.created == 1
    assert report.skipped == 2
    assert all("the longest accepted is 300" in e.reason for e in report.errors)
    assert Dataset.objects.get().external_id == "a" * IDENTIFIER_MAX


def test_a_huge_description_is_cut_and_the_cut_recorded(tmp_path):
    huge = "word " * 1_000_000  # 5 MB
    path = _corpus(tmp_path, [_record("huge", huge), _record("small")])
    report = catalog_import(path=path, fmt="datafinder")
    assert report.created == 2
    dataset = Dataset.objects.get(external_id="huge")
    assert len(dataset.description) <= DESCRIPTION_MAX + 1
    assert dataset.extra["description_cut"] == {"original_chars": len(huge.strip()), "kept_chars": DESCRIPTION_MAX}
    (note,) = report.notes
    assert "huge" in note.ref
    assert f"description cut from {len(huge.strip()):,} to {DESCRIPTION_MAX:,} characters" == note.reason
    assert "with notes" in report.summary()
    assert "description_cut" not in Dataset.objects.get(external_id="small").extra
    # Re-importing the same file changes nothing (the cut is deterministic).
    again = catalog_import(path=path, fmt="datafinder")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

"""The ``ml_idempotence`` helper (item 6, idempotent-pipeline)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mlchecklist.helpers.idempotence import IdempotenceChecker, compare_runs, snapshot, table_difference
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

RAW_CSV = "user_id,amount\nu1,10.5\nu2,3\nu3,7.25\n"

PIPELINE_TESTS = """
import csv


def build_features(workdir):
    with (workdir / "raw.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = workdir / "features"
    out.mkdir(exist_ok=True)
    with (out / "features.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "amount_cents"])
        for row in rows:
            writer.writerow([row["user_id"], round(float(row["amount"]) * 100)])


def test_features_are_idempotent(ml_idempotence):
    ml_idempotence(build_features, inputs={"raw.csv": "data/raw.csv"})
"""

APPENDING_TESTS = """
import csv


def append_features(workdir):
    with (workdir / "raw.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    target = workdir / "features.csv"
    new = not target.exists()
    with target.open("a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["user_id", "amount"])
        writer.writerows([row["user_id"], row["amount"]] for row in rows)


def test_append_is_not_idempotent(ml_idempotence):
    ml_idempotence(append_features, inputs={"raw.csv": "data/raw.csv"})
"""


def write_project(pytester: pytest.Pytester, tests: str) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [idempotent-pipeline]\n")
    pytester.mkdir("data")
    pytester.path.joinpath("data", "raw.csv").write_text(RAW_CSV)
    pytester.makepyfile(test_pipeline=tests)


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


@pytest.fixture
def checker(tmp_path: Path) -> Iterator[tuple[IdempotenceChecker, list]]:
    sink: list = []
    counter = iter(range(100))
    root = tmp_path / "runs"

    def make_dir() -> Path:
        path = root / f"run{next(counter)}"
        path.mkdir(parents=True)
        return path

    yield IdempotenceChecker(Recordings(sink).recorder("ml_idempotence"), make_dir, rootdir=tmp_path), sink


# ---------------------------------------------------------------------- comparing files
def test_snapshot_hashes_every_file_except_ignored_ones(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "part-0.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "out" / "run.log").write_text("started\n")
    (tmp_path / "mlruns").mkdir()
    (tmp_path / "mlruns" / "meta.yaml").write_text("run_id: 1\n")
    found = snapshot(tmp_path, ignore=["*.log", "mlruns/*"])
    assert found == {"out/part-0.csv": hashlib.sha256(b"a,b\n1,2\n").hexdigest()}


@pytest.mark.parametrize(("name", "first", "second", "expected"), [
    ("t.csv", "id,x\n1,2\n2,3\n", "x,id\n3.0,2\n2,1\n", None),  # columns and rows reordered, 2 == 2.0
    ("t.csv", "id,x\n1,2\n", "id,x\n1,2\n1,2\n", "t.csv: 1 rows then 2 rows (1 added, 0 removed)"),
    ("t.csv", "id,x\n1,2\n2,3\n", "id,x\n1,2\n2,4\n", "t.csv: 2 rows then 2 rows (1 added, 1 removed)"),
    ("t.csv", "id,x\n1,2\n", "id,y\n1,2\n", "t.csv: columns changed (added: y; removed: x)"),
    ("t.tsv", "id\tx\n1\tnan\n", "id\tx\n1\tnan\n\n", None),  # NaN equals itself; blank lines skipped
    ("t.jsonl", '{"a": 1}\n{"a": 2}\n', '{"a": 2}\n\n{"a": 1.0}\n', None),
    ("t.jsonl", '{"a": 1}\n', '{"a": 1}\n{"a": 1}\n', "t.jsonl: 1 rows then 2 rows (1 added, 0 removed)"),
    ("m.json", '{"a": 1, "b": [1, 2]}', '{"b": [1, 2],\n "a": 1}', None),
    ("m.json", '{"built_at": "10:00:01"}', '{"built_at": "10:00:02"}', "m.json['built_at']: '10:00:01' != '10:00:02'"),
])
def test_tables_are_compared_by_value(tmp_path: Path, name: str, first: str, second: str,
                                      expected: str | None) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / name).write_text(first)
    (tmp_path / "b" / name).write_text(second)
    assert table_difference(tmp_path / "a" / name, tmp_path / "b" / name, name) == expected


def test_other_files_and_broken_tables_differ_by_hash(tmp_path: Path) -> None:
    for folder, content in (("a", b"\x00model-v1"), ("b", b"\x00model-v2")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.pkl").write_bytes(content)
        (tmp_path / folder / "bad.json").write_bytes(content)
    first, second = hashlib.sha256(b"\x00model-v1").hexdigest(), hashlib.sha256(b"\x00model-v2").hexdigest()
    expected = f"content changed (sha256 {first[:12]} then {second[:12]})"
    assert table_difference(tmp_path / "a" / "model.pkl", tmp_path / "b" / "model.pkl", "model.pkl") == (
        f"model.pkl: {expected}")
    assert table_difference(tmp_path / "a" / "bad.json", tmp_path / "b" / "bad.json", "bad.json") == (
        f"bad.json: {expected}")


def test_compare_runs_names_new_and_removed_files(tmp_path: Path) -> None:
    changes, by_value = compare_runs(tmp_path, tmp_path, {"a.txt": "1", "b.txt": "2"}, {"b.txt": "2", "c.txt": "3"})
    assert changes == ["a.txt: removed by the second run", "c.txt: new after the second run"] and by_value == []


# ---------------------------------------------------------------------- the checker
def test_an_overwriting_step_passes_and_records(checker: tuple[IdempotenceChecker, list]) -> None:
    check, sink = checker

    def step(workdir: Path) -> None:
        rows = (workdir / "raw.csv").read_text().splitlines()
        (workdir / "out.csv").write_text("id,doubled\n" + "".join(f"{row},{int(row) * 2}\n" for row in rows[1:]))
        (workdir / "stats.json").write_text(json.dumps({"rows": len(rows) - 1}))

    result = check(step, inputs={"raw.csv": b"id\n1\n2\n"})
    assert result.passed and set(result.files) == {"raw.csv", "out.csv", "stats.json"}
    assert (result.first_run / "out.csv").read_text() == (result.workdir / "out.csv").read_text()
    assert sink == [{"item": "idempotent-pipeline", "source": "ml_idempotence",
                     "detail": "two runs in the same directory left 3 files identical",
                     "values": {"files": 3.0, "changed": 0.0}, "passed": True}]


def test_reordered_rows_pass_by_value(checker: tuple[IdempotenceChecker, list]) -> None:
    check, _ = checker
    runs = iter(["id,x\n1,2\n2,3\n", "id,x\n2,3\n1,2\n"])
    result = check(lambda workdir: (workdir / "t.csv").write_text(next(runs)))
    assert result.passed and result.same_by_value == ("t.csv",)
    assert result.detail() == "two runs in the same directory left 1 file identical (1 by value, bytes differ)"


def test_a_step_that_changes_things_fails_with_each_change(checker: tuple[IdempotenceChecker, list]) -> None:
    check, sink = checker
    runs = iter(range(1, 10))

    def step(workdir: Path) -> None:
        run = next(runs)
        (workdir / f"part-{run}.csv").write_text("id\n1\n")
        (workdir / "meta.json").write_text(json.dumps({"run": run}))
        (workdir / "run.log").write_text(f"run {run}\n")

    with pytest.raises(pytest.fail.Exception) as failure:
        check(step, ignore=["*.log"])
    assert str(failure.value) == ("ml_idempotence: the second run changed 2 of 3 files: "
                                  "meta.json['run']: 1 != 2; part-2.csv: new after the second run")
    assert sink[0]["passed"] is False and sink[0]["values"] == {"files": 3.0, "changed": 2.0}


def test_a_step_that_writes_nothing_fails_without_recording(checker: tuple[IdempotenceChecker, list]) -> None:
    check, sink = checker
    with pytest.raises(pytest.fail.Exception, match="the step wrote nothing in the working directory"):
        check(lambda workdir: None, inputs={"raw.csv": b"id\n1\n"})
    assert sink == []


def test_inputs_are_copied_from_the_rootdir_and_chdir_is_restored(checker: tuple[IdempotenceChecker, list],
                                                                  tmp_path: Path) -> None:
    check, _ = checker
    (tmp_path / "data" / "ref").mkdir(parents=True)
    (tmp_path / "data" / "ref" / "countries.csv").write_text("code\nNL\n")
    before = Path.cwd()
    seen: list[Path] = []

    def step(workdir: Path) -> None:
        seen.append(Path.cwd())
        Path("copy.csv").write_text(Path("ref/countries.csv").read_text())

    result = check(step, inputs={"ref": "data/ref"}, chdir=True)
    assert Path.cwd() == before and seen == [result.workdir, result.workdir]
    assert set(result.files) == {"ref/countries.csv", "copy.csv"}


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"step": 42}, TypeError, "expected a callable step\\(workdir\\), got int"),
    ({"inputs": [("raw.csv", b"")]}, TypeError, "inputs must be a mapping"),
    ({"inputs": {"/etc/raw.csv": b""}}, ValueError, "must be a relative path"),
    ({"inputs": {"../raw.csv": b""}}, ValueError, "must be a relative path"),
    ({"inputs": {"raw.csv": 3}}, TypeError, "must be a path \\(str or Path\\) or bytes, got int"),
    ({"inputs": {"raw.csv": "data/missing.csv"}}, ValueError, "data/missing.csv does not exist"),
    ({"ignore": "*.log"}, TypeError, "ignore must be a list of glob patterns"),
])
def test_bad_arguments_raise_clear_errors(checker: tuple[IdempotenceChecker, list], kwargs: dict,
                                          error: type[Exception], words: str) -> None:
    check, _ = checker
    arguments = {"step": lambda workdir: (workdir / "x").write_text("x"), **kwargs}
    step = arguments.pop("step")
    with pytest.raises(error, match=words):
        check(step, **arguments)


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_an_idempotent_step_meets_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, PIPELINE_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.stdout.fnmatch_lines(["*PASSED mlchecklist.yaml::idempotent-pipeline*"])
    entry = item_entry(pytester.path / "report.json", "idempotent-pipeline")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "ml_idempotence" and measured["verdict"] == "supports"
    assert measured["nodeid"] == "test_pipeline.py::test_features_are_idempotent"
    assert measured["values"] == {"files": 2.0, "changed": 0.0}
    assert measured["detail"] == "two runs in the same directory left 2 files identical"


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_an_appending_step_fails_the_test_and_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, APPENDING_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(failed=2)  # the test and idempotent-pipeline
    result.stdout.fnmatch_lines(["*ml_idempotence: the second run changed 1 of 2 files: "
                                 "features.csv: 3 rows then 6 rows (3 added, 0 removed)*",
                                 "*FAILED mlchecklist.yaml::idempotent-pipeline*"])
    entry = item_entry(pytester.path / "report.json", "idempotent-pipeline")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"] == {"files": 2.0, "changed": 1.0}
    assert "features.csv: 3 rows then 6 rows (3 added, 0 removed)" in entry["message"]
    assert "test_pipeline.py::test_append_is_not_idempotent" in entry["message"]


def test_without_the_checklist_the_fixture_still_checks(pytester: pytest.Pytester) -> None:
    write_project(pytester, PIPELINE_TESTS + APPENDING_TESTS.replace("import csv\n", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ml_idempotence: the second run changed 1 of 2 files*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "idempotence.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    shown = json.loads(page.split("```json\n", 1)[1].split("```", 1)[0])
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_pipeline_idempotent.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=2)
    entry = item_entry(pytester.path / "report.json", "idempotent-pipeline")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert {key: measured[key] for key in shown} == shown  # the page shows what the run records
    # and the failure the page shows for an appending step is the one it gives
    failing = tests.replace('open("w", newline="")', 'open("a", newline="")')
    pytester.path.joinpath("tests", "test_pipeline_idempotent.py").write_text(failing)
    result = pytester.runpytest_subprocess()
    shown_failure = page.split("```text\n", 1)[1].split("```", 1)[0].strip()
    result.stdout.fnmatch_lines([f"*{shown_failure.removeprefix('Failed: ')}*"])

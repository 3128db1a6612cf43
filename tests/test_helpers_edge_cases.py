"""The ``ml_edge_cases`` helper: cases generated from a schema, checked and recorded (item 24)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from pytest_mlchecklist.helpers.edge_cases import (
    CATEGORIES,
    UNICODE_VARIANTS,
    EdgeCase,
    EdgeCaseRunner,
    edge_case_params,
    edge_cases,
    valid_record,
)
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]


class Transaction(BaseModel):
    amount: float = Field(ge=0, le=1_000_000)
    items: int = Field(gt=0, lt=500)
    country: str = Field(min_length=2, max_length=2)
    merchant: str | None = Field(default=None, max_length=64)
    tags: list[str] = Field(default_factory=list, max_length=3)
    card_present: bool


SCHEMA = {
    "type": "object",
    "$defs": {"Money": {"type": "number", "exclusiveMinimum": 0, "maximum": 50.5}},
    "properties": {
        "price": {"$ref": "#/$defs/Money"},
        "quantity": {"type": "integer", "exclusiveMaximum": 10, "minimum": 1},
        "comment": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "channel": {"enum": ["web", "app"]},
    },
    "required": ["price", "quantity"],
}


def by_id(cases: list[EdgeCase]) -> dict[str, object]:
    return {case.case_id: case.payload for case in cases}


def valid(payload: object) -> bool:
    try:
        Transaction.model_validate(payload)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------- generating cases
def test_a_pydantic_model_yields_every_category_with_unique_ids() -> None:
    cases = edge_cases(Transaction)
    assert {case.category for case in cases} == set(CATEGORIES)
    assert len({case.case_id for case in cases}) == len(cases)
    assert all(case.case_id.startswith(case.category + ".") for case in cases)
    found = by_id(cases)
    assert found["empty.payload"] == {}
    assert found["all-null.payload"] == dict.fromkeys(Transaction.model_fields)


def test_each_case_changes_one_field_of_a_valid_baseline() -> None:
    cases = by_id(edge_cases(Transaction))
    baseline = valid_record(Transaction)
    assert valid(baseline) and valid_record(SCHEMA)["channel"] == "web"  # enum: its first value
    for case_id, payload in cases.items():
        if isinstance(payload, dict) and case_id.count(".") == 2 and not case_id.endswith(".missing"):
            field = case_id.split(".")[1]
            changed = {name for name in baseline if payload.get(name, object()) != baseline[name]}
            assert changed <= {field}, case_id


def test_boundaries_agree_with_pydantic_validation() -> None:
    """The independent judge: pydantic accepts the at-bound cases and rejects the past-bound ones."""
    cases = by_id(edge_cases(Transaction))
    for accepted in ("extreme-numbers.amount.max", "extreme-numbers.amount.min", "extreme-numbers.items.max",
                     "extreme-numbers.items.min", "max-length.country.at-max", "max-length.merchant.at-max",
                     "max-length.tags.at-max", "extreme-numbers.amount.zero", "extreme-numbers.amount.tiny"):
        assert valid(cases[accepted]), accepted
    for rejected in ("extreme-numbers.amount.over-max", "extreme-numbers.amount.under-min",
                     "extreme-numbers.items.over-max", "extreme-numbers.items.under-min",
                     "max-length.country.over-max", "max-length.merchant.over-max", "max-length.tags.over-max",
                     "extreme-numbers.amount.nan", "extreme-numbers.amount.inf", "empty.payload", "all-null.payload",
                     "empty.country.missing", "wrong-types.payload.list", "wrong-types.amount.string"):
        assert not valid(cases[rejected]), rejected
    assert cases["extreme-numbers.amount.over-max"]["amount"] == math.nextafter(1_000_000, math.inf)  # type: ignore[index]
    assert cases["extreme-numbers.items.max"]["items"] == 499  # type: ignore[index]
    assert len(cases["max-length.merchant.over-max"]["merchant"]) == 65  # type: ignore[index]


def test_a_json_schema_with_refs_anyof_enum_and_exclusive_bounds() -> None:
    cases = by_id(edge_cases(SCHEMA))
    assert cases["extreme-numbers.price.max"]["price"] == 50.5  # type: ignore[index]
    assert cases["extreme-numbers.price.min"]["price"] == 5e-324  # just above the exclusive 0  # type: ignore[index]
    assert cases["extreme-numbers.price.under-min"]["price"] == 0.0  # type: ignore[index]
    assert cases["extreme-numbers.quantity.max"]["quantity"] == 9  # type: ignore[index]
    assert cases["extreme-numbers.quantity.over-max"]["quantity"] == 10  # type: ignore[index]
    assert cases["extreme-numbers.quantity.under-min"]["quantity"] == 0  # type: ignore[index]
    assert {f"unicode.comment.{variant}" for variant in UNICODE_VARIANTS} <= set(cases)
    assert cases["unicode.comment.nul"]["comment"] == "a\x00b"  # type: ignore[index]
    assert len(cases["max-length.comment.long"]["comment"]) == 10_000  # type: ignore[index]
    assert set(cases["empty.payload"]) == set() and "empty.comment.missing" not in cases  # not required
    assert cases["wrong-types.quantity.fraction"]["quantity"] == 1.5  # type: ignore[index]
    assert cases["wrong-types.price.numeric-string"]["price"] == str(valid_record(SCHEMA)["price"])  # type: ignore[index]


def test_options_select_categories_sizes_and_nonfinite(tmp_path: Path) -> None:
    only = edge_cases(SCHEMA, categories=["extreme-numbers"], nonfinite=False)
    assert {case.category for case in only} == {"extreme-numbers"}
    assert all(math.isfinite(case.payload["price"]) for case in only if "price" in case.case_id)
    short = by_id(edge_cases(SCHEMA, categories="max-length", long_length=50))
    assert len(short["max-length.comment.long"]["comment"]) == 50  # type: ignore[index]
    params = edge_case_params(SCHEMA, categories=["empty"])
    assert [param.id for param in params] == [case.case_id for case in edge_cases(SCHEMA, categories=["empty"])]


def test_schema_files_json_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "schema.yaml").write_text("type: object\nproperties:\n  score: {type: number, maximum: 1}\n")
    assert edge_cases(tmp_path / "schema.json") == edge_cases(SCHEMA)
    assert "extreme-numbers.score.over-max" in by_id(edge_cases(str(tmp_path / "schema.yaml")))


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="JSON Schema dict, a path to a schema file or a pydantic model class, got int"):
        edge_cases(42)
    with pytest.raises(ValueError, match="unknown categories \\['nulls'\\]"):
        edge_cases(SCHEMA, categories=["nulls"])
    with pytest.raises(ValueError, match="must describe an object with properties"):
        edge_cases({"type": "array", "items": {"type": "number"}})
    with pytest.raises(ValueError, match="does not point into the schema"):
        edge_cases({"type": "object", "properties": {"a": {"$ref": "#/$defs/Missing"}}})
    with pytest.raises(ValueError, match="long_length must be an integer >= 1"):
        edge_cases(SCHEMA, long_length=0)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="does not parse"):
        edge_cases(tmp_path / "broken.json")
    with pytest.raises(ValueError, match="cannot read the schema file"):
        edge_cases(tmp_path / "missing.json")


# ---------------------------------------------------------------------- the runner
def test_the_runner_counts_categories_and_lists_failing_cases() -> None:
    sink: list[dict] = []
    runner = EdgeCaseRunner(Recordings(sink).recorder("ml_edge_cases"))
    report = runner(SCHEMA, lambda payload: None)
    assert report.passed and report.categories == list(CATEGORIES)
    assert report.cases == len(edge_cases(SCHEMA)) and sink[-1]["passed"] is True
    assert sink[-1]["values"]["cases"] == report.cases and sink[-1]["values"]["failed"] == 0
    assert sink[-1]["values"]["cases_unicode"] == 2 * len(UNICODE_VARIANTS)  # comment and the enum channel

    def rejects_nan(payload: object) -> None:
        price = payload.get("price") if isinstance(payload, dict) else None
        assert not (isinstance(price, float) and math.isnan(price)), "score is NaN"

    with pytest.raises(pytest.fail.Exception) as failed:
        runner(SCHEMA, rejects_nan, categories=["extreme-numbers"])
    assert str(failed.value).startswith(
        "ml_edge_cases: 1 of 22 edge cases failed: extreme-numbers.price.nan; 1 category (extreme-numbers 22); "
        "none for empty, all-null, max-length, unicode, wrong-types\n")
    assert "extreme-numbers.price.nan: AssertionError: score is NaN" in str(failed.value)
    assert sink[-1]["passed"] is False and sink[-1]["values"]["failed"] == 1


def test_the_runner_checks_its_arguments() -> None:
    runner = EdgeCaseRunner(Recordings(None).recorder("ml_edge_cases"))
    with pytest.raises(TypeError, match="expected a check callable"):
        runner(SCHEMA, "not callable")
    with pytest.raises(ValueError, match="unknown category 'nulls'"):
        runner.cover("nulls")
    with pytest.raises(TypeError, match="expected \\(category, case_id, payload\\) cases"):
        runner([{"price": 1}], lambda payload: None)
    with pytest.raises(ValueError, match="the list of cases is empty"):
        runner([], lambda payload: None)
    assert runner(edge_cases(SCHEMA, categories=["empty"]), lambda payload: None).categories == ["empty"]


# ---------------------------------------------------------------------- in a pytest run
EDGE_TESTS = '''
import math

import pytest

from pytest_mlchecklist.helpers.edge_cases import edge_case_params

SCHEMA = {"type": "object", "properties": {"amount": {"type": "number", "minimum": 0},
                                           "country": {"type": "string", "maxLength": 2}}}


def score(payload):
    if not isinstance(payload, dict) or not isinstance(payload.get("amount"), (int, float)):
        raise ValueError("bad payload")
    return payload["amount"] / 100


def handled(payload):
    try:
        result = score(payload)
    except ValueError:
        return
    assert not STRICT or math.isfinite(result), f"score {result}"


def test_edge_cases(ml_edge_cases):
    ml_edge_cases(SCHEMA, handled)


@pytest.mark.parametrize(("category", "case_id", "payload"), edge_case_params(SCHEMA, categories=["unicode"])[:2])
def test_unicode(ml_edge_cases, category, case_id, payload):
    ml_edge_cases.cover(category, case_id)
    handled(payload)
'''


def run(pytester: pytest.Pytester, strict: bool, *args: str) -> pytest.RunResult:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [edge-case-tests]\n")
    pytester.makepyfile(test_scoring=f"STRICT = {strict}\n" + EDGE_TESTS)
    return pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                         "-rA", *args)


def measurements(pytester: pytest.Pytester, slug: str) -> tuple[dict, list[dict]]:
    data = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    entry = next(entry for entry in data["items"] if entry["id"] == slug)
    return entry, [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_handled_edge_cases_meet_the_item_with_their_counts(pytester: pytest.Pytester, mode: list[str]) -> None:
    result = run(pytester, False, *mode)
    result.assert_outcomes(passed=4)
    entry, found = measurements(pytester, "edge-case-tests")
    assert entry["status"] == "met"
    pieces = {piece["nodeid"]: piece for piece in found}
    whole = pieces["test_scoring.py::test_edge_cases"]
    assert whole["detector"] == "ml_edge_cases" and whole["verdict"] == "supports"
    assert whole["values"]["categories"] == 6 and whole["values"]["failed"] == 0
    assert whole["values"]["cases_unicode"] == 7 and whole["values"]["cases"] == len(edge_cases(
        {"type": "object", "properties": {"amount": {"type": "number", "minimum": 0},
                                          "country": {"type": "string", "maxLength": 2}}}))
    assert whole["detail"].endswith("unicode 7, wrong-types 9): all handled")
    emoji = pieces["test_scoring.py::test_unicode[unicode.country.emoji]"]
    assert emoji["detail"] == "edge case unicode.country.emoji covers unicode" and emoji["values"]["cases_unicode"] == 1


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_failing_case_fails_the_test_and_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    result = run(pytester, True, *mode)
    result.assert_outcomes(passed=2, failed=2)  # test_edge_cases and the item
    result.stdout.fnmatch_lines(["*ml_edge_cases: 3 of 35 edge cases failed: extreme-numbers.amount.nan, "
                                 "extreme-numbers.amount.inf, extreme-numbers.amount.neg-inf; 6 categories (*",
                                 "*extreme-numbers.amount.nan: AssertionError: score nan*",
                                 "*FAILED mlchecklist.yaml::edge-case-tests*"])
    entry, found = measurements(pytester, "edge-case-tests")
    assert entry["status"] == "unmet"
    [whole] = [piece for piece in found if piece["nodeid"] == "test_scoring.py::test_edge_cases"]
    assert whole["verdict"] == "contradicts" and whole["values"]["failed"] == 3
    assert "3 of" in entry["message"] and "extreme-numbers.amount.nan" in entry["message"]


def test_without_the_checklist_the_fixture_still_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scoring="STRICT = True\n" + EDGE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*ml_edge_cases: 3 of 35 edge cases failed*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "edge-cases.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_edge_cases.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json")
    extreme = len(edge_cases(SCHEMA_OF_THE_EXAMPLE, categories=["extreme-numbers"]))
    result.assert_outcomes(passed=1 + extreme + 1)
    entry, found = measurements(pytester, "edge-case-tests")
    assert entry["status"] == "met"
    whole = next(piece for piece in found if piece["nodeid"].endswith("test_every_edge_case_is_handled"))
    documented = page.split('"detail": "', 1)[1].split('"', 1)[0]
    assert whole["detail"] == documented


SCHEMA_OF_THE_EXAMPLE = {"type": "object", "properties": {
    "amount": {"type": "number", "minimum": 0, "maximum": 1_000_000}, "country": {"type": "string"},
    "merchant": {"type": "string"}, "items": {"type": "integer", "minimum": 1, "maximum": 500}}}

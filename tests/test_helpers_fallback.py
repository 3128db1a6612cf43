"""The ``ml_fallback`` helper: with the model broken, a fallback answers within the budget (item 32)."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_mlchecklist.helpers.fallback import BrokenModel, FallbackChecker, FallbackResult
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]


class Model:
    def predict(self, features: dict[str, float]) -> float:
        return 0.9


class Service:
    """The model, with a rule as fallback when it raises (no timeout of its own)."""

    def __init__(self) -> None:
        self.model = Model()

    def score(self, features: dict[str, float]) -> dict[str, Any]:
        try:
            return {"score": self.model.predict(features), "source": "model"}
        except (ConnectionError, TimeoutError):
            return {"score": 0.0, "source": "rule"}

    def score_without_fallback(self, features: dict[str, float]) -> float:
        return self.model.predict(features)


def checker(sink: list[dict] | None = None) -> FallbackChecker:
    return FallbackChecker(Recordings(sink).recorder("ml_fallback"))


# ---------------------------------------------------------------------- judging
def test_a_fallback_that_answers_in_time_passes_and_records_the_answer_time() -> None:
    sink: list[dict] = []
    service = Service()
    result = checker(sink)(lambda: service.score({}), budget_ms=100, patch=(service, "model"), calls=3,
                           expect={"score": 0.0, "source": "rule"})
    assert result.passed and result.model_calls == 3 and len(result.answer_times_ms) == 3
    assert result.answer_ms == max(result.answer_times_ms) < 100
    assert isinstance(service.model, Model)  # the patch is undone
    assert result.detail().startswith("fallback answered in slowest of ")
    assert result.detail().endswith(" ms <= 100 ms budget with the model raising ConnectionError; 3 calls")
    [recorded] = sink
    assert recorded["item"] == "fallback" and recorded["passed"] is True
    assert recorded["values"]["budget_ms"] == 100 and recorded["values"]["model_calls"] == 3
    assert recorded["values"]["answer_ms"] == pytest.approx(result.answer_ms, abs=1e-5)


def test_a_hanging_model_without_a_timeout_blows_the_budget_with_the_numbers() -> None:
    sink: list[dict] = []
    service = Service()
    with pytest.raises(pytest.fail.Exception) as failed:
        checker(sink)(lambda: service.score({}), budget_ms=20, patch=(service, "model"), failure="timeout", hang_ms=60)
    message = str(failed.value)
    assert message.startswith("ml_fallback: fallback answered in ")
    assert message.endswith(" ms > 20 ms budget with the model timing out (hangs 60 ms); 1 call")
    assert sink[0]["passed"] is False and sink[0]["values"]["answer_ms"] >= 60


def test_no_fallback_none_nan_and_wrong_answers_fail() -> None:
    service = Service()
    with pytest.raises(pytest.fail.Exception, match="no fallback: the call raised ConnectionError: model unavailable "
                                                    "\\(broken by ml_fallback\\) after .* ms with the model raising "
                                                    "ConnectionError; 1 call"):
        checker()(lambda: service.score_without_fallback({}), budget_ms=100, patch=(service, "model"))
    with pytest.raises(pytest.fail.Exception, match="no fallback answer: the call returned None"):
        checker()(lambda: service.score({}) and None, budget_ms=100, patch=(service, "model"))
    with pytest.raises(pytest.fail.Exception, match="the fallback answered NaN \\(\\[nan\\]\\)"):
        checker()(lambda: [service.score({})["score"] * math.nan], budget_ms=100, patch=(service, "model"))
    with pytest.raises(pytest.fail.Exception, match="answered .*'rule'}, which expect= rejected: not cached"):
        def from_cache(answer: dict[str, Any]) -> bool:
            assert answer["source"] == "cache", "not cached"
            return True

        checker()(lambda: service.score({}), budget_ms=100, patch=(service, "model"), expect=from_cache)
    with pytest.raises(pytest.fail.Exception, match="answered .*, expected 0.5"):
        checker()(lambda: service.score({}), budget_ms=100, patch=(service, "model"), failure=TimeoutError, expect=0.5)


def test_a_patch_that_misses_the_prediction_path_fails() -> None:
    service, other = Service(), Service()
    with pytest.raises(pytest.fail.Exception, match="the broken model was never called"):
        checker()(lambda: other.score({}), budget_ms=100, patch=(service, "model"))


def test_a_dotted_patch_path_and_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fraud_service_for_test")
    module.model = Model()  # type: ignore[attr-defined]
    module.score = lambda: Service.score(module, {})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fraud_service_for_test", module)
    result = checker()(module.score, budget_ms=100, patch="fraud_service_for_test.model", failure=ConnectionRefusedError())
    assert result.passed and result.model_calls == 1 and "ConnectionRefusedError" in result.detail()
    assert isinstance(module.model, Model)
    stand_in = BrokenModel(ValueError("down"), 0)
    for use in (stand_in, stand_in.predict, stand_in.client.score):
        with pytest.raises(ValueError, match="down"):
            use(1)
    assert stand_in.calls == 3


def test_the_teams_own_context_manager_or_breaking_callable(monkeypatch: pytest.MonkeyPatch) -> None:
    service = Service()

    class Refusing:
        def predict(self, features: dict[str, float]) -> float:
            raise ConnectionError("refused")

    @contextlib.contextmanager
    def server_down() -> Iterator[None]:
        original, service.model = service.model, Refusing()
        try:
            yield
        finally:
            service.model = original

    result = checker()(lambda: service.score({}), budget_ms=100, break_model=server_down())
    assert result.passed and result.model_calls is None and "the model broken by" in result.detail()
    assert isinstance(service.model, Model)
    assert checker()(lambda: service.score({}), budget_ms=100, break_model=server_down).passed  # returns a cm
    assert checker()(lambda: service.score({}), budget_ms=100,
                     break_model=lambda: monkeypatch.setattr(service, "model", Refusing())).passed
    assert "model_calls" not in result.values()


def test_bad_arguments_are_explained() -> None:
    service = Service()
    call = lambda: service.score({})  # noqa: E731
    with pytest.raises(TypeError, match="expected a callable to run with the model broken, got int"):
        checker()(42, budget_ms=10, patch=(service, "model"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget_ms must be a positive number of milliseconds, got 0"):
        checker()(call, budget_ms=0, patch=(service, "model"))
    with pytest.raises(ValueError, match="give either patch= .* or break_model="):
        checker()(call, budget_ms=10)
    with pytest.raises(ValueError, match="calls must be an integer >= 1"):
        checker()(call, budget_ms=10, patch=(service, "model"), calls=0)
    with pytest.raises(ValueError, match="cannot patch 'modle': Service has no such attribute"):
        checker()(call, budget_ms=10, patch=(service, "modle"))
    with pytest.raises(ValueError, match="cannot patch 'no_such_module_xyz.model'"):
        checker()(call, budget_ms=10, patch="no_such_module_xyz.model")
    with pytest.raises(TypeError, match="failure must be an exception"):
        checker()(call, budget_ms=10, patch=(service, "model"), failure="down")
    with pytest.raises(ValueError, match="hang_ms= applies to failure='timeout' only"):
        checker()(call, budget_ms=10, patch=(service, "model"), hang_ms=5)
    with pytest.raises(TypeError, match="break_model must be a context manager or a callable"):
        checker()(call, budget_ms=10, break_model=42)


def test_the_detail_of_a_single_answer() -> None:
    result = FallbackResult(budget_ms=200, broken_by="the model raising ConnectionError", answer_times_ms=(3.14159,),
                            answer=0.1, problem=None, model_calls=1)
    assert result.detail() == "fallback answered in 3.1 ms <= 200 ms budget with the model raising ConnectionError; 1 call"
    assert result.values() == {"answer_ms": 3.14159, "budget_ms": 200.0, "calls": 1.0, "model_calls": 1.0}


# ---------------------------------------------------------------------- in a pytest run
FALLBACK_TESTS = '''
import time


class Model:
    def predict(self, x):
        return 0.9


class Service:
    def __init__(self):
        self.model = Model()

    def score(self, x):
        try:
            return self.model.predict(x)
        except ConnectionError:
            time.sleep(DELAY)
            return 0.0


service = Service()


def test_fallback(ml_fallback):
    ml_fallback(lambda: service.score(1), budget_ms=200, patch=(service, "model"))
'''


def run(pytester: pytest.Pytester, delay: float, *args: str) -> pytest.RunResult:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [fallback]\n")
    pytester.makepyfile(test_scoring=f"DELAY = {delay}\n" + FALLBACK_TESTS)
    return pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                         "-rA", *args)


def item_entry(pytester: pytest.Pytester, slug: str) -> dict:
    data = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_fallback_in_time_meets_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    run(pytester, 0, *mode).assert_outcomes(passed=2)
    entry = item_entry(pytester, "fallback")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "ml_fallback" and measured["verdict"] == "supports"
    assert measured["nodeid"] == "test_scoring.py::test_fallback"
    assert measured["values"]["budget_ms"] == 200 and measured["values"]["model_calls"] == 1
    assert 0 <= measured["values"]["answer_ms"] < 200
    assert "<= 200 ms budget with the model raising ConnectionError; 1 call" in measured["detail"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_slow_fallback_fails_the_test_and_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    result = run(pytester, 0.25, *mode)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*ml_fallback: fallback answered in * ms > 200 ms budget with the model raising "
                                 "ConnectionError; 1 call*", "*FAILED mlchecklist.yaml::fallback*"])
    entry = item_entry(pytester, "fallback")
    assert entry["status"] == "unmet" and "> 200 ms budget" in entry["message"]
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"]["answer_ms"] >= 250


def test_without_the_checklist_the_fixture_still_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scoring="DELAY = 0.25\n" + FALLBACK_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ml_fallback: fallback answered in * ms > 200 ms budget*"])


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "fallback.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_fallback.py").write_text(tests)
    start = time.perf_counter()
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=5)
    assert time.perf_counter() - start < 30
    entry = item_entry(pytester, "fallback")
    assert entry["status"] == "met"
    found = {piece["nodeid"].split("::")[1]: piece for piece in entry["evidence"] if piece["kind"] == "measurement"}
    assert set(found) == {"test_rule_answers_when_the_model_is_down", "test_rule_answers_when_the_model_hangs",
                          "test_with_your_own_context_manager", "test_with_monkeypatch"}
    assert found["test_rule_answers_when_the_model_hangs"]["values"]["calls"] == 3
    assert "with the model timing out (hangs 300 ms); 3 calls" in found["test_rule_answers_when_the_model_hangs"]["detail"]

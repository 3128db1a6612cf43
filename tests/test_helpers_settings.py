"""Helper thresholds from the configuration: ``metrics`` (ml_metric_gate), ``drift`` (ml_drift)
and ``sla.latency_ms`` (ml_latency), read the same way with and without ``--ml-checklist``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_mlchecklist.config import validate_settings
from pytest_mlchecklist.errors import ConfigError
from pytest_mlchecklist.helpers.configured import ConfiguredSettings, read_configured_settings
from pytest_mlchecklist.helpers.drift import DriftChecker
from pytest_mlchecklist.helpers.metric_gate import MetricGate, configured_path
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]


def item_entry(path: Path, item: str) -> dict[str, Any]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return next(entry for entry in report["items"] if entry["id"] == item)


def settings(raw: dict[str, Any]) -> ConfiguredSettings:
    return ConfiguredSettings(settings=validate_settings(raw, source="mlchecklist.yaml"), source="mlchecklist.yaml")


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize(("raw", "message"), [
    ({"metrics": {"auc": {"min": 0.8}}}, "unknown key 'metrics.auc' (known keys here: baseline, gates, rel_tolerance)"),
    ({"metrics": {"gates": {"auc": {"min": 0.8, "max": 0.9}}}},
     "'metrics.gates.auc': give min (higher is better) or max (lower is better), not both"),
    ({"metrics": {"gates": {"auc": {}}}}, "give min (higher is better), max (lower is better) or direction"),
    ({"metrics": {"gates": {"auc": {"min": 0.8, "direction": "lower"}}}}, "direction lower contradicts min"),
    ({"metrics": {"gates": {"auc": {"min": "high"}}}}, "'metrics.gates.auc.min': Input should be a valid number"),
    ({"metrics": {"gates": {"auc": {"min": float("nan")}}}}, "'metrics.gates.auc.min': Input should be a finite number"),
    ({"metrics": {"gates": {"auc": {"min": 0.8, "tolerance": -0.1}}}}, "'metrics.gates.auc.tolerance': Input should be greater than or equal to 0"),
    ({"metrics": {"gates": {"log_loss": {"direction": "lower"}}}}, "log_loss: no min or max, and no baseline to compare with"),
    ({"metrics": {"gates": {"auc": {"min": 0.8}}, "baseline": "metrics.csv"}}, "baseline 'metrics.csv' must be a .json, .yaml or .yml file"),
    ({"metrics": {"gates": {"auc": {"min": 0.8}}, "rel_tolerance": 2}}, "'metrics.rel_tolerance': Input should be less than 1"),
    ({"drift": {"psi": -0.1}}, "'drift.psi': Input should be greater than or equal to 0"),
    ({"drift": {"ks": 1.5}}, "'drift.ks': Input should be less than or equal to 1"),
    ({"drift": {"bins": 1}}, "'drift.bins': Input should be greater than or equal to 2"),
    ({"drift": {"ks_pvalue": 0.05}}, "unknown key 'drift.ks_pvalue'"),
    ({"drift": {"psi": None, "ks": None, "js": None}}, "psi, ks and js are all null: keep at least one drift statistic"),
])
def test_bad_helper_settings_are_config_errors_naming_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_settings(raw, source="mlchecklist.yaml")
    assert message in str(caught.value)


def test_drift_settings_tell_left_out_keys_from_checks_turned_off() -> None:
    drift = validate_settings({"drift": {"psi": 0.25, "js": None}}, source="mlchecklist.yaml").drift
    assert drift.configured() == {"psi": 0.25, "js": None} and drift.bins is None


def test_a_baseline_path_is_taken_from_the_configuration_file_folder() -> None:
    assert configured_path("reports/base.json", "mlchecklist.yaml") == "reports/base.json"
    assert configured_path("base.json", "services/ranker/mlchecklist.yaml") == "services/ranker/base.json"
    assert configured_path("/abs/base.json", "mlchecklist.yaml") == "/abs/base.json"


def test_an_unreadable_configuration_is_kept_as_a_problem(tmp_path: Path) -> None:
    (tmp_path / "mlchecklist.yaml").write_text("drift: {psi: lots}\n")
    configured = read_configured_settings(tmp_path)
    assert configured.settings is None and "'drift.psi'" in (configured.problem or "")
    (tmp_path / "mlchecklist.yaml").write_text("drift: {psi: 0.3}\n")
    assert read_configured_settings(tmp_path).settings.drift.psi == 0.3  # type: ignore[union-attr]


# ---------------------------------------------------------------------- ml_metric_gate
GATES = {"metrics": {"gates": {"auc": {"min": 0.80, "tolerance": 0.005}, "log_loss": {"max": 0.35}}}}


def gate(tmp_path: Path, raw: dict[str, Any], sink: list[dict[str, Any]] | None = None) -> MetricGate:
    return MetricGate(Recordings(sink if sink is not None else []).recorder("ml_metric_gate"), tmp_path,
                      lambda: settings(raw))


def test_configured_gates_apply_when_the_call_gives_none(tmp_path: Path) -> None:
    result = gate(tmp_path, GATES)({"auc": 0.797, "log_loss": 0.30})
    assert result.passed
    assert result.detail() == ("auc 0.797 < 0.8 threshold, within tolerance 0.005, log_loss 0.3 <= 0.35 threshold; "
                               "2 metrics, none regressed (metrics given as a dict)")


def test_a_configured_gate_fails_with_the_numbers(tmp_path: Path) -> None:
    sink: list[dict[str, Any]] = []
    with pytest.raises(pytest.fail.Exception, match=r"log_loss 0.41 > 0.35 threshold by 0.06 \(17.14%\)"):
        gate(tmp_path, GATES, sink)({"auc": 0.9, "log_loss": 0.41})
    assert sink[0]["passed"] is False and sink[0]["values"]["log_loss_threshold"] == 0.35


def test_explicit_arguments_win_over_the_configuration(tmp_path: Path) -> None:
    checker = gate(tmp_path, GATES)
    # thresholds= replaces the configured gates entirely: log_loss is not gated any more
    assert [check.name for check in checker({"auc": 0.95, "log_loss": 9.0}, thresholds={"auc": 0.9}).checks] == ["auc"]
    # tolerance= replaces the configured tolerance: 0.797 is no longer within it
    with pytest.raises(pytest.fail.Exception, match="auc 0.797 < 0.8 threshold by 0.003"):
        checker({"auc": 0.797, "log_loss": 0.3}, tolerance=0.0)


def test_the_configured_baseline_is_compared_in_each_metric_direction(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "baseline.json").write_text(json.dumps({"auc": 0.86, "recall": 0.7, "log_loss": 0.31}))
    raw = {"metrics": {"baseline": "reports/baseline.json",
                       "gates": {"auc": {"min": 0.8}, "log_loss": {"direction": "lower"}}}}
    result = gate(tmp_path, raw)({"auc": 0.87, "log_loss": 0.30, "recall": 0.1})
    assert [(check.name, check.source, check.direction) for check in result.checks] == [
        ("auc", "threshold", "higher"), ("auc", "baseline", "higher"), ("log_loss", "baseline", "lower")]
    with pytest.raises(pytest.fail.Exception, match=r"log_loss 0.33 > 0.31 baseline by 0.02"):
        gate(tmp_path, raw)({"auc": 0.87, "log_loss": 0.33})


def test_without_thresholds_or_gates_the_message_says_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"or configure metrics.gates in mlchecklist.yaml .*\(mlchecklist.yaml has no metrics.gates\)"):
        gate(tmp_path, {})({"auc": 0.9})


def test_an_unreadable_configuration_fails_only_when_it_is_needed(tmp_path: Path) -> None:
    broken = MetricGate(Recordings([]).recorder("ml_metric_gate"), tmp_path,
                        lambda: ConfiguredSettings(settings=None, problem="mlchecklist.yaml: not valid YAML"))
    assert broken({"auc": 0.9}, thresholds={"auc": 0.8}).passed
    with pytest.raises(pytest.fail.Exception, match=r"ml_metric_gate: metrics could not be read from the configuration "
                                                    r"\(mlchecklist.yaml: not valid YAML\)"):
        broken({"auc": 0.9})


# ---------------------------------------------------------------------- ml_drift
def drift(raw: dict[str, Any], sink: list[dict[str, Any]] | None = None) -> DriftChecker:
    return DriftChecker(Recordings(sink if sink is not None else []).recorder("ml_drift"), lambda: settings(raw))


REFERENCE = [float(value) for value in range(100)]
SHIFTED = [value + 4.0 for value in REFERENCE]  # KS 0.04, JS 0.078, PSI 0.034


def test_configured_drift_thresholds_replace_the_defaults() -> None:
    report = drift({})(REFERENCE, SHIFTED)
    assert report.thresholds == {"psi": 0.2, "ks": 0.1, "js": 0.1} and report.passed
    strict = {"drift": {"ks": 0.03, "bins": 5}}
    with pytest.raises(pytest.fail.Exception, match=r"KS 0.040 > 0.03"):
        drift(strict)(REFERENCE, SHIFTED)
    assert drift(strict)(REFERENCE, SHIFTED, ks=0.1).features["feature"].bins == 5  # an argument wins


def test_null_in_the_configuration_turns_a_check_off_and_none_in_the_call_too() -> None:
    report = drift({"drift": {"ks": None}})(REFERENCE, SHIFTED)
    assert report.thresholds == {"psi": 0.2, "ks": None, "js": 0.1}
    assert drift({})(REFERENCE, SHIFTED, js=None).thresholds["js"] is None


def test_drift_with_an_unreadable_configuration_fails_unless_everything_is_given() -> None:
    broken = DriftChecker(Recordings([]).recorder("ml_drift"),
                          lambda: ConfiguredSettings(settings=None, problem="bad file"))
    assert broken(REFERENCE, REFERENCE, psi=0.2, ks=0.1, js=0.1, bins=10).passed
    with pytest.raises(pytest.fail.Exception, match=r"ml_drift: drift could not be read from the configuration \(bad file\)"):
        broken(REFERENCE, REFERENCE)


# ---------------------------------------------------------------------- in a pytest run
CONFIG = """\
profile: [performance-regression-gate, feature-drift]
metrics:
  baseline: reports/baseline.json
  gates:
    auc: {min: 0.80, tolerance: 0.005}
    log_loss: {max: 0.35}
drift:
  psi: 0.2
  ks: 0.05
  bins: 5
"""

TESTS = """
import pytest

REFERENCE = [float(value) for value in range(200)]


def test_quality(ml_metric_gate):
    ml_metric_gate({"auc": AUC, "log_loss": 0.30})


def test_amounts_are_stable(ml_drift):
    ml_drift({"amount": REFERENCE}, {"amount": [value + SHIFT for value in REFERENCE]})
"""


def write_project(pytester: pytest.Pytester, auc: float, shift: float) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(CONFIG)
    pytester.mkdir("reports")
    pytester.path.joinpath("reports", "baseline.json").write_text(json.dumps({"auc": 0.85, "log_loss": 0.32}))
    pytester.makepyfile(test_model=TESTS.replace("AUC", str(auc)).replace("SHIFT", str(shift)))


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_configured_gates_meet_the_items_with_their_values(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, auc=0.86, shift=4.0)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", *mode)
    result.assert_outcomes(passed=4)
    gate_entry = item_entry(pytester.path / "report.json", "performance-regression-gate")
    [measured] = [piece for piece in gate_entry["evidence"] if piece["kind"] == "measurement"]
    assert gate_entry["status"] == "met" and measured["verdict"] == "supports"
    assert measured["values"] == {"auc": 0.86, "auc_threshold": 0.8, "auc_baseline": 0.85, "log_loss": 0.3,
                                  "log_loss_threshold": 0.35, "log_loss_baseline": 0.32}
    drift_entry = item_entry(pytester.path / "report.json", "feature-drift")
    [drifted] = [piece for piece in drift_entry["evidence"] if piece["kind"] == "measurement"]
    assert drift_entry["status"] == "met" and drifted["values"]["ks_threshold"] == 0.05
    assert "KS 0.020 <= 0.05" in drifted["detail"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_configured_gates_fail_the_tests_and_the_items_with_the_numbers(pytester: pytest.Pytester,
                                                                         mode: list[str]) -> None:
    write_project(pytester, auc=0.83, shift=20.0)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", *mode)
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["*ml_metric_gate: auc 0.83 < 0.85 baseline by 0.02 (2.35%)*"])
    gate_entry = item_entry(pytester.path / "report.json", "performance-regression-gate")
    assert gate_entry["status"] == "unmet" and "auc 0.83 < 0.85 baseline by 0.02" in gate_entry["message"]
    drift_entry = item_entry(pytester.path / "report.json", "feature-drift")
    assert drift_entry["status"] == "unmet" and "amount PSI" in drift_entry["message"]
    assert "KS 0.100 > 0.05" in drift_entry["message"]


def test_without_the_checklist_the_same_configuration_gates(pytester: pytest.Pytester) -> None:
    write_project(pytester, auc=0.83, shift=20.0)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*auc 0.83 < 0.85 baseline by 0.02*", "*KS 0.100 > 0.05*"])


def test_a_broken_configuration_fails_the_helpers_that_need_it_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("drift: {psi: lots}\n")
    pytester.makepyfile(test_model="""
        def test_needs_config(ml_drift):
            ml_drift([1.0, 2.0], [1.0, 2.0])

        def test_gives_everything(ml_drift):
            ml_drift([1.0, 2.0], [1.0, 2.0], psi=0.2, ks=0.1, js=0.1, bins=4)
        """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ml_drift: drift could not be read from the configuration (invalid configuration "
                                 "in mlchecklist.yaml: - 'drift.psi': *); fix the file or pass the values to the helper*"])
    checked = pytester.runpytest_subprocess("--ml-checklist", "-p", "no:cacheprovider")
    assert checked.ret == pytest.ExitCode.USAGE_ERROR
    checked.stderr.fnmatch_lines(["*'drift.psi': Input should be a valid number*"])


def test_an_unknown_key_in_a_metric_gate_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'metrics.gates.auc.minn'; did you mean 'min'\? "
                                          r"\(known keys here: direction, max, min, tolerance\)"):
        validate_settings({"metrics": {"gates": {"auc": {"minn": 0.8}}}}, source="mlchecklist.yaml")

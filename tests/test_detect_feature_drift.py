"""Item 3 (feature-drift): drift libraries and hand-written statistics, drift configs, drift alerts."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_monitoring import drift_alerts, drift_config, drift_library

ITEM = "feature-drift"


# ====================================================================== libraries
EVIDENTLY_JOB = """\
\"\"\"Nightly drift report of the churn features against the training snapshot.\"\"\"

import pandas as pd
from evidently.metric_preset import DataDriftPreset
from evidently.report import Report

from churn.io import load_reference, load_window


def run(day: str) -> dict:
    reference = load_reference("s3://churn-ml/reference/2026-09.parquet")
    current = load_window(day)
    report = Report(metrics=[DataDriftPreset(stattest="psi", stattest_threshold=0.2)])
    report.run(reference_data=reference, current_data=current)
    return report.as_dict()
"""


def test_evidently_drift_against_reference_with_threshold_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/monitoring/drift_job.py", EVIDENTLY_JOB)
    evidence = run_detector(drift_library, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert (found.path, found.line) == ("src/churn/monitoring/drift_job.py", 13)
    assert "Evidently `DataDriftPreset`" in found.detail and "`stattest_threshold`" in found.detail


def test_new_evidently_api_alibi_nannyml_and_deepchecks(tmp_path: Path) -> None:
    write(tmp_path, "monitor/evidently_new.py", """\
from evidently import Report
from evidently.presets import DataDriftPreset

def check(current, reference):
    report = Report([DataDriftPreset()])
    return report.run(current, reference)
""")
    write(tmp_path, "monitor/alibi.py", """\
import numpy as np
from alibi_detect.cd import KSDrift

x_ref = np.load("artifacts/x_train_sample.npy")
detector = KSDrift(x_ref, p_val=0.01)
""")
    write(tmp_path, "monitor/nanny.py", """\
import nannyml as nml

calc = nml.UnivariateDriftCalculator(column_names=["tenure", "plan"], chunk_size=5000)
calc.fit(reference_df)
results = calc.calculate(analysis_df)
""")
    write(tmp_path, "monitor/checks.py", """\
from deepchecks.tabular.checks import FeatureDrift

check = FeatureDrift().add_condition_drift_score_less_than(max_allowed_numeric_score=0.2)
""")
    evidence = run_detector(drift_library, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"] * 4
    details = {found.path: found.detail for found in evidence}
    assert "Evidently's default drift tests" in details["monitor/evidently_new.py"]
    assert "alibi-detect `KSDrift`" in details["monitor/alibi.py"] and "`p_val`" in details["monitor/alibi.py"]
    assert "NannyML `UnivariateDriftCalculator`" in details["monitor/nanny.py"]
    assert "deepchecks `FeatureDrift`" in details["monitor/checks.py"]


def test_hand_written_psi_with_threshold_and_reference_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/drift.py", """\
import numpy as np

PSI_THRESHOLD = 0.25


def population_stability_index(expected: np.ndarray, actual: np.ndarray) -> float:
    expected = np.clip(expected, 1e-4, None)
    actual = np.clip(actual, 1e-4, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def drifted_features(reference_profile: dict, live: dict) -> list[str]:
    drifted = []
    for name, expected in reference_profile.items():
        psi = population_stability_index(expected, live[name])
        if psi > PSI_THRESHOLD:
            drifted.append(name)
    return drifted
""")
    evidence = run_detector(drift_library, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 16 and "computes PSI against a reference and compares it with a threshold" in evidence[0].detail


def test_scipy_ks_test_with_p_value_supports(tmp_path: Path) -> None:
    write(tmp_path, "jobs/feature_drift.py", """\
from scipy import stats

ALPHA = 0.01

def drifted(train_column, live_column) -> bool:
    statistic, p_value = stats.ks_2samp(train_column, live_column)
    return p_value < ALPHA
""")
    evidence = run_detector(drift_library, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"] and "KS" in evidence[0].detail


def test_nothing_there_gives_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/train.py", "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression()\n")
    assert run_detector(drift_library, tmp_path) == []
    assert run_detector(drift_config, tmp_path) == []
    assert run_detector(drift_alerts, tmp_path) == []


def test_look_alikes_in_code(tmp_path: Path) -> None:
    # A KL term in a VAE loss is not drift monitoring; drift code in tests is not monitoring.
    write(tmp_path, "src/churn/vae.py", """\
import torch
from scipy.stats import entropy

def loss(p, q, recon):
    return recon + entropy(p, q)
""")
    write(tmp_path, "tests/test_drift.py", EVIDENTLY_JOB)
    assert run_detector(drift_library, tmp_path) == []


def test_partial_findings_name_what_is_missing(tmp_path: Path) -> None:
    write(tmp_path, "monitor/no_reference.py", """\
from evidently.report import Report
from evidently.metric_preset import DataDriftPreset

report = Report(metrics=[DataDriftPreset()])
report.run(reference_data=None, current_data=current)
""")
    write(tmp_path, "monitor/psi.py", """\
import math

MIN_ROWS_THRESHOLD = 5000

def enough(rows):
    return len(rows) >= MIN_ROWS_THRESHOLD

def psi(expected, actual):
    return sum((a - e) * math.log(a / e) for e, a in zip(expected, actual))

def report(reference, live):
    return {name: psi(reference[name], live[name]) for name in reference}
""")
    write(tmp_path, "monitor/whylogs_drift.py", """\
import whylogs as why
from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

scores = calculate_drift_scores(target_view=live_view, reference_view=train_view)
""")
    evidence = run_detector(drift_library, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 3
    details = {found.path: found.detail for found in evidence}
    assert "without reference (training) data" in details["monitor/no_reference.py"]
    assert "computes PSI but compares it with no threshold" in details["monitor/psi.py"]
    assert "sets no threshold" in details["monitor/whylogs_drift.py"]


def test_unparsable_drift_module_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "monitor/drift.py", "def psi(expected, actual:\n    return 0\n")
    assert verdicts(run_detector(drift_library, tmp_path), ITEM) == ["unreadable"]


# ====================================================================== configs
def test_drift_config_with_reference_and_threshold_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.yaml", """\
# Daily PSI per feature of the scoring log against the training profile.
reference_profile: artifacts/reference_profile.json
metric: psi
features: [tenure_months, monthly_charges, support_calls_30d]
thresholds:
  warn: 0.1
  alert: 0.25
""")
    write(tmp_path, "configs/monitoring.yaml", """\
service: churn-scorer
data_drift:
  baseline_path: s3://churn-ml/baselines/2026-09/
  stattest: wasserstein
  stattest_threshold: 0.1
""")
    evidence = run_detector(drift_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = {found.path: found.detail for found in evidence}
    assert details["monitoring/drift.yaml"] == (
        "drift config with PSI compares with the reference `reference_profile`, thresholds in `thresholds`")
    assert details["configs/monitoring.yaml"].startswith("drift config `data_drift` with WASSERSTEIN")
    assert {found.path: found.line for found in evidence}["configs/monitoring.yaml"] == 3


def test_drift_config_look_alikes(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.yaml", "reference_profile: TODO\nthresholds:\n  alert: null\nfeatures: [a, b]\n")
    write(tmp_path, "configs/serving.yaml", "model: churn\nthreshold: 0.5  # decision threshold, not drift\n"
                                            "reference: docs/model-card.md\n")
    write(tmp_path, "configs/drift_alerting.yaml", "drift:\n  thresholds: {psi: 0.2}\n")
    write(tmp_path, "jobs/drift_window.yaml", "reference_table: analytics.churn_training\nmin_rows_threshold: 5000\n")
    write(tmp_path, ".github/workflows/drift.yml", "on: {schedule: [{cron: '0 6 * * *'}]}\njobs:\n  drift:\n"
                                                  "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                                                  "        with: {ref: main, fetch-depth: 0}\n      - run: make drift THRESHOLD=0.2\n")
    write(tmp_path, "dashboards/drift.json", json.dumps({"title": "Drift", "panels": [
        {"title": "PSI", "targets": [{"expr": "churn_feature_psi"}], "thresholds": 0.2, "reference": "x"}]}))
    evidence = run_detector(drift_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert [found.path for found in evidence] == ["configs/drift_alerting.yaml", "jobs/drift_window.yaml"]
    assert "names the reference `reference_table` but sets no numeric threshold" in evidence[1].detail
    assert "sets thresholds (`thresholds`) but names no training reference" in evidence[0].detail


def test_malformed_drift_config_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.yaml", "thresholds: {alert: 0.25\nreference_profile: x\n")
    assert verdicts(run_detector(drift_config, tmp_path), ITEM) == ["unreadable"]


# ====================================================================== alerts
def test_alert_on_feature_drift_metric_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.rules.yaml", """\
groups:
  - name: churn-drift
    rules:
      - alert: FeatureDriftHigh
        expr: max by (feature) (churn_feature_psi) > 0.25
        for: 1h
      - alert: ScoreDistributionShift
        expr: churn_prediction_psi > 0.2
      - alert: DriftJobStale
        expr: time() - churn_drift_last_success_timestamp_seconds > 86400
      - record: churn:feature_js_divergence:max
        expr: max(churn_feature_js_divergence)
""")
    evidence = run_detector(drift_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    supports, partial = evidence
    assert supports.line == 4 and "alert `FeatureDriftHigh`" in supports.detail and "churn_feature_psi" in supports.detail
    assert "recording rule `churn:feature_js_divergence:max` records feature drift but no alert fires" in partial.detail


def test_prediction_drift_alerts_are_not_feature_drift(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/model.rules.yaml", """\
groups:
  - name: model
    rules:
      - alert: ScoreDrift
        expr: churn_score_drift > 0.2
      - alert: LabelDrift
        expr: churn_label_psi > 0.1
""")
    assert run_detector(drift_alerts, tmp_path) == []


def test_malformed_drift_rules_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.rules.yaml", "groups:\n  - name: d\n    rules:\n      - alert: [Drift\n"
                                                   "        expr: churn_feature_psi > 0.2\n")
    assert verdicts(run_detector(drift_alerts, tmp_path), ITEM) == ["unreadable"]

"""Item 21 (performance-regression-gate): CI fails when a model metric drops below its threshold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.ci_gates import (
    ci_metric_gate,
    gate_checks,
    metric_gate_test,
    metric_threshold_config,
    module_constants,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "performance-regression-gate"


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def run_all(root: Path) -> list[Evidence]:
    return [found for detector in (ci_metric_gate, metric_gate_test, metric_threshold_config)
            for found in run_detector(detector, root)]


EVALUATE_SCRIPT = """\
\"\"\"Evaluate the candidate model on the frozen benchmark set; exit 1 below the agreed floors.\"\"\"
import argparse
import json
import sys

import yaml
from sklearn.metrics import f1_score, roc_auc_score

from scorer.data import load_benchmark
from scorer.model import load_model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/evaluation.yaml")
    args = parser.parse_args()
    config = yaml.safe_load(open(args.config))
    thresholds = config["thresholds"]
    features, labels = load_benchmark(config["benchmark"])
    scores = load_model(config["model"]).predict_proba(features)[:, 1]
    metrics = {"auc": roc_auc_score(labels, scores), "f1": f1_score(labels, scores > 0.5)}
    json.dump(metrics, open("reports/metrics.json", "w"))
    if metrics["auc"] < thresholds["min_auc"]:
        print(f"AUC {metrics['auc']:.3f} below {thresholds['min_auc']}")
        sys.exit(1)
    if metrics["f1"] < thresholds["min_f1"]:
        sys.exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""

EVALUATION_CONFIG = """\
benchmark: data/benchmark-2026-09.parquet
model: artifacts/model.pkl
thresholds:
  min_auc: 0.85
  min_f1: 0.6
"""

CI_WORKFLOW = """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  quality:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - name: Quality gate
        run: python scripts/evaluate.py --config configs/evaluation.yaml
"""


def gate_repo(root: Path, workflow: str = CI_WORKFLOW) -> None:
    write(root, {
        "scripts/evaluate.py": EVALUATE_SCRIPT,
        "configs/evaluation.yaml": EVALUATION_CONFIG,
        ".github/workflows/ci.yml": workflow,
        "src/scorer/__init__.py": "",
        "src/scorer/data.py": "def load_benchmark(path):\n    return [], []\n",
        "src/scorer/model.py": "def load_model(path):\n    return None\n",
    })


# ---------------------------------------------------------------------- gate checks
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("assert metrics['auc'] >= 0.85", ["fails when auc < 0.85"]),
        ("if val_rmse > thresholds.max_rmse:\n    raise SystemExit(1)", ["fails when val_rmse > `thresholds.max_rmse`"]),
        ("if not report.f1 >= MIN_F1:\n    sys.exit(1)", ["fails when f1 < `MIN_F1` (0.7)"]),
        ("if 0.8 > auc:\n    failures.append('auc')", ["fails when auc < 0.8"]),
        ("assert new_auc >= prod_auc - tolerance", ["fails when new_auc < `prod_auc - tolerance`"]),
        ("ok = metrics.get('recall') >= gates['min_recall']", ["compares recall with `gates['min_recall']`"]),
        ("if metrics[name] < minimum:\n    failed.append(name)", ["fails when metrics[...] < `minimum`"]),
        ("assert 0.0 <= auc <= 1.0", []),  # a range check, not a gate
        ("assert auc > 0", []),  # a trivial bound
        ("if score >= threshold:\n    return 'review'", []),  # a decision threshold, not a metric
        ("if val_loss < best_loss:\n    best_loss = val_loss", []),  # early stopping
        ("if val_auc > 0.9:\n    log.info('great run')", []),  # a comparison that fails nothing
        ("passed = all(m['recall'] >= 0.6 for m in slices)", ["compares recall with 0.6"]),
        ("assert metrics['auc'] == 0.91", []),  # equality pins a number, it is not a floor
        ("assert f1_score([1, 0, 1], [1, 1, 1]) > 0.7", []),  # a unit test of the metric function on toy data
    ],
)
def test_gate_checks(code: str, expected: list[str]) -> None:
    tree = ast.parse("MIN_F1 = 0.7\n" + code)
    assert [check.shown() for check in gate_checks(tree, module_constants(tree))] == expected


# ---------------------------------------------------------------------- CI gates
def test_evaluation_script_run_on_pull_requests_supports(tmp_path: Path) -> None:
    gate_repo(tmp_path)
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.detector == "ci-metric-gate"
    assert found.path == ".github/workflows/ci.yml" and found.line == 13
    assert "`python scripts/evaluate.py --config configs/evaluation.yaml`" in found.detail
    assert "job `quality`" in found.detail
    assert "fails when auc < `thresholds['min_auc']` (0.85 in configs/evaluation.yaml)" in found.detail
    assert found.values == {"threshold": 0.85}


def test_gitlab_make_target_running_a_gate_module_supports(tmp_path: Path) -> None:
    write(tmp_path, {
        ".gitlab-ci.yml": """\
stages: [test, evaluate]
evaluate:
  stage: evaluate
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - make evaluate
""",
        "Makefile": "evaluate:\n\tpython -m scorer.gate --min-auc 0.82\n",
        "src/scorer/__init__.py": "",
        "src/scorer/gate.py": """\
import argparse
import sys

from scorer.metrics import compute_metrics

parser = argparse.ArgumentParser()
parser.add_argument("--min-auc", type=float, default=0.8)
args = parser.parse_args()
metrics = compute_metrics()
if metrics["roc_auc"] < args.min_auc:
    raise SystemExit(f"roc_auc {metrics['roc_auc']:.3f} < {args.min_auc}")
""",
        "src/scorer/metrics.py": "def compute_metrics():\n    return {'roc_auc': 0.9}\n",
    })
    (found,) = run_detector(ci_metric_gate, tmp_path)
    assert found.verdict == "supports" and found.path == ".gitlab-ci.yml"
    assert "via make evaluate" in found.detail and "roc_auc < `args.min_auc`" in found.detail
    assert "(--min-auc 0.82)" in found.detail


def test_inline_python_heredoc_gate_and_gate_through_a_repository_function(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/eval.yml": """\
on: [pull_request]
jobs:
  eval:
    runs-on: ubuntu-latest
    steps:
      - run: |
          dvc repro evaluate
          python - <<'EOF'
          import json
          metrics = json.load(open("reports/metrics.json"))
          assert metrics["ndcg_at_10"] >= 0.41, metrics
          EOF
      - run: python scripts/check.py
""",
        "scripts/check.py": """\
import sys
from ranker.gates import regressions
sys.exit(1 if regressions("reports/metrics.json", "reports/baseline.json") else 0)
""",
        "ranker/__init__.py": "",
        "ranker/gates.py": """\
def regressions(current_path, baseline_path):
    current, baseline = _load(current_path), _load(baseline_path)
    failures = []
    if current["ndcg"] < baseline["ndcg"] - 0.01:
        failures.append("ndcg")
    return failures
""",
    })
    evidence = run_detector(ci_metric_gate, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    heredoc, through = evidence
    assert "inline Python in job `eval`" in heredoc.detail and "ndcg_at_10 < 0.41" in heredoc.detail
    assert heredoc.line == 11
    assert "through `regressions`" in through.detail and "`baseline['ndcg'] - 0.01`" in through.detail


@pytest.mark.parametrize(
    ("workflow", "reason"),
    [
        (CI_WORKFLOW.replace("      - name: Quality gate\n", "      - name: Quality gate\n        continue-on-error: true\n"),
         "allowed to fail"),
        (CI_WORKFLOW.replace("--config configs/evaluation.yaml", "--config configs/evaluation.yaml || true"),
         "`|| true`"),
        (CI_WORKFLOW.replace("  pull_request:\n  push:\n    branches: [main]\n", "  schedule:\n    - cron: '0 3 * * *'\n"),
         "only: schedule"),
        (CI_WORKFLOW.replace("  pull_request:\n  push:\n    branches: [main]\n", "  workflow_dispatch:\n"),
         "only: workflow_dispatch"),
    ],
    ids=["continue-on-error", "or-true", "schedule-only", "manual"],
)
def test_gate_that_cannot_block_a_change_is_partial(tmp_path: Path, workflow: str, reason: str) -> None:
    gate_repo(tmp_path, workflow)
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "fails when auc <" in evidence[0].detail and reason in evidence[0].detail


def test_gate_script_no_ci_runs_is_partial(tmp_path: Path) -> None:
    gate_repo(tmp_path, CI_WORKFLOW.replace("python scripts/evaluate.py --config configs/evaluation.yaml", "ruff check ."))
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "scripts/evaluate.py" and "no CI job runs it" in evidence[0].detail


def test_evaluation_without_threshold_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/ci.yml": CI_WORKFLOW.replace(" --config configs/evaluation.yaml", ""),
        "scripts/evaluate.py": """\
import json
from sklearn.metrics import roc_auc_score
from scorer.model import predict

labels, scores = predict()
print(json.dumps({"auc": roc_auc_score(labels, scores)}))
""",
    })
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "computes metrics but fails on no threshold" in evidence[0].detail


def test_dvc_metrics_diff_and_cml_report_alone_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/report.yml": """\
on: [pull_request]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: iterative/setup-cml@v2
      - run: |
          dvc repro
          dvc metrics diff main --md >> report.md
          cml comment create report.md
"""})
    evidence = run_detector(ci_metric_gate, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "`dvc metrics diff` in job `report`" in evidence[0].detail and "CML" in evidence[1].detail


def test_training_run_with_early_stopping_is_not_a_gate(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/ci.yml": CI_WORKFLOW.replace("scripts/evaluate.py --config configs/evaluation.yaml", "train.py"),
        "train.py": """\
import sys
best_loss = float("inf")
for epoch in range(10):
    val_loss = 1.0 / (epoch + 1)
    if val_loss < best_loss:
        best_loss = val_loss
if best_loss is None:
    sys.exit(2)
""",
    })
    assert run_all(tmp_path) == []


# ---------------------------------------------------------------------- tests as gates
QUALITY_TEST = """\
import pytest

from scorer.evaluate import evaluate_on_benchmark

MIN_AUC = 0.85


@pytest.fixture(scope="module")
def metrics():
    return evaluate_on_benchmark("data/benchmark.parquet")


def test_auc_above_floor(metrics):
    assert metrics["auc"] >= MIN_AUC


def test_metrics_are_probabilities(metrics):
    assert 0.0 <= metrics["auc"] <= 1.0


@pytest.mark.skip(reason="flaky on CPU runners")
def test_recall_above_floor(metrics):
    assert metrics["recall"] >= 0.7
"""


def test_gate_test_run_by_ci_pytest_supports_with_its_nodeid(tmp_path: Path) -> None:
    write(tmp_path, {
        "tests/test_quality.py": QUALITY_TEST,
        "src/scorer/__init__.py": "",
        "src/scorer/evaluate.py": "def evaluate_on_benchmark(path):\n    return {'auc': 0.9}\n",
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        ".github/workflows/ci.yml": "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - run: python -m pytest -q --junitxml junit.xml\n",
    })
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.detector == "metric-gate-test"
    assert found.nodeid == "tests/test_quality.py::test_auc_above_floor" and found.line == 13
    assert "fails when auc < `MIN_AUC` (0.85)" in found.detail and "job `test`" in found.detail


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pytest tests/unit", "no CI job runs it"),
        ("pytest tests --ignore tests/test_quality.py", "no CI job runs it"),
        ("pytest tests/test_quality.py::test_auc_above_floor", "job `test`"),
        ("cd tests && pytest test_quality.py", "job `test`"),
        ("tox -e py311", "job `test`"),
    ],
)
def test_pytest_selection(tmp_path: Path, command: str, expected: str) -> None:
    write(tmp_path, {
        "tests/test_quality.py": QUALITY_TEST,
        "src/scorer/__init__.py": "",
        "src/scorer/evaluate.py": "def evaluate_on_benchmark(path):\n    return {'auc': 0.9}\n",
        ".github/workflows/ci.yml": f"on: pull_request\njobs:\n  test:\n    steps:\n      - run: {command}\n",
    })
    (found,) = run_detector(metric_gate_test, tmp_path)
    assert expected in found.detail
    assert found.verdict == ("partial" if expected == "no CI job runs it" else "supports")


def test_gate_test_without_ci_is_partial_and_stored_numbers_are_not_the_model(tmp_path: Path) -> None:
    write(tmp_path, {
        "tests/test_quality.py": QUALITY_TEST,
        "src/scorer/__init__.py": "",
        "src/scorer/evaluate.py": "def evaluate_on_benchmark(path):\n    return {'auc': 0.9}\n",
        "tests/test_report.py": "import json\n\n\ndef test_report_auc():\n"
                                "    assert json.load(open('reports/metrics.json'))['auc'] >= 0.8\n",
    })
    evidence = run_detector(metric_gate_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "no CI workflow runs the tests" in evidence[0].detail
    assert evidence[1].nodeid == "tests/test_report.py::test_report_auc"
    assert "never calls the repository's own code" in evidence[1].detail


def test_gate_test_through_the_repositorys_gate_function(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/evaluation.yaml": "gates:\n  min_auc: 0.80\n  max_false_positive_rate: 0.25\n",
        "src/fraud/__init__.py": "",
        "src/fraud/evaluate.py": """\
def gate_failures(report):
    overall, gates = report["model"], report["gates"]
    failures = []
    if overall["auc"] < gates["min_auc"]:
        failures.append("auc")
    if overall["false_positive_rate"] > gates["max_false_positive_rate"]:
        failures.append("fpr")
    return failures
""",
        "tests/test_gate.py": """\
from fraud.config import load_config
from fraud.evaluate import gate_failures, evaluate


class TestGates:
    def test_committed_model_passes(self):
        report = evaluate(load_config("configs/evaluation.yaml"))
        failures = gate_failures(report)
        assert not failures
""",
        ".gitlab-ci.yml": "test:\n  script:\n    - pytest\n",
    })
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_gate.py::TestGates::test_committed_model_passes"
    assert "through `gate_failures`" in evidence[0].detail
    assert "(0.8 in configs/evaluation.yaml)" in evidence[0].detail


# ---------------------------------------------------------------------- thresholds nobody reads
def test_thresholds_in_a_config_nobody_reads_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/model.yaml": "model:\n  decision_threshold: 0.5\nacceptance:\n  min_auc: 0.85\n  max_rmse: 12.5\n",
        "configs/serving.yaml": "thresholds:\n  decline: 0.8\n  review: 0.5\n",  # decision thresholds, not metrics
        "reports/metrics.yaml": "auc: 0.91\nrmse: 11.0\n",
    })
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "configs/model.yaml" and evidence[0].line == 4
    assert "`min_auc` 0.85" in evidence[0].detail and "no CI step or test" in evidence[0].detail


# ---------------------------------------------------------------------- nothing, look-alikes, malformed
def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Scorer\n", "src/app.py": "print('hi')\n"})
    assert run_all(tmp_path) == []


def test_decision_threshold_in_serving_code_is_not_a_gate(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/scorer/__init__.py": "",
        "src/scorer/predictor.py": """\
THRESHOLD = 0.5

def decide(score, threshold=THRESHOLD):
    if score >= threshold:
        return "review"
    return "approve"
""",
        "tests/test_predictor.py": "from scorer.predictor import decide\n\n\ndef test_high_score_is_reviewed():\n"
                                   "    assert decide(0.9) == 'review'\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    steps:\n      - run: pytest\n",
    })
    assert run_all(tmp_path) == []


def test_malformed_workflow_script_and_test_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/broken.yml": "on: push\njobs:\n  a: [\n",
        ".github/workflows/ci.yml": CI_WORKFLOW,
        "scripts/evaluate.py": "def main(:\n",
        "tests/test_quality.py": "def test_auc(:\n    assert auc >= threshold\n",
    })
    evidence = run_all(tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable", "unreadable"]
    assert {found.path for found in evidence} == {".github/workflows/broken.yml", "scripts/evaluate.py",
                                                  "tests/test_quality.py"}
    assert all(found.detail.startswith("could not decide from this file") for found in evidence)

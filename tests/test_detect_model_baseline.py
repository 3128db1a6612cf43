"""Item 15 (model-baseline): model cards and evaluation reports comparing the model with a baseline."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.model_docs import (
    DETECTORS,
    baseline_document,
    baseline_report,
    is_number_cell,
    measured_numbers,
)

ITEM = "model-baseline"

MODEL_CARD = """\
# Model card: churn-gbm

## Intended use

Ranks subscribers by their risk of cancelling within 30 days, for the retention team's weekly calls.

## Evaluation

Time-based holdout: the last 6 weeks of 2026-09 (41,250 subscribers, 3.1 % churned).

| model | ROC AUC | recall@top-10% | PR AUC | notes |
|---|---|---|---|---|
| tenure rules (current system) | 0.64 | 0.21 | 0.07 | what the retention team uses today |
| logistic regression | 0.77 | 0.33 | 0.12 | |
| churn-gbm 2026.10 | 0.83 | 0.41 | 0.18 | chosen |

The model finds twice the churners the tenure rules find in the same call budget.
"""


def run_all(root: Path) -> list[str]:
    return [found.verdict for detector in DETECTORS for found in run_detector(detector, root) if found.item == ITEM]


# ---------------------------------------------------------------------- helpers
def test_number_cells_and_measured_numbers() -> None:
    assert is_number_cell("0.83") and is_number_cell("< 1 ms") and is_number_cell("**86 %**")
    assert not is_number_cell("2026-10-01") and not is_number_cell("rules-v3") and not is_number_cell("")
    sentence = "AUC of at least 0.80 is required; the model reaches 0.86 against 0.71 for the baseline."
    assert [match.group(0) for match in measured_numbers(sentence)] == ["0.86", "0.71"]
    assert [match.group(0) for match in measured_numbers("Recall is 0.75. Version 1.2.3 ships.")] == ["0.75"]


# ---------------------------------------------------------------------- Markdown
def test_model_card_table_with_baseline_row_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", MODEL_CARD)
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "docs/model-card.md" and found.line == 13
    assert "baseline `tenure rules (current system)`" in found.detail
    assert "3 metrics" in found.detail and "table" in found.detail
    assert found.values["metrics"] == 3


def test_transposed_table_with_a_baseline_column_supports(tmp_path: Path) -> None:
    write(tmp_path, "reports/eval-2026-10.md", """\
# Offline evaluation, release 2026.10

## Results on the October holdout

| metric | previous model (2026.07) | candidate (2026.10) |
|---|---|---|
| MAPE | 14.2 % | 11.8 % |
| RMSE | 38.1 | 33.4 |
| rows | 18,204 | 18,204 |
""")
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "previous model (2026.07)" in evidence[0].detail and "2 metrics (mape, rmse)" in evidence[0].detail


def test_prose_comparison_in_an_evaluation_section_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card: fraud-lr

## Evaluation

On the last nine days of the export the model reaches an AUC of 0.89 against 0.75 for the
rules engine, and its recall rises from 0.50 to 0.75 at the same review rate.
""")
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "rules engine" in evidence[0].detail and "prose" in evidence[0].detail and "auc" in evidence[0].detail


def test_thresholds_are_not_a_comparison(tmp_path: Path) -> None:
    # Gates name target values, not the baseline's measured numbers.
    write(tmp_path, "docs/model-card.md", """\
# Model card

## Evaluation

Releases must reach an AUC of at least 0.80 and a recall of at least 0.60, and beat the rules engine.
""")
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "(rules engine)" in evidence[0].detail and "no measured numbers" in evidence[0].detail


def test_model_metrics_without_a_baseline_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card: ranker

## Results

| slice | NDCG@10 | MRR |
|---|---|---|
| all queries | 0.412 | 0.388 |
| long tail | 0.301 | 0.276 |
""")
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no baseline" in evidence[0].detail


def test_empty_baseline_heading_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", "# Model card\n\n## Baseline\n\nTBD\n")
    evidence = run_detector(baseline_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "nothing under it" in evidence[0].detail


def test_table_in_a_code_block_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "docs/template.md", """\
# How to write a model card

Copy this table into your card:

```markdown
| model | AUC |
|---|---|
| baseline | 0.70 |
| model | 0.85 |
```
""")
    assert run_all(tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Churn model\n\nTrains a churn classifier.\n")
    write(tmp_path, "src/churn/train.py", "def main() -> None:\n    pass\n")
    assert run_all(tmp_path) == []


def test_markdown_under_vendored_folders_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "third_party/lib/docs/model-card.md", MODEL_CARD)
    assert run_all(tmp_path) == []


# ---------------------------------------------------------------------- JSON / YAML reports
def test_evaluation_report_with_baseline_and_model_metrics_supports(tmp_path: Path) -> None:
    report = {
        "model_version": "fraud-lr-2026.10.1",
        "baseline": {"name": "rules-v3", "overall": {"auc": 0.75, "recall": 0.5, "precision": 1.0, "rows": 22}},
        "model": {"overall": {"auc": 0.8889, "recall": 0.75, "precision": 0.5, "rows": 22}},
    }
    write(tmp_path, "reports/evaluation.json", json.dumps(report, indent=2))
    evidence = run_detector(baseline_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert "baseline `rules-v3`" in found.detail and "3 metrics" in found.detail and "rows" not in found.detail
    assert found.line == 3


def test_prefixed_baseline_metric_next_to_the_model_metric_supports(tmp_path: Path) -> None:
    write(tmp_path, "metrics/eval.yaml", "auc: 0.87\nbaseline_auc: 0.79\nholdout: 2026-09\n")
    evidence = run_detector(baseline_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`baseline_auc` next to the model's `auc`" in evidence[0].detail


def test_champion_metrics_without_model_metrics_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "reports/champion.json", json.dumps({"champion": {"version": "v41", "auc": 0.81}, "notes": "retrain"}))
    evidence = run_detector(baseline_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "none for the model" in evidence[0].detail


def test_baseline_named_without_numbers_in_evaluation_config_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "configs/evaluation.yaml", "gates:\n  min_auc: 0.8\nbaseline:\n  name: rules-v3\n")
    evidence = run_detector(baseline_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "names baseline `rules-v3`" in evidence[0].detail and evidence[0].line == 3


def test_drift_reference_called_baseline_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/drift.yaml", "baseline: artifacts/reference_profile.json\nthreshold:\n  psi: 0.2\n")
    assert run_detector(baseline_report, tmp_path) == []


def test_malformed_report_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "reports/evaluation.json", '{"baseline": {"auc": 0.75,}')
    evidence = run_detector(baseline_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "reports/evaluation.json"

"""Item 16 (complexity-justified): decision records and model cards comparing simpler alternatives."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.model_docs import model_alternatives

ITEM = "complexity-justified"


def write(root: Path, path: str, text: str | bytes) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text)


def test_model_card_section_comparing_simpler_models_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card: search-ranker

## Model details

A LambdaMART gradient-boosted ranker over 64 query-document features.

## Why not a transformer re-ranker

We compared three approaches on the 2026-09 click log:

| approach | NDCG@10 | p99 latency |
|---|---|---|
| BM25 heuristic ranking | 0.351 | 4 ms |
| LightGBM LambdaMART (chosen) | 0.412 | 9 ms |
| cross-encoder BERT re-ranker | 0.431 | 180 ms |

The BERT re-ranker adds 0.02 NDCG but its latency breaks the 50 ms search budget and it needs GPUs.
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "docs/model-card.md" and found.line == 7
    assert "gradient-boosted trees" in found.detail and "transformer" in found.detail
    assert "measured numbers" in found.detail and "latency" in found.detail


def test_decision_record_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/adr/0004-demand-forecast-model.md", """\
# 4. Demand forecast model

Status: accepted, 2026-08-14

## Context

Store-level demand forecasts feed the replenishment job every night.

## Considered options

* Seasonal naive forecast (what planners use today)
* LightGBM with calendar and promotion features
* Temporal Fusion Transformer

## Decision outcome

LightGBM: it cuts WAPE by a third compared with the seasonal naive forecast, and the transformer
was only marginally better while costing four times more to train on GPUs.
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("decision record compares")
    assert "classical forecasting" in evidence[0].detail and "marginally" in evidence[0].detail


def test_alternatives_without_a_reason_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card

## Alternatives considered

- Logistic regression
- A small neural network
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "gives no reason" in evidence[0].detail


def test_only_complex_alternatives_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card

## Model selection

RoBERTa-base reached 0.91 macro F1 against 0.89 for a 3-layer LSTM, at twice the latency.
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no simpler alternative" in evidence[0].detail


def test_architecture_without_alternatives_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card: intent classifier

## Architecture

A fine-tuned DistilBERT encoder with a linear classification head over 42 intents.
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "architecture section" in evidence[0].detail and "without comparing" in evidence[0].detail


def test_decision_record_about_something_else_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "docs/adr/0002-feature-store-database.md", """\
# 2. Feature store database

## Considered options

* PostgreSQL
* Redis

## Decision outcome

Redis, for its read latency under load.
""")
    assert run_detector(model_alternatives, tmp_path) == []


def test_comparison_only_in_a_code_block_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card template

## Why this model

```text
logistic regression  AUC 0.80  latency 1 ms
xgboost              AUC 0.84  latency 3 ms
```
""")
    assert run_detector(model_alternatives, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Ranker\n\n## Install\n\n`pip install -e .`\n")
    assert run_detector(model_alternatives, tmp_path) == []


def test_unreadable_decision_record(tmp_path: Path) -> None:
    write(tmp_path, "docs/adr/0003-model.md", b"\x00\x01 binary export of a slide deck")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "docs/adr/0003-model.md"


def test_nygard_decision_record_without_option_headings_supports(tmp_path: Path) -> None:
    write(tmp_path, "decisions/0007-keep-logistic-regression.md", """\
# 7. Keep logistic regression for card fraud scoring

## Status

Accepted

## Context

A gradient-boosted model gained 0.02 AUC on the 2026-08 holdout but needs a native runtime.

## Consequences

We keep per-feature reason codes for analysts and a 0.1 ms scoring path.
""")
    evidence = run_detector(model_alternatives, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "decision record compares logistic regression, gradient-boosted trees" in evidence[0].detail

"""Offline evaluation: time-based holdout, baseline comparison and per-segment metrics.

The holdout is the most recent slice of the export (``split.holdout_from`` in
``configs/evaluation.yaml``), never a random sample: fraud patterns move week to week, and a
random split leaks next week's patterns into training. The model is compared with the rules
engine it replaces (``rules-v3``) on the same rows, and per segment (channel, domestic vs
foreign), because an aggregate AUC can hide a segment where the model is worse.

Usage: python -m fraud_scoring.evaluate [--config configs/evaluation.yaml]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from fraud_scoring.config import load_config
from fraud_scoring.features import parse_event_time
from fraud_scoring.model import LogisticModel
from fraud_scoring.pipeline import LABEL, build_feature_rows, load_schema, read_raw, split_valid

Row = Mapping[str, Any]


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count half); NaN with one class only."""
    positives = [s for s, y in zip(scores, labels) if y == 1]
    negatives = [s for s, y in zip(scores, labels) if y == 0]
    if not positives or not negatives:
        return math.nan
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def confusion(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict[str, int]:
    """True/false positives/negatives when flagging ``score >= threshold``."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for label, score in zip(labels, scores):
        flagged = score >= threshold
        key = ("tp" if label else "fp") if flagged else ("fn" if label else "tn")
        counts[key] += 1
    return counts


def summarise(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    """AUC, accuracy, precision, recall and false-positive rate at ``threshold``."""
    c = confusion(labels, scores, threshold)
    total = len(labels)
    return {
        "rows": total,
        "positives": sum(labels),
        "auc": _round(roc_auc(labels, scores)),
        "accuracy": _round((c["tp"] + c["tn"]) / total) if total else None,
        "precision": _round(c["tp"] / (c["tp"] + c["fp"])) if c["tp"] + c["fp"] else None,
        "recall": _round(c["tp"] / (c["tp"] + c["fn"])) if c["tp"] + c["fn"] else None,
        "false_positive_rate": _round(c["fp"] / (c["fp"] + c["tn"])) if c["fp"] + c["tn"] else None,
    }


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def time_split(rows: Sequence[Row], holdout_from: str | datetime) -> tuple[list[Row], list[Row]]:
    """Rows before ``holdout_from`` (training) and from it on (holdout)."""
    cutoff = parse_event_time(holdout_from)
    train = [row for row in rows if row["event_time"] < cutoff]
    holdout = [row for row in rows if row["event_time"] >= cutoff]
    return train, holdout


def rules_v3(row: Row) -> float:
    """The production rules engine this model replaces, expressed on the same features."""
    large_foreign = row["log_amount"] > math.log1p(1000) and row["is_foreign"] == 1.0
    risky_remote = row["high_risk_mcc"] == 1.0 and row["card_not_present"] == 1.0
    burst = row["txn_count_24h"] >= 3
    return 1.0 if large_foreign or risky_remote or burst else 0.0


def evaluate_rows(rows: Sequence[Row], scorer: Callable[[Row], float], threshold: float, subgroups: Sequence[str]) -> dict[str, Any]:
    """Overall and per-segment metrics of ``scorer`` on labelled feature rows."""
    labels = [int(row[LABEL]) for row in rows]
    scores = [scorer(row) for row in rows]
    result: dict[str, Any] = {"overall": summarise(labels, scores, threshold), "subgroups": {}}
    for column in subgroups:
        for value in sorted({str(row[column]) for row in rows}):
            members = [i for i, row in enumerate(rows) if str(row[column]) == value]
            result["subgroups"][f"{column}={value}"] = summarise(
                [labels[i] for i in members], [scores[i] for i in members], threshold)
    return result


def load_feature_rows(data_path: str | Path) -> list[dict[str, Any]]:
    """Validated, point-in-time feature rows of a labelled export."""
    valid, _ = split_valid(read_raw(data_path), load_schema())
    return build_feature_rows(valid)


def evaluate(config: Mapping[str, Any], *, data_path: str | Path, model: LogisticModel) -> dict[str, Any]:
    """The evaluation report: model vs baseline on the time-based holdout, with segments."""
    rows = load_feature_rows(data_path)
    _, holdout = time_split(rows, config["split"]["holdout_from"])
    threshold = float(config["decision_threshold"])
    subgroups = list(config.get("subgroups", []))
    return {
        "model_version": model.version,
        "data": {"path": str(data_path), "holdout_from": config["split"]["holdout_from"], "holdout_rows": len(holdout)},
        "decision_threshold": threshold,
        "model": evaluate_rows(holdout, model.predict_proba, threshold, subgroups),
        "baseline": {"name": config["baseline"]["name"], **evaluate_rows(holdout, rules_v3, threshold, subgroups)},
        "gates": dict(config["gates"]),
    }


def gate_failures(report: Mapping[str, Any]) -> list[str]:
    """The gates of ``configs/evaluation.yaml`` that the model misses (empty when it passes)."""
    overall, gates = report["model"]["overall"], report["gates"]
    failures = []
    if overall["auc"] is None or overall["auc"] < gates["min_auc"]:
        failures.append(f"AUC {overall['auc']} < {gates['min_auc']}")
    if overall["recall"] is None or overall["recall"] < gates["min_recall"]:
        failures.append(f"recall {overall['recall']} < {gates['min_recall']}")
    fpr = overall["false_positive_rate"]
    if fpr is not None and fpr > gates["max_false_positive_rate"]:
        failures.append(f"false-positive rate {fpr} > {gates['max_false_positive_rate']}")
    baseline_auc = report["baseline"]["overall"]["auc"]
    if gates.get("must_beat_baseline") and baseline_auc is not None and (overall["auc"] or 0) <= baseline_auc:
        failures.append(f"AUC {overall['auc']} does not beat {report['baseline']['name']} ({baseline_auc})")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Write the evaluation report; exit 1 when a gate fails."""
    parser = argparse.ArgumentParser(description="Evaluate the fraud model on the time-based holdout.")
    parser.add_argument("--config", type=Path, default=Path("configs/evaluation.yaml"))
    parser.add_argument("--data", type=Path, default=Path("data/sample_transactions.csv"))
    args = parser.parse_args(argv)
    config = load_config(args.config)
    report = evaluate(config, data_path=args.data, model=LogisticModel.load(config["model_path"]))
    report_path = Path(config["report_path"])
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    failures = gate_failures(report)
    print("evaluation gates: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

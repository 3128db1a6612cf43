"""Model performance on real outcomes (CronJob ``fraud-scoring-outcomes``, daily at 04:00 UTC).

The label is a confirmed fraud chargeback, which arrives days to weeks after the authorisation:
in the 2025-2026 dispute data, 93 % of fraud chargebacks arrived within 45 days. The job
therefore scores a matured window: the predictions made in the 7 days that ended
``LABEL_DELAY`` ago, joined with the chargeback feed by transaction id (no chargeback means
not fraud). The metrics are the offline evaluation's (``evaluate.summarise``) at the review
threshold, so the live numbers compare directly with the gates in ``configs/evaluation.yaml``;
``monitoring/alerts/model.rules.yaml`` alerts on them.

Usage: python -m fraud_scoring.outcomes --predictions DIR --chargebacks FILE
           [--as-of YYYY-MM-DD] [--metrics-textfile PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fraud_scoring.evaluate import summarise
from fraud_scoring.features import parse_event_time
from fraud_scoring.metrics import gauge
from fraud_scoring.predictor import REVIEW_THRESHOLD

LABEL_DELAY = timedelta(days=45)
WINDOW = timedelta(days=7)
#: Chargeback reason codes that mean fraud: Visa 10.1-10.5, Mastercard 4837, 4863, 4870, 4871.
FRAUD_REASONS = frozenset({"10.1", "10.2", "10.3", "10.4", "10.5", "4837", "4863", "4870", "4871"})


def matured_window(as_of: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the predictions whose labels are considered complete on ``as_of``."""
    end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc) - LABEL_DELAY
    return end - WINDOW, end


def load_predictions(paths: Iterable[Path], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Prediction log lines with an event time in ``[start, end)``, one per transaction id."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                if record.get("log") == "prediction" and start <= parse_event_time(record["event_time"]) < end:
                    latest[record["transaction_id"]] = record
    return [latest[key] for key in sorted(latest)]


def load_fraud_ids(path: Path) -> set[str]:
    """Transaction ids with a fraud chargeback in the disputes export."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["transaction_id"] for row in csv.DictReader(handle) if row["reason_code"] in FRAUD_REASONS}


def evaluate_window(predictions: Sequence[Mapping[str, Any]], fraud_ids: set[str]) -> dict[str, Any]:
    """AUC, recall, precision and false-positive rate per model version in the window."""
    by_version: dict[str, list[Mapping[str, Any]]] = {}
    for record in predictions:
        by_version.setdefault(record["model_version"], []).append(record)
    return {
        version: summarise([int(r["transaction_id"] in fraud_ids) for r in rows],
                           [float(r["score"]) for r in rows], REVIEW_THRESHOLD)
        for version, rows in sorted(by_version.items())
    }


def to_textfile(results: Mapping[str, Mapping[str, Any]], window_end: datetime, *, now: float) -> str:
    """Prometheus text format: one gauge per metric and model version, plus freshness."""
    lines: list[str] = []
    for metric in ("auc", "recall", "precision", "false_positive_rate", "rows", "positives"):
        samples = [({"model_version": version}, result[metric]) for version, result in results.items()
                   if result[metric] is not None]
        lines += gauge(f"fraud_scoring_outcome_{metric}", f"{metric} on the matured label window.", samples)
    lines += gauge("fraud_scoring_outcome_window_end_timestamp_seconds", "End of the evaluated window.",
                   [({}, window_end.timestamp())])
    lines += gauge("fraud_scoring_outcome_last_success_timestamp_seconds", "Last successful run of the job.",
                   [({}, round(now))])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Evaluate the matured window and write the metrics file; exit 2 when it holds no predictions."""
    parser = argparse.ArgumentParser(description="Model performance once the chargeback labels have arrived.")
    parser.add_argument("--predictions", type=Path, required=True, help="folder of prediction log files (*.jsonl)")
    parser.add_argument("--chargebacks", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=datetime.now(timezone.utc).date())
    parser.add_argument("--metrics-textfile", type=Path, default=Path("metrics/fraud_scoring_outcomes.prom"))
    args = parser.parse_args(argv)
    start, end = matured_window(args.as_of)
    predictions = load_predictions(args.predictions.glob("*.jsonl"), start, end)
    if not predictions:
        print(f"outcomes: no predictions between {start:%Y-%m-%d} and {end:%Y-%m-%d}")
        return 2
    results = evaluate_window(predictions, load_fraud_ids(args.chargebacks))
    args.metrics_textfile.parent.mkdir(parents=True, exist_ok=True)
    args.metrics_textfile.write_text(to_textfile(results, end, now=time.time()), encoding="utf-8")
    for version, result in results.items():
        print(f"outcomes {start:%Y-%m-%d}..{end:%Y-%m-%d} {version}: {result['rows']} rows, "
              f"AUC {result['auc']}, recall {result['recall']}, precision {result['precision']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

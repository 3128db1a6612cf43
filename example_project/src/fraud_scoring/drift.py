"""Feature drift: population stability index (PSI) of live features against training.

``train.py`` stores a reference profile (bin edges and proportions per feature, from the
training rows) next to the model. The ``fraud-scoring-drift`` CronJob runs this module daily on
the previous day's prediction log and pushes one ``fraud_scoring_feature_psi`` gauge per
feature, with the thresholds of ``monitoring/drift.yaml``, to the Pushgateway;
``monitoring/alerts/data.rules.yaml`` alerts when a feature goes above the alert threshold or
when the job stops reporting.

Usage: python -m fraud_scoring.drift --config monitoring/drift.yaml --live predictions.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fraud_scoring.config import load_config

EPSILON = 1e-4


def quantile_edges(values: Sequence[float], bins: int) -> list[float]:
    """Inner bin edges at the training quantiles (duplicates removed for discrete features)."""
    ordered = sorted(values)
    edges = {ordered[min(len(ordered) - 1, int(len(ordered) * k / bins))] for k in range(1, bins)}
    return sorted(edges)


def proportions(values: Iterable[float], edges: Sequence[float]) -> list[float]:
    """Share of values in each bin ``(-inf, e0], (e0, e1], ..., (e_last, inf)``."""
    counts = [0] * (len(edges) + 1)
    total = 0
    for value in values:
        counts[bisect.bisect_left(edges, value)] += 1
        total += 1
    return [count / total for count in counts] if total else [0.0] * len(counts)


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index between two binned distributions."""
    total = 0.0
    for e, a in zip(expected, actual):
        e, a = max(e, EPSILON), max(a, EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def build_reference(rows: Sequence[Mapping[str, float]], feature_names: Sequence[str], bins: int = 10) -> dict[str, Any]:
    """Reference profile of the training features (written by ``train.py``)."""
    features = {}
    for name in feature_names:
        values = [float(row[name]) for row in rows]
        # Round the edges before binning, so that the stored edges give back the stored
        # proportions (values sitting exactly on an edge are common for discrete features).
        edges = [round(edge, 6) for edge in quantile_edges(values, bins)]
        features[name] = {"edges": edges, "proportions": [round(p, 6) for p in proportions(values, edges)]}
    return {"rows": len(rows), "bins": bins, "features": features}


def compare(reference: Mapping[str, Any], live_rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """PSI per feature of ``live_rows`` against ``reference``."""
    result = {}
    for name, profile in reference["features"].items():
        values = [float(row[name]) for row in live_rows if row.get(name) is not None]
        result[name] = round(psi(profile["proportions"], proportions(values, profile["edges"])), 4)
    return result


def read_live_features(path: Path) -> list[dict[str, float]]:
    """Feature vectors of the prediction log (JSON lines with a ``features`` mapping)."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line)["features"])
    return rows


def to_textfile(scores: Mapping[str, float], thresholds: Mapping[str, float], *, rows: int, now: float) -> str:
    """Prometheus text format: PSI per feature, the thresholds, the window size and freshness."""
    lines = [
        "# HELP fraud_scoring_feature_psi PSI of the last window of live features against the training profile.",
        "# TYPE fraud_scoring_feature_psi gauge",
        *(f'fraud_scoring_feature_psi{{feature="{name}"}} {value}' for name, value in sorted(scores.items())),
        "# HELP fraud_scoring_feature_psi_threshold Alert threshold from monitoring/drift.yaml.",
        "# TYPE fraud_scoring_feature_psi_threshold gauge",
        *(f'fraud_scoring_feature_psi_threshold{{level="{level}"}} {value}' for level, value in sorted(thresholds.items())),
        "# HELP fraud_scoring_drift_rows Prediction log rows in the evaluated window.",
        "# TYPE fraud_scoring_drift_rows gauge",
        f"fraud_scoring_drift_rows {rows}",
        "# HELP fraud_scoring_drift_last_success_timestamp_seconds Last successful run of the drift job.",
        "# TYPE fraud_scoring_drift_last_success_timestamp_seconds gauge",
        f"fraud_scoring_drift_last_success_timestamp_seconds {now:.0f}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute PSI for one window; exit 2 when the live window is too small to judge."""
    parser = argparse.ArgumentParser(description="Feature drift (PSI) against the training profile.")
    parser.add_argument("--config", type=Path, default=Path("monitoring/drift.yaml"))
    parser.add_argument("--live", type=Path, required=True)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    reference = json.loads(Path(config["reference_profile"]).read_text(encoding="utf-8"))
    live = read_live_features(args.live)
    if len(live) < int(config["min_rows"]):
        print(f"drift: only {len(live)} live rows (< {config['min_rows']}); no PSI computed")
        return 2
    scores = compare(reference, live)
    textfile = Path(config["output"]["textfile"])
    textfile.parent.mkdir(parents=True, exist_ok=True)
    textfile.write_text(to_textfile(scores, config["thresholds"], rows=len(live), now=time.time()), encoding="utf-8")
    worst = max(scores, key=scores.__getitem__)
    print(f"drift: {len(live)} rows, worst feature {worst} PSI {scores[worst]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

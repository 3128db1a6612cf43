"""A small logistic-regression scorer in pure Python, stored as JSON.

The model is deliberately simple (see docs/model-card.md, "Why logistic regression"): ten
standardised features, one weight each, trained with mini-batch gradient descent and L2
regularisation. The JSON artifact holds the weights, the standardisation, the feature order
and the lineage of the run that produced it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


class ModelError(ValueError):
    """The model artifact is missing, malformed, or does not match the feature code."""


def sigmoid(z: float) -> float:
    """Numerically stable logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    exp_z = math.exp(z)
    return exp_z / (1.0 + exp_z)


@dataclass(frozen=True)
class LogisticModel:
    """Weights over standardised features: ``p = sigmoid(bias + sum(w * (x - mean) / scale))``."""

    feature_names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    version: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Per-feature contribution to the logit (used for reason codes)."""
        return {
            name: weight * (features[name] - mean) / scale
            for name, weight, mean, scale in zip(self.feature_names, self.weights, self.means, self.scales)
        }

    def predict_proba(self, features: Mapping[str, float]) -> float:
        """Fraud probability for one feature mapping (all of ``feature_names`` required)."""
        missing = [name for name in self.feature_names if name not in features]
        if missing:
            raise ModelError(f"features missing for the model: {missing}")
        return sigmoid(self.bias + sum(self.contributions(features).values()))

    def to_json(self) -> dict[str, Any]:
        """The artifact content (weights keyed by feature name for readable diffs)."""
        return {
            "format_version": FORMAT_VERSION,
            "model_type": "logistic_regression",
            "version": self.version,
            "feature_names": list(self.feature_names),
            "weights": {name: round(w, 6) for name, w in zip(self.feature_names, self.weights)},
            "bias": round(self.bias, 6),
            "standardisation": {
                name: {"mean": round(m, 6), "scale": round(s, 6)}
                for name, m, s in zip(self.feature_names, self.means, self.scales)
            },
            "metadata": self.metadata,
        }

    def save(self, path: str | Path) -> None:
        """Write the artifact as stable, sorted JSON."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> LogisticModel:
        """Read an artifact written by :meth:`save`; raises :class:`ModelError` when malformed."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read model artifact {path}: {exc}") from None
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogisticModel:
        """Build a model from artifact content, checking every feature has weight and scaling."""
        if data.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"unsupported model format_version {data.get('format_version')!r}")
        try:
            names = tuple(data["feature_names"])
            weights = tuple(float(data["weights"][name]) for name in names)
            means = tuple(float(data["standardisation"][name]["mean"]) for name in names)
            scales = tuple(float(data["standardisation"][name]["scale"]) for name in names)
            bias = float(data["bias"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"model artifact is incomplete: {exc!r}") from None
        if any(scale <= 0 for scale in scales) or not all(math.isfinite(v) for v in (*weights, *means, bias)):
            raise ModelError("model artifact holds non-finite weights or non-positive scales")
        return cls(names, weights, bias, means, scales, str(data.get("version", "unversioned")),
                   dict(data.get("metadata", {})))


def standardisation(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> tuple[list[float], list[float]]:
    """Means and standard deviations per feature (a constant feature gets scale 1)."""
    means, scales = [], []
    for name in names:
        values = [row[name] for row in rows]
        mean = sum(values) / len(values)
        variance = sum((value - mean) ** 2 for value in values) / len(values)
        means.append(mean)
        scales.append(math.sqrt(variance) if variance > 1e-12 else 1.0)
    return means, scales


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    feature_names: Sequence[str],
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    l2: float,
    version: str,
) -> LogisticModel:
    """Mini-batch gradient descent on the log loss with L2 on the weights.

    Batches are shuffled with the module-level :mod:`random` generator: seed it first
    (``train.py`` does, from ``configs/train.yaml``) for a reproducible model.
    """
    if not rows or len(rows) != len(labels):
        raise ValueError("fit needs as many labels as rows, and at least one row")
    names = list(feature_names)
    means, scales = standardisation(rows, names)
    matrix = [[(row[n] - m) / s for n, m, s in zip(names, means, scales)] for row in rows]
    weights = [0.0] * len(names)
    bias = 0.0
    order = list(range(len(rows)))
    for _ in range(epochs):
        random.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            grad_w = [0.0] * len(names)
            grad_b = 0.0
            for index in batch:
                x = matrix[index]
                error = sigmoid(bias + sum(w * v for w, v in zip(weights, x))) - labels[index]
                grad_b += error
                for j, value in enumerate(x):
                    grad_w[j] += error * value
            size = len(batch)
            weights = [w - learning_rate * (g / size + l2 * w) for w, g in zip(weights, grad_w)]
            bias -= learning_rate * grad_b / size
    return LogisticModel(tuple(names), tuple(weights), bias, tuple(means), tuple(scales), version)

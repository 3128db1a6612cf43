"""Train the fraud model from ``configs/train.yaml`` (the DVC ``train`` stage).

The run is reproducible: the training file must match the MD5 pinned in the config (the same
hash as in ``dvc.lock``), batches are shuffled from a seeded generator, and the artifact
records the data version, the config hash and a fingerprint of the feature code, so any model
in production can be traced back to exactly what produced it.

Usage: python -m fraud_scoring.train [--config configs/train.yaml]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from fraud_scoring.config import load_config
from fraud_scoring.drift import build_reference
from fraud_scoring.evaluate import time_split
from fraud_scoring.features import FEATURE_NAMES, code_fingerprint
from fraud_scoring.model import LogisticModel, fit
from fraud_scoring.pipeline import LABEL, build_feature_rows, load_schema, read_raw, split_valid


class DataVersionError(RuntimeError):
    """The training file is not the version pinned in the config."""


def file_md5(path: str | Path) -> str:
    """MD5 of a file, as DVC computes it for ``dvc.lock``."""
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def train(config: dict[str, Any], *, config_text: str) -> tuple[LogisticModel, dict[str, Any]]:
    """Fit the model described by ``config``; returns the model and the drift reference profile."""
    random.seed(config["seed"])
    data_config = config["data"]
    actual_md5 = file_md5(data_config["path"])
    if actual_md5 != data_config["md5"]:
        raise DataVersionError(
            f"{data_config['path']} has MD5 {actual_md5}, the config pins {data_config['md5']} "
            f"({data_config['version']}); run `dvc pull` or update the pin deliberately")
    valid, rejects = split_valid(read_raw(data_config["path"]), load_schema())
    rows = build_feature_rows(valid)
    evaluation = load_config(config["evaluation_config"])
    train_rows, holdout_rows = time_split(rows, evaluation["split"]["holdout_from"])
    hyper = config["model"]
    model = fit(
        train_rows, [int(row[LABEL]) for row in train_rows], FEATURE_NAMES,
        learning_rate=float(hyper["learning_rate"]), epochs=int(hyper["epochs"]),
        batch_size=int(hyper["batch_size"]), l2=float(hyper["l2"]), version=config["model_version"],
    )
    metadata = {
        "training_data": {"path": data_config["path"], "md5": actual_md5, "version": data_config["version"],
                          "rows_valid": len(valid), "rows_rejected": len(rejects),
                          "rows_train": len(train_rows), "rows_holdout": len(holdout_rows)},
        "split": {"strategy": evaluation["split"]["strategy"], "holdout_from": evaluation["split"]["holdout_from"]},
        "seed": config["seed"],
        "hyperparameters": hyper,
        "config_sha256": hashlib.sha256(config_text.encode("utf-8")).hexdigest(),
        "feature_code_sha256": code_fingerprint(),
    }
    model = LogisticModel(model.feature_names, model.weights, model.bias, model.means, model.scales,
                          model.version, metadata)
    return model, build_reference(train_rows, FEATURE_NAMES)


def main(argv: list[str] | None = None) -> int:
    """Train and write the model artifact and the drift reference profile."""
    parser = argparse.ArgumentParser(description="Train the fraud scoring model.")
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    args = parser.parse_args(argv)
    config_text = args.config.read_text(encoding="utf-8")
    config = load_config(args.config)
    model, reference = train(config, config_text=config_text)
    model.save(config["output"]["model_path"])
    reference_path = Path(config["output"]["reference_profile"])
    reference_path.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"trained {model.version} on {model.metadata['training_data']['rows_train']} rows "
          f"-> {config['output']['model_path']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Item 45 (model-provenance): the `mlflow-lineage` and `lineage-records` detectors."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.governance import lineage_records, mlflow_lineage

ITEM = "model-provenance"

TRAIN = """\
import subprocess

import mlflow
import mlflow.sklearn
import yaml

from fraud.data import load_training_frame


def main(config_path: str) -> None:
    config = yaml.safe_load(open(config_path))
    frame, snapshot = load_training_frame(config["data"])
    commit = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()
    with mlflow.start_run():
        mlflow.set_tag("mlflow.source.git.commit", commit)
        mlflow.log_params(config["model"])
        mlflow.log_input(mlflow.data.from_pandas(frame, source=snapshot), context="training")
        model = fit(frame, **config["model"])
        mlflow.sklearn.log_model(model, "model", registered_model_name="fraud-scorer")
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_mlflow_run_with_commit_data_and_params_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/train.py": TRAIN})
    evidence = run_detector(mlflow_lineage, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "mlflow.source.git.commit" in detail and "log_input" in detail and "log_params" in detail
    assert "registered_model_name" in detail
    assert evidence[0].path == "src/fraud/train.py"


def test_mlflow_run_without_data_version_is_partial(tmp_path: Path) -> None:
    text = TRAIN.replace('        mlflow.log_input(mlflow.data.from_pandas(frame, source=snapshot), context="training")\n', "")
    write(tmp_path, {"src/fraud/train.py": text})
    evidence = run_detector(mlflow_lineage, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but not the data version" in evidence[0].detail


def test_mlflow_run_without_model_is_partial(tmp_path: Path) -> None:
    text = TRAIN.replace('        mlflow.sklearn.log_model(model, "model", registered_model_name="fraud-scorer")\n', "")
    write(tmp_path, {"src/fraud/train.py": text})
    evidence = run_detector(mlflow_lineage, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "logs no model" in evidence[0].detail


def test_mlflow_in_tests_and_comments_does_not_count(tmp_path: Path) -> None:
    write(tmp_path, {
        "tests/test_train.py": TRAIN,
        "src/fraud/notes.py": '# mlflow.set_tag("mlflow.source.git.commit", sha)\n# mlflow.log_params(cfg)\nVALUE = 1\n',
    })
    assert run_detector(mlflow_lineage, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/train.py": "def fit(frame):\n    return frame.mean()\n", "README.md": "# Fraud\n"})
    assert run_detector(mlflow_lineage, tmp_path) == []
    assert run_detector(lineage_records, tmp_path) == []


def test_malformed_python_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/train.py": "import mlflow\ndef main(:\n    mlflow.log_params({})\n"})
    assert run_detector(mlflow_lineage, tmp_path) == []


def test_metadata_dict_written_by_training_code(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/export.py": """\
import json


def write_metadata(path, commit, data_hash, config):
    metadata = {"git_commit": commit, "dataset_hash": data_hash, "config": config}
    json.dump(metadata, open(path, "w"))
"""})
    evidence = run_detector(mlflow_lineage, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "model metadata written in `src/fraud/export.py`" in evidence[0].detail


def test_metadata_json_next_to_model(tmp_path: Path) -> None:
    write(tmp_path, {"models/fraud/metadata.json": """\
{"model": "fraud-scorer", "version": 14,
 "lineage": {"git_commit": "9f2c1e7a4b", "data_version": "s3://fraud-data/snapshots/2026-11-01?versionId=3Lg",
             "params": {"max_depth": 6, "learning_rate": 0.05}}}
"""})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`git_commit`" in evidence[0].detail and "`data_version`" in evidence[0].detail and "`params`" in evidence[0].detail


def test_metadata_with_null_data_version_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"models/fraud/metadata.yaml": "git_commit: 9f2c1e7a4b\ndata_version: null\nconfig: configs/train.yaml\n"})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "records `git_commit` and `config` but not the data version" in evidence[0].detail


def test_model_card_lineage_table(tmp_path: Path) -> None:
    write(tmp_path, {"docs/model_card.md": """\
# Fraud scorer model card

## Lineage

| Field | Value |
|---|---|
| Git commit | `9f2c1e7` |
| Training data version | `fraud-snapshots@2026-11-01` |
| Config | `configs/train.yaml` |
"""})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "model card lineage section `Lineage`" in evidence[0].detail


def test_model_card_lineage_placeholders_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/model_card.md": "# Card\n\n## Provenance\n\n- Git commit: TBD\n- Config: `configs/train.yaml`\n"})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but not the code version and data version" in evidence[0].detail


def test_dvc_lock_training_stage(tmp_path: Path) -> None:
    write(tmp_path, {"dvc.lock": """\
schema: '2.0'
stages:
  train:
    cmd: python src/train.py
    deps:
    - path: data/prepared
      md5: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.dir
    - path: src/train.py
      md5: 0f9e8d7c6b5a49382716a5b4c3d2e1f0
    params:
      params.yaml:
        train.max_depth: 6
    outs:
    - path: models/model.pkl
      md5: aa11bb22cc33dd44ee55ff6677889900
"""})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "dvc.lock training stage `train`" in evidence[0].detail and evidence[0].line == 3


def test_dvc_lock_without_params_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"dvc.lock": """\
schema: '2.0'
stages:
  train:
    cmd: python src/train.py
    deps:
    - path: data/prepared
      md5: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.dir
    - path: src/train.py
      md5: 0f9e8d7c6b5a49382716a5b4c3d2e1f0
"""})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but not the config" in evidence[0].detail


def test_ci_and_manifests_mentioning_commits_are_not_metadata(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    env:\n      git_commit: abc\n      config: x\n",
        "k8s/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n  git_commit: 9f2c1e7\n  config: a\n",
    })
    assert run_detector(lineage_records, tmp_path) == []


def test_malformed_metadata_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"models/metadata.json": '{"git_commit": "9f2c1e7", "data_version": '})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


def test_model_card_data_location_without_version_is_not_a_data_version(tmp_path: Path) -> None:
    write(tmp_path, {"docs/model_card.md": """\
# Card

## Lineage
- Git commit: 9f2c1e7
- Training data: s3://fraud-data/latest/
- Config: configs/train.yaml
"""})
    evidence = run_detector(lineage_records, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but not the data version" in evidence[0].detail

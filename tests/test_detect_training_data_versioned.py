"""Detectors of item 11 (training-data-versioned): DVC files and pipelines, pinned data
locations in configuration, and data versions recorded by the training code."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented as write

from pytest_mlchecklist.detectors.data_versioning import (
    data_version_code,
    dvc_files,
    dvc_pipeline,
    pinned_data_config,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "training-data-versioned"


def details(evidence: list[Evidence]) -> str:
    return "\n".join(found.detail for found in evidence)


# --------------------------------------------------------------------------- dvc-files

RAW_DVC = """
    # Monthly authorisation snapshots, pulled with `dvc pull data/raw.dvc`.
    outs:
    - md5: 5d0f3a9c27be41e8a6c13f7d90b2e4a1.dir
      size: 2148390217
      nfiles: 14
      hash: md5
      path: raw
"""


def test_dvc_file_with_md5_supports(tmp_path: Path) -> None:
    write(tmp_path, {"data/raw.dvc": RAW_DVC, "data/labels.csv.dvc": """
        outs:
        - md5: 0b7a2f1c9e8d4b3a2f1c9e8d4b3a2f1c
          size: 4810
          path: labels.csv
    """})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "data/labels.csv.dvc"
    assert found.detail == "data/labels.csv.dvc pins `data/labels.csv` by md5 (and 1 more .dvc file with hashes)"


def test_dvc_file_names_the_file_count(tmp_path: Path) -> None:
    write(tmp_path, {"data/raw.dvc": RAW_DVC})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "data/raw.dvc pins `data/raw` (14 files) by md5"
    assert evidence[0].line == 3


def test_cloud_import_pinned_by_version_id_supports(tmp_path: Path) -> None:
    write(tmp_path, {"data/events.parquet.dvc": """
        deps:
        - path: s3://acme-lake/events/2026-10.parquet
          version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
        outs:
        - path: events.parquet
          version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
          cloud:
            s3: {version_id: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY}
    """})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "S3 object version" in evidence[0].detail


def test_dvc_file_without_hash_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"data/raw.dvc": """
        outs:
        - path: raw
          md5: TODO
    """})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "tracks `data/raw` without a hash" in evidence[0].detail


def test_dvc_file_without_outs_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"data/raw.dvc": "# placeholder, run dvc add later\nwdir: .\n"})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no `outs` list" in evidence[0].detail


def test_model_artifacts_and_test_fixtures_are_not_training_data(tmp_path: Path) -> None:
    write(tmp_path, {
        "models/classifier.pkl.dvc": "outs:\n- md5: 8c04be311f932716d2cba7ee9a977823\n  path: classifier.pkl\n",
        "tests/data/golden.csv.dvc": "outs:\n- md5: 8c04be311f932716d2cba7ee9a977823\n  path: golden.csv\n",
    })
    assert run_detector(dvc_files, tmp_path) == []


def test_no_dvc_files_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Fraud model\n", ".dvc/config": "[core]\n    remote = storage\n"})
    assert run_detector(dvc_files, tmp_path) == []


def test_malformed_dvc_file_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"data/raw.dvc": "outs:\n- md5: [unclosed\n  path: raw\n"})
    evidence = run_detector(dvc_files, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "data/raw.dvc"


# --------------------------------------------------------------------------- dvc-pipeline

DVC_YAML = """
    stages:
      prepare:
        cmd: python -m churn.prepare data/raw data/prepared
        deps:
          - data/raw
          - src/churn/prepare.py
        outs:
          - data/prepared
      train:
        cmd: python -m churn.train --params params.yaml
        deps:
          - data/prepared
          - src/churn/train.py
          - configs/features.yaml
        params:
          - train
        outs:
          - models/churn.joblib
      evaluate:
        cmd: python -m churn.evaluate models/churn.joblib data/prepared
        deps:
          - models/churn.joblib
          - data/prepared
        metrics:
          - reports/metrics.json:
              cache: false
"""

DVC_LOCK = """
    schema: '2.0'
    stages:
      prepare:
        cmd: python -m churn.prepare data/raw data/prepared
        deps:
        - path: data/raw
          hash: md5
          md5: 5d0f3a9c27be41e8a6c13f7d90b2e4a1.dir
          size: 104857600
          nfiles: 12
        - path: src/churn/prepare.py
          hash: md5
          md5: 208a6852702e7ca6194cab8a7d728e2d
          size: 3120
        outs:
        - path: data/prepared
          hash: md5
          md5: 3b6df5f22d1adda76d490530b86ca574.dir
          size: 9414
          nfiles: 3
      train:
        cmd: python -m churn.train --params params.yaml
        deps:
        - path: configs/features.yaml
          hash: md5
          md5: 5fe0f827e67f45121c4e196a6d107ad8
          size: 811
        - path: data/prepared
          hash: md5
          md5: 3b6df5f22d1adda76d490530b86ca574.dir
          size: 9414
          nfiles: 3
        - path: src/churn/train.py
          hash: md5
          md5: 33b78f30b31133be6c9c268946049529
          size: 4154
        outs:
        - path: models/churn.joblib
          hash: md5
          md5: 7eac7b5f470febf0bf9779b10691ae07
          size: 220198
"""


def test_training_stage_with_locked_data_supports(tmp_path: Path) -> None:
    write(tmp_path, {"dvc.yaml": DVC_YAML, "dvc.lock": DVC_LOCK})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.detail == "training stage `train` depends on `data/prepared` pinned by md5 in dvc.lock"
    assert found.path == "dvc.lock" and found.line == 21


def test_pipeline_in_a_subfolder_resolves_paths_and_its_own_lock(tmp_path: Path) -> None:
    write(tmp_path, {"pipelines/churn/dvc.yaml": DVC_YAML, "pipelines/churn/dvc.lock": DVC_LOCK})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`pipelines/churn/data/prepared`" in evidence[0].detail
    assert "pipelines/churn/dvc.lock" in evidence[0].detail


def test_foreach_training_stage_uses_its_lock_entries(tmp_path: Path) -> None:
    write(tmp_path, {
        "dvc.yaml": """
            stages:
              train:
                foreach: [us, eu]
                do:
                  cmd: python train.py --region ${item}
                  deps:
                    - data/${item}/train.parquet
                    - train.py
                  outs:
                    - models/${item}.pt
        """,
        "dvc.lock": """
            schema: '2.0'
            stages:
              train@us:
                cmd: python train.py --region us
                deps:
                - path: data/us/train.parquet
                  md5: 1f2e3d4c5b6a79881f2e3d4c5b6a7988
                - path: train.py
                  md5: 208a6852702e7ca6194cab8a7d728e2d
              train@eu:
                cmd: python train.py --region eu
                deps:
                - path: data/eu/train.parquet
                  md5: 9a8b7c6d5e4f30219a8b7c6d5e4f3021
        """,
    })
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`data/us/train.parquet`, `data/eu/train.parquet`" in evidence[0].detail


def test_pipeline_without_lock_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"dvc.yaml": DVC_YAML})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no dvc.lock recording their hashes" in evidence[0].detail
    assert "`data/prepared`" in evidence[0].detail


def test_lock_without_the_training_stage_is_partial(tmp_path: Path) -> None:
    lock = DVC_LOCK.split("      train:")[0]
    write(tmp_path, {"dvc.yaml": DVC_YAML, "dvc.lock": lock})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "dvc.lock has no entry for training stage `train`" in evidence[0].detail


def test_stale_lock_is_partial(tmp_path: Path) -> None:
    pipeline = DVC_YAML.replace("          - data/prepared\n          - src/churn/train.py",
                                "          - data/prepared\n          - data/labels.csv\n          - src/churn/train.py")
    write(tmp_path, {"dvc.yaml": pipeline, "dvc.lock": DVC_LOCK})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "out of date" in evidence[0].detail and "`data/labels.csv`" in evidence[0].detail


def test_training_stage_with_only_code_dependencies_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py, configs/train.yaml]\n",
        "dvc.lock": ("schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n"
                     "    - path: train.py\n      md5: 208a6852702e7ca6194cab8a7d728e2d\n"),
    })
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "depends on no data" in evidence[0].detail


def test_data_preparation_stage_is_not_a_training_stage(tmp_path: Path) -> None:
    write(tmp_path, {
        "dvc.yaml": """
            stages:
              prepare_training_data:
                cmd: python prepare.py --out data/train
                deps: [data/raw, prepare.py]
                outs: [data/train]
        """,
    })
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "none trains a model" in evidence[0].detail


def test_no_pipeline_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": "print('training')\n"})
    assert run_detector(dvc_pipeline, tmp_path) == []


def test_malformed_pipeline_and_lock_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"dvc.yaml": "stages:\n  train: {cmd: [\n"})
    assert verdicts(run_detector(dvc_pipeline, tmp_path), ITEM) == ["unreadable"]
    write(tmp_path, {"dvc.yaml": DVC_YAML, "dvc.lock": "stages: {train: [\n"})
    evidence = run_detector(dvc_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "dvc.lock"


# --------------------------------------------------------------------------- pinned-data-config


def test_training_config_pins_a_local_file_by_md5(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": """
        seed: 42
        data:
          path: data/sample_transactions.csv
          version: sample-2026-09-v1
          md5: f6e4652798f26b44dc94901df9b2e81d
        output:
          model_path: artifacts/model.json
    """})
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "configs/train.yaml pins `data.path` (data/sample_transactions.csv) by md5"
    assert evidence[0].line == 3


def test_lakefs_commit_and_s3_version_id_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/train.yaml": """
            train_data: lakefs://fraud-lake/3f2a9c81d7e4b5a6c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6/transactions/
        """,
        "configs/labels.yaml": """
            labels:
              uri: s3://acme-ml/labels/chargebacks.parquet?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
        """,
    })
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "lakeFS commit `3f2a9c81d7e4`" in text
    assert "object version (`versionId`)" in text and "?versionId" not in text


def test_hub_revision_and_delta_snapshot_siblings_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "conf/dataset/reviews.yaml": """
            dataset:
              name: acme/product-reviews
              revision: 9c2f1e0d4b7a
        """,
        "params.yaml": """
            train:
              source:
                table: lake.fraud.transactions
                format: delta
                versionAsOf: 1284
        """,
    })
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "revision `9c2f1e0d4b7a`" in text
    assert "snapshot `versionAsOf: 1284`" in text


def test_mutable_location_in_training_config_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": """
        data:
          train_uri: s3://acme-ml/features/latest/
        output:
          model_uri: s3://acme-ml/models/fraud/
    """})
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.startswith("configs/train.yaml reads s3://acme-ml/features/latest/ with no version")


def test_lakefs_branch_and_version_label_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/train.yaml": "data: {uri: 'lakefs://fraud-lake/main/transactions/'}\n",
        "configs/data.yaml": "train:\n  path: data/train.parquet\n  version: v3\n",
    })
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    text = details(evidence)
    assert "lakeFS branch `main`, which moves" in text
    assert "a version label (`version: v3`) but no content hash" in text


def test_look_alikes_are_not_pinned_data(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "fraud-scoring"\nversion = "0.4.0"\n',
        "docker-compose.yml": "services:\n  api:\n    image: ghcr.io/acme/fraud@sha256:4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0\n",
        "deploy/job.yaml": ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: train}\nspec:\n  template:\n    spec:\n"
                            "      containers:\n        - name: train\n          image: acme/train@sha256:4f5e6d7c8b9a0f1e2d3c\n"),
        "configs/serve.yaml": "model:\n  uri: s3://acme-ml/models/fraud/?versionId=abc123\n",
        "configs/train.yaml": ("data:\n  path: data/train.csv\n  md5: TODO\n"
                               "wandb_url: https://wandb.ai/acme/fraud\nnotes_url: https://wiki.acme.dev/fraud\n"),
    })
    assert run_detector(pinned_data_config, tmp_path) == []


def test_malformed_config_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": "data:\n  uri: s3://acme-ml/train/\n  md5: [unclosed\n"})
    evidence = run_detector(pinned_data_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# --------------------------------------------------------------------------- data-version-code

TRAIN_WITH_MLFLOW = """
    import mlflow
    import mlflow.data
    import pandas as pd


    def main(path: str) -> None:
        frame = pd.read_parquet(path)
        dataset = mlflow.data.from_pandas(frame, source=path, name="transactions", targets="is_fraud")
        with mlflow.start_run():
            mlflow.log_input(dataset, context="training")
            mlflow.log_param("learning_rate", 0.1)
"""


def test_mlflow_log_input_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/train.py": TRAIN_WITH_MLFLOW})
    evidence = run_detector(data_version_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`mlflow.log_input` records the dataset" in evidence[0].detail
    assert "context `training`" in evidence[0].detail
    assert evidence[0].line == 10


def test_logged_data_version_and_pinned_reads_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "train_hf.py": """
            from datasets import load_dataset
            import mlflow

            REVISION = "9c2f1e0d4b7a"

            def load():
                reviews = load_dataset("acme/product-reviews", revision=REVISION)
                mlflow.log_params({"dataset_revision": REVISION, "epochs": 3})
                return reviews
        """,
        "jobs/features.py": """
            def read(spark):
                return spark.read.format("delta").option("versionAsOf", 1284).load("/lake/fraud/transactions")
        """,
    })
    evidence = run_detector(data_version_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "a fixed snapshot (`.option(\"versionAsOf\", ...)`)" in text
    assert "pinned to a given `revision=`" in text and "and 1 more pin" in text


def test_unpinned_reads_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": """
        import mlflow
        from datasets import load_dataset

        def main(frame):
            reviews = load_dataset("acme/product-reviews")
            dataset = mlflow.data.from_pandas(frame)
            run.use_artifact("acme/fraud/train-set:latest")
    """})
    evidence = run_detector(data_version_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial", "partial"]
    text = details(evidence)
    assert "without `revision=`" in text
    assert "nothing logs it with `mlflow.log_input`" in text
    assert "`latest` alias, which moves" in text


def test_tests_comments_and_docstrings_are_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, {
        "tests/test_train.py": TRAIN_WITH_MLFLOW,
        "src/fraud/train.py": '''
            """Reads lakefs://fraud-lake/3f2a9c81d7e4b5a6/transactions/ in production."""
            import mlflow

            def main():
                # mlflow.log_input(dataset, context="training")
                mlflow.log_param("learning_rate", 0.1)
        ''',
    })
    assert run_detector(data_version_code, tmp_path) == []


def test_no_python_no_evidence(tmp_path: Path) -> None:
    assert run_detector(data_version_code, tmp_path) == []


def test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": "import mlflow\n\ndef main(:\n    mlflow.log_input(ds)\n"})
    evidence = run_detector(data_version_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]

"""Item 48 (retraining-schedule): the `retraining-schedule` detector."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.governance import retraining_schedule

ITEM = "retraining-schedule"

POLICY = """\
# Fraud scorer operations

## Retraining
The model is retrained weekly on the last 90 days of labelled transactions, and out of cycle
when the PSI of any top-10 feature exceeds 0.2 for two days in a row.
"""

WORKFLOW = """\
name: retrain
on:
  schedule:
    - cron: "0 3 * * 1"
  workflow_dispatch:
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - run: python -m fraud.train --config configs/train.yaml
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_cron_workflow_training_with_policy_supports(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/retrain.yml": WORKFLOW, "docs/operations.md": POLICY})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "cron `0 3 * * 1`" in detail and "python -m fraud.train" in detail and "docs/operations.md:3" in detail
    assert evidence[0].path == ".github/workflows/retrain.yml"


def test_training_schedule_without_policy_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/retrain.yml": WORKFLOW})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no written retraining policy" in evidence[0].detail


def test_policy_without_schedule_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/operations.md": POLICY})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "retraining policy written but nothing schedules training"


def test_cron_running_tests_is_not_training(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/nightly.yml": WORKFLOW.replace("python -m fraud.train --config configs/train.yaml", "pytest -q tests"),
        "docs/operations.md": POLICY,
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "nothing schedules training" in evidence[0].detail
    assert "`pytest -q tests`, not training" in evidence[1].detail


def test_manual_only_training_workflow_is_not_a_schedule(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/retrain.yml": WORKFLOW.replace('  schedule:\n    - cron: "0 3 * * 1"\n', "")})
    assert run_detector(retraining_schedule, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Fraud\n\nWe train models.\n", "src/fraud/train.py": "def main():\n    pass\n"})
    assert run_detector(retraining_schedule, tmp_path) == []


def test_empty_retraining_heading_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/operations.md": "# Ops\n\n## Retraining\nTBD\n\n## Contacts\n- @ml-platform\n"})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "neither when nor why" in evidence[0].detail


def test_kubernetes_cronjob_runs_training(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/retrain-cronjob.yaml": """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: fraud-retrain
spec:
  schedule: "0 2 * * 0"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: trainer
              image: ghcr.io/acme/fraud-trainer:1.4.0
              command: ["python", "-m", "fraud.train"]
""", "docs/operations.md": POLICY})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "CronJob `fraud-retrain` on `0 2 * * 0`" in evidence[0].detail and evidence[0].line == 4


def test_suspended_cronjob_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/retrain.yaml": """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: fraud-retrain
spec:
  schedule: "0 2 * * 0"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: trainer
              image: ghcr.io/acme/fraud-trainer:1.4.0
"""})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "suspended" in evidence[0].detail


def test_airflow_dag_with_train_task(tmp_path: Path) -> None:
    write(tmp_path, {"dags/retrain_fraud.py": """\
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("fraud_retrain", schedule="@weekly", start_date=pendulum.datetime(2026, 1, 1), catchup=False) as dag:
    extract = BashOperator(task_id="extract_features", bash_command="python -m fraud.features")
    train = BashOperator(task_id="train_model", bash_command="python -m fraud.train")
    extract >> train
""", "docs/operations.md": POLICY})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Airflow DAG `fraud_retrain` on `@weekly`" in evidence[0].detail and "train_model" in evidence[0].detail


def test_airflow_dag_without_schedule_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"dags/retrain_fraud.py": """\
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("fraud_retrain", schedule=None) as dag:
    BashOperator(task_id="train_model", bash_command="python -m fraud.train")
"""})
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "sets no schedule" in evidence[0].detail


def test_gitlab_scheduled_job_via_make(tmp_path: Path) -> None:
    write(tmp_path, {
        ".gitlab-ci.yml": """\
stages: [test, retrain]
unit:
  stage: test
  script: [pytest -q]
retrain:
  stage: retrain
  rules:
    - if: '$CI_PIPELINE_SOURCE == "schedule"'
  script:
    - make retrain
""",
        "Makefile": "retrain:\n\tpython scripts/train_model.py --config configs/train.yaml\n",
        "docs/operations.md": POLICY,
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "GitLab job `retrain` in scheduled pipelines" in evidence[0].detail


def test_drift_dispatch_trigger(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/retrain-on-drift.yml": """\
name: retrain-on-drift
on:
  repository_dispatch:
    types: [drift-detected]
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - run: dvc repro train
""",
        "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data/prepared, src/train.py]\n",
        "docs/operations.md": POLICY,
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "repository_dispatch `drift-detected`" in evidence[0].detail


def test_malformed_files_do_not_crash(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/retrain.yml": "on: [schedule\njobs: {",
        "k8s/cron.yaml": "kind: CronJob\nspec: [unclosed\n",
        "dags/broken.py": "from airflow import DAG\nwith DAG(:\n",
        "docs/operations.md": POLICY,
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "nothing schedules training" in evidence[0].detail


def test_pretrained_heading_and_pytest_k_train_are_not_retraining(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/nightly.yml": WORKFLOW.replace("python -m fraud.train --config configs/train.yaml", "pytest -k train"),
        "docs/models.md": "# Models\n\n## Pretrained embeddings\nWe download them weekly from the hub.\n",
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`pytest -k train`, not training" in evidence[0].detail


def test_reusable_training_workflow_called_on_schedule(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/workflows/weekly.yml": """\
name: weekly
on:
  schedule:
    - cron: "0 4 * * 0"
jobs:
  retrain:
    uses: ./.github/workflows/train.yml
""",
        ".github/workflows/train.yml": """\
name: train
on: workflow_call
jobs:
  fit:
    runs-on: ubuntu-latest
    steps:
      - run: python scripts/train_model.py
""",
        "docs/operations.md": POLICY,
    })
    evidence = run_detector(retraining_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "called by a scheduled workflow" in evidence[0].detail

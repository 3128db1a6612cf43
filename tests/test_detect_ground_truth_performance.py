"""Item 36, ground-truth-performance: predictions joined with arriving labels, metrics computed, scheduled."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.alerting import GROUND_TRUTH, ground_truth_job

JOB = """\
\"\"\"Nightly: join yesterday's scored transactions with chargebacks and compute real precision/recall.\"\"\"
import pandas as pd
from sklearn.metrics import precision_score, recall_score, roc_auc_score


def evaluate(day: str) -> dict[str, float]:
    predictions = pd.read_parquet(f"s3://fraud-logs/predictions/dt={day}")
    chargebacks = pd.read_parquet(f"s3://fraud-labels/chargebacks/dt={day}")
    joined = predictions.merge(chargebacks, on="transaction_id", how="inner")
    return {
        "precision": precision_score(joined["is_fraud"], joined["fraud_score"] > 0.7),
        "recall": recall_score(joined["is_fraud"], joined["fraud_score"] > 0.7),
        "auc": roc_auc_score(joined["is_fraud"], joined["fraud_score"]),
    }


if __name__ == "__main__":
    import sys
    print(evaluate(sys.argv[1]))
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: fraud-ground-truth
spec:
  schedule: "0 6 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: evaluate
              image: registry.acme.io/fraud/monitoring:1.4.2
              command: ["python", "-m", "fraud_monitoring.ground_truth"]
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_join_job_run_by_cronjob_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud_monitoring/ground_truth.py": JOB, "deploy/k8s/ground-truth-cronjob.yaml": CRONJOB})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["supports"]
    detail = evidence[0].detail
    assert "joins predictions with labels" in detail
    assert "`precision_score`" in detail
    assert "CronJob `fraud-ground-truth`" in detail and "0 6 * * *" in detail
    assert evidence[0].line == 9


def test_join_job_run_by_scheduled_ci_supports(tmp_path: Path) -> None:
    workflow = """\
name: ground-truth
on:
  schedule:
    - cron: "30 5 * * *"
jobs:
  evaluate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python jobs/ground_truth.py "$(date -d yesterday +%F)"
"""
    write(tmp_path, {"jobs/ground_truth.py": JOB, ".github/workflows/ground-truth.yml": workflow})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["supports"]
    assert "scheduled CI job `evaluate`" in evidence[0].detail


def test_airflow_dag_supports(tmp_path: Path) -> None:
    dag = """\
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator

from fraud_monitoring.ground_truth import evaluate

with DAG("fraud_ground_truth", schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False) as dag:
    PythonOperator(task_id="evaluate", python_callable=evaluate, op_args=["{{ ds }}"])
"""
    write(tmp_path, {"src/fraud_monitoring/ground_truth.py": JOB, "dags/fraud_ground_truth.py": dag})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["supports"]
    assert "Airflow DAG" in evidence[0].detail and "@daily" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": "def predict(x):\n    return 0\n"})
    assert run_detector(ground_truth_job, tmp_path) == []


def test_unscheduled_join_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"notebooks_export/ground_truth.py": JOB})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["partial"]
    assert "nothing schedules it" in evidence[0].detail


def test_lookalikes_training_evaluation_and_string_join(tmp_path: Path) -> None:
    """Offline evaluation on a held-out split (no logged predictions), and metrics on predictions
    and labels without any join: neither is evidence of real-world performance."""
    offline = """\
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


def evaluate(frame: pd.DataFrame, model) -> float:
    train, test = train_test_split(frame, test_size=0.2, random_state=7)
    columns = ", ".join(sorted(frame.columns))
    print(columns)
    return roc_auc_score(test["is_fraud"], model.predict_proba(test)[:, 1])
"""
    no_join = """\
from sklearn.metrics import precision_score


def report(logged_predictions, chargebacks):
    \"\"\"Precision of yesterday's predictions; the caller must align the two lists.\"\"\"
    return precision_score(chargebacks, logged_predictions)
"""
    write(tmp_path, {
        "src/train/evaluate.py": offline,
        "src/monitoring/report.py": no_join,
        "tests/test_ground_truth.py": JOB,
        "deploy/k8s/cron.yaml": CRONJOB,
    })
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["partial"]
    assert evidence[0].path == "src/monitoring/report.py"
    assert "never joins logged predictions with labels" in evidence[0].detail


def test_sql_join_with_exported_metric_supports(tmp_path: Path) -> None:
    job = """\
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from sklearn.metrics import roc_auc_score

QUERY = '''
SELECT p.request_id, p.score, l.is_default
FROM credit.predictions AS p
JOIN credit.loan_outcomes AS l ON l.request_id = p.request_id
WHERE l.observed_at >= now() - interval '90 days'
'''

registry = CollectorRegistry()
AUC = Gauge("credit_realized_auc", "AUC on loans whose outcome is known", registry=registry)


def main(connection) -> None:
    rows = connection.execute(QUERY).fetchall()
    AUC.set(roc_auc_score([row[2] for row in rows], [row[1] for row in rows]))
    push_to_gateway("pushgateway:9091", job="credit-realized-auc", registry=registry)
"""
    write(tmp_path, {"jobs/realized_auc.py": job})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["supports"]
    assert "exports `credit_realized_auc`" in evidence[0].detail


def test_malformed_python_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"jobs/ground_truth.py": "from sklearn.metrics import f1_score\npredictions.merge(labels\n"})
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["unreadable"]


def test_hand_written_lookup_join_with_project_metrics_supports(tmp_path: Path) -> None:
    """Labels looked up by transaction id, metrics from the project's own evaluation module."""
    evaluate = """\
def roc_auc(labels, scores):
    pairs = sorted(zip(scores, labels))
    return 0.5 if not pairs else sum(1 for _ in pairs) / len(pairs)


def summarise(labels, scores, threshold):
    return {"auc": roc_auc(labels, scores), "rows": len(labels)}
"""
    outcomes = """\
\"\"\"Model performance on matured chargeback labels.\"\"\"
import json

from fraud_scoring.evaluate import summarise


def load_chargeback_ids(path):
    with open(path) as handle:
        return {json.loads(line)["transaction_id"] for line in handle}


def evaluate_window(predictions, fraud_ids):
    labels = [int(record["transaction_id"] in fraud_ids) for record in predictions]
    return summarise(labels, [record["score"] for record in predictions], 0.7)
"""
    workflow = """\
name: outcomes
on:
  schedule:
    - cron: "0 4 * * *"
jobs:
  outcomes:
    runs-on: ubuntu-latest
    steps:
      - run: python -m fraud_scoring.outcomes --predictions logs/ --chargebacks chargebacks.jsonl
"""
    write(tmp_path, {
        "src/fraud_scoring/evaluate.py": evaluate,
        "src/fraud_scoring/outcomes.py": outcomes,
        ".github/workflows/outcomes.yml": workflow,
    })
    evidence = run_detector(ground_truth_job, tmp_path)
    assert verdicts(evidence, GROUND_TRUTH) == ["supports"]
    assert evidence[0].path == "src/fraud_scoring/outcomes.py"
    assert "computes `summarise`" in evidence[0].detail
    assert "scheduled CI job `outcomes`" in evidence[0].detail

"""Detectors of item 14 (subgroup-evaluation): segments in evaluation configuration, per-segment
metrics computed in code (and in tests), and per-segment metrics in evaluation reports."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_dedented as write

from pytest_mlchecklist.detectors.evaluation import segment_config, segment_metrics_code, segment_metrics_report
from pytest_mlchecklist.evidence import Evidence

ITEM = "subgroup-evaluation"


def details(evidence: list[Evidence]) -> str:
    return "\n".join(found.detail for found in evidence)


EVALUATION_YAML = """
    # Offline evaluation of the fraud model.
    split:
      strategy: time
      holdout_from: "2026-09-22"
    gates:
      min_auc: 0.80
      min_recall: 0.60
    subgroups: [channel, is_foreign]
"""

EVALUATE_PY = '''
    """Overall and per-segment metrics on the holdout."""
    from fraud.metrics import summarise


    def evaluate_rows(rows, scorer, threshold, subgroups):
        labels = [int(row["is_fraud"]) for row in rows]
        scores = [scorer(row) for row in rows]
        result = {"overall": summarise(labels, scores, threshold), "subgroups": {}}
        for column in subgroups:
            for value in sorted({str(row[column]) for row in rows}):
                members = [i for i, row in enumerate(rows) if str(row[column]) == value]
                result["subgroups"][f"{column}={value}"] = summarise(
                    [labels[i] for i in members], [scores[i] for i in members], threshold)
        return result


    def evaluate(config, rows, model):
        return evaluate_rows(rows, model.predict_proba, 0.5, config.get("subgroups", []))
'''


# --------------------------------------------------------------------------- segment-config


def test_segments_with_metrics_read_by_code_support(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": EVALUATION_YAML, "src/fraud/evaluate.py": EVALUATE_PY})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert (found.path, found.line) == ("configs/evaluation.yaml", 8)
    assert "2 segment dimensions (`channel`, `is_foreign`)" in found.detail
    assert "metrics (`min_auc`, `min_recall`)" in found.detail
    assert "read in `src/fraud/evaluate.py:" in found.detail
    assert "thresholds apply overall, not per segment" in found.detail


def test_tfma_slicing_specs_with_per_slice_thresholds_support(tmp_path: Path) -> None:
    write(tmp_path, {"pipelines/eval_config.json": json.dumps({
        "model_specs": [{"label_key": "churned"}],
        "slicing_specs": [{}, {"feature_keys": ["country"]}, {"feature_keys": ["plan_tier", "device"]}],
        "metrics_specs": [{
            "metrics": [{"class_name": "AUC"}, {"class_name": "Recall"}],
            "per_slice_thresholds": {"AUC": {"thresholds": [{"slicing_specs": [{"feature_keys": ["country"]}],
                                                             "threshold": {"value_threshold": {"lower_bound": {"value": 0.7}}}}]}},
        }],
    }, indent=2)})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "TFMA slicing_specs" in detail and "`AUC`, `Recall`" in detail
    assert "3 segment dimensions (`country`, `plan_tier`, `device`)" in detail
    assert "with per-segment floors" in detail


def test_segments_without_metrics_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {"configs/eval.yaml": "segments:\n  - region\n  - customer_tier\n",
                     "evaluate.py": "def run(cfg):\n    return cfg['segments']\n"})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "lists 2 segment dimensions (`region`, `customer_tier`) under `segments` without metrics" in evidence[0].detail


def test_segments_nobody_reads_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": EVALUATION_YAML})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no evaluation code reads `subgroups`" in evidence[0].detail


def test_only_the_overall_slice_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"eval_config.yaml": "slicing_specs:\n  - {}\nmetrics_specs:\n  - metrics: [{class_name: AUC}]\n"})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "holds only the overall slice" in evidence[0].detail


def test_look_alikes_are_not_segment_evaluation(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/marketing.yaml": "campaign:\n  segments: null\n  budget: 1000\n",
        "tests/fixtures/eval.yaml": EVALUATION_YAML,
        "configs/train.yaml": "model:\n  learning_rate: 0.1\n",
    })
    assert run_detector(segment_config, tmp_path) == []


def test_malformed_config_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": "subgroups: [channel, is_foreign\n"})
    evidence = run_detector(segment_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# --------------------------------------------------------------------------- segment-metrics-code


def test_loop_over_configured_segments_computing_a_metric_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/evaluate.py": EVALUATE_PY})
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "`src/fraud/evaluate.py:9` computes `summarise` for each segment of `subgroups`"


def test_fairlearn_metric_frame_supports(tmp_path: Path) -> None:
    write(tmp_path, {"fairness/report.py": """
        from fairlearn.metrics import MetricFrame, selection_rate
        from sklearn.metrics import recall_score


        def by_group(y_true, y_pred, frame):
            return MetricFrame(
                metrics={"recall": recall_score, "selection_rate": selection_rate},
                y_true=y_true,
                y_pred=y_pred,
                sensitive_features=frame[["sex", "age_band"]],
            )
    """})
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Fairlearn `MetricFrame` computes metrics by `sex`, `age_band`" in evidence[0].detail


def test_groupby_with_a_metric_supports_and_names_the_dimension(tmp_path: Path) -> None:
    write(tmp_path, {
        "eval/segments.py": """
            from sklearn.metrics import roc_auc_score

            MIN_AUC = 0.7


            def per_region(frame):
                results = {}
                for region, group in frame.groupby("region"):
                    auc = roc_auc_score(group["label"], group["score"])
                    if auc < MIN_AUC:
                        raise ValueError(f"AUC {auc} under the floor in {region}")
                    results[region] = auc
                return results
        """,
        "eval/tiers.py": """
            from sklearn.metrics import accuracy_score

            def per_tier(frame):
                return frame.groupby(["tier"]).apply(lambda g: accuracy_score(g.label, g.pred))
        """,
    })
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "computes `roc_auc_score` by `region` (1 dimension), checking a floor per segment" in text
    assert "computes `accuracy_score` by `tier` (1 dimension)" in text


def test_segment_constants_are_named(tmp_path: Path) -> None:
    write(tmp_path, {"evaluate.py": """
        import mlflow
        from sklearn.metrics import f1_score

        SEGMENTS = ["country", "device"]

        def log_segments(frame):
            for column in SEGMENTS:
                for value in frame[column].unique():
                    part = frame[frame[column] == value]
                    mlflow.log_metric(f"f1_{column}_{value}", f1_score(part.label, part.pred))
    """})
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "by `country`, `device` (2 dimensions)" in evidence[0].detail


def test_tfma_slicing_without_metrics_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline/evaluator.py": """
        import tensorflow_model_analysis as tfma

        SLICES = [tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["country"])]
    """})
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "slices by `country` but the module defines no metrics_specs" in evidence[0].detail


def test_test_function_over_segments_supports_with_its_node_id(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/churn/model.py": "def predict(frame):\n    return frame['score'] > 0.5\n",
        "tests/test_segments.py": """
            import pandas as pd
            from sklearn.metrics import recall_score

            from churn.model import predict

            FLOORS = {"free": 0.5, "pro": 0.6}


            def test_recall_per_plan_meets_its_floor(holdout: pd.DataFrame) -> None:
                for plan, group in holdout.groupby("plan"):
                    assert recall_score(group["churned"], predict(group)) >= FLOORS[plan]
        """,
        "tests/test_other.py": """
            from sklearn.metrics import recall_score

            def test_recall_per_plan_of_a_fixture(frame):
                for plan, group in frame.groupby("plan"):
                    assert recall_score(group.y, group.p) > 0.5
        """,
        "tests/test_imports_only.py": """
            from sklearn.metrics import recall_score

            import churn.model

            def test_recall_per_plan_of_precomputed_predictions(frame):
                for plan, group in frame.groupby("plan"):
                    assert recall_score(group.y, group.p) > 0.5
        """,
    })
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.nodeid == "tests/test_segments.py::test_recall_per_plan_meets_its_floor"
    assert "test `test_recall_per_plan_meets_its_floor` computes `recall_score` by `plan`" in found.detail


def test_look_alikes_are_not_per_segment_metrics(tmp_path: Path) -> None:
    write(tmp_path, {
        "features.py": """
            import logging

            def spend_per_region(frame):
                return frame.groupby("region")["amount"].mean()

            def check(segments):
                for segment in segments:
                    logging.error("segment %s is empty", segment)
        """,
        "train.py": """
            def fit(model, optimizer, batches):
                for group in optimizer.param_groups:
                    group["lr"] = 0.01
                for batch in batches:
                    model.evaluate(batch)
        """,
        "notes.py": '# for region, g in df.groupby("region"): roc_auc_score(g.y, g.p)\n',
    })
    assert run_detector(segment_metrics_code, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    assert run_detector(segment_metrics_code, tmp_path) == []


def test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"evaluate.py": "def per_segment(frame:\n    return frame.groupby('segment').apply(roc_auc)\n"})
    evidence = run_detector(segment_metrics_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# --------------------------------------------------------------------------- segment-metrics-report

REPORT = {
    "model_version": "fraud-lr-2026.10.1",
    "model": {
        "overall": {"auc": 0.8889, "recall": 0.75, "rows": 22},
        "subgroups": {
            "channel=ecommerce": {"auc": 1.0, "recall": 1.0, "rows": 4},
            "channel=pos": {"auc": 0.8929, "recall": 0.5, "rows": 16},
            "is_foreign=0.0": {"auc": None, "recall": None, "false_positive_rate": 0.1333, "rows": 15},
            "is_foreign=1.0": {"auc": 0.6667, "recall": 0.75, "rows": 7},
        },
    },
}


def test_report_with_per_segment_metrics_supports(tmp_path: Path) -> None:
    write(tmp_path, {"reports/evaluation.json": json.dumps(REPORT, indent=2)})
    evidence = run_detector(segment_metrics_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.detail == ("reports/evaluation.json reports metrics for 4 segments over 2 dimensions "
                            "(`channel`, `is_foreign`) under `model.subgroups`")
    assert found.line == 9


def test_fairlearn_by_group_export_supports(tmp_path: Path) -> None:
    write(tmp_path, {"reports/fairness.json": json.dumps({
        "overall": {"recall": 0.71},
        "by_group": {"recall": {"female": 0.69, "male": 0.73}, "selection_rate": {"female": 0.2, "male": 0.22}},
    })})
    evidence = run_detector(segment_metrics_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 segments (`female`, `male`) under `by_group`" in evidence[0].detail


def test_bare_numbers_under_a_metric_named_block_support(tmp_path: Path) -> None:
    write(tmp_path, {"metrics/scores.json": json.dumps({"recall_by_segment": {"smb": 0.64, "enterprise": 0.71}})})
    evidence = run_detector(segment_metrics_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 segments (`smb`, `enterprise`) under `recall_by_segment`" in evidence[0].detail


def test_report_without_numbers_or_with_one_segment_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "reports/segments.json": json.dumps({"segments": {"us": {"auc": None}, "eu": {"auc": None}}}),
        "metrics/eval.json": json.dumps({"slices": [{"slice": "country=us", "metrics": {"auc": 0.81}}]}),
    })
    evidence = run_detector(segment_metrics_report, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "partial"]
    text = details(evidence)
    assert "lists 2 segments under `segments` but no metric values" in text
    assert "metrics for only 1 segment (`country=us`)" in text


def test_look_alike_json_is_not_a_report(tmp_path: Path) -> None:
    write(tmp_path, {
        "web/package-data.json": json.dumps({"segments": {"a": {"score": 1}, "b": {"score": 2}}}),
        "tests/reports/evaluation.json": json.dumps(REPORT),
        "reports/latency.json": json.dumps({"p99_ms": 41}),
    })
    assert run_detector(segment_metrics_report, tmp_path) == []


def test_malformed_report_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"reports/evaluation.json": '{"subgroups": {"channel=pos": {"auc": 0.9}'})
    evidence = run_detector(segment_metrics_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]

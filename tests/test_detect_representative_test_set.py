"""Detectors of item 13 (representative-test-set): time-based holdouts in evaluation configuration
and in code. TODAY is 2026-11-22 (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented as write

from pytest_mlchecklist.detectors.evaluation import HOLDOUT_MAX_AGE_DAYS, time_split_code, time_split_config
from pytest_mlchecklist.evidence import Evidence

ITEM = "representative-test-set"


def details(evidence: list[Evidence]) -> str:
    return "\n".join(found.detail for found in evidence)


EVALUATION_YAML = """
    # Offline evaluation of the fraud model (DVC stage `evaluate`).
    split:
      strategy: time              # never a random split: fraud patterns move week to week
      time_column: event_time
      holdout_from: "2026-09-22T00:00:00+00:00"
    decision_threshold: 0.5
    gates:
      min_auc: 0.80
"""


# --------------------------------------------------------------------------- time-split-config


def test_recent_holdout_window_supports(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": EVALUATION_YAML})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.detail == ("configs/evaluation.yaml: holdout from 2026-09-22 (starts 61 days ago), "
                            "split on `event_time`")
    assert (found.path, found.line) == ("configs/evaluation.yaml", 5)


def test_closed_window_with_yaml_dates_supports(tmp_path: Path) -> None:
    write(tmp_path, {"conf/eval.toml": """
        [holdout]
        start = 2026-09-01
        end = 2026-10-31
    """})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "holdout 2026-09-01 to 2026-10-31 (ends 22 days ago)" in evidence[0].detail


def test_old_holdout_window_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": """
        split: time
        test_start: 2024-11-01
        test_end: 2025-01-31
    """})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "holdout in configs/evaluation.yaml ends 2025-01-31, 660 days ago" in detail
    assert f"over the {HOLDOUT_MAX_AGE_DAYS}-day limit" in detail
    assert evidence[0].line == 3


def test_open_window_and_relative_window_and_production_logs_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/backtest.yaml": "evaluation:\n  window:\n    start: 2026-10-01\n    end: 2027-01-31\n",
        "configs/eval.yaml": "split:\n  method: out-of-time\n  holdout_days: 28\n",
        "configs/ranker_eval.json": '{"eval": {"source": "s3://acme/prediction-logs/ranker/", "sample_rate": 0.05}}',
    })
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    text = details(evidence)
    assert "holdout 2026-10-01 to 2027-01-31 (window still open)" in text
    assert "holds out the most recent 28 days (`split.holdout_days`)" in text
    assert "data drawn from production logs (`eval.source`)" in text


def test_time_strategy_without_dates_supports(tmp_path: Path) -> None:
    write(tmp_path, {"params.yaml": "split:\n  type: temporal\n  test_size: 0.1\n  time_column: order_ts\n"})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "splits by time (`split.type: temporal`), split on `order_ts`" in evidence[0].detail


def test_random_split_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": "split:\n  strategy: stratified\n  test_size: 0.2\n  random_state: 7\n"})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "splits at random (`split.strategy: stratified`)" in evidence[0].detail


def test_placeholder_date_and_future_window_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/a.yaml": "split: time\nholdout_from: TBD\n",
        "configs/b.yaml": "split: time\nholdout_from: 2027-03-01\n",
    })
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    text = details(evidence)
    assert "`holdout_from` in configs/a.yaml is not a valid date" in text
    assert "starts 2027-03-01, in the future" in text


def test_look_alikes_are_not_a_holdout(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/trainer.yaml": "trainer:\n  eval_every_n_days: 1\n  validation_interval_days: 7\n  split_batches: true\n",
        "configs/release.yaml": "created: 2024-01-01\nsplit_brain_protection: enabled\n",
        "tests/fixtures/eval.yaml": "split: time\nholdout_from: 2026-10-01\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    strategy:\n      matrix: {split: [a, b]}\n",
    })
    assert run_detector(time_split_config, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Model\n"})
    assert run_detector(time_split_config, tmp_path) == []


def test_malformed_config_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"configs/evaluation.yaml": "split:\n  holdout_from: [2026-09-22\n"})
    evidence = run_detector(time_split_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# --------------------------------------------------------------------------- time-split-code

EVALUATE_PY = '''
    """Offline evaluation on the most recent slice of the export."""
    from fraud.features import parse_event_time


    def time_split(rows, holdout_from):
        """Rows before ``holdout_from`` (training) and from it on (holdout)."""
        cutoff = parse_event_time(holdout_from)
        train = [row for row in rows if row["event_time"] < cutoff]
        holdout = [row for row in rows if row["event_time"] >= cutoff]
        return train, holdout
'''


def test_cutoff_in_a_split_function_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/evaluate.py": EVALUATE_PY})
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == ("`time_split` holds out rows by `event_time` after a cutoff "
                                  "(`src/fraud/evaluate.py:8`)")


def test_time_series_split_and_sorted_tail_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "cv.py": """
            from sklearn.model_selection import TimeSeriesSplit

            def folds(frame):
                return list(TimeSeriesSplit(n_splits=5).split(frame))
        """,
        "holdout.py": """
            def build(frame, n_recent):
                frame = frame.sort_values("created_at")
                test_df = frame.tail(n_recent)
                train_df = frame.iloc[:-n_recent]
                return train_df, test_df
        """,
    })
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "`TimeSeriesSplit` keeps the evaluation folds later in time" in text
    assert "`build` sorts by `created_at` and holds out the most recent rows" in text


def test_constant_cutoff_is_judged_by_its_age(tmp_path: Path) -> None:
    write(tmp_path, {
        "recent.py": 'test_df = df[df["order_date"] >= "2026-10-01"]\n',
        "stale.py": 'import pandas as pd\nholdout = df[df.order_date >= pd.Timestamp("2024-01-01")]\n',
    })
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert "after 2026-10-01 (52 days ago)" in evidence[0].detail
    assert "fixed cutoff 2024-01-01, 1056 days ago" in evidence[1].detail


def test_unshuffled_split_after_a_time_sort_supports(tmp_path: Path) -> None:
    write(tmp_path, {"split.py": """
        from sklearn.model_selection import train_test_split

        def split(frame):
            frame = frame.sort_values(["event_ts"])
            return train_test_split(frame, test_size=0.1, shuffle=False)
    """})
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "sorts by `event_ts` and splits without shuffling" in evidence[0].detail


def test_random_train_test_split_in_code_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "train.py": """
            from sklearn.model_selection import train_test_split

            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
        """,
        "ordered.py": """
            from sklearn.model_selection import train_test_split

            parts = train_test_split(frame, shuffle=False)
        """,
    })
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    text = details(evidence)
    assert "keeps file order, but nothing sorts the rows by time first" in text
    assert "only a random `train_test_split`" in text


def test_look_alikes_are_not_a_time_split(tmp_path: Path) -> None:
    write(tmp_path, {
        "features.py": """
            def recent_count(history, now, cutoff):
                # point-in-time feature: not a held-out set
                return sum(1 for txn in history if txn["event_time"] >= cutoff)
        """,
        "text.py": "def split_words(text):\n    return text.split()\n",
        "tests/test_split.py": EVALUATE_PY,
    })
    assert run_detector(time_split_code, tmp_path) == []


def test_no_code_no_evidence(tmp_path: Path) -> None:
    assert run_detector(time_split_code, tmp_path) == []


def test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"evaluate.py": "def time_split(rows, cutoff:\n    return rows\n"})
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


def test_sorted_rows_with_a_held_out_slice_support(tmp_path: Path) -> None:
    write(tmp_path, {"evaluation/holdout.py": """
        def recent_holdout(rows, fraction=0.1):
            ordered = sorted(rows, key=lambda row: row["event_time"])
            cut = int(len(ordered) * (1 - fraction))
            train_rows = ordered[:cut]
            holdout_rows = ordered[cut:]
            return train_rows, holdout_rows
    """})
    evidence = run_detector(time_split_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`recent_holdout` sorts by `event_time` and holds out the most recent rows" in evidence[0].detail

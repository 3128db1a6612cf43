"""Item 4 (point-in-time-correctness): historical retrieval, as-of joins, point-in-time SQL, leakage tests."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_handling import (
    DETECTORS,
    leakage_tests,
    mask_sql,
    point_in_time_retrieval,
    point_in_time_sql,
)

ITEM = "point-in-time-correctness"


def run_all(root: Path) -> list[tuple[str, str]]:
    return [
        (found.verdict, found.detail)
        for detector in DETECTORS
        for found in run_detector(detector, root)
        if found.item == ITEM
    ]


FEAST_TRAINING = '''\
"""Build the fraud training set from the Feast offline store."""
import pandas as pd
from feast import FeatureStore


def build_training_set(labels: pd.DataFrame) -> pd.DataFrame:
    store = FeatureStore(repo_path="feature_repo")
    entity_df = labels.rename(columns={"label_time": "event_timestamp"})[["customer_id", "event_timestamp"]]
    job = store.get_historical_features(
        entity_df=entity_df,
        features=["customer_stats:txn_count_7d", "customer_stats:avg_amount_30d"],
    )
    return job.to_df().merge(labels, on="customer_id")
'''


# ---------------------------------------------------------------------- Python
def test_feast_historical_retrieval_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud/training.py", FEAST_TRAINING)
    evidence = run_detector(point_in_time_retrieval, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].path == "src/fraud/training.py" and evidence[0].line == 9
    assert "get_historical_features" in evidence[0].detail
    assert "event_timestamp" in evidence[0].detail


def test_merge_asof_backward_and_forward(tmp_path: Path) -> None:
    write(tmp_path, "pipeline/features.py", '''\
import pandas as pd


def join_features(labels, balances, fx):
    labels = labels.sort_values("event_time")
    with_balance = pd.merge_asof(labels, balances.sort_values("snapshot_time"), left_on="event_time",
                                 right_on="snapshot_time", by="account_id")
    return pd.merge_asof(with_balance, fx, on="event_time", direction="nearest")
''')
    evidence = run_detector(point_in_time_retrieval, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "supports"]
    supports = next(found for found in evidence if found.verdict == "supports")
    partial = next(found for found in evidence if found.verdict == "partial")
    assert "backward" in supports.detail and supports.line == 6
    assert "'nearest'" in partial.detail and "after the row's time" in partial.detail


def test_databricks_feature_lookup(tmp_path: Path) -> None:
    write(tmp_path, "jobs/train.py", '''\
from databricks.feature_engineering import FeatureEngineeringClient, FeatureLookup

fe = FeatureEngineeringClient()
lookups = [
    FeatureLookup(table_name="ml.fraud.customer_features", lookup_key="customer_id",
                  timestamp_lookup_key="event_ts"),
    FeatureLookup(table_name="ml.fraud.merchant_features", lookup_key="merchant_id"),
]
''')
    evidence = run_detector(point_in_time_retrieval, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert "timestamp_lookup_key" in evidence[0].detail and "customer_features" in evidence[0].detail
    assert "lookup keys only" in evidence[1].detail


def test_feast_views_without_retrieval_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "feature_repo/definitions.py", '''\
from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32

customer = Entity(name="customer", join_keys=["customer_id"])
source = FileSource(path="data/customer_stats.parquet", timestamp_field="event_timestamp")
customer_stats = FeatureView(name="customer_stats", entities=[customer], ttl=timedelta(days=2),
                             schema=[Field(name="avg_amount_30d", dtype=Float32)], source=source)
''')
    write(tmp_path, "serving/app.py", '''\
from feast import FeatureStore

store = FeatureStore(repo_path="feature_repo")


def features(customer_id: str) -> dict:
    return store.get_online_features(features=["customer_stats:avg_amount_30d"],
                                     entity_rows=[{"customer_id": customer_id}]).to_dict()
''')
    evidence = run_detector(point_in_time_retrieval, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "1 Feast feature view defined, 1 with a ttl" in evidence[0].detail
    assert "get_historical_features" in evidence[0].detail


def test_plain_merge_is_reported_only_when_nothing_else(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/training_set.py", '''\
import pandas as pd


def build_training_set(labels: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    return labels.merge(features, on="customer_id", how="left")
''')
    evidence = run_detector(point_in_time_retrieval, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no time condition" in evidence[0].detail and "`customer_id`" in evidence[0].detail
    # With an as-of join elsewhere, the plain merge is not mentioned.
    write(tmp_path, "src/churn/asof.py", "import pandas as pd\n\n\ndef f(a, b):\n    return pd.merge_asof(a, b, on='ts')\n")
    assert verdicts(run_detector(point_in_time_retrieval, tmp_path), ITEM) == ["supports"]


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "src/model.py", "import pandas as pd\n\n\ndef predict(x):\n    return x * 2\n")
    write(tmp_path, "README.md", "# Churn model\n\nWe use as-of joins.\n")
    assert run_all(tmp_path) == []


def test_look_alikes_are_not_supports(tmp_path: Path) -> None:
    # merge_asof only in a comment and a docstring; our own function called get_historical_features.
    write(tmp_path, "src/app/data.py", '''\
"""We should use pd.merge_asof here one day."""
import pandas as pd

# pd.merge_asof(labels, features, on="event_time")


def get_historical_features(rows):
    return rows


def load(rows):
    return get_historical_features(rows)
''')
    write(tmp_path, "vendor/lib/asof.py", "import pandas as pd\n\n\ndef f(a, b):\n    return pd.merge_asof(a, b, on='ts')\n")
    assert "supports" not in [verdict for verdict, _ in run_all(tmp_path)]


def test_malformed_python_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "src/train.py", "def build(:\n    pd.merge_asof(a, b)\n")
    assert run_all(tmp_path) == []


# ---------------------------------------------------------------------- SQL
def test_sql_join_bounded_by_event_time(tmp_path: Path) -> None:
    write(tmp_path, "sql/training_set.sql", '''\
-- Training rows: label time, latest features known before it.
WITH ranked AS (
    SELECT l.customer_id, l.label_time, f.txn_count_7d,
           ROW_NUMBER() OVER (PARTITION BY l.customer_id, l.label_time ORDER BY f.feature_ts DESC) AS rn
    FROM labels AS l
    JOIN customer_features AS f
      ON f.customer_id = l.customer_id
     AND f.feature_ts <= l.label_time
)
SELECT * FROM ranked WHERE rn = 1;
''')
    evidence = run_detector(point_in_time_sql, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "f.feature_ts <= l.label_time" in evidence[0].detail
    assert evidence[0].line == 8


def test_asof_join_and_snapshot(tmp_path: Path) -> None:
    write(tmp_path, "warehouse/asof.sql", "SELECT * FROM labels l ASOF JOIN prices p\n"
          "  MATCH_CONDITION (l.event_time >= p.price_time) ON l.ticker = p.ticker;\n")
    write(tmp_path, "warehouse/snapshot.sql", "SELECT * FROM customers FOR SYSTEM_TIME AS OF '2026-01-01' c\n"
          "JOIN labels l ON l.id = c.id;\n")
    evidence = run_detector(point_in_time_sql, tmp_path)
    by_path = {found.path: found for found in evidence}
    assert by_path["warehouse/asof.sql"].verdict == "supports" and "ASOF JOIN" in by_path["warehouse/asof.sql"].detail
    assert by_path["warehouse/snapshot.sql"].verdict == "partial"
    assert "snapshot" in by_path["warehouse/snapshot.sql"].detail


def test_sql_in_python_string(tmp_path: Path) -> None:
    write(tmp_path, "jobs/build.py", '''\
TRAINING_SQL = """
SELECT l.*, f.balance
FROM labels l
LEFT JOIN balances f ON f.account_id = l.account_id AND f.updated_at < l.event_time
"""


def run(spark):
    return spark.sql(TRAINING_SQL)
''')
    evidence = run_detector(point_in_time_sql, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("SQL in jobs/build.py") and evidence[0].line == 4


def test_sql_look_alikes(tmp_path: Path) -> None:
    # A commented-out condition, a plain id join, and a comparison with a literal date.
    write(tmp_path, "sql/train.sql", '''\
SELECT l.*, f.* FROM labels l
JOIN features f ON f.customer_id = l.customer_id
-- AND f.feature_ts <= l.label_time
WHERE l.label_time >= '2026-01-01';
''')
    assert run_detector(point_in_time_sql, tmp_path) == []


def test_mask_sql_keeps_offsets() -> None:
    text = "SELECT 'a<b' -- f.ts <= l.ts\n/* x.t < y.t */ FROM t"
    masked = mask_sql(text)
    assert len(masked) == len(text) and "<" not in masked and masked.endswith("FROM t")


# ---------------------------------------------------------------------- tests
LEAKAGE_TEST = '''\
import pandas as pd

from fraud.training import build_training_set


def test_no_feature_from_after_the_label():
    labels = pd.DataFrame({"customer_id": ["c1"], "label_time": [pd.Timestamp("2026-03-01")]})
    events = pd.DataFrame({"customer_id": ["c1", "c1"],
                           "event_time": [pd.Timestamp("2026-02-20"), pd.Timestamp("2026-03-05")],
                           "amount": [10.0, 999.0]})
    rows = build_training_set(labels, events)
    assert rows.loc[0, "max_amount"] == 10.0


class TestLeakage:
    def test_future_rows_ignored_without_assert(self):
        build_training_set(pd.DataFrame({"t": [pd.Timestamp("2026-01-01")]}), None)


def test_no_label_leakage():
    rows = build_training_set(None, None)
    assert "is_fraud" not in rows.columns
'''


def test_leakage_test_supports_with_nodeid(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud/training.py", "def build_training_set(labels, events):\n    return labels\n")
    write(tmp_path, "tests/test_leakage.py", LEAKAGE_TEST)
    evidence = run_detector(leakage_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert evidence[0].nodeid == "tests/test_leakage.py::test_no_feature_from_after_the_label"
    assert "build_training_set" in evidence[0].detail
    assert evidence[1].nodeid == "tests/test_leakage.py::TestLeakage::test_future_rows_ignored_without_assert"
    assert "asserts nothing" in evidence[1].detail


def test_leakage_test_that_does_not_call_the_repository(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud/training.py", "def build_training_set(labels, events):\n    return labels\n")
    write(tmp_path, "tests/test_leakage.py", '''\
import pandas as pd


def test_future_records_are_dropped():
    df = pd.DataFrame({"t": pd.to_datetime(["2026-01-01", "2026-02-01"])})
    kept = df[df.t <= pd.Timestamp("2026-01-15")]
    assert len(kept) == 1
''')
    evidence = run_detector(leakage_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "none of the repository's code" in evidence[0].detail


def test_time_comparison_outside_training_sql_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "analytics/sessions.sql", "SELECT a.user_id FROM page_views a JOIN page_views b\n"
          "  ON a.user_id = b.user_id AND b.viewed_at > a.viewed_at;\n")
    assert run_detector(point_in_time_sql, tmp_path) == []

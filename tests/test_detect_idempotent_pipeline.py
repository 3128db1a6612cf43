"""Item 6 (idempotent-pipeline): re-run tests, DVC pipelines with dvc.lock, and write semantics."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_handling import (
    DETECTORS,
    dbt_config,
    dvc_pipeline_lock,
    idempotency_tests,
    write_semantics,
)

ITEM = "idempotent-pipeline"


def run_all(root: Path) -> list[tuple[str, str]]:
    return [
        (found.verdict, found.detail)
        for detector in DETECTORS
        for found in run_detector(detector, root)
        if found.item == ITEM
    ]


STEP = '''\
"""Daily aggregation step."""
import pandas as pd


def aggregate_day(raw_dir, out_dir, day):
    frame = pd.read_parquet(f"{raw_dir}/{day}")
    frame.groupby("customer_id").sum().to_parquet(f"{out_dir}/day={day}/part.parquet")


def read_output(out_dir):
    return pd.read_parquet(out_dir)
'''


# ---------------------------------------------------------------------- tests
def test_run_twice_and_compare_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/etl/steps.py", STEP)
    write(tmp_path, "tests/test_steps.py", '''\
import pandas as pd

from etl.steps import aggregate_day, read_output


def test_aggregate_day_twice_gives_same_output(tmp_path, raw_dir):
    aggregate_day(raw_dir, tmp_path, "2026-11-01")
    first = read_output(tmp_path)
    aggregate_day(raw_dir, tmp_path, "2026-11-01")
    second = read_output(tmp_path)
    pd.testing.assert_frame_equal(first, second)
''')
    evidence = run_detector(idempotency_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_steps.py::test_aggregate_day_twice_gives_same_output"
    assert "runs `aggregate_day` twice on the same input and compares the outputs" in evidence[0].detail


def test_rerun_in_a_loop_with_row_count_check(tmp_path: Path) -> None:
    write(tmp_path, "src/etl/steps.py", STEP)
    write(tmp_path, "tests/test_rerun.py", '''\
from etl import steps


class TestLoad:
    def test_rerun_does_not_duplicate_rows(self, tmp_path, raw_dir):
        for _ in range(2):
            steps.aggregate_day(raw_dir, tmp_path, "2026-11-01")
        assert len(steps.read_output(tmp_path)) == 3
''')
    evidence = run_detector(idempotency_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_rerun.py::TestLoad::test_rerun_does_not_duplicate_rows"
    assert "checks the result of the second run" in evidence[0].detail


def test_named_for_idempotency_but_runs_once(tmp_path: Path) -> None:
    write(tmp_path, "src/etl/steps.py", STEP)
    write(tmp_path, "tests/test_idem.py", '''\
from etl.steps import aggregate_day, read_output


def test_aggregate_is_idempotent(tmp_path, raw_dir):
    aggregate_day(raw_dir, tmp_path, "2026-11-01")
    assert len(read_output(tmp_path)) == 3


def test_rerun_with_different_days(tmp_path, raw_dir):
    aggregate_day(raw_dir, tmp_path, "2026-11-01")
    aggregate_day(raw_dir, tmp_path, "2026-11-02")
    assert len(read_output(tmp_path)) == 6


def test_idempotent_without_repo_code(tmp_path):
    first = sorted([3, 1, 2])
    assert first == sorted([3, 1, 2])
''')
    evidence = run_detector(idempotency_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial", "partial"]
    details = [found.detail for found in evidence]
    assert "runs `aggregate_day` only once" in details[0]
    assert "never twice on the same input" in details[1]
    assert "none of the repository's code" in details[2]


def test_test_look_alikes(tmp_path: Path) -> None:
    # Same step twice but different assertions on constants, in a test not about re-runs; and a
    # comparison of two calls of a library function.
    write(tmp_path, "src/etl/steps.py", STEP)
    write(tmp_path, "tests/test_misc.py", '''\
import json

from etl.steps import read_output


def test_output_columns(tmp_path):
    assert "customer_id" in read_output(tmp_path).columns
    assert read_output(tmp_path).shape[0] > 0


def test_json_same():
    assert json.dumps({"a": 1}) == json.dumps({"a": 1})
''')
    assert run_detector(idempotency_tests, tmp_path) == []


# ---------------------------------------------------------------------- DVC
DVC_YAML = """\
stages:
  prepare:
    cmd: python -m etl.prepare data/raw data/prepared
    deps: [data/raw, src/etl/prepare.py]
    outs: [data/prepared]
  featurize:
    cmd: python -m etl.featurize
    deps: [data/prepared]
    outs: [data/features.parquet]
"""

DVC_LOCK = """\
schema: '2.0'
stages:
  prepare:
    cmd: python -m etl.prepare data/raw data/prepared
    deps:
    - path: data/raw
      hash: md5
      md5: 3a4b1f0c2d9e8f7a6b5c4d3e2f1a0b9c.dir
    outs:
    - path: data/prepared
      hash: md5
      md5: 9f8e7d6c5b4a39281706f5e4d3c2b1a0.dir
  featurize:
    cmd: python -m etl.featurize
    deps:
    - path: data/prepared
      md5: 9f8e7d6c5b4a39281706f5e4d3c2b1a0.dir
    outs:
    - path: data/features.parquet
      md5: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
"""


def test_dvc_pipeline_with_lock_supports(tmp_path: Path) -> None:
    write(tmp_path, "dvc.yaml", DVC_YAML)
    write(tmp_path, "dvc.lock", DVC_LOCK)
    evidence = run_detector(dvc_pipeline_lock, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "DVC pipeline dvc.yaml (2 stages), each stage's inputs and outputs hashed in dvc.lock"


def test_dvc_without_lock_or_with_stale_lock(tmp_path: Path) -> None:
    write(tmp_path, "dvc.yaml", DVC_YAML)
    evidence = run_detector(dvc_pipeline_lock, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "has no dvc.lock" in evidence[0].detail
    write(tmp_path, "dvc.lock", DVC_LOCK.split("  featurize:")[0])
    evidence = run_detector(dvc_pipeline_lock, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no hashes for `featurize`" in evidence[0].detail and evidence[0].path == "dvc.lock"


def test_dvc_malformed(tmp_path: Path) -> None:
    write(tmp_path, "pipelines/dvc.yaml", "stages:\n  prepare:\n    cmd: [unclosed\n")
    evidence = run_detector(dvc_pipeline_lock, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- writes
def test_spark_dynamic_partition_overwrite(tmp_path: Path) -> None:
    write(tmp_path, "jobs/session.py", '''\
from pyspark.sql import SparkSession

spark = (SparkSession.builder.appName("features")
         .config("spark.sql.sources.partitionOverwriteMode", "dynamic").getOrCreate())
''')
    write(tmp_path, "jobs/daily_features.py", '''\
def run(spark, day):
    frame = spark.table("raw.transactions").where(f"ds = '{day}'")
    (frame.groupBy("ds", "customer_id").count()
        .write.mode("overwrite").partitionBy("ds").parquet("s3://acme-features/daily"))
    frame.write.mode("append").saveAsTable("audit.runs")
''')
    evidence = run_detector(write_semantics, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "supports"]
    supports = next(found for found in evidence if found.verdict == "supports")
    assert "dynamic partition overwrite" in supports.detail and supports.line == 4
    partial = next(found for found in evidence if found.verdict == "partial")
    assert "appends" in partial.detail and partial.line == 5


def test_static_partition_overwrite_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "jobs/daily.py", '''\
def run(frame):
    frame.write.mode("overwrite").partitionBy("ds").parquet("s3://acme-features/daily")
    frame.to_sql("scores", con=None, if_exists="append")
''')
    evidence = run_detector(write_semantics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert any("without dynamic partitionOverwriteMode" in found.detail for found in evidence)
    assert any("to_sql(if_exists=\"append\")" in found.detail for found in evidence)


def test_delta_merge_and_sql_files(tmp_path: Path) -> None:
    write(tmp_path, "jobs/upsert.py", '''\
from delta.tables import DeltaTable


def upsert(spark, updates):
    target = DeltaTable.forName(spark, "silver.customers")
    (target.alias("t").merge(updates.alias("u"), "t.customer_id = u.customer_id")
        .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
''')
    write(tmp_path, "sql/load_scores.sql", '''\
-- Reload one day of scores.
DELETE FROM analytics.daily_scores WHERE ds = '{{ ds }}';
INSERT INTO analytics.daily_scores SELECT * FROM staging.scores WHERE ds = '{{ ds }}';
''')
    write(tmp_path, "sql/append_events.sql", "INSERT INTO analytics.events SELECT * FROM staging.events;\n")
    evidence = run_detector(write_semantics, tmp_path)
    by_path = {found.path: found for found in evidence}
    assert by_path["jobs/upsert.py"].verdict == "supports" and "Delta MERGE" in by_path["jobs/upsert.py"].detail
    assert by_path["sql/load_scores.sql"].verdict == "supports"
    assert "deletes then re-inserts" in by_path["sql/load_scores.sql"].detail
    assert by_path["sql/load_scores.sql"].line == 3
    assert by_path["sql/append_events.sql"].verdict == "partial"


def test_dbt_incremental_models(tmp_path: Path) -> None:
    write(tmp_path, "models/fct_orders.sql", "{{ config(materialized='incremental', unique_key='order_id') }}\n"
          "select * from {{ ref('stg_orders') }}\n")
    write(tmp_path, "models/fct_clicks.sql", "{{\n  config(\n    materialized='incremental'\n  )\n}}\n"
          "select * from {{ ref('stg_clicks') }}\n")
    write(tmp_path, "models/commented.sql", "-- {{ config(materialized='incremental', unique_key='id') }}\nselect 1\n")
    evidence = run_detector(write_semantics, tmp_path)
    by_path = {found.path: found for found in evidence}
    assert set(by_path) == {"models/fct_orders.sql", "models/fct_clicks.sql"}
    assert by_path["models/fct_orders.sql"].verdict == "supports" and "unique_key" in by_path["models/fct_orders.sql"].detail
    assert by_path["models/fct_clicks.sql"].verdict == "partial" and by_path["models/fct_clicks.sql"].line == 1
    assert dbt_config("{{ config(materialized=) }}") is None


def test_writes_look_alikes(tmp_path: Path) -> None:
    # Reads, a commented write, a write in a test, and a default-mode write say nothing.
    write(tmp_path, "jobs/read.py", '''\
def run(spark):
    frame = spark.read.parquet("s3://acme/raw")
    # frame.write.mode("overwrite").parquet("s3://acme/out")
    frame.write.parquet("s3://acme/out")
''')
    write(tmp_path, "tests/test_job.py", 'def test_x(df):\n    df.write.mode("overwrite").parquet("/tmp/x")\n')
    assert run_detector(write_semantics, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "src/model.py", "def predict(x):\n    return x\n")
    assert run_all(tmp_path) == []


def test_malformed_python_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "jobs/broken.py", 'def run(frame):\n    frame.write.mode("overwrite".parquet("x")\n')
    assert run_all(tmp_path) == []


def test_sql_run_by_the_job_counts_but_sql_words_in_a_message_do_not(tmp_path: Path) -> None:
    write(tmp_path, "jobs/daily.py", (
        "from pyspark.sql import SparkSession\n\n"
        "DESCRIPTION = 'INSERT OVERWRITE replaces the partitions it writes'\n\n\n"
        "def run(spark: SparkSession, day: str) -> None:\n"
        "    spark.sql(f\"INSERT OVERWRITE TABLE features.daily PARTITION (day='{day}') SELECT * FROM staging\")\n"
    ))
    evidence = run_detector(write_semantics, tmp_path)
    assert verdicts(evidence, "idempotent-pipeline") == ["supports"]
    assert evidence[0].line == 7

    write(tmp_path, "jobs/daily.py", "MESSAGE = 'INSERT OVERWRITE replaces the partitions it writes'\n")
    assert verdicts(run_detector(write_semantics, tmp_path), "idempotent-pipeline") == []


def test_running_something_other_than_a_pipeline_step_twice_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "tools/cache.py", "def lookup(key):\n    return {'key': key}\n")
    write(tmp_path, "tests/test_cache.py", (
        "from tools.cache import lookup\n\n\n"
        "def test_lookup_is_stable_when_called_again():\n"
        "    first = lookup('a')\n"
        "    second = lookup('a')\n"
        "    assert first == second\n"
    ))
    assert "supports" not in verdicts(run_detector(idempotency_tests, tmp_path), "idempotent-pipeline")

"""Item 7 (immutable-raw-data): DVC, Terraform bucket versioning and locks, table formats, written policy."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_handling import (
    DETECTORS,
    dvc_raw_data,
    is_raw_path,
    raw_data_policy,
    raw_storage_terraform,
    raw_table_format,
)

ITEM = "immutable-raw-data"


def run_all(root: Path, **settings: object) -> list[tuple[str, str]]:
    return [
        (found.verdict, found.detail)
        for detector in DETECTORS
        for found in run_detector(detector, root, **settings)
        if found.item == ITEM
    ]


# ---------------------------------------------------------------------- DVC
def test_dvc_file_for_raw_data_supports(tmp_path: Path) -> None:
    write(tmp_path, "data/raw.dvc", """\
outs:
- md5: 5f1d8a3c9b7e2f40a6c1d3e5f7a9b0c2.dir
  size: 48213344
  nfiles: 31
  hash: md5
  path: raw
""")
    evidence = run_detector(dvc_raw_data, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "DVC versions raw data `data/raw` (data/raw.dvc records its hash)"


def test_dvc_without_hash_and_derived_only(tmp_path: Path) -> None:
    write(tmp_path, "data/landing.dvc", "outs:\n- path: landing\n")
    write(tmp_path, "models/model.pkl.dvc", "outs:\n- md5: 0a1b2c3d4e5f60718293a4b5c6d7e8f9\n  path: model.pkl\n")
    evidence = run_detector(dvc_raw_data, tmp_path)
    details = [found.detail for found in evidence]
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert any("records no hash" in detail for detail in details)
    assert any("`models/model.pkl`" in detail and "not raw data" in detail for detail in details)


def test_dvc_stage_output_with_lock(tmp_path: Path) -> None:
    write(tmp_path, "dvc.yaml", """\
stages:
  download:
    cmd: python -m ingest.download --out data/raw/events
    outs: [data/raw/events]
  clean:
    cmd: python -m etl.clean
    deps: [data/raw/events, data/raw/customers.csv]
    outs: [data/clean]
""")
    write(tmp_path, "dvc.lock", """\
schema: '2.0'
stages:
  download:
    cmd: python -m ingest.download --out data/raw/events
    outs:
    - path: data/raw/events
      hash: md5
      md5: 77e0d1c2b3a4958675a4b3c2d1e0f9a8.dir
""")
    evidence = run_detector(dvc_raw_data, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert "stage `download` outputs raw data `data/raw/events`" in evidence[0].detail
    assert evidence[0].line == 2
    assert "`data/raw/customers.csv`, which DVC does not version" in evidence[1].detail


def test_malformed_dvc_file_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "data/raw.dvc", "outs:\n- md5: [abc\n")
    assert verdicts(run_detector(dvc_raw_data, tmp_path), ITEM) == ["unreadable"]


def test_raw_paths() -> None:
    assert is_raw_path("data/raw") and is_raw_path("lake/bronze/events") and is_raw_path("data/raw_events.csv")
    assert not is_raw_path("data/processed") and not is_raw_path("models/drawing")


# ---------------------------------------------------------------------- Terraform
S3 = """\
resource "aws_s3_bucket" "raw" {
  bucket = "acme-fraud-raw-events"
}

resource "aws_s3_bucket_versioning" "raw" {
  bucket = aws_s3_bucket.raw.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-fraud-artifacts"
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Suspended"
  }
}
"""


def test_s3_versioning_on_raw_bucket_supports(tmp_path: Path) -> None:
    write(tmp_path, "infra/buckets.tf", S3)
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == ("raw-data bucket `acme-fraud-raw-events` keeps every object version "
                                  "(versioning, status Enabled)")
    assert evidence[0].line == 7


def test_object_lock_and_gcs(tmp_path: Path) -> None:
    write(tmp_path, "infra/lock.tf", """\
resource "aws_s3_bucket_object_lock_configuration" "landing" {
  bucket = "acme-landing-zone"
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = 365
    }
  }
}
""")
    write(tmp_path, "infra/gcs.tf", """\
resource "google_storage_bucket" "raw_clicks" {
  name     = "acme-raw-clicks"
  location = "EU"
  versioning {
    enabled = true
  }
}
""")
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = " | ".join(found.detail for found in evidence)
    assert "`acme-raw-clicks` keeps every object version" in details
    assert "`acme-landing-zone` keeps objects from being changed (object lock, COMPLIANCE retention)" in details


def test_terraform_module_versioning(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", """\
module "raw_bucket" {
  source = "terraform-aws-modules/s3-bucket/aws"
  bucket = "acme-raw"
  versioning = {
    enabled = true
  }
}
""")
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`acme-raw`" in evidence[0].detail


def test_terraform_look_alikes(tmp_path: Path) -> None:
    # Suspended versioning on the raw bucket, a commented-out block, and versioning on a model bucket.
    write(tmp_path, "infra/raw.tf", """\
resource "aws_s3_bucket_versioning" "raw" {
  bucket = "acme-raw"
  versioning_configuration {
    status = "Suspended"
    # status = "Enabled"
  }
}
# resource "aws_s3_bucket_versioning" "landing" {
#   versioning_configuration { status = "Enabled" }
# }
resource "google_storage_bucket" "models" {
  name = "acme-models"
  versioning {
    enabled = true
  }
}
""")
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    details = [found.detail for found in evidence]
    assert "versioning on bucket `acme-raw`, status Suspended is turned off" in details[0]
    assert "not named as raw data" in details[1]


def test_declared_terraform_file_counts_any_bucket(tmp_path: Path) -> None:
    write(tmp_path, "infra/storage.tf", 'resource "google_storage_bucket" "events" {\n  name = "acme-events"\n'
          "  versioning {\n    enabled = true\n  }\n}\n")
    settings = {"evidence": {ITEM: ["infra/storage.tf"]}}
    evidence = run_detector(raw_storage_terraform, tmp_path, **settings)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_expression_status_and_malformed(tmp_path: Path) -> None:
    write(tmp_path, "infra/raw.tf", 'resource "aws_s3_bucket_versioning" "raw" {\n  bucket = "acme-raw"\n'
          "  versioning_configuration {\n    status = var.raw_versioning\n  }\n}\n")
    write(tmp_path, "infra/broken.tf", 'resource "aws_s3_bucket_versioning" "landing" {\n  versioning_configuration {\n')
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "unreadable"]
    partial = next(found for found in evidence if found.verdict == "partial")
    assert "expression" in partial.detail


# ---------------------------------------------------------------------- table formats
def test_delta_bronze_append_and_lakefs(tmp_path: Path) -> None:
    write(tmp_path, "ingest/bronze.py", '''\
def land(spark, batch):
    (batch.write.format("delta").mode("append")
        .saveAsTable("bronze.card_transactions"))
    batch.write.format("delta").mode("overwrite").save("s3://acme-lake/gold/daily_scores")
''')
    write(tmp_path, "ingest/lakefs_paths.py", 'RAW_EVENTS = "lakefs://fraud-data/main/raw/events/"\n')
    evidence = run_detector(raw_table_format, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert "Delta table `bronze.card_transactions`" in evidence[0].detail and evidence[0].line == 3
    assert "lakeFS" in evidence[1].detail


def test_raw_sql_tables(tmp_path: Path) -> None:
    write(tmp_path, "sql/bronze.sql", """\
CREATE TABLE IF NOT EXISTS bronze.clicks (id STRING, ts TIMESTAMP) USING DELTA
TBLPROPERTIES ('delta.appendOnly' = 'true');
CREATE TABLE silver.clicks USING DELTA AS SELECT * FROM bronze.clicks;
""")
    evidence = run_detector(raw_table_format, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "raw table `bronze.clicks` is append-only (`delta.appendOnly`)"


def test_table_format_look_alikes(tmp_path: Path) -> None:
    write(tmp_path, "jobs/gold.py", '''\
def run(spark, frame):
    frame.write.format("delta").mode("overwrite").saveAsTable("gold.scores")
    spark.read.format("delta").load("s3://acme/raw/events")
''')
    write(tmp_path, "jobs/raw_overwrite.py", 'def run(frame):\n    frame.write.format("delta").mode("overwrite")'
          '.save("s3://acme/raw/events")\n')
    evidence = run_detector(raw_table_format, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "overwritten in place" in evidence[0].detail


# ---------------------------------------------------------------------- written policy
def test_written_policy_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/data.md", """\
# Data layout

## Raw zone

Files under `s3://acme-raw` are write-once: ingestion jobs only add new partitions and nothing
is ever edited in place. Cleaning jobs read from here and write to the `clean` zone.

```bash
# example: aws s3 cp events.json s3://acme-raw/2026-11-01/
```
""")
    evidence = run_detector(raw_data_policy, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "a written policy alone does not enforce it" in evidence[0].detail and evidence[0].line == 3


def test_policy_look_alikes(tmp_path: Path) -> None:
    write(tmp_path, "docs/data.md", "# Raw zone\n\nTODO\n\n# Config\n\nThe config file is read-only.\n")
    write(tmp_path, "CHANGELOG.md", "# Changes\n\n## Raw data\n\nRaw data is now immutable.\n")
    assert run_detector(raw_data_policy, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "src/model.py", "def predict(x):\n    return x\n")
    write(tmp_path, "README.md", "# Fraud scorer\n\nScores card transactions.\n")
    assert run_all(tmp_path) == []


def test_object_lock_without_default_retention_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "infra/lock.tf", 'resource "aws_s3_bucket_object_lock_configuration" "raw" {\n'
          '  bucket = "acme-raw"\n}\n')
    evidence = run_detector(raw_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no default retention rule" in evidence[0].detail

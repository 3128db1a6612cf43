"""Item 41 (artifact-access-control): private, logged artifact storage in Terraform."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.security import artifact_storage_terraform, policy_allows_public

ITEM = "artifact-access-control"


S3_PRIVATE_LOGGED = '''\
resource "aws_s3_bucket" "model_artifacts" {
  bucket = "acme-fraud-model-artifacts"
  tags = { team = "fraud-ml" }
}

resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-s3-access-logs"
}

resource "aws_s3_bucket_public_access_block" "model_artifacts" {
  bucket                  = aws_s3_bucket.model_artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_logging" "model_artifacts" {
  bucket        = aws_s3_bucket.model_artifacts.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "model-artifacts/"
}

resource "aws_s3_bucket_policy" "model_artifacts" {
  bucket = aws_s3_bucket.model_artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["${aws_s3_bucket.model_artifacts.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }
    ]
  })
}
'''


def test_private_logged_s3_bucket_supports(tmp_path: Path) -> None:
    write(tmp_path, "infra/storage.tf", S3_PRIVATE_LOGGED)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert "acme-fraud-model-artifacts" in found.detail
    assert "public access blocked" in found.detail and "server access logging" in found.detail
    assert found.path == "infra/storage.tf" and found.line == 1


def test_blocked_but_not_logged_is_partial(tmp_path: Path) -> None:
    text = S3_PRIVATE_LOGGED.split('resource "aws_s3_bucket_logging"')[0]
    write(tmp_path, "infra/storage.tf", text)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "public access blocked" in evidence[0].detail
    assert "access is not logged" in evidence[0].detail


def test_partial_access_block_names_the_flags(tmp_path: Path) -> None:
    text = S3_PRIVATE_LOGGED.replace("restrict_public_buckets = true", "restrict_public_buckets = false")
    write(tmp_path, "infra/storage.tf", text)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "restrict_public_buckets" in evidence[0].detail
    assert "public access is not blocked" in evidence[0].detail


def test_public_acl_contradicts(tmp_path: Path) -> None:
    write(tmp_path, "infra/models.tf", '''\
resource "aws_s3_bucket" "models" {
  bucket = "acme-models"
}

resource "aws_s3_bucket_acl" "models" {
  bucket = aws_s3_bucket.models.id
  acl    = "public-read"
}
''')
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert 'acl = "public-read"' in evidence[0].detail
    assert evidence[0].line == 7


def test_policy_allowing_everyone_contradicts(tmp_path: Path) -> None:
    text = S3_PRIVATE_LOGGED.replace('Effect    = "Deny"', 'Effect    = "Allow"').replace(
        'Condition = { Bool = { "aws:SecureTransport" = "false" } }', "")
    write(tmp_path, "infra/storage.tf", text)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert 'Principal "*"' in evidence[0].detail


def test_policy_document_with_public_statement() -> None:
    heredoc = '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"}]}'
    assert policy_allows_public(heredoc)
    assert not policy_allows_public('{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}}]}')


def test_gcs_bucket_with_audit_logs_supports(tmp_path: Path) -> None:
    write(tmp_path, "terraform/gcs.tf", '''\
resource "google_storage_bucket" "training_datasets" {
  name                        = "acme-training-datasets"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

resource "google_project_iam_audit_config" "storage" {
  project = var.project
  service = "storage.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
}
''')
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Data Access audit logs" in evidence[0].detail


def test_gcs_all_users_member_contradicts(tmp_path: Path) -> None:
    write(tmp_path, "terraform/gcs.tf", '''\
resource "google_storage_bucket" "mlflow" {
  name = "acme-mlflow"
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.mlflow.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
''')
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert "allUsers" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud model\n\nModels are stored in S3.\n")
    assert run_detector(artifact_storage_terraform, tmp_path) == []


def test_website_bucket_is_not_artifact_storage(tmp_path: Path) -> None:
    write(tmp_path, "infra/site.tf", '''\
resource "aws_s3_bucket" "website" {
  bucket = "acme-marketing-site"
}
''')
    assert run_detector(artifact_storage_terraform, tmp_path) == []


def test_commented_out_controls_do_not_count(tmp_path: Path) -> None:
    commented = "\n".join(
        f"# {line}" if index > 4 else line for index, line in enumerate(S3_PRIVATE_LOGGED.splitlines())
    )
    write(tmp_path, "infra/storage.tf", commented)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "public access is not blocked" in evidence[0].detail and "not logged" in evidence[0].detail


def test_malformed_terraform_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "infra/storage.tf", 'resource "aws_s3_bucket" "models" {\n  bucket = "acme-models"\n')
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


POLICY_DOCUMENT = '''\
resource "aws_s3_bucket" "mlflow_artifacts" {
  bucket = "acme-mlflow-artifacts"
}

resource "aws_s3_account_public_access_block" "account" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_cloudtrail" "data_events" {
  name           = "s3-data-events"
  s3_bucket_name = "acme-cloudtrail"
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["${aws_s3_bucket.mlflow_artifacts.arn}/"]
    }
  }
}

data "aws_iam_policy_document" "mlflow" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid     = "TrackingServerReadsAndWrites"
    actions = ["s3:GetObject", "s3:PutObject"]
    principals {
      type        = "AWS"
      identifiers = [var.mlflow_role_arn]
    }
  }
}

resource "aws_s3_bucket_policy" "mlflow" {
  bucket = aws_s3_bucket.mlflow_artifacts.id
  policy = data.aws_iam_policy_document.mlflow.json
}
'''


def test_account_block_cloudtrail_and_private_policy_document_support(tmp_path: Path) -> None:
    write(tmp_path, "infra/mlflow.tf", POLICY_DOCUMENT)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "account-level public access block" in evidence[0].detail
    assert "CloudTrail data events" in evidence[0].detail


def test_policy_document_allowing_everyone_contradicts(tmp_path: Path) -> None:
    text = POLICY_DOCUMENT.replace("identifiers = [var.mlflow_role_arn]", 'identifiers = ["*"]')
    write(tmp_path, "infra/mlflow.tf", text)
    evidence = run_detector(artifact_storage_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert "acme-mlflow-artifacts" in evidence[0].detail

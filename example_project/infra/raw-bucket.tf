# The raw-data bucket of the fraud scorer: s3://acme-fraud-raw (docs/data.md, "Raw data is immutable").
#
#   exports/  daily authorisation exports, written once by the gateway's export job
#   dvc/      the DVC remote (.dvc/config): monthly snapshots, content-addressed, pushed by `retrain`
#
# Versioning plus Object Lock in COMPLIANCE mode: no one, including the account root, can delete
# or overwrite an object version for 400 days. Applied by the platform team's Terraform pipeline
# as module `fraud_raw_bucket` (state in their backend); changes are reviewed by both teams
# (.github/CODEOWNERS).

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

variable "export_job_role_arn" {
  description = "IAM role of the gateway's export job: the only writer of exports/."
  type        = string
}

variable "retrain_role_arn" {
  description = "IAM role of the monthly retrain job: the only writer of dvc/ (DVC pushes)."
  type        = string
}

variable "training_role_arn" {
  description = "IAM role of training and evaluation runs: read-only."
  type        = string
}

variable "access_log_bucket" {
  description = "The account's S3 server access log bucket (platform-owned)."
  type        = string
  default     = "acme-payments-s3-access-logs"
}

locals {
  retention_days = 400
  tags = {
    team        = "fraud-ml"
    service     = "fraud-scoring"
    data_class  = "payments-pseudonymous"
    cost_center = "payments-risk"
  }
}

resource "aws_s3_bucket" "raw" {
  bucket              = "acme-fraud-raw"
  object_lock_enabled = true
  tags                = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "raw" {
  bucket = aws_s3_bucket.raw.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_object_lock_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = local.retention_days
    }
  }
  depends_on = [aws_s3_bucket_versioning.raw]
}

resource "aws_s3_bucket_public_access_block" "raw" {
  bucket                  = aws_s3_bucket.raw.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "raw" {
  bucket = aws_s3_bucket.raw.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "raw" {
  bucket        = aws_s3_bucket.raw.id
  target_bucket = var.access_log_bucket
  target_prefix = "acme-fraud-raw/"
}

# Exports are kept for 400 days (docs/data.md); DVC snapshots stay, since models name them.
resource "aws_s3_bucket_lifecycle_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id

  rule {
    id     = "expire-daily-exports"
    status = "Enabled"
    filter {
      prefix = "exports/"
    }
    expiration {
      days = local.retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = local.retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.raw]
}

data "aws_iam_policy_document" "raw" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.raw.arn, "${aws_s3_bucket.raw.arn}/*"]
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
    sid       = "OnlyTheExportJobWritesExports"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.raw.arn}/exports/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [var.export_job_role_arn]
    }
  }

  statement {
    sid       = "OnlyRetrainWritesDvc"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.raw.arn}/dvc/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [var.retrain_role_arn]
    }
  }

  statement {
    sid       = "TrainingReads"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    resources = [aws_s3_bucket.raw.arn, "${aws_s3_bucket.raw.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = [var.training_role_arn, var.retrain_role_arn]
    }
  }
}

resource "aws_s3_bucket_policy" "raw" {
  bucket     = aws_s3_bucket.raw.id
  policy     = data.aws_iam_policy_document.raw.json
  depends_on = [aws_s3_bucket_public_access_block.raw]
}

output "bucket_arn" {
  description = "ARN of the raw-data bucket."
  value       = aws_s3_bucket.raw.arn
}

# The prediction log bucket of the fraud scorer: s3://acme-fraud-prediction-logs (docs/privacy.md,
# "Retention").
#
#   daily/  one JSON-lines file per day of the `fraud_scoring.predictions` log (app.py): transaction
#           id, request id, model version, features, score and decision of every authorisation,
#           shipped by the platform's Fluent Bit. Read by the drift and outcomes jobs and by the
#           A/B analysis of a release; the audit trail of every automated decision.
#
# Kept 400 days, the retention of docs/privacy.md, then deleted. Same module as raw-bucket.tf
# (variables, tags and the access log bucket).

variable "log_shipper_role_arn" {
  description = "IAM role of the platform's Fluent Bit: the only writer of daily/."
  type        = string
}

variable "jobs_role_arn" {
  description = "IAM role of the daily jobs (fraud-scoring-jobs): read-only."
  type        = string
}

locals {
  prediction_log_retention_days = 400
}

resource "aws_s3_bucket" "prediction_logs" {
  bucket = "acme-fraud-prediction-logs"
  tags   = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "prediction_logs" {
  bucket = aws_s3_bucket.prediction_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "prediction_logs" {
  bucket                  = aws_s3_bucket.prediction_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "prediction_logs" {
  bucket = aws_s3_bucket.prediction_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "prediction_logs" {
  bucket        = aws_s3_bucket.prediction_logs.id
  target_bucket = var.access_log_bucket
  target_prefix = "acme-fraud-prediction-logs/"
}

# Prediction records are kept 400 days after the day they were written, older versions too.
resource "aws_s3_bucket_lifecycle_configuration" "prediction_logs" {
  bucket = aws_s3_bucket.prediction_logs.id

  rule {
    id     = "expire-prediction-logs"
    status = "Enabled"
    filter {
      prefix = "daily/"
    }
    expiration {
      days = local.prediction_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.prediction_logs]
}

data "aws_iam_policy_document" "prediction_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.prediction_logs.arn, "${aws_s3_bucket.prediction_logs.arn}/*"]
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
    sid       = "ShipperWritesDailyLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.prediction_logs.arn}/daily/*"]
    principals {
      type        = "AWS"
      identifiers = [var.log_shipper_role_arn]
    }
  }

  statement {
    sid       = "JobsReadDailyLogs"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.prediction_logs.arn, "${aws_s3_bucket.prediction_logs.arn}/daily/*"]
    principals {
      type        = "AWS"
      identifiers = [var.jobs_role_arn]
    }
  }
}

resource "aws_s3_bucket_policy" "prediction_logs" {
  bucket = aws_s3_bucket.prediction_logs.id
  policy = data.aws_iam_policy_document.prediction_logs.json
}

"""Item 43 (pii-compliance): the `privacy-document` detector."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.governance import privacy_document

ITEM = "pii-compliance"

PRIVACY_DOC = """\
# Fraud scorer: privacy and data protection

Reviewed: 2026-06-10
Approved by: @dpo-team

## Personal data we process
- Customer email address and phone number, used to link transactions to an account.
- IP address of the device at checkout.

## Legal basis
Processing is covered by GDPR Article 6(1)(f), legitimate interest in fraud prevention.

## Retention
Raw transaction features are retained for 90 days, then deleted by the bucket lifecycle policy.

## Erasure requests
Right to erasure requests arrive through the support desk and are handled within 30 days
by running the erasure job for the customer id.
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_complete_privacy_document_supports(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": PRIVACY_DOC})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "GDPR" in detail and "retention periods" in detail and "erasure requests" in detail
    assert "2026-06-10" in detail and "@dpo-team" in detail
    assert evidence[0].path == "docs/privacy.md" and evidence[0].line == 1


def test_implementation_is_named_in_the_detail(tmp_path: Path) -> None:
    write(tmp_path, {
        "docs/privacy.md": PRIVACY_DOC,
        "infra/data.tf": """\
resource "aws_s3_bucket_lifecycle_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id
  rule {
    id     = "expire-raw"
    status = "Enabled"
    expiration {
      days = 90
    }
  }
}
""",
        "src/fraud/privacy.py": """\
from presidio_analyzer import AnalyzerEngine


def handle_erasure_request(customer_id: str, store) -> int:
    removed = store.delete_rows(customer_id=customer_id)
    return removed
""",
    })
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "S3 lifecycle on `raw` expires objects after 90 days" in detail
    assert "erasure handled by `handle_erasure_request` in `src/fraud/privacy.py:4`" in detail
    assert "PII scrubbing with `presidio_analyzer`" in detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Fraud scorer\n\nA gradient boosted model.\n", "src/app.py": "x = 1\n"})
    assert run_detector(privacy_document, tmp_path) == []


def test_we_comply_with_gdpr_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": "# Privacy\n\nWe comply with GDPR.\n"})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "which personal data is processed" in detail
    assert "how long data is kept" in detail and "deletion requests" in detail
    assert "no dated review" in detail and "approver" in detail


def test_missing_retention_only(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": PRIVACY_DOC.replace(
        "Raw transaction features are retained for 90 days, then deleted by the bucket lifecycle policy.",
        "Raw transaction features live in the feature store.")})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.startswith("privacy notes do not say how long data is kept")


def test_old_review_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": PRIVACY_DOC.replace("2026-06-10", "2024-03-01")})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "2024-03-01" in evidence[0].detail and "limit 365" in evidence[0].detail


def test_code_block_and_placeholders_do_not_count(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": """\
# Privacy

## Personal data
TODO

## Template
```
Personal data: email address. Retained for 90 days under GDPR. Right to erasure on request.
Reviewed: 2026-06-10 Approved by: @dpo
```
"""})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "privacy heading with nothing under it"


def test_code_block_content_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, {"docs/privacy.md": """\
# Privacy

We comply with GDPR. The template below is filled in per model.

```
Personal data: email address. Retained for 90 days. Right to erasure on request.
Reviewed: 2026-06-10 Approved by: @dpo
```
"""})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "which personal data is processed, how long data is kept or how deletion requests" in evidence[0].detail


def test_implementation_without_document_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/gdpr.py": """\
def delete_customer_data(customer_id, store):
    store.delete(customer_id)


def forget_user(user_id):
    raise NotImplementedError
"""})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "delete_customer_data" in evidence[0].detail and "no privacy document" in evidence[0].detail
    assert "forget_user" not in evidence[0].detail


def test_privacy_section_in_test_fixtures_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"tests/fixtures/privacy.md": PRIVACY_DOC})
    assert run_detector(privacy_document, tmp_path) == []


def test_unreadable_privacy_document(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "privacy.md").write_bytes(b"\xff\xfe\x00 not utf-8 \x80\x81")
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


def test_malformed_terraform_does_not_crash(tmp_path: Path) -> None:
    write(tmp_path, {
        "docs/privacy.md": PRIVACY_DOC,
        "infra/broken.tf": 'resource "aws_s3_bucket" "raw" {\n  lifecycle_rule {\n    expiration {\n',
    })
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_pending_approval_and_next_review_do_not_count(tmp_path: Path) -> None:
    text = PRIVACY_DOC.replace("Reviewed: 2026-06-10\nApproved by: @dpo-team\n",
                               "Next review: 2027-01-15\nApproval is pending with the DPO.\n")
    write(tmp_path, {"docs/privacy.md": text})
    evidence = run_detector(privacy_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "no dated review (`Reviewed: YYYY-MM-DD`) and no approver"

"""Safety net cost-monitoring: inference cost tracked against a budget."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_observability import cost_alerts, cost_budget_document, cost_budget_terraform

ITEM = "cost-monitoring"


def test_aws_budget_with_notification(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"infra/budget.tf": """
        resource "aws_budgets_budget" "inference" {
          name         = "ranker-inference"
          budget_type  = "COST"
          limit_amount = "4000"
          limit_unit   = "USD"
          time_unit    = "MONTHLY"

          notification {
            comparison_operator        = "GREATER_THAN"
            threshold                  = 80
            threshold_type             = "PERCENTAGE"
            notification_type          = "FORECASTED"
            subscriber_email_addresses = ["ml-platform@acme.io"]
          }
        }
    """})
    evidence = run_detector(cost_budget_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`aws_budgets_budget.inference`" in evidence[0].detail and evidence[0].line == 1


def test_budget_without_alerts_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"infra/budget.tf": """
        resource "google_billing_budget" "ml" {
          billing_account = "000000-000000-000000"
          amount {
            specified_amount { units = "3000" }
          }
        }
    """})
    evidence = run_detector(cost_budget_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no alert threshold" in evidence[0].detail


def test_unbalanced_terraform_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"infra/budget.tf": 'resource "aws_budgets_budget" "x" {\n  limit_amount = "1"\n'})
    assert verdicts(run_detector(cost_budget_terraform, tmp_path), ITEM) == ["unreadable"]


def test_cost_alert_rule(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"monitoring/cost.yaml": """
        groups:
          - name: cost
            rules:
              - alert: RankerHourlyCostHigh
                expr: sum(node_total_hourly_cost{nodepool="gpu"}) > 12
    """})
    evidence = run_detector(cost_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "crosses 12" in evidence[0].detail


def test_cost_dashboard_without_alert_is_partial_and_loss_is_not_cost(tmp_path: Path) -> None:
    (tmp_path / "dash.json").write_text(json.dumps({"title": "Cost", "uid": "c", "panels": [
        {"title": "GPU spend", "type": "timeseries", "targets": [{"expr": "sum(gpu_cost_dollars_total)"}]}]}))
    write_dedented(tmp_path, {"monitoring/train.yaml": """
        groups:
          - name: training
            rules:
              - alert: TrainingLossHigh
                expr: training_cost_function_loss > 3
    """})
    evidence = run_detector(cost_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "charts cost" in evidence[0].detail


def test_cost_section_in_docs(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        ## Inference cost

        - Budget: $4,000 per month for GPU serving, alert at 80%.
    """, "docs/other.md": """
        # Other

        ## Cost

        We should keep an eye on it.
    """, "docs/model.md": """
        # Model

        ## Cost function

        Weighted log loss with 10x weight on fraud.
    """})
    found = {item.path: item for item in run_detector(cost_budget_document, tmp_path)}
    assert set(found) == {"docs/launch.md", "docs/other.md"}
    assert found["docs/launch.md"].verdict == "supports"
    assert found["docs/other.md"].verdict == "partial" and "no budget figure" in found["docs/other.md"].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"infra/main.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n'})
    for found in (cost_budget_terraform, cost_alerts, cost_budget_document):
        assert run_detector(found, tmp_path) == []

# Monthly cost budget of the fraud scorer (docs/operations.md, "Cost"). Counts every cost tagged
# service=fraud-scoring: the buckets of this module and, through the EKS split cost allocation the
# platform team turned on, the pods of the scorer and of its jobs. Same module as raw-bucket.tf.
#
# The budget is the 2026 plan: about USD 1,900 a month at 3 to 10 pods, the daily jobs and the
# monthly retraining, plus room for the load tests. Finance reviews it with the yearly plan.

variable "budget_alert_emails" {
  description = "Who hears about the budget: the fraud-ml list and the payments-risk FinOps contact."
  type        = list(string)
  default     = ["fraud-ml@acme-payments.example", "finops-payments-risk@acme-payments.example"]
}

resource "aws_budgets_budget" "fraud_scoring" {
  name         = "fraud-scoring-monthly"
  budget_type  = "COST"
  limit_amount = "2500"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = ["user:service$fraud-scoring"]
  }

  # 80 % actually spent: look at the service dashboard's replica count and the jobs' durations.
  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = var.budget_alert_emails
  }

  # The month is forecast over budget: the fraud-ml lead decides with FinOps before it happens.
  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = var.budget_alert_emails
  }
}

"""Item 26 (horizontal-scaling): autoscalers in Kubernetes/Helm/KServe/Knative YAML and Terraform."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving_resilience import cloud_autoscaling, kubernetes_autoscaling

ITEM = "horizontal-scaling"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fraud-scorer
  namespace: fraud
spec:
  replicas: 3
  selector:
    matchLabels: {app: fraud-scorer}
  template:
    metadata:
      labels: {app: fraud-scorer}
    spec:
      containers:
        - name: scorer
          image: registry.example.com/fraud/scorer:1.14.2
          resources:
            limits: {cpu: "1", memory: 1Gi}
"""

HPA = """\
# Scale the scorer on CPU and on request rate (prometheus-adapter exposes http_requests_per_second).
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: fraud-scorer
  namespace: fraud
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {target}
  minReplicas: {low}
  maxReplicas: {high}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: 70}}
    - type: Pods
      pods:
        metric: {{name: http_requests_per_second}}
        target: {{type: AverageValue, averageValue: "40"}}
"""


def hpa(target: str = "fraud-scorer", low: int = 3, high: int = 12) -> str:
    return HPA.format(target=target, low=low, high=high)


def test_hpa_on_a_deployment_of_the_repository_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    write(tmp_path, "deploy/k8s/hpa.yaml", hpa())
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    [found] = evidence
    assert found.detail == (
        "HorizontalPodAutoscaler `fraud-scorer` scales Deployment `fraud-scorer` (deploy/k8s/deployment.yaml) "
        "from 3 to 12 replicas on cpu, http_requests_per_second"
    )
    assert (found.path, found.line) == ("deploy/k8s/hpa.yaml", 3)


def test_hpa_on_a_workload_that_does_not_exist_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    write(tmp_path, "deploy/k8s/hpa.yaml", hpa(target="fraud-scorer-v1"))
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no manifest in the repository defines Deployment `fraud-scorer-v1`" in evidence[0].detail


def test_hpa_with_equal_bounds_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    write(tmp_path, "deploy/k8s/hpa.yaml", hpa(low=3, high=3))
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "pins it to 3 replicas" in evidence[0].detail
    write(tmp_path, "deploy/k8s/hpa.yaml", hpa().replace("maxReplicas: 12", "maxReplicas:"))
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "HorizontalPodAutoscaler `fraud-scorer` on Deployment `fraud-scorer` has an empty maxReplicas"


def test_hpa_without_metrics_is_partial_and_v1_cpu_target_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    write(
        tmp_path,
        "deploy/k8s/hpa.yaml",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: fraud-scorer}\n  maxReplicas: 6\n"
        "---\n"
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: b}\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: fraud-scorer}\n  minReplicas: 2\n  maxReplicas: 6\n"
        "  targetCPUUtilizationPercentage: 60\n",
    )
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "supports"]
    assert evidence[0].detail == "HorizontalPodAutoscaler `a` on Deployment `fraud-scorer` names no metric to scale on"
    assert evidence[1].line == 9
    assert "from 2 to 6 replicas on cpu" in evidence[1].detail


HELM_HPA = """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "scorer.fullname" . }}
  labels:
    {{- include "scorer.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "scorer.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    {{- if .Values.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if .Values.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end }}
"""

HELM_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "scorer.fullname" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: scorer
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"""

HELM_VALUES = """\
replicaCount: 2
image:
  repository: registry.example.com/fraud/scorer
  tag: "1.14.2"
autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 100
  targetCPUUtilizationPercentage: 80
  # targetMemoryUtilizationPercentage: 80
"""


def helm_chart(root: Path, values: str = HELM_VALUES) -> None:
    write(root, "charts/scorer/Chart.yaml", "apiVersion: v2\nname: scorer\nversion: 0.3.0\n")
    write(root, "charts/scorer/templates/deployment.yaml", HELM_DEPLOYMENT)
    write(root, "charts/scorer/templates/hpa.yaml", HELM_HPA)
    write(root, "charts/scorer/values.yaml", values)


def test_helm_create_default_with_autoscaling_disabled_is_partial(tmp_path: Path) -> None:
    helm_chart(tmp_path)
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "HorizontalPodAutoscaler `{{…}}` on Deployment `{{…}}` is rendered only when `autoscaling.enabled` is true, "
        "and charts/scorer/values.yaml sets it to false"
    )


def test_helm_production_values_enabling_the_hpa_support(tmp_path: Path) -> None:
    helm_chart(tmp_path)
    write(tmp_path, "charts/scorer/values-prod.yaml", "autoscaling:\n  enabled: true\n  minReplicas: 3\n  maxReplicas: 20\n")
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.endswith(
        "from 3 to 20 replicas on cpu (values: charts/scorer/values-prod.yaml)"
    )


def test_helm_guard_with_and_not_is_read_whole(tmp_path: Path) -> None:
    helm_chart(tmp_path, HELM_VALUES.replace("enabled: false", "enabled: true") + "keda:\n  enabled: true\n")
    guarded = HELM_HPA.replace(
        "{{- if .Values.autoscaling.enabled }}", "{{- if and .Values.autoscaling.enabled (not .Values.keda.enabled) }}"
    )
    write(tmp_path, "charts/scorer/templates/hpa.yaml", guarded)
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith(
        "is rendered only when `autoscaling.enabled and not keda.enabled`, which charts/scorer/values.yaml does not "
        "satisfy"
    )
    write(tmp_path, "charts/scorer/values.yaml", HELM_VALUES.replace("enabled: false", "enabled: true"))
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.endswith("from 1 to 100 replicas on cpu (values: charts/scorer/values.yaml)")


def test_helm_values_that_enable_autoscaling_without_a_template_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "charts/scorer/Chart.yaml", "apiVersion: v2\nname: scorer\nversion: 0.3.0\n")
    write(tmp_path, "charts/scorer/templates/deployment.yaml", HELM_DEPLOYMENT)
    write(tmp_path, "charts/scorer/values.yaml", HELM_VALUES.replace("enabled: false", "enabled: true"))
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "charts/scorer/values.yaml enables autoscaling (1-100 replicas), but no template of charts/scorer renders "
        "a HorizontalPodAutoscaler"
    )


def test_fixed_replicas_alone_are_partial_and_an_empty_repository_gives_nothing(tmp_path: Path) -> None:
    assert run_detector(kubernetes_autoscaling, tmp_path) == []
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "Deployment `fraud-scorer` runs a fixed 3 replicas and no autoscaler was found"
    assert evidence[0].line == 7


def test_commented_out_hpa_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    commented = "\n".join(f"# {line}" if line else "#" for line in hpa().splitlines())
    write(tmp_path, "deploy/k8s/hpa.yaml", commented + "\n")
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "fixed 3 replicas" in evidence[0].detail


def test_keda_scaled_object_supports_and_without_triggers_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", DEPLOYMENT)
    write(
        tmp_path,
        "deploy/k8s/keda.yaml",
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: scorer-rps}\nspec:\n"
        "  scaleTargetRef: {name: fraud-scorer}\n  minReplicaCount: 2\n  maxReplicaCount: 30\n  triggers:\n"
        "    - type: prometheus\n      metadata:\n        serverAddress: http://prometheus.monitoring:9090\n"
        "        query: sum(rate(http_requests_total{service=\"fraud-scorer\"}[1m]))\n        threshold: \"50\"\n"
        "---\n"
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: idle}\nspec:\n"
        "  scaleTargetRef: {name: fraud-scorer}\n",
    )
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert "KEDA ScaledObject `scorer-rps` scales Deployment `fraud-scorer`" in evidence[0].detail
    assert "from 2 to 30 replicas on prometheus" in evidence[0].detail
    assert evidence[1].detail == "KEDA ScaledObject `idle` on Deployment `fraud-scorer` has no triggers: nothing makes it scale"


def test_kserve_and_knative_autoscaling(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/kserve/isvc.yaml",
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: fraud}\nspec:\n"
        "  predictor:\n    minReplicas: 1\n    maxReplicas: 8\n    scaleMetric: concurrency\n    scaleTarget: 10\n"
        "    sklearn: {storageUri: 's3://models/fraud/2026-11'}\n"
        "---\n"
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: raw\n"
        "  annotations: {serving.kserve.io/deploymentMode: RawDeployment}\nspec:\n"
        "  predictor:\n    sklearn: {storageUri: 's3://models/fraud/2026-11'}\n"
        "---\n"
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: ranker}\nspec:\n  template:\n"
        "    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: \"2\"\n"
        "        autoscaling.knative.dev/max-scale: \"2\"\n"
        "    spec:\n      containers: [{image: registry.example.com/ranker:3}]\n",
    )
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial", "partial"]
    assert evidence[0].detail == "InferenceService `fraud` autoscales from 1 to 8 replicas on scaleMetric concurrency, scaleTarget 10"
    assert "RawDeployment without maxReplicas" in evidence[1].detail
    assert evidence[2].detail == "Knative Service `ranker` is pinned to 2 replicas (maximum not above minimum)"


def test_azure_ml_online_deployment_scale_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        "azureml/deployment.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: fraud-endpoint\nmodel: azureml:fraud:14\ninstance_type: Standard_DS3_v2\n"
        "instance_count: 2\nscale_settings:\n  type: target_utilization\n  min_instances: 2\n  max_instances: 6\n",
    )
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "Azure ML online deployment `blue` scales from 2 to 6 instances on target utilization"


def test_malformed_manifest_that_mentions_an_hpa_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/hpa.yaml", "kind: HorizontalPodAutoscaler\nspec: [unclosed\n")
    write(tmp_path, "deploy/k8s/other.yaml", "kind: ConfigMap\ndata: [unclosed\n")
    evidence = run_detector(kubernetes_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "deploy/k8s/hpa.yaml"


SAGEMAKER_TF = """\
variable "max_instances" {
  type    = number
  default = 6
}

resource "aws_appautoscaling_target" "fraud_variant" {
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.fraud.name}/variant/primary"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 2
  max_capacity       = var.max_instances
}
"""

SAGEMAKER_POLICY = """\
resource "aws_appautoscaling_policy" "invocations" {
  name               = "fraud-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.fraud_variant.service_namespace
  resource_id        = aws_appautoscaling_target.fraud_variant.resource_id
  scalable_dimension = aws_appautoscaling_target.fraud_variant.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = 750
    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
"""


def test_sagemaker_autoscaling_target_with_a_policy_supports(tmp_path: Path) -> None:
    write(tmp_path, "infra/serving/autoscaling.tf", SAGEMAKER_TF + "\n" + SAGEMAKER_POLICY)
    evidence = run_detector(cloud_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "aws_appautoscaling_target `fraud_variant` scales the SageMaker endpoint variant between 2 and 6 instances "
        "with policy `invocations`"
    )
    assert (evidence[0].path, evidence[0].line) == ("infra/serving/autoscaling.tf", 6)


def test_target_without_policy_or_with_unknown_bound_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "infra/serving/autoscaling.tf", SAGEMAKER_TF)
    evidence = run_detector(cloud_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no scaling policy acts on it" in evidence[0].detail
    write(tmp_path, "infra/serving/autoscaling.tf", SAGEMAKER_TF.replace("default = 6", "") + SAGEMAKER_POLICY)
    evidence = run_detector(cloud_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "takes max_capacity from `var.max_instances`, which has no default" in evidence[0].detail


def test_tfvars_value_and_dynamodb_targets(tmp_path: Path) -> None:
    write(tmp_path, "infra/serving/autoscaling.tf", SAGEMAKER_TF.replace("default = 6", "default = 2") + SAGEMAKER_POLICY)
    write(tmp_path, "infra/serving/prod.tfvars", "max_instances = 10\n")
    write(
        tmp_path,
        "infra/tables/table.tf",
        'resource "aws_appautoscaling_target" "reads" {\n  service_namespace = "dynamodb"\n  min_capacity = 5\n'
        "  max_capacity = 50\n}\n",
    )
    evidence = run_detector(cloud_autoscaling, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "between 2 and 10 instances" in evidence[0].detail


def test_gce_autoscaler_and_malformed_terraform(tmp_path: Path) -> None:
    write(
        tmp_path,
        "infra/gce.tf",
        'resource "google_compute_autoscaler" "scorer" {\n  name   = "scorer"\n  target = google_compute_instance_group_manager.scorer.id\n'
        "  autoscaling_policy {\n    max_replicas = 8\n    min_replicas = 2\n    cooldown_period = 60\n"
        "    cpu_utilization {\n      target = 0.6\n    }\n  }\n}\n",
    )
    write(tmp_path, "infra/broken.tf", 'resource "aws_appautoscaling_target" "x" {\n  min_capacity = 1\n')
    evidence = run_detector(cloud_autoscaling, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["supports", "unreadable"]
    [supports] = [found for found in evidence if found.verdict == "supports"]
    assert supports.detail == "google_compute_autoscaler `scorer` scales from 2 to 8 replicas on cpu_utilization"
    assert supports.line == 4


def test_no_terraform_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", 'resource "aws_s3_bucket" "models" {\n  bucket = "acme-models"\n}\n')
    assert run_detector(cloud_autoscaling, tmp_path) == []

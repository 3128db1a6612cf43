"""Item 30 (resource-limits): cpu/memory/GPU limits on every container of every workload."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving import resource_limits

ITEM = "resource-limits"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fraud-scorer
  namespace: fraud
  labels: {app: fraud-scorer}
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
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 500m, memory: 1Gi}
{scorer_limits}
        - name: log-shipper
          image: fluent/fluent-bit:3.0
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {cpu: 100m, memory: 128Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: fraud-scorer
spec:
  selector: {app: fraud-scorer}
  ports:
    - port: 80
      targetPort: 8080
"""


def deployment(limits: bool) -> str:
    return DEPLOYMENT.replace("{scorer_limits}", "            limits: {cpu: '2', memory: 2Gi}" if limits else "")


def test_deployment_with_limits_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", deployment(limits=True))
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "2 containers in Deployment `fraud-scorer` set cpu and memory limits"
    assert evidence[0].path == "deploy/k8s/deployment.yaml"
    assert evidence[0].detector == "kubernetes-resources"


def test_requests_only_container_contradicts_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", deployment(limits=False))
    evidence = run_detector(resource_limits, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["contradicts", "supports"]
    [bad] = [found for found in evidence if found.verdict == "contradicts"]
    assert bad.detail == "container `scorer` in Deployment `fraud-scorer` sets requests but no limits"
    assert bad.line == 16


def test_no_manifests_gives_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scoring\n\nDeployed with `kubectl apply -k deploy/`.\n")
    write(tmp_path, "config/train.yaml", "model:\n  max_depth: 6\n  n_estimators: 400\nseed: 17\n")
    write(tmp_path, "deploy/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports: [{port: 80}]\n")
    assert run_detector(resource_limits, tmp_path) == []


def test_malformed_manifest_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "deploy/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n")
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "deploy/deployment.yaml"
    assert "could not be parsed as YAML" in evidence[0].detail


HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "fraud-scorer.fullname" . }}
  labels:
    {{- include "fraud-scorer.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""


def helm_chart(root: Path, values: str) -> None:
    write(root, "charts/fraud-scorer/Chart.yaml", "apiVersion: v2\nname: fraud-scorer\nversion: 0.4.1\nappVersion: 1.14.2\n")
    write(root, "charts/fraud-scorer/templates/deployment.yaml", HELM_TEMPLATE)
    write(root, "charts/fraud-scorer/values.yaml", values)


def test_helm_chart_with_limits_in_values_supports(tmp_path: Path) -> None:
    helm_chart(
        tmp_path,
        "replicaCount: 3\nimage:\n  repository: registry.example.com/fraud/scorer\n  tag: 1.14.2\n"
        "resources:\n  requests:\n    cpu: 500m\n    memory: 1Gi\n  limits:\n    cpu: 2\n    memory: 2Gi\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "takes its limits from charts/fraud-scorer/values.yaml" in evidence[0].detail


def test_helm_default_scaffold_values_contradict(tmp_path: Path) -> None:
    helm_chart(
        tmp_path,
        "replicaCount: 1\nresources: {}\n  # limits:\n  #   cpu: 100m\n  #   memory: 128Mi\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert "charts/fraud-scorer/values.yaml, which sets no cpu and memory limits" in evidence[0].detail
    assert evidence[0].path == "charts/fraud-scorer/values.yaml" and evidence[0].line == 2


INFERENCE_SERVICE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud-gbm
  namespace: models
spec:
  predictor:
    minReplicas: 2
    sklearn:
      storageUri: gs://fraud-models/gbm/v7
      resources:
        requests: {cpu: "1", memory: 2Gi}
{limits}
"""


def test_kserve_inference_service(tmp_path: Path) -> None:
    write(tmp_path, "serving/isvc.yaml", INFERENCE_SERVICE.replace("{limits}", '        limits: {cpu: "2", memory: 4Gi}'))
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "InferenceService `fraud-gbm`" in evidence[0].detail

    write(tmp_path, "serving/isvc.yaml", INFERENCE_SERVICE.replace("{limits}", ""))
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert "container `predictor.sklearn` in InferenceService `fraud-gbm` sets requests but no limits" == evidence[0].detail
    assert evidence[0].line == 9


def test_gpu_request_without_gpu_limit_contradicts(tmp_path: Path) -> None:
    write(
        tmp_path,
        "k8s/embedder.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: embedder}\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: triton\n          image: nvcr.io/nvidia/tritonserver:24.05-py3\n          resources:\n"
        "            requests: {cpu: '4', memory: 16Gi, nvidia.com/gpu: 1}\n            limits: {cpu: '8', memory: 24Gi}\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert "contradicts" in verdicts(evidence, ITEM)
    [gpu] = [found for found in evidence if found.verdict == "contradicts"]
    assert gpu.detail == "container `triton` in StatefulSet `embedder` requests `nvidia.com/gpu` without a GPU limit"


def test_limit_range_defaults_cover_containers_without_limits(tmp_path: Path) -> None:
    write(tmp_path, "deploy/k8s/deployment.yaml", deployment(limits=False))
    write(
        tmp_path,
        "deploy/k8s/limitrange.yaml",
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: fraud-defaults\n  namespace: fraud\nspec:\n  limits:\n"
        "    - type: Container\n      default: {cpu: '1', memory: 1Gi}\n      defaultRequest: {cpu: 250m, memory: 512Mi}\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert any("covered by the default limits of LimitRange `fraud-defaults`" in found.detail for found in evidence)


def test_kustomize_overlay_patch_sets_the_limits(tmp_path: Path) -> None:
    write(tmp_path, "deploy/base/kustomization.yaml", "resources:\n  - deployment.yaml\n")
    write(tmp_path, "deploy/base/deployment.yaml", deployment(limits=False))
    write(tmp_path, "deploy/overlays/prod/kustomization.yaml", "resources:\n  - ../../base\npatches:\n  - path: resources.yaml\n")
    write(
        tmp_path,
        "deploy/overlays/prod/resources.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fraud-scorer}\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: scorer\n          resources:\n            limits: {cpu: '2', memory: 2Gi}\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert "contradicts" not in verdicts(evidence, ITEM)
    assert any("from the Kustomize patch deploy/overlays/prod/resources.yaml" in found.detail for found in evidence)


def test_batch_jobs_seldon_and_knative_containers_are_checked(tmp_path: Path) -> None:
    write(
        tmp_path,
        "manifests/all.yaml",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly-retrain}\nspec:\n  schedule: '0 2 * * *'\n"
        "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n"
        "            - name: train\n              image: registry.example.com/fraud/train:1.14.2\n"
        "              resources: {limits: {cpu: '4'}}\n"
        "---\napiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata: {name: fraud-seldon}\nspec:\n  predictors:\n"
        "    - name: default\n      componentSpecs:\n        - spec:\n            containers:\n              - name: classifier\n"
        "                image: registry.example.com/fraud/seldon:1.0\n                resources: {limits: {cpu: '1', memory: 1Gi}}\n"
        "      graph: {name: classifier, type: MODEL}\n"
        "---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: fraud-explainer}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - image: registry.example.com/fraud/explainer:1.0\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    details = {found.detail: found.verdict for found in evidence}
    assert details["container `train` in CronJob `nightly-retrain` has no memory limit"] == "contradicts"
    assert details["container `#1` in Service `fraud-explainer` sets no resources"] == "contradicts"
    assert details["1 container in SeldonDeployment `fraud-seldon` sets cpu and memory limits"] == "supports"


def test_helm_limits_in_production_values_file(tmp_path: Path) -> None:
    helm_chart(tmp_path, "replicaCount: 1\nresources: {}\n")
    write(
        tmp_path,
        "charts/fraud-scorer/values-prod.yaml",
        "replicaCount: 4\nscorer:\n  resources:\n    limits: {cpu: '2', memory: 3Gi}\n",
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "takes its limits from charts/fraud-scorer/values-prod.yaml" in evidence[0].detail


def test_unparseable_chart_values_are_unreadable(tmp_path: Path) -> None:
    helm_chart(tmp_path, "resources:\n  limits: {cpu: 2, memory: [2Gi\n")
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "charts/fraud-scorer/values.yaml"


def test_helm_limits_written_key_by_key_count_as_set(tmp_path: Path) -> None:
    helm_chart(tmp_path, "limits:\n  cpu: 2\n  memory: 2Gi\n")
    write(
        tmp_path,
        "charts/fraud-scorer/templates/deployment.yaml",
        HELM_TEMPLATE.replace(
            "          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n",
            "          resources:\n            limits:\n              cpu: {{ .Values.limits.cpu }}\n"
            "              memory: {{ .Values.limits.memory | quote }}\n",
        ),
    )
    evidence = run_detector(resource_limits, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "1 container in Deployment `{{…}}` sets cpu and memory limits" == evidence[0].detail

"""Item 33 (shadow-deployment): mirrored traffic and a dated comparison with production predictions."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving_resilience import shadow_traffic

ITEM = "shadow-deployment"


VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: fraud-scorer
  namespace: fraud
spec:
  hosts: [fraud-scorer.fraud.svc.cluster.local]
  http:
    - route:
        - destination: {host: fraud-scorer.fraud.svc.cluster.local, subset: stable}
      mirror:
        host: fraud-scorer-candidate.fraud.svc.cluster.local
      mirrorPercentage:
        value: {percent}
      timeout: 300ms
"""

REPORT = """\
# Shadow run: fraud-lr-2026.11 against production

Candidate `fraud-lr-2026.11` received a mirrored copy of production traffic from 2026-10-01 to 2026-10-14
(10% of requests, 1.2 M transactions). Both models' scores were logged with the request id.

## Comparison with production

| Metric | Production (2026.10.1) | Shadow (2026.11) |
|---|---|---|
| Decision agreement | - | 98.7% |
| Mean absolute score difference | - | 0.013 |
| p99 latency | 41 ms | 44 ms |

## Conclusion

Promoted after review by @fraud-ml; no latency regression.
"""


def test_mirror_with_a_dated_comparison_report_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/istio/virtual-service.yaml", VIRTUAL_SERVICE.replace("{percent}", "10"))
    write(tmp_path, "reports/shadow/fraud-lr-2026.11.md", REPORT)
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "Istio VirtualService `fraud-scorer` mirrors 10% of traffic to `fraud-scorer-candidate.fraud.svc.cluster.local`; "
        "compared with production in reports/shadow/fraud-lr-2026.11.md (3 compared figures, dated 2026-10-01)"
    )
    assert (evidence[0].path, evidence[0].line) == ("deploy/istio/virtual-service.yaml", 2)


def test_mirror_without_comparison_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/istio/virtual-service.yaml", VIRTUAL_SERVICE.replace("{percent}", "10"))
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith("but no comparison with production predictions is recorded")


def test_mirror_of_zero_percent_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/istio/virtual-service.yaml", VIRTUAL_SERVICE.replace("{percent}", "0"))
    write(tmp_path, "reports/shadow/fraud-lr-2026.11.md", REPORT)
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "mirrors 0% of traffic" in evidence[0].detail
    assert evidence[1].detail.startswith("shadow comparison report reports/shadow/fraud-lr-2026.11.md")
    assert "no mirroring was found" in evidence[1].detail


def test_undated_report_and_a_plan_are_not_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/istio/virtual-service.yaml", VIRTUAL_SERVICE.replace("{percent}", "10"))
    undated = REPORT.replace(" from 2026-10-01 to 2026-10-14", "")
    write(tmp_path, "reports/shadow/fraud-lr-2026.11.md", undated)
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith(
        "the comparison reports/shadow/fraud-lr-2026.11.md (3 compared figures) has no date or period"
    )
    plan = (
        "# Shadow deployment plan (2026-09-01)\n\n## Comparison with production\n\n"
        "- We will mirror 10% of production traffic for two weeks.\n"
        "- Decision agreement must stay above 97%.\n\n"
        "```\nagreement: 98.7%  latency p99: 44 ms\n```\n"
    )
    write(tmp_path, "reports/shadow/fraud-lr-2026.11.md", plan)
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith("but no comparison with production predictions is recorded")


def test_seldon_shadow_and_a_comparison_job_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/seldon/fraud.yaml",
        "apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata: {name: fraud}\nspec:\n"
        "  predictors:\n    - name: main\n      replicas: 2\n      graph: {name: classifier, implementation: SKLEARN_SERVER,"
        " modelUri: 's3://models/fraud/2026.10'}\n"
        "    - name: candidate\n      shadow: true\n      graph: {name: classifier, implementation: SKLEARN_SERVER,"
        " modelUri: 's3://models/fraud/2026.11'}\n",
    )
    write(
        tmp_path,
        "jobs/shadow_report.py",
        '"""Nightly job: join shadow and production predictions by request id and report agreement."""\n'
        "import pandas as pd\n\n\n"
        "def compare(logs: pd.DataFrame) -> dict:\n"
        "    joined = logs.pivot(index='request_id', columns='predictor', values='score')\n"
        "    agreement = ((joined['candidate'] > 0.5) == (joined['main'] > 0.5)).mean()\n"
        "    gap = (joined['shadow_score'] - joined['prod_score']).abs().mean()\n"
        "    return {'agreement': float(agreement), 'mean_abs_gap': float(gap)}\n",
    )
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "SeldonDeployment `fraud` runs predictor `candidate` as a shadow; compared with production in `compare` "
        "(jobs/shadow_report.py:5)"
    )


def test_sagemaker_shadow_variant_and_json_report_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        "infra/endpoint.tf",
        'resource "aws_sagemaker_endpoint_configuration" "fraud" {\n  name = "fraud-2026-11"\n\n'
        "  production_variants {\n    variant_name = \"production\"\n    model_name = aws_sagemaker_model.current.name\n"
        "    initial_instance_count = 2\n    instance_type = \"ml.m5.large\"\n  }\n\n"
        "  shadow_production_variants {\n    variant_name = \"shadow-2026-11\"\n"
        "    model_name = aws_sagemaker_model.candidate.name\n    initial_instance_count = 1\n"
        "    instance_type = \"ml.m5.large\"\n  }\n}\n",
    )
    write(
        tmp_path,
        "reports/shadow-2026-11.json",
        '{"shadow_variant": "shadow-2026-11", "period": {"start": "2026-11-01", "end": "2026-11-08"},'
        ' "requests": 820113, "decisionAgreement": 0.987, "score_mae": 0.011}',
    )
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "aws_sagemaker_endpoint_configuration `fraud` sends a copy of traffic to shadow variant `shadow-2026-11`; "
        "compared with production in reports/shadow-2026-11.json (shadow metrics decisionAgreement, score_mae, "
        "dated 2026-11-01)"
    )
    assert evidence[0].line == 11


def test_serving_code_that_calls_a_shadow_model(tmp_path: Path) -> None:
    write(
        tmp_path,
        "serving/app.py",
        "import logging\n\nfrom fastapi import BackgroundTasks, FastAPI\n\nfrom serving.models import candidate, champion\n\n"
        "app = FastAPI()\nlog = logging.getLogger('shadow')\n\n\n"
        "def shadow_predict(request_id: str, features: dict) -> None:\n"
        "    log.info('shadow', extra={'request_id': request_id, 'score': candidate.predict(features)})\n\n\n"
        "@app.post('/score')\ndef score(features: dict, background: BackgroundTasks) -> dict:\n"
        "    background.add_task(shadow_predict, features['id'], features)\n"
        "    return {'score': champion.predict(features)}\n",
    )
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "serving code sends requests to the shadow model (`shadow_predict`, used in `score`), but no comparison with "
        "production predictions is recorded"
    )


def test_nothing_and_malformed_files(tmp_path: Path) -> None:
    write(tmp_path, "docs/mirrors.md", "# Package mirrors\n\nWe use the internal PyPI mirror at 10.0.0.4.\n")
    assert run_detector(shadow_traffic, tmp_path) == []
    write(tmp_path, "deploy/istio/vs.yaml", "kind: VirtualService\nspec: {http: [{mirror: \n")
    write(tmp_path, "reports/shadow.json", '{"shadow": ')
    evidence = run_detector(shadow_traffic, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable"]

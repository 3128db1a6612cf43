"""Safety net gradual-rollout: traffic steps in Kubernetes manifests and percentage rollouts of flags."""

from __future__ import annotations

from pathlib import Path

from conftest import TODAY, run_detector, verdicts, write_dedented

from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.config import LoadedSettings, resolve_config, validate_settings
from pytest_mlchecklist.detectors.safety_rollout import DETECTORS, flag_rollout, traffic_split_rollout
from pytest_mlchecklist.engine import evaluate
from pytest_mlchecklist.repo import RepoIndex

ITEM = "gradual-rollout"

ROLLOUT = """
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: ranker}
    spec:
      strategy:
        canary:
          steps:
            - setWeight: 1
            - pause: {duration: 1h}
            - setWeight: 10
            - pause: {duration: 1h}
            - setWeight: 50
            - pause: {}
"""


def test_argo_canary_steps_support(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/rollout.yaml": ROLLOUT})
    evidence = run_detector(traffic_split_rollout, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "1% → 10% → 50% → 100%" in evidence[0].detail
    assert evidence[0].path == "deploy/rollout.yaml" and evidence[0].line == 1


def test_istio_weighted_split_supports_and_single_route_is_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"mesh/vs.yaml": """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: scorer}
        spec:
          hosts: [scorer]
          http:
            - route:
                - destination: {host: scorer, subset: v1}
                  weight: 90
                - destination: {host: scorer, subset: v2}
                  weight: 10
    """, "mesh/other.yaml": """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: features}
        spec:
          http:
            - route:
                - destination: {host: features}
                  weight: 100
    """})
    evidence = run_detector(traffic_split_rollout, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`v2` 10%" in evidence[0].detail


def test_kserve_canary_percent(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"serving/isvc.yaml": """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: fraud}
        spec:
          predictor:
            canaryTrafficPercent: 20
            sklearn: {storageUri: "gs://models/fraud/v7"}
    """})
    evidence = run_detector(traffic_split_rollout, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "20%" in evidence[0].detail


def test_look_alikes_are_partial_or_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "deploy/bg.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: ranker}
            spec:
              strategy:
                blueGreen: {activeService: ranker, previewService: ranker-preview}
        """,
        "mesh/switch.yaml": """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: scorer}
            spec:
              http:
                - route:
                    - destination: {host: scorer, subset: v1}
                      weight: 100
                    - destination: {host: scorer, subset: v2}
                      weight: 0
        """,
    })
    evidence = run_detector(traffic_split_rollout, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "partial"]
    details = " ".join(found.detail for found in evidence)
    assert "blue-green" in details and "all traffic to one destination" in details


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: scorer}
        spec: {replicas: 2}
    """})
    assert run_detector(traffic_split_rollout, tmp_path) == []
    assert run_detector(flag_rollout, tmp_path) == []


def test_unparsable_manifest_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/rollout.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: [oops\n"})
    assert verdicts(run_detector(traffic_split_rollout, tmp_path), ITEM) == ["unreadable"]


def test_flagd_fractional_flag_for_the_model(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"flags/flagd.json": """
        {
          "flags": {
            "ranker-v2": {
              "state": "ENABLED",
              "variants": {"on": true, "off": false},
              "defaultVariant": "off",
              "targeting": {"fractional": [{"var": "user_id"}, ["on", 10], ["off", 90]]}
            }
          }
        }
    """})
    evidence = run_detector(flag_rollout, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`ranker-v2`" in evidence[0].detail and "10%" in evidence[0].detail


def test_unleash_and_launchdarkly(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"unleash/export.json": """
        {"features": [{"name": "new-scoring-model", "enabled": true,
          "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "25", "stickiness": "userId"}}]}]}
    """, "ld/flags.json": """
        {"flags": {"checkout-banner": {"key": "checkout-banner",
          "fallthrough": {"rollout": {"variations": [{"variation": 0, "weight": 95000}, {"variation": 1, "weight": 5000}]}}}}}
    """})
    evidence = sorted(run_detector(flag_rollout, tmp_path), key=lambda found: found.path or "")
    assert [found.verdict for found in evidence] == ["partial", "supports"]
    assert "nothing says it switches the model" in evidence[0].detail  # a banner flag is not the model
    assert "Unleash `flexibleRollout`" in evidence[1].detail and "25%" in evidence[1].detail


def test_on_off_flag_is_not_a_rollout(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"flags/flags.yaml": """
        flags:
          ranker_v3:
            enabled: true
            description: switch the ranker to v3 (rollout next week)
    """})
    assert run_detector(flag_rollout, tmp_path) == []


def test_in_house_rollout_stages(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/release.yaml": """
        model_rollout:
          flag: fraud_model_v4
          rollout_stages: [1, 10, 50, 100]
    """})
    evidence = run_detector(flag_rollout, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "1% / 10% / 50% / 100%" in evidence[0].detail


def test_broken_flag_file_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"flags/flagd.json": '{"flags": {"ranker-v2": {"targeting": {"fractional": [["on", 10]'})
    assert verdicts(run_detector(flag_rollout, tmp_path), ITEM) == ["unreadable"]


def test_item_is_met_in_the_safety_nets_catalog(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/rollout.yaml": ROLLOUT})
    settings = validate_settings({"catalog": "safety-nets", "profile": "safety-nets"}, source="test")
    config = resolve_config(LoadedSettings(settings=settings, source=None, kind="defaults"),
                            load_builtin_catalog("safety-nets"), today=TODAY)
    result = evaluate(config, RepoIndex(tmp_path), detectors=DETECTORS, test_run=False)
    statuses = {found.item.id: found.status for found in result.items}
    assert statuses["gradual-rollout"] == "met"
    assert statuses["rollback-owner"] == "unmet"

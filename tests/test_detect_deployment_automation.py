"""Safety-nets item deployment-automation: deploys go through automation, not SSH."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_team import deploy_pipeline, gitops_manifests, manual_deploy_runbook

ITEM = "deployment-automation"


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("helm upgrade --install scorer charts/scorer --atomic", "`helm upgrade`"),
        ("kubectl apply -k deploy/overlays/prod", "`kubectl apply`"),
        ("argocd app sync scorer --prune", "`argocd app sync`"),
        ("terraform -chdir=infra apply -auto-approve", "`terraform apply`"),
        ("aws sagemaker update-endpoint --endpoint-name scorer --endpoint-config-name scorer-v12", "`aws sagemaker update-endpoint`"),
        ("gcloud run deploy scorer --image $IMAGE --region europe-west1", "`gcloud run deploy`"),
    ],
)
def test_deploy_commands_in_a_workflow_support(tmp_path: Path, script: str, words: str) -> None:
    write_dedented(tmp_path, {".github/workflows/deploy.yml": f"""
        name: deploy
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: {script}
    """})
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert words in evidence[0].detail and "on push" in evidence[0].detail and "`release`" in evidence[0].detail
    assert evidence[0].line == 10


def test_staging_deploy_with_the_namespace_before_the_verb(tmp_path: Path) -> None:
    # The shape of a CI workflow that tests, builds, then deploys to staging on main.
    write_dedented(tmp_path, {".github/workflows/ci.yml": """
        name: ci
        on:
          pull_request:
          push:
            branches: [main]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: pytest --ml-checklist
          deploy-staging:
            needs: test
            if: github.ref == 'refs/heads/main'
            runs-on: [self-hosted, scoring-staging]
            steps:
              - name: Build and push the images
                run: |
                  docker build -t registry.example.com/scorer:${GITHUB_SHA::12} .
                  docker push registry.example.com/scorer:${GITHUB_SHA::12}
              - name: Deploy to staging
                run: |
                  kubectl -n scoring-staging apply -f deploy/k8s/
                  kubectl -n scoring-staging set image deployment/scorer \\
                    scorer=registry.example.com/scorer:${GITHUB_SHA::12}
    """})
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "CI job `deploy-staging` deploys with `kubectl apply`" in evidence[0].detail
    assert evidence[0].line == 22


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("helm -n scoring upgrade --install scorer charts/scorer", "`helm upgrade`"),
        ("helm --kube-context prod upgrade scorer charts/scorer", "`helm upgrade`"),
        ("kubectl --context prod-eu apply -f deploy/", "`kubectl apply`"),
        ("kubectl --namespace=scoring apply -f deploy/", "`kubectl apply`"),
        ("kubectl --namespace scoring --context prod set image deployment/scorer scorer=img:1", "`kubectl set`"),
        ("aws --region eu-west-1 sagemaker update-endpoint --endpoint-name scorer", "`aws sagemaker update-endpoint`"),
    ],
)
def test_global_options_before_the_verb(tmp_path: Path, script: str, words: str) -> None:
    write_dedented(tmp_path, {".github/workflows/deploy.yml": f"""
        on: {{push: {{branches: [main]}}}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: {script}
    """})
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert words in evidence[0].detail


def test_global_options_before_a_read_only_verb_are_not_deploys(tmp_path: Path) -> None:
    # The value of `-n` / `--context` is no longer read as the verb, and the real verb reads only.
    write_dedented(tmp_path, {".github/workflows/ci.yml": """
        on: [push]
        jobs:
          check:
            runs-on: ubuntu-latest
            steps:
              - run: kubectl -n apply get pods
              - run: kubectl --context apply diff -f deploy/
              - run: helm -n upgrade status scorer
              - run: kubectl --namespace=scoring apply --dry-run=server -f deploy/
    """})
    assert run_detector(deploy_pipeline, tmp_path) == []


def test_make_target_and_python_deploy_script(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        ".gitlab-ci.yml": """
            deploy:
              stage: deploy
              script:
                - python scripts/release.py --stage prod
              rules:
                - if: $CI_COMMIT_TAG
        """,
        "scripts/release.py": """
            from sagemaker.model import Model


            def main():
                Model(image_uri="x", model_data="s3://m/v12.tar.gz").deploy(initial_instance_count=2)
        """,
    })
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`scripts/release.py` calls `deploy`" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/model.py": "x = 1\n"})
    assert run_detector(deploy_pipeline, tmp_path) == []
    assert run_detector(gitops_manifests, tmp_path) == []
    assert run_detector(manual_deploy_runbook, tmp_path) == []


def test_test_only_workflow_and_dry_runs_are_not_deploys(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/ci.yml": """
        on: [push, pull_request]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: pip install -e . && pytest -q
              - run: helm lint charts/scorer && helm template charts/scorer
              - run: kubectl apply --dry-run=client -f deploy/
              - run: terraform plan
              - run: docker push registry.example.com/scorer:latest
    """})
    assert run_detector(deploy_pipeline, tmp_path) == []


def test_ssh_from_ci_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/deploy.yml": """
        on: {push: {branches: [main]}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: scp model.pkl deploy@prod-1:/srv/model/
              - run: ssh deploy@prod-1 'sudo systemctl restart scorer'
    """})
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`scp`" in evidence[0].detail


def test_manual_dispatch_is_named(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/deploy.yml": """
        on: workflow_dispatch
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: azure/k8s-deploy@v5
                with: {manifests: deploy/}
    """})
    evidence = run_detector(deploy_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "azure/k8s-deploy" in evidence[0].detail and "by hand" in evidence[0].detail


def test_malformed_workflow_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/deploy.yml": "jobs:\n  deploy: [\n"})
    assert verdicts(run_detector(deploy_pipeline, tmp_path), ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- GitOps
def test_argo_cd_application_and_flux(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "gitops/scorer.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: scorer
            spec:
              project: ml
              source:
                repoURL: https://git.example.com/ml/scorer.git
                path: deploy/overlays/prod
                targetRevision: main
              destination:
                server: https://kubernetes.default.svc
                namespace: scorer
              syncPolicy:
                automated: {prune: true, selfHeal: true}
        """,
        "clusters/prod/scorer.yaml": """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: scorer
            spec:
              interval: 10m
              path: ./deploy/prod
              sourceRef: {kind: GitRepository, name: scorer}
              suspend: true
        """,
    })
    evidence = run_detector(gitops_manifests, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "supports"]
    by_path = {found.path: found for found in evidence}
    assert "syncs automatically" in by_path["gitops/scorer.yaml"].detail
    assert by_path["gitops/scorer.yaml"].line == 2
    assert "suspended" in by_path["clusters/prod/scorer.yaml"].detail


def test_argo_workflow_is_not_a_deploy(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"pipelines/train.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: train}
        spec: {entrypoint: train}
    """})
    assert run_detector(gitops_manifests, tmp_path) == []


# ---------------------------------------------------------------------- SSH runbooks
def test_ssh_runbook_contradicts(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/runbooks/release.md": """
        # Releasing a new model

        ## Deploy
        1. Copy the model file to the shared drive.
        2. Run `ssh prod-scorer-1` and restart the service with `sudo systemctl restart scorer`.
        3. Check the logs.
    """})
    evidence = run_detector(manual_deploy_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert evidence[0].line == 5


def test_ssh_outside_deploy_or_forbidden_is_fine(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/runbooks/debug.md": """
        # Debugging

        ## Reading logs on the bastion
        - Run `ssh bastion` and tail the scorer logs.

        ## Deploy
        - Never `ssh prod` to change anything: merge to main and the pipeline deploys.
        - Watch the rollout in Argo CD.
    """})
    assert run_detector(manual_deploy_runbook, tmp_path) == []


def test_applying_to_a_throwaway_test_cluster_is_not_a_deploy(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/e2e.yml": """
        on: [pull_request]
        jobs:
          e2e:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: kind create cluster --name e2e
              - run: kubectl apply -f deploy/
              - run: pytest tests/e2e
          e2e-action:
            runs-on: ubuntu-latest
            steps:
              - uses: helm/kind-action@v1
              - run: helm install scorer charts/scorer --wait
    """})
    assert run_detector(deploy_pipeline, tmp_path) == []


def test_engine_a_manual_runbook_keeps_the_item_unmet_beside_a_pipeline(tmp_path: Path) -> None:
    from conftest import TODAY

    from pytest_mlchecklist.catalog import load_builtin_catalog
    from pytest_mlchecklist.config import LoadedSettings, resolve_config, validate_settings
    from pytest_mlchecklist.detectors.safety_team import DETECTORS
    from pytest_mlchecklist.engine import evaluate
    from pytest_mlchecklist.repo import RepoIndex

    write_dedented(tmp_path, {".github/workflows/deploy.yml": """
        on: {push: {branches: [main]}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: helm upgrade --install scorer charts/scorer
    """})
    loaded = LoadedSettings(settings=validate_settings({"profile": [ITEM]}, source="test"), source=None, kind="defaults")
    config = resolve_config(loaded, load_builtin_catalog("safety-nets"), today=TODAY)
    result = evaluate(config, RepoIndex(tmp_path), detectors=DETECTORS)
    assert [item.status for item in result.items] == ["met"]

    write_dedented(tmp_path, {"docs/release.md": "# Release\n\n## Hotfix\n- Run `ssh prod-1` and restart the scorer.\n"})
    result = evaluate(config, RepoIndex(tmp_path), detectors=DETECTORS)
    assert [item.status for item in result.items] == ["unmet"]


def test_broken_workflow_that_cannot_deploy_is_not_reported(tmp_path: Path) -> None:
    write_dedented(tmp_path, {".github/workflows/lint.yml": "jobs:\n  lint:\n    steps: [\n      - run: ruff check .\n"})
    assert run_detector(deploy_pipeline, tmp_path) == []

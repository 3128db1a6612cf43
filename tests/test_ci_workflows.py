"""The shared CI reader: GitHub Actions and GitLab CI workflows, triggers, steps and shell commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_file as write
from pytest_mlchecklist.detectors.ci_workflows import (
    CiPipelines,
    Command,
    ci_pipelines,
    expand_command,
    makefile_recipes,
    repo_path,
    split_commands,
)
from pytest_mlchecklist.repo import RepoIndex


def pipelines(root: Path) -> CiPipelines:
    return ci_pipelines(RepoIndex(root))


GITHUB_CI = """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "0 4 * * 1"
  workflow_dispatch:

defaults:
  run:
    working-directory: services/scorer

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Unit tests
        run: |
          pip install -e ".[dev]"
          pytest -q tests/unit
  quality:
    needs: [test]
    if: github.event_name != 'schedule'
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: python -m scorer.evaluate --check
  nightly:
    if: ${{ github.event_name == 'schedule' }}
    runs-on: ubuntu-latest
    steps:
      - run: python -m scorer.retrain
      - name: Roll back
        if: failure()
        working-directory: deploy
        run: helm rollback scorer
"""


def test_github_workflow_triggers_schedules_jobs_and_steps(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", GITHUB_CI)
    found = pipelines(tmp_path)
    assert found.unreadable == ()
    (workflow,) = found.workflows
    assert workflow.kind == "github" and workflow.name == "ci"
    # YAML 1.1 reads the key `on` as True: both spellings are handled
    assert workflow.triggers == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert [(schedule.cron, schedule.line) for schedule in workflow.schedules] == [("0 4 * * 1", 7)]
    test, quality, nightly = workflow.jobs
    assert (test.name, test.line, test.runs_on_change) == ("test", 15, True)
    checkout, setup, unit = test.steps
    assert checkout.uses == "actions/checkout@v4" and setup.inputs == {"python-version": "3.11"}
    assert unit.name == "Unit tests" and unit.line == 22 and unit.working_directory == "services/scorer"
    commands = unit.commands()
    assert [command.argv for command in commands] == [("pip", "install", "-e", ".[dev]"), ("pytest", "-q", "tests/unit")]
    assert [command.line for command in commands] == [24, 25]
    assert commands[1].cwd == "services/scorer"
    assert quality.needs == ("test",) and quality.triggers == {"pull_request", "push", "workflow_dispatch"}
    assert quality.allowed_to_fail and quality.steps[0].allowed_to_fail
    assert nightly.triggers == {"schedule"} and not nightly.runs_on_change
    rollback = nightly.steps[1]
    assert rollback.on_failure and not nightly.steps[0].on_failure
    assert rollback.working_directory == "deploy"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("on: push", {"push"}),
        ("on: [push, pull_request]", {"push", "pull_request"}),
        ('"on": {workflow_dispatch: null}', {"workflow_dispatch"}),
        ("true: [schedule]", {"schedule"}),
    ],
)
def test_github_trigger_spellings(tmp_path: Path, on: str, expected: set[str]) -> None:
    write(tmp_path, ".github/workflows/w.yaml", f"{on}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n")
    (workflow,) = pipelines(tmp_path).workflows
    assert workflow.triggers == expected


def test_reusable_workflow_inherits_the_callers_triggers(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", """\
on: [pull_request]
jobs:
  evaluate:
    uses: ./.github/workflows/evaluate.yml
""")
    write(tmp_path, ".github/workflows/evaluate.yml", """\
on: workflow_call
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - run: python scripts/gate.py
""")
    found = {workflow.path: workflow for workflow in pipelines(tmp_path).workflows}
    assert found[".github/workflows/ci.yml"].jobs[0].uses == "./.github/workflows/evaluate.yml"
    gate = found[".github/workflows/evaluate.yml"].jobs[0]
    assert gate.triggers == {"pull_request"} and gate.runs_on_change


def test_disabled_job_has_no_trigger(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs:\n  off:\n    if: false\n    steps:\n      - run: pytest\n")
    (job,) = pipelines(tmp_path).workflows[0].jobs
    assert job.triggers == frozenset() and not job.runs_on_change


def test_gitlab_pipeline_with_includes_templates_and_rules(tmp_path: Path) -> None:
    write(tmp_path, ".gitlab-ci.yml", """\
include:
  - local: ci/templates.yml
  - project: platform/ci-templates
    file: /python.yml
  - remote: https://example.com/ci.yml

stages: [test, evaluate, retrain]

default:
  before_script:
    - pip install -e .

unit:
  stage: test
  script:
    - pytest tests/unit

evaluate:
  extends: .python
  stage: evaluate
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - !reference [.setup, script]
    - python scripts/evaluate.py --check
  allow_failure: true

retrain:
  stage: retrain
  rules:
    - !reference [.schedule-rules, rules]
  script: python -m scorer.retrain
  after_script:
    - python scripts/notify.py

deploy:
  stage: retrain
  when: manual
  script: [helm upgrade scorer charts/scorer]

.never:
  script: [echo hidden]
""")
    write(tmp_path, "ci/templates.yml", """\
.python:
  image: python:3.11
  tags: [docker]
.setup:
  script:
    - export MODEL_DIR=artifacts
.schedule-rules:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
lint:
  script: [ruff check .]
  only: [merge_requests]
""")
    found = pipelines(tmp_path)
    assert found.unreadable == ()
    (workflow,) = found.workflows
    assert workflow.kind == "gitlab" and workflow.includes == ("ci/templates.yml",)
    jobs = {job.name: job for job in workflow.jobs}
    assert set(jobs) == {"lint", "unit", "evaluate", "retrain", "deploy"}
    assert jobs["lint"].path == "ci/templates.yml" and jobs["lint"].triggers == {"merge_request"}
    unit = jobs["unit"]
    assert unit.runs_on_change and [step.name for step in unit.steps] == ["before_script", "script"]
    assert unit.steps[0].run == "pip install -e ." and unit.steps[1].line == 16
    evaluate = jobs["evaluate"]
    assert "merge_request" in evaluate.triggers and "push" in evaluate.triggers
    assert evaluate.allowed_to_fail and evaluate.stage == "evaluate"
    script = evaluate.steps[-1]
    assert [command.argv[0] for command in script.commands()] == ["export", "python"]
    retrain = jobs["retrain"]
    assert retrain.triggers == {"schedule"} and not retrain.runs_on_change
    assert retrain.steps[-1].name == "after_script" and retrain.steps[-1].allowed_to_fail
    assert jobs["deploy"].manual and not jobs["deploy"].runs_on_change


def test_gitlab_only_except_and_workflow_rules(tmp_path: Path) -> None:
    write(tmp_path, ".gitlab-ci.yml", """\
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_PIPELINE_SOURCE == "schedule"
nightly:
  only: [schedules]
  script: [python train.py]
check:
  except: [schedules]
  script: [pytest]
""")
    jobs = {job.name: job for job in pipelines(tmp_path).workflows[0].jobs}
    assert jobs["nightly"].triggers == {"schedule"}
    assert jobs["check"].triggers == set()  # branch pipelines are not allowed by the workflow rules


def test_malformed_and_odd_files_are_reported_or_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/broken.yml", "on: push\njobs:\n  a:\n    steps: [\n")
    write(tmp_path, ".github/workflows/notes.yml", "- just a list\n")
    write(tmp_path, ".github/workflows/nested/skip.yml", "on: push\njobs: {a: {steps: [{run: pytest}]}}\n")
    found = pipelines(tmp_path)
    assert found.workflows == ()
    assert [path for path, _ in found.unreadable] == [".github/workflows/broken.yml"]
    assert "could not be parsed as YAML" in found.unreadable[0][1]


# ---------------------------------------------------------------------- shell commands
def test_split_commands_handles_wrappers_continuations_cd_and_fallbacks() -> None:
    script = """\
set -euo pipefail
# evaluate the candidate
PYTHONPATH=src uv run --with pandas python -m scorer.evaluate \\
    --config configs/eval.yaml --min-auc 0.85
cd services/api && timeout 600 pytest tests/ || echo "tests failed"
dvc metrics diff main || true
"""
    commands = split_commands([(10, script)], path="ci.yml")
    assert [command.argv[:3] for command in commands] == [
        ("set", "-euo", "pipefail"),
        ("python", "-m", "scorer.evaluate"),
        ("pytest", "tests/"),
        ("dvc", "metrics", "diff"),
    ]
    evaluate, pytest_command, diff = commands[1:]
    assert evaluate.line == 12 and evaluate.program == "scorer.evaluate"
    assert evaluate.arguments == ("--config", "configs/eval.yaml", "--min-auc", "0.85")
    assert pytest_command.cwd == "services/api" and pytest_command.allowed_to_fail
    assert diff.allowed_to_fail


def test_python_calls_scripts_modules_inline_code_and_heredocs() -> None:
    commands = split_commands([(1, """\
python3 -u scripts/gate.py --strict
python -c "import json; assert json.load(open('m.json'))['auc'] > 0.8"
python - <<'EOF'
import json
assert json.load(open("m.json"))["auc"] > 0.8
EOF
./scripts/run.sh
""")], path="ci.yml", cwd="svc")
    script, inline, heredoc, other = commands
    assert script.python_call().script == "svc/scripts/gate.py" and script.python_call().arguments == ("--strict",)
    assert "assert" in (inline.python_call().code or "")
    call = heredoc.python_call()
    assert call is not None and call.code is not None and call.code.splitlines()[1].startswith("assert")
    assert call.code_line == 4
    assert other.python_call() is None and other.program == "run.sh"


def test_unbalanced_quotes_do_not_raise() -> None:
    commands = split_commands([(1, "echo 'unfinished\npytest -q")], path="x")
    assert commands[-1].argv == ("pytest", "-q")


@pytest.mark.parametrize(
    ("cwd", "path", "expected"),
    [("", "tests", "tests"), ("svc", "../tests/x.py", "tests/x.py"), ("svc", ".", "svc"), ("", ".", ""),
     ("a", "$GITHUB_WORKSPACE/tests", "tests"), ("", "${{ github.workspace }}/b", "b")],
)
def test_repo_path(cwd: str, path: str, expected: str) -> None:
    assert repo_path(cwd, path) == expected


# ---------------------------------------------------------------------- make and dvc
def test_makefile_recipes_and_expansion(tmp_path: Path) -> None:
    makefile = "PY := python\n.PHONY: test eval\n\ntest: deps\n\t@pytest -q\n\neval:\n\t$(PYTHON) scripts/eval.py --check\n"
    assert makefile_recipes(makefile) == {".PHONY": [], "test": [(5, "pytest -q")], "eval": [(8, "$(PYTHON) scripts/eval.py --check")]}
    write(tmp_path, "Makefile", makefile)
    write(tmp_path, "dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n  evaluate:\n    cmd:\n"
          "      - python -m scorer.evaluate --check\n    wdir: services\n")
    index = RepoIndex(tmp_path)
    make = Command(argv=("make", "eval"), path="ci.yml", line=3)
    (expanded,) = expand_command(index, make)
    assert expanded.path == "Makefile" and expanded.line == 8 and expanded.via == "make eval"
    assert expanded.python_call().script == "scripts/eval.py"
    default = expand_command(index, Command(argv=("make",), path="ci.yml", line=3))
    assert [command.argv for command in default] == [("pytest", "-q")]
    stages = expand_command(index, Command(argv=("dvc", "repro", "evaluate"), path="ci.yml", line=4))
    assert [(command.program, command.cwd, command.via) for command in stages] == [
        ("scorer.evaluate", "services", "dvc repro stage `evaluate`")]
    assert len(expand_command(index, Command(argv=("dvc", "repro"), path="ci.yml", line=4))) == 2
    assert expand_command(index, Command(argv=("make", "-C", "missing"), path="ci.yml", line=1)) == []

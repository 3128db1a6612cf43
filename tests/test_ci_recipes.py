"""The CI recipes in docs/ci/ are runnable: their YAML parses into the structure each CI system
expects, and their `pytest` and `ml-checklist` commands pass on a copy of example_project/.

The commands are taken from the snippets as written (`run:` steps, `script:` lines, hook
`entry` + `args`, and the one-time ```console set-up lines); the only thing added is the
evaluation date (`--ml-checklist-today` / `--today`), so that the example's dated evidence gives
the same verdicts whatever day the suite runs.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_mlchecklist import cli

ROOT = Path(__file__).resolve().parents[1]
CI_DOCS = ROOT / "docs" / "ci"
EXAMPLE = ROOT / "example_project"
TODAY = "2026-11-30"
#: A day when the example's waivers have expired and its rehearsal dates are stale.
LATER = "2028-01-31"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
RUNNABLE = ("pytest", "ml-checklist")


# ---------------------------------------------------------------------- reading the recipes
def fenced(page: str, lang: str) -> list[str]:
    """The bodies of the fenced blocks of one language in a docs/ci page."""
    text = (CI_DOCS / page).read_text(encoding="utf-8")
    return [match.group("body") for match in FENCE.finditer(text) if match.group("lang") == lang]


def yaml_blocks(page: str) -> list[Any]:
    return [yaml.safe_load(body) for body in fenced(page, "yaml")]


def commands(script: str) -> list[list[str]]:
    """The `pytest ...` and `ml-checklist ...` command lines of a shell script, as argv lists."""
    joined = script.replace("\\\n", " ")
    argvs = [shlex.split(line, comments=True) for line in joined.splitlines()]
    return [argv for argv in argvs if argv and argv[0] in RUNNABLE]


def setup_commands(page: str) -> list[list[str]]:
    """The one-time commands of a page (its ```console blocks), e.g. recording the baseline."""
    return [argv for body in fenced(page, "console") for argv in commands(body)]


def github_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def gitlab_jobs(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}


# ---------------------------------------------------------------------- running them
@pytest.fixture
def example(pytester: pytest.Pytester) -> Path:
    """A copy of example_project/ as the pytester folder (the current directory), so that the
    recipes never write into the real example."""
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".pytest_cache", "__pycache__", ".mlchecklist*"))
    return pytester.path


def run(pytester: pytest.Pytester, argv: list[str], today: str = TODAY) -> tuple[int, str]:
    """Run one recipe command in the example copy; returns its exit code and output."""
    if argv[0] == "pytest":
        result = pytester.runpytest_subprocess(*argv[1:], f"--ml-checklist-today={today}")
        return int(result.ret), result.stdout.str() + result.stderr.str()
    return cli.main([*argv[1:], "--today", today]), ""


def run_all(pytester: pytest.Pytester, argvs: list[list[str]]) -> None:
    assert argvs, "a recipe without any command to run"
    for argv in argvs:
        code, output = run(pytester, argv)
        assert code == 0, (shlex.join(argv), output[-6000:])


# ---------------------------------------------------------------------- every page
@pytest.mark.parametrize("page", ["github-actions.md", "gitlab-ci.md", "pre-commit.md"])
def test_every_yaml_snippet_parses(page: str) -> None:
    blocks = yaml_blocks(page)
    assert len(blocks) >= 2
    assert all(isinstance(block, (dict, list)) for block in blocks)


# ---------------------------------------------------------------------- GitHub Actions
def test_github_workflows_have_the_expected_shape() -> None:
    workflows = yaml_blocks("github-actions.md")
    for workflow in workflows:
        assert "on" in workflow or True in workflow  # YAML 1.1 reads a bare `on` key as true
        for job in workflow["jobs"].values():
            assert job["runs-on"] == "ubuntu-latest"
            assert all(("uses" in step) != ("run" in step) for step in job["steps"])
    main = workflows[0]
    assert main["permissions"] == {"contents": "read", "security-events": "write", "pull-requests": "write"}
    uses = {step["uses"].split("@")[0]: step for step in github_steps(main) if "uses" in step}
    assert uses["github/codeql-action/upload-sarif"]["uses"].endswith("@v3")
    assert uses["github/codeql-action/upload-sarif"]["if"] == "always()"
    assert "path" in uses["marocchino/sticky-pull-request-comment"]["with"]


def test_github_recipe_runs_against_the_example(pytester: pytest.Pytester, example: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    summary = example / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    workflows = yaml_blocks("github-actions.md")
    run_all(pytester, setup_commands("github-actions.md"))
    assert (example / ".mlchecklist-baseline").is_file()
    gate = [argv for workflow in workflows for step in github_steps(workflow) for argv in commands(step.get("run", ""))]
    run_all(pytester, gate)

    # every file a later step publishes was written by the commands
    published: list[str] = []
    for step in github_steps(workflows[0]) + github_steps(workflows[1]):
        settings = step.get("with", {})
        published += [settings["sarif_file"]] if "sarif_file" in settings else []
        published += str(settings.get("path", "")).split()
    assert published
    assert [name for name in published if not (example / name).is_file()] == []
    sarif = json.loads((example / "mlchecklist.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    report = json.loads((example / "mlchecklist.json").read_text())
    assert report["baseline"]["file"] == ".mlchecklist-baseline"
    score = report["score"]
    assert f"{score['met']}/{score['applicable']}" in summary.read_text()  # the job summary got the Markdown report

    # the gate is real: a year later the waivers have expired and the rehearsals are stale, so
    # the same command fails and names what regressed
    pytest_gate = next(argv for argv in gate if argv[0] == "pytest")
    code, output = run(pytester, pytest_gate, today=LATER)
    assert code == 1
    assert "regressed: " in output


# ---------------------------------------------------------------------- GitLab CI
def test_gitlab_pipelines_have_the_expected_shape() -> None:
    for pipeline in yaml_blocks("gitlab-ci.md"):
        jobs = gitlab_jobs(pipeline)
        assert jobs
        for job in jobs.values():
            assert job["stage"] in pipeline["stages"]
            assert all(isinstance(line, str) for line in job["script"])
            assert job["artifacts"]["when"] == "always"
    main = gitlab_jobs(yaml_blocks("gitlab-ci.md")[0])["ml-checklist"]
    assert main["artifacts"]["reports"]["junit"] == "junit.xml"


def test_gitlab_recipe_runs_against_the_example(pytester: pytest.Pytester, example: Path) -> None:
    pipelines = yaml_blocks("gitlab-ci.md")
    run_all(pytester, setup_commands("gitlab-ci.md"))
    run_all(pytester, [argv for pipeline in pipelines for job in gitlab_jobs(pipeline).values()
                       for line in job["script"] for argv in commands(line)])
    artifacts = [job["artifacts"] for pipeline in pipelines for job in gitlab_jobs(pipeline).values()]
    expected = [path for artifact in artifacts for path in artifact["paths"]]
    expected += [artifact["reports"]["junit"] for artifact in artifacts if "reports" in artifact]
    assert [path for path in expected if not (example / path).is_file()] == []
    junit = (example / "junit.xml").read_text()
    assert 'name="rollback"' in junit and 'classname="mlchecklist.yaml"' in junit
    assert "<html" in (example / "mlchecklist.html").read_text().lower()


# ---------------------------------------------------------------------- pre-commit
def hook_manifest() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hook_manifest_defines_the_ml_checklist_hook_and_the_page_shows_it() -> None:
    manifest = hook_manifest()
    hook = next(hook for hook in manifest if hook["id"] == "ml-checklist")
    assert hook["entry"] == "ml-checklist scan"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert set(hook) >= {"id", "name", "entry", "language"}  # the keys pre-commit requires
    assert manifest in yaml_blocks("pre-commit.md")


def test_pre_commit_configs_run_against_the_example(pytester: pytest.Pytester, example: Path) -> None:
    manifest = {hook["id"]: hook for hook in hook_manifest()}
    configs = [block for block in yaml_blocks("pre-commit.md") if isinstance(block, dict) and "repos" in block]
    assert len(configs) == 2
    hook_commands: list[list[str]] = []
    for config in configs:
        for repo in config["repos"]:
            assert "hooks" in repo and ("rev" in repo or repo["repo"] == "local")
            for hook in repo["hooks"]:
                entry = hook["entry"] if repo["repo"] == "local" else manifest[hook["id"]]["entry"]
                if repo["repo"] == "local":
                    assert hook["pass_filenames"] is False
                hook_commands.append(shlex.split(entry) + [str(arg) for arg in hook.get("args", [])])
    run_all(pytester, setup_commands("pre-commit.md"))
    run_all(pytester, hook_commands)
    # the hook blocks a change for the worse (expired waivers, stale rehearsals)
    assert run(pytester, hook_commands[0], today=LATER)[0] == cli.EXIT_GATE_FAILED

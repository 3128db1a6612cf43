"""Team catalogs: items added by a YAML file in the repository, with declarative evidence rules.

Each rule kind is checked on a small repository with a positive case and look-alikes that must
not count; bad catalog files are clear errors that name the file, under pytest and the command.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_mlchecklist import cli
from pytest_mlchecklist.catalog import load_builtin_catalog, load_catalog
from pytest_mlchecklist.catalog.team import parse_team_catalog
from pytest_mlchecklist.config import LoadedSettings, resolve_config, validate_settings
from pytest_mlchecklist.engine import ChecklistResult, evaluate
from pytest_mlchecklist.errors import CatalogError
from pytest_mlchecklist.repo import RepoIndex

from conftest import TODAY, write_dedented

TODAY_OPTION = f"--ml-checklist-today={TODAY.isoformat()}"
ITEM_TEXT = """\
section: acme
title: The {slug} safety net
description: A description long enough to say what the safety net is for.
remediation: A remediation long enough to say what to add to the repository.
tiers: [{tiers}]
"""


def team_catalog(items: str, *, extends: str | None = "production-ml-51", head: str = "") -> str:
    """A team catalog with one section ``acme`` and the given items (YAML, indented by 2)."""
    extends_line = f"extends: {extends}\n" if extends else ""
    return (
        f"schema_version: 1\nname: acme-ml\ntitle: Acme ML readiness\n{extends_line}{head}"
        "sections:\n  - {id: acme, title: Acme platform}\n"
        f"items:\n{textwrap.indent(textwrap.dedent(items).strip(), '  ')}\n"
    )


def item(slug: str, rules: str = "", *, extra: str = "", tiers: str = "mvp, mature") -> str:
    """One item of section ``acme``; ``rules`` is the YAML list under ``rules:``."""
    text = f"- id: {slug}\n" + textwrap.indent(ITEM_TEXT.format(slug=slug, tiers=tiers), "  ")
    if extra:
        text += textwrap.indent(textwrap.dedent(extra).strip() + "\n", "  ")
    if rules:
        text += "  rules:\n" + textwrap.indent(textwrap.dedent(rules).strip() + "\n", "    ")
    return text


def evaluate_team(root: Path, catalog_text: str, files: dict[str, str], **settings: object) -> ChecklistResult:
    """Evaluate the team catalog's own items (built-in detectors off) on a fixture repository."""
    write_dedented(root, files)
    catalog = parse_team_catalog(catalog_text, source="ml/acme.yaml",
                                 bases={"production-ml-51": load_builtin_catalog("production-ml-51")})
    own = [entry.id for entry in catalog.items if entry.number is None]
    raw = {"profile": own, **settings}
    loaded = LoadedSettings(settings=validate_settings(raw, source="test"), source=None, kind="defaults")
    config = resolve_config(loaded, catalog, today=TODAY)
    return evaluate(config, RepoIndex(root), detectors=(), test_run=False)


def status(result: ChecklistResult, slug: str) -> tuple[str, str]:
    found = next(entry for entry in result.items if entry.item.id == slug)
    return found.status, found.message


REGISTRY_RULE = """\
- files: docs/model-registry.md
  headings: [Owner, Promotion]
"""
GOOD_REGISTRY = """
    # Model registry

    ## Owner

    The fraud ML team (@acme/fraud-ml) owns every registered model.

    ## 2. Promotion:

    1. A candidate is registered with its evaluation report.
    2. The owner promotes it to production after a day in staging.
"""


# ---------------------------------------------------------------------- headings
def test_headings_with_content_meet_the_item(tmp_path: Path) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("model-registry", REGISTRY_RULE)),
                           {"docs/model-registry.md": GOOD_REGISTRY})
    verdict, message = status(result, "model-registry")
    assert verdict == "met", message
    evidence = next(entry for entry in result.items if entry.item.id == "model-registry").evidence
    assert evidence[0].path == "docs/model-registry.md" and evidence[0].line == 3
    assert evidence[0].detector == "catalog-rules"
    assert "has the sections Owner, Promotion with content" in evidence[0].detail
    assert "fraud ML team" not in message  # details are ours, never the file's text


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "no file matches docs/model-registry.md"),
        ({"docs/model-registry.md": "# Model registry\n\n## Owner\n\n@acme/fraud-ml\n\n## Promotion\n\nTODO\n"},
         "nothing but placeholders or code under 'Promotion'"),
        ({"docs/model-registry.md": "# Registry\n\n## Owner\n\n@acme\n\n```markdown\n## Promotion\n\nsteps here\n```\n"},
         "has no heading 'Promotion'"),
        ({"docs/registry/model-registry.md": GOOD_REGISTRY}, "no file matches"),
    ],
    ids=["no-file", "placeholder-section", "heading-in-code-block", "same-name-elsewhere"],
)
def test_headings_look_alikes_do_not_count(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("model-registry", REGISTRY_RULE)), files)
    verdict, message = status(result, "model-registry")
    assert verdict == "unmet"
    assert expected in message


def test_vendored_copies_are_not_evidence(tmp_path: Path) -> None:
    rule = "- files: '**/model-registry.md'\n  headings: [Owner, Promotion]\n"
    result = evaluate_team(tmp_path, team_catalog(item("model-registry", rule)),
                           {"vendor/acme/docs/model-registry.md": GOOD_REGISTRY})
    assert status(result, "model-registry")[0] == "unmet"


# ---------------------------------------------------------------------- keys
KEYS_RULE = """\
- files: ['ml/registry.yaml', 'ml/registry.json']
  keys: {model.owner: null, stage: [staging, production], monitored: true}
"""


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("ml/registry.yaml", "model:\n  owner: '@acme/fraud-ml'\nstage: production\nmonitored: true\n"),
        ("ml/registry.json", '{"model": {"owner": "@acme"}, "stage": "staging", "monitored": true}\n'),
    ],
)
def test_keys_with_values_meet_the_item(tmp_path: Path, path: str, text: str) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("registry-entry", KEYS_RULE)), {path: text})
    verdict, message = status(result, "registry-entry")
    assert verdict == "met", message
    assert "sets model.owner, stage (one of \"staging\", \"production\"), monitored = true" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model:\n  # owner: '@acme'\n  name: fraud\nstage: production\nmonitored: true\n", "key 'model.owner' is missing"),
        ("model:\n  owner: ''\nstage: production\nmonitored: true\n", "key 'model.owner' is empty"),
        ("model:\n  owner: '@acme'\nstage: experiment\nmonitored: true\n", "key 'stage' is not one of staging, production"),
        ("model:\n  owner: '@acme'\nstage: production\nmonitored: false\n", "key 'monitored' is not True"),
    ],
    ids=["commented-out", "empty", "wrong-value", "false-flag"],
)
def test_keys_look_alikes_do_not_count(tmp_path: Path, text: str, expected: str) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("registry-entry", KEYS_RULE)), {"ml/registry.yaml": text})
    verdict, message = status(result, "registry-entry")
    assert verdict == "unmet"
    assert expected in message


def test_a_broken_yaml_candidate_is_an_error_not_a_pass(tmp_path: Path) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("registry-entry", KEYS_RULE)),
                           {"ml/registry.yaml": "model: [owner\n"})
    verdict, message = status(result, "registry-entry")
    assert verdict == "error"
    assert "could not decide" in message and "ml/registry.yaml" in message


# ---------------------------------------------------------------------- pattern
PATTERN_RULE = r"""
- files: 'src/**/*.py'
  pattern: 'mlflow\.register_model\('
"""


def test_pattern_match_meets_the_item(tmp_path: Path) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("registered", PATTERN_RULE)), {
        "src/fraud/train.py": "import mlflow\n\n\ndef publish(uri):\n    mlflow.register_model(uri, 'fraud')\n",
    })
    verdict, message = status(result, "registered")
    assert verdict == "met", message
    assert "src/fraud/train.py:5" in message


@pytest.mark.parametrize(
    "files",
    [
        {"src/fraud/train.py": "import mlflow\n\n\ndef publish(uri):\n    mlflow.log_model(uri)\n"},
        {"docs/train.py.md": "mlflow.register_model(uri)\n"},
        {"src/vendor/mlflow_helpers.py": "mlflow.register_model(uri)\n"},
    ],
    ids=["other-call", "outside-the-glob", "vendored"],
)
def test_pattern_look_alikes_do_not_count(tmp_path: Path, files: dict[str, str]) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("registered", PATTERN_RULE)), files)
    assert status(result, "registered")[0] == "unmet"


# ---------------------------------------------------------------------- dates
DATE_KEY_RULE = """\
- files: ml/review.yaml
  date_key: review.last
  max_age_days: 90
"""
DATE_HEADING_RULE = """\
- files: docs/dr.md
  date_heading: Last drill
  max_age_days: 90
"""


def test_recent_date_under_a_key_meets_the_item(tmp_path: Path) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("reviewed", DATE_KEY_RULE)),
                           {"ml/review.yaml": "review:\n  last: 2026-10-01\n  by: '@acme'\n"})
    verdict, message = status(result, "reviewed")
    assert verdict == "met", message
    assert "dated 2026-10-01 under key review.last (52 days ago, limit 90)" in message


@pytest.mark.parametrize(
    ("text", "verdict", "expected"),
    [
        ("review:\n  last: 2026-03-01\n", "unmet", "is 266 days old, over the 90-day limit"),
        ("review:\n  last: 2027-01-10\n", "unmet", "is in the future"),
        ("review:\n  last: '01/10/2026'\n", "unmet", "not a valid YYYY-MM-DD date"),
        ("review:\n  by: '@acme'\n", "unmet", "has no YYYY-MM-DD date under key review.last"),
        ("review:\n  last: 2026-02-30\n", "error", "could not decide"),
    ],
    ids=["too-old", "future", "other-format", "missing", "impossible-date"],
)
def test_dates_under_a_key_that_do_not_count(tmp_path: Path, text: str, verdict: str, expected: str) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("reviewed", DATE_KEY_RULE)), {"ml/review.yaml": text})
    found, message = status(result, "reviewed")
    assert found == verdict
    assert expected in message


def test_recent_date_under_a_heading_meets_the_item(tmp_path: Path) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("dr-drill", DATE_HEADING_RULE)), {"docs/dr.md": """
        # Disaster recovery

        ## Last drill

        - 2026-04-02: restore from the snapshot, 40 minutes
        - 2026-11-02: region fail-over in staging, 25 minutes
    """})
    verdict, message = status(result, "dr-drill")
    assert verdict == "met", message
    assert "dated 2026-11-02" in message and "docs/dr.md:6" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# DR\n\n## Last drill\n\n```text\n2026-11-02: example entry\n```\n", "has no YYYY-MM-DD date under heading 'Last drill'"),
        ("# DR\n\n## Next drill\n\nPlanned for 2026-11-02.\n", "has no YYYY-MM-DD date under heading 'Last drill'"),
        ("# DR\n\n## Last drill: 2025-12-01\n\nRegion fail-over.\n", "is 356 days old"),
    ],
    ids=["date-in-code-block", "other-heading", "old-date-in-heading"],
)
def test_dates_under_a_heading_that_do_not_count(tmp_path: Path, text: str, expected: str) -> None:
    result = evaluate_team(tmp_path, team_catalog(item("dr-drill", DATE_HEADING_RULE)), {"docs/dr.md": text})
    verdict, message = status(result, "dr-drill")
    assert verdict == "unmet"
    assert expected in message


# ---------------------------------------------------------------------- combining rules
TWO_RULES = REGISTRY_RULE + PATTERN_RULE.strip("\n") + "\n"


def test_every_rule_must_hold_by_default(tmp_path: Path) -> None:
    catalog = team_catalog(item("registry", TWO_RULES))
    result = evaluate_team(tmp_path, catalog, {"docs/model-registry.md": GOOD_REGISTRY})
    verdict, message = status(result, "registry")
    assert verdict == "unmet"
    assert "rule 1 of 2: has the sections Owner, Promotion with content, but not every rule holds" in message
    assert "rule 2 of 2: no file matches src/**/*.py" in message


def test_rules_match_any_needs_one(tmp_path: Path) -> None:
    catalog = team_catalog(item("registry", TWO_RULES, extra="rules_match: any"))
    result = evaluate_team(tmp_path, catalog, {"docs/model-registry.md": GOOD_REGISTRY})
    assert status(result, "registry")[0] == "met"
    assert status(evaluate_team(tmp_path / "empty", catalog, {}), "registry")[0] == "unmet"


def test_a_file_rule_alone_needs_a_non_empty_file(tmp_path: Path) -> None:
    catalog = team_catalog(item("threat-model", "- files: docs/threat-model.md\n"))
    assert status(evaluate_team(tmp_path / "a", catalog, {"docs/threat-model.md": "# Threats\n\nReplay.\n"}),
                  "threat-model")[0] == "met"
    verdict, message = status(evaluate_team(tmp_path / "b", catalog, {"docs/threat-model.md": "\n"}), "threat-model")
    assert verdict == "unmet" and "the file is empty" in message


# ---------------------------------------------------------------------- merging with the base
def test_extends_keeps_the_base_and_appends() -> None:
    text = team_catalog(item("model-registry", REGISTRY_RULE, extra="number: 52"),
                        head="profiles:\n  acme: {tier: mature, description: Everything and the Acme items}\n")
    catalog = parse_team_catalog(text, source="ml/acme.yaml", bases={"production-ml-51": load_builtin_catalog("production-ml-51")})
    assert catalog.name == "acme-ml"
    assert len(catalog.items) == 52 and catalog.items[-1].id == "model-registry"
    assert catalog.resolve(52) is catalog.items[-1]
    assert [section.id for section in catalog.sections][-1] == "acme"
    assert {"mvp", "mature", "regulated", "acme"} <= set(catalog.profiles)
    assert catalog.items[-1].evidence == ["file", "test", "declared"]


def test_a_standalone_catalog_gets_default_profiles_and_test_evidence() -> None:
    catalog = parse_team_catalog(team_catalog(item("fairness-review"), extends=None), source="t.yaml", bases={})
    assert set(catalog.profiles) == {"mvp", "mature"}
    assert catalog.items[0].evidence == ["test", "declared"]


def test_load_catalog_reads_a_path_relative_to_the_configuration_folder(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"services/ranker/ml/acme.yaml": team_catalog(item("model-registry", REGISTRY_RULE))})
    catalog = load_catalog("ml/acme.yaml", root=tmp_path, base_dir=tmp_path / "services" / "ranker")
    assert catalog.items[-1].id == "model-registry"
    with pytest.raises(CatalogError, match="the catalog file ml/acme.yaml does not exist"):
        load_catalog("ml/acme.yaml", root=tmp_path)


# ---------------------------------------------------------------------- under pytest and the command
def write_repo(root: Path, catalog_text: str, config: str = "catalog: ml/acme.yaml\nprofile: [model-registry, fairness-review]\n") -> None:
    write_dedented(root, {"mlchecklist.yaml": config, "ml/acme.yaml": catalog_text})


def acme_catalog() -> str:
    items = (
        item("model-registry", REGISTRY_RULE, tiers="mvp, mature")
        + item("fairness-review", extra="evidence: [test]", tiers="mvp, mature")
    )
    return team_catalog(items)


#: A test module whose test marked ``fairness-review`` passes.
PASSING_FAIRNESS_TEST = """
    import pytest

    @pytest.mark.ml_checklist("fairness-review")
    def test_groups_are_within_two_points():
        assert abs(0.91 - 0.90) < 0.02
"""


def write_acme_project(root: Path) -> None:
    """The acme team catalog in use, with a model-registry document that meets its rule."""
    write_repo(root, acme_catalog())
    write_dedented(root, {"docs/model-registry.md": GOOD_REGISTRY})


def test_yaml_alone_adds_items_to_a_pytest_run(pytester: pytest.Pytester) -> None:
    write_acme_project(pytester.path)
    pytester.makepyfile(test_fairness=PASSING_FAIRNESS_TEST)
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION, "--ml-checklist-json=report.json", "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*mlchecklist.yaml::model-registry PASSED*", "*mlchecklist.yaml::fairness-review PASSED*",
                                 "*catalog acme-ml, profile custom*"])
    report = json.loads((pytester.path / "report.json").read_text())
    assert report["catalog"] == "acme-ml"
    assert [entry["id"] for entry in report["items"]] == ["model-registry", "fairness-review"]


def test_team_items_give_the_same_verdicts_under_xdist(pytester: pytest.Pytester) -> None:
    write_acme_project(pytester.path)
    pytester.makepyfile(test_fairness=PASSING_FAIRNESS_TEST + """
    def test_other():
        pass
""")
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY_OPTION, "-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*catalog acme-ml, profile custom*"])


def test_a_failing_marked_test_and_a_missing_file_fail_the_team_items(pytester: pytest.Pytester) -> None:
    write_repo(pytester.path, acme_catalog())
    pytester.makepyfile(test_fairness="""
        import pytest

        @pytest.mark.ml_checklist("fairness-review")
        def test_groups_are_within_two_points():
            assert abs(0.95 - 0.90) < 0.02
    """)
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*no file matches docs/model-registry.md*"])


def test_scan_uses_the_team_catalog(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    write_acme_project(pytester.path)
    code = cli.main(["scan", str(pytester.path), "--format", "json", "--today", TODAY.isoformat()])
    report = json.loads(capsys.readouterr().out)
    statuses = {entry["id"]: entry["status"] for entry in report["items"]}
    assert statuses == {"model-registry": "met", "fairness-review": "unmet"}
    assert code == cli.EXIT_GATE_FAILED


# ---------------------------------------------------------------------- bad catalog files
GOOD_ITEM = item("model-registry", REGISTRY_RULE)
BAD_CATALOGS = {
    "yaml-syntax": (team_catalog(GOOD_ITEM) + "extra: [unclosed\n", ["not valid YAML at line"]),
    "unknown-key": (team_catalog(GOOD_ITEM.replace("headings:", "heading:")),
                    ["item 'model-registry': unknown key 'items[0].rules[0].heading'; did you mean 'headings'?"]),
    "unknown-top-key": (team_catalog(GOOD_ITEM).replace("extends:", "extend:"),
                        ["unknown key 'extend'; did you mean 'extends'?"]),
    "clashing-slug": (team_catalog(item("rollback", REGISTRY_RULE)),
                      ["item 'rollback' ('items[0]'): the slug 'rollback' is already an item of production-ml-51"]),
    "clashing-number": (team_catalog(item("model-registry", REGISTRY_RULE, extra="number: 29")),
                        ["number 29 is already [29] rollback of production-ml-51"]),
    "unknown-section": (team_catalog(GOOD_ITEM.replace("section: acme", "section: acme-platfrom")),
                        ["'section' names unknown section 'acme-platfrom'"]),
    "section-did-you-mean": (team_catalog(GOOD_ITEM.replace("section: acme", "section: data-pipelin")),
                             ["did you mean 'data-pipeline'?"]),
    "unknown-base": (team_catalog(GOOD_ITEM, extends="production-ml-5"),
                     ["'extends': unknown catalog 'production-ml-5'; did you mean 'production-ml-51'?"]),
    "bad-date": (team_catalog(GOOD_ITEM, head="source: {title: Acme handbook, published: 2026-02-30}\n"),
                 ["'source.published': '2026-02-30' is not a valid date; write it as YYYY-MM-DD"]),
    "bad-regex": (team_catalog(item("registered", "- files: 'src/**/*.py'\n  pattern: 'register_model('\n")),
                  ["item 'registered': 'items[0].rules[0].pattern'", "is not a valid regular expression"]),
    "age-without-source": (team_catalog(item("reviewed", "- files: ml/review.yaml\n  max_age_days: 90\n")),
                           ["'max_age_days' needs 'date_key'"]),
}


def assert_clear_error(text: str, expected: list[str]) -> None:
    assert "Traceback" not in text
    assert "ml/acme.yaml" in text, text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


@pytest.mark.parametrize("case", sorted(BAD_CATALOGS))
def test_bad_catalog_files_are_usage_errors_under_pytest(pytester: pytest.Pytester, case: str) -> None:
    text, expected = BAD_CATALOGS[case]
    write_repo(pytester.path, text, config="catalog: ml/acme.yaml\n")
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert_clear_error(result.stderr.str() + result.stdout.str(), expected)


@pytest.mark.parametrize("case", sorted(BAD_CATALOGS))
def test_bad_catalog_files_exit_2_from_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    text, expected = BAD_CATALOGS[case]
    write_repo(tmp_path, text, config="catalog: ml/acme.yaml\n")
    code = cli.main(["scan", str(tmp_path), "--today", TODAY.isoformat()])
    captured = capsys.readouterr()
    assert code == cli.EXIT_USAGE
    assert_clear_error(captured.err, expected)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("catalog: ml/acmee.yaml\n", "the catalog file ml/acmee.yaml does not exist (set by 'catalog' in mlchecklist.yaml)"),
        ("catalog: acme-mll\n", "unknown catalog 'acme-mll'"),
        ("catalog: production-ml-5\n", "did you mean 'production-ml-51'?"),
    ],
)
def test_a_catalog_that_cannot_be_found_is_a_clear_error(pytester: pytest.Pytester, config: str, expected: str) -> None:
    write_repo(pytester.path, acme_catalog(), config=config)
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str() + result.stdout.str()
    assert "Traceback" not in text
    assert expected in text, text

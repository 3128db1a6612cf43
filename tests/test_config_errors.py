"""Bad configuration of every kind is a one-screen usage error naming the file and key, never a traceback."""

from __future__ import annotations

import pytest

TODAY = "--ml-checklist-today=2026-11-22"


def assert_usage_error(result: pytest.RunResult, *expected: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str() + result.stdout.str()
    assert "Traceback" not in text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("profil: mvp\n", ["mlchecklist.yaml", "unknown key 'profil'; did you mean 'profile'?"]),
        ("profile: matur\n", ["unknown profile 'matur'; did you mean 'mature'?"]),
        ("max_waiver_days: soon\n", ["'max_waiver_days'", "valid integer"]),
        ("evidence:\n  rollbak: [docs/rollback.md]\n", ["unknown item 'rollbak'; did you mean 'rollback'?"]),
        ("sla:\n  latency_ms: {p99: -5}\n", ["'sla.latency_ms.p99'", "greater than 0"]),
        ("sla:\n  latency_ms: {p99.9: 5}\n", ["unknown key 'sla.latency_ms.p99.9'"]),
        (
            "waivers:\n  - item: load-testng\n    reason: Traffic is tiny and flat for now\n    owner: '@a'\n    expires: 2027-01-01\n",
            ["'waivers[0]'", "unknown item 'load-testng'; did you mean 'load-testing'?"],
        ),
        (
            "waivers:\n  - item: 23\n    reason: Traffic is tiny and flat for now\n    expires: 2027-02-30\n",
            ["'waivers[0].expires'", "not a valid date; write it as YYYY-MM-DD"],
        ),
        (
            "waivers:\n  - item: 23\n    reason: n/a\n    expires: 2027-01-01\n",
            ["'waivers[0]'", "does not explain the decision"],
        ),
        (
            "waivers:\n  - item: 23\n    reason: Traffic is tiny and flat for now\n",
            ["'waivers[0].expires' is required"],
        ),
        (
            "waivers:\n  - item: 23\n    reason: Traffic is tiny and flat for now\n    expires: 2028-01-01\n",
            ["more than 180 days ahead", "on or before 2027-05-21"],
        ),
        ("not_applicable:\n  - item: 99\n    reason: batch scoring only, no online path\n", ["unknown item number 99"]),
        ("not_applicable:\n  - item: 26\n    reason: TODO\n", ["does not explain why horizontal-scaling does not apply"]),
        ("profile: [1, 2, nope]\n", ["'profile'", "unknown item 'nope'"]),
        ("waivers: {item: 23}\n", ["'waivers'", "valid list"]),
        ("- just\n- a list\n", ["must hold a mapping"]),
        ("profile: [mvp\n", ["not valid YAML at line"]),
    ],
)
def test_bad_yaml_configuration_is_a_usage_error(pytester: pytest.Pytester, yaml_text: str, expected: list[str]) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(yaml_text)
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert_usage_error(result, "mlchecklist.yaml", *expected)


def test_every_problem_is_listed_at_once(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profil: mvp\nmax_waiver_days: soon\n")
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert_usage_error(result, "unknown key 'profil'", "'max_waiver_days'")


def test_pyproject_keys_are_named_with_their_table(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.ml-checklist]\nprofile = "mvp"\nwaiver_days = 10\n')
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert_usage_error(result, "pyproject.toml", "unknown key 'tool.ml-checklist.waiver_days'", "did you mean 'max_waiver_days'?")


def test_pyproject_waiver_tables(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        '[tool.ml-checklist]\nprofile = ["load-testing"]\n\n'
        '[[tool.ml-checklist.waivers]]\nitem = "load-testing"\n'
        'reason = "Traffic is under five requests per second"\nowner = "@ml"\nexpires = 2027-01-15\n'
    )
    result = pytester.runpytest("--ml-checklist", TODAY, "-rx")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["*waived by @ml until 2027-01-15 (54 days left)*"])


def test_yaml_and_pyproject_together_are_ambiguous(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.ml-checklist]\nprofile = "mvp"\n')
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: mvp\n")
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert_usage_error(result, "keep one")


@pytest.mark.parametrize(
    ("waiver", "expected"),
    [
        ("item: 43\n    reason: We are still drafting the privacy notes\n    owner: '@legal'\n    expires: 2027-01-01",
         "[43] pii-compliance can never be waived under the regulated profile"),
        ("item: 23\n    reason: Traffic is tiny and flat for now\n    expires: 2027-01-01",
         "the regulated profile requires an 'owner'"),
    ],
)
def test_regulated_profile_rules(pytester: pytest.Pytester, waiver: str, expected: str) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(f"profile: regulated\nwaivers:\n  - {waiver}\n")
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert_usage_error(result, expected)


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("--ml-checklist-today=2026-02-30", "--ml-checklist-today: '2026-02-30' is not a date"),
        ("--ml-checklist-profile=gold", "unknown profile 'gold'"),
        ("--ml-checklist-config=missing.yaml", "missing.yaml does not exist"),
    ],
)
def test_bad_command_line_options(pytester: pytest.Pytester, option: str, expected: str) -> None:
    result = pytester.runpytest("--ml-checklist", option)
    assert_usage_error(result, expected)


def test_configuration_is_ignored_without_the_flag(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profil: broken\n")
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)

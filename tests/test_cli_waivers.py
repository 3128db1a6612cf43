"""`ml-checklist waivers`: every waiver with owner, reason, expiry, days left and state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mlchecklist.cli import main
from pytest_mlchecklist.engine import TEST_EVIDENCE_CACHE_KEY

CONFIG = """\
profile: mature
waivers:
  - item: load-testing
    reason: "Traffic is under 5 requests/s and flat; revisit before the Q3 campaign"
    owner: "@ml-platform"
    expires: 2027-03-01
  - item: 33
    reason: "No release has run in shadow yet; the first one is planned for December"
    owner: "@fraud-ml"
    expires: 2026-12-10
  - item: fallback
    reason: "The payment gateway keeps its own rules fallback for now"
    expires: 2026-11-01
"""
TODAY = ["--today", "2026-11-22"]


def waivers(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["waivers", *args, *TODAY])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "mlchecklist.yaml").write_text(CONFIG)
    return tmp_path


def test_waivers_table_flags_expiring_and_expired(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = waivers(capsys, str(repo))
    assert code == 0  # listing alone never fails
    lines = out.splitlines()
    assert lines[0] == "Waivers as of 2026-11-22 (flagging those that expire within 30 days):"
    rows = [line.split() for line in lines if line.startswith("[")]
    assert rows == [
        ["[32]", "fallback", "-", "2026-11-01", "-21", "EXPIRED"],
        ["[33]", "shadow-deployment", "@fraud-ml", "2026-12-10", "18", "EXPIRING"],
        ["[23]", "load-testing", "@ml-platform", "2027-03-01", "99", "active"],
    ]
    assert "    reason: Traffic is under 5 requests/s and flat; revisit before the Q3 campaign" in lines
    assert "    in mlchecklist.yaml 'waivers[0]'" in lines
    assert "3 waivers: 1 expiring within 30 days, 1 expired." in lines


def test_fail_on_expiring_exits_one(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert waivers(capsys, str(repo), "--fail-on-expiring")[0] == 1
    # Within 10 days nothing is expiring, but one waiver has expired: still 1.
    code, out, _ = waivers(capsys, str(repo), "--fail-on-expiring", "--expiring-within", "10")
    assert code == 1 and "0 expiring within 10 days, 1 expired" in out


def test_fail_on_expiring_passes_when_all_are_far(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlchecklist.yaml").write_text(CONFIG.split("  - item: 33")[0])
    code, out, _ = waivers(capsys, str(tmp_path), "--fail-on-expiring")
    assert code == 0 and "1 waivers: 0 expiring within 30 days, 0 expired." in out
    code, _, _ = waivers(capsys, str(tmp_path), "--fail-on-expiring", "--expiring-within", "99")
    assert code == 1  # expires in exactly 99 days: within 99


def test_waivers_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = waivers(capsys, str(repo), "--format", "json", "--expiring-within", "20")
    assert code == 0
    report = json.loads(out)
    assert report["today"] == "2026-11-22" and report["expiring_within"] == 20 and report["flagged"] == 2
    first = report["waivers"][0]
    assert first == {"item": "fallback", "number": 32, "title": first["title"], "owner": None,
                     "reason": "The payment gateway keeps its own rules fallback for now", "expires": "2026-11-01",
                     "days_left": -21, "state": "expired", "origin": "config",
                     "source": "mlchecklist.yaml 'waivers[2]'", "in_profile": True}


def test_marker_waivers_from_the_last_run_are_listed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = repo / ".pytest_cache" / "v" / TEST_EVIDENCE_CACHE_KEY
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({"recorded": "2026-11-20", "evidence": [], "outcomes": {}, "waivers": [
        {"item": "request-logging", "reason": "Logs go through the gateway's audit trail for now",
         "owner": "@api", "expires": "2026-12-01", "source": "@pytest.mark.ml_waive on tests/test_api.py::test_x"}]}))
    code, out, _ = waivers(capsys, str(repo), "--format", "json")
    rows = {row["item"]: row for row in json.loads(out)["waivers"]}
    assert rows["request-logging"]["origin"] == "marker"
    assert rows["request-logging"]["days_left"] == 9 and rows["request-logging"]["state"] == "expiring"


def test_no_waivers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = waivers(capsys, str(tmp_path), "--fail-on-expiring")
    assert code == 0 and out.startswith("No waivers (configuration: none")


def test_waivers_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = waivers(capsys, str(repo), "--expiring-within", "-3")
    assert code == 2 and "--expiring-within: -3 is negative" in err
    code, _, err = waivers(capsys, str(repo / "nope"))
    assert code == 2 and "is not a folder" in err
    (repo / "mlchecklist.yaml").write_text(CONFIG.replace("2027-03-01", "2027-02-30"))
    code, _, err = waivers(capsys, str(repo))
    assert code == 2 and "'waivers[0].expires'" in err and "Traceback" not in err

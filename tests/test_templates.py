"""Starter documents of `ml-checklist init --templates`: unfilled they are not evidence, filled in
they meet their items (which proves the detectors recognise them)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pytest_mlchecklist.commands.init import TemplateSpec, load_template_specs, template_text, write_templates
from pytest_mlchecklist.engine import ChecklistResult, scan
from pytest_mlchecklist.repo import TEMPLATE_MARKER, RepoIndex

TODAY = dt.date(2026, 11, 22)
SPECS = load_template_specs()
_PLACEHOLDER = re.compile(r'"<FILL IN: ([^>]*)>"|<FILL IN: ([^>]*)>')

#: What a team would write in place of each placeholder (by its text). A list is used in order,
#: one value per occurrence; numbers replace a quoted JSON placeholder without the quotes.
FILLED: dict[str, object] = {
    "service name": "Fraud scorer",
    "model or service name": "fraud-scorer",
    "model name": "fraud-scorer",
    "model name and version": "fraud-scorer 2026.10",
    "how to stop new models from being promoted while you roll back, e.g. pause the training pipeline":
        "Pause the training pipeline so that no new model is promoted.",
    "the command that restores the previous model or release, e.g. `helm rollback RELEASE 0`":
        "Run `helm rollback fraud-scorer 0` to return to the previous release.",
    "how to confirm that the previous model is serving, e.g. the model version on the health endpoint":
        "Confirm the previous model version on the /health endpoint.",
    "who to tell that a rollback happened, and where": "Post the rollback and its reason in #fraud-ml.",
    "YYYY-MM-DD": ["2026-10-02", "2026-07-01", "2026-11-16", "2026-07-01"],
    "@handle": ["@alice", "@alice", "@bchen"],
    "how long it took, what went wrong": "rolled back in 6 minutes",
    "e.g. wrong decisions reach customers": "Wrong decisions reach customers",
    "e.g. 15 minutes, any hour": "15 minutes, any hour",
    "e.g. quality below the agreed floor, no customer impact yet": "Recall below the agreed floor, no customer impact yet",
    "e.g. next working day": "next working day",
    "who leads the response, e.g. the on-call ML engineer": "the on-call ML engineer leads the response",
    "who keeps stakeholders informed": "the fraud product manager keeps stakeholders informed",
    "where to look first (data, model, serving)": "check input data first, then the model, then serving.",
    "channel and cadence, e.g. #model-incidents every 30 minutes": "in #fraud-incidents every 30 minutes.",
    "e.g. roll back the model (see the rollback runbook), then ship the fix":
        "roll back the model with the rollback runbook, then ship the fix.",
    "number": ["5", "0.75", "0.50", "0.89", "0.75", "0.89", "0.76", "0.81", "0.62",
               "0.91", "0.80", "0.85", "0.70", "0.81", "0.70", "0.60", "0.62"],
    "e.g. Monday 09:00 Europe/Paris": "Monday 09:00 Europe/Paris",
    "link to the PagerDuty / Opsgenie / Grafana OnCall schedule": "https://acme.pagerduty.com/schedules/P4X2K9Q",
    "@team-handle": "@acme/ml-platform",
    "minutes": "30 minutes",
    "what the model decides, for whom, and what it must not be used for":
        "Scores card transactions for fraud before authorisation; not for credit decisions.",
    "which data, which period, and where its versioned snapshot lives":
        "Card authorisations from 2025-01 to 2026-08, snapshot tracked with DVC.",
    "the evaluation set, e.g. a time-based holdout of the last six weeks": "Time-based holdout: the last six weeks of 2026-09.",
    "metric, e.g. ROC AUC": "ROC AUC",
    "metric, e.g. recall at 1% FPR": "recall",
    "baseline name": "rules-v3",
    "this model": "fraud-scorer 2026.10",
    "metric": "recall",
    "dimension=value": ["channel=pos", "channel=web", "channel=pos", "channel=web"],
    "known weaknesses, segments with too little data, conditions under which the model should not be trusted":
        "Few training examples for corporate cards; do not trust scores for new merchant categories.",
    "evaluation set, e.g. holdout 2026-09": "holdout 2026-09",
    "baseline name, e.g. rules-v3": "rules-v3",
    "the condition, e.g. recall stays below 0.60 for a month after retraining, or a date":
        "recall stays below 0.60 for a month after retraining",
    "what takes over when the model is switched off, e.g. the rules engine takes over as the fallback until v2 ships":
        "The rules engine takes over as the fallback until fraud-scorer v4 ships.",
    "route traffic away and delete the serving endpoint": "Route traffic to the rules engine and delete the scoring endpoint.",
    "disable the retraining schedule (cron, DAG, job)": "Disable the nightly retraining DAG.",
    "archive or delete the training data, feature tables and artifacts, and when":
        "Archive the training data snapshot and delete the feature tables after 90 days.",
    "revoke the service account and rotate its credentials": "Revoke the service account and rotate its credentials.",
    "remove the model's alerts and dashboards": "Remove the model alerts and dashboards.",
    "urn:datacontract:domain:dataset": "urn:datacontract:payments:authorisations",
    "dataset title": "Card authorisations",
    "producing team": ["payments-gateway", "Payments gateway team"],
    "channel where changes are announced, e.g. a Slack channel link": "https://chat.acme.internal/channels/payments-data",
    "table or topic name": "authorisations",
    "what one record is": "One card authorisation request",
    "field name": "amount",
    "string | integer | decimal | timestamp | boolean": "decimal",
    "meaning and unit": "Amount in the card currency",
    "owning team": "fraud-ml",
    "team that owns the upstream data": "payments-data",
    "https:// link or repository path of the runbook": "https://wiki.acme.io/runbooks/fraud/input-quality",
    "job name": "fraud-scorer",
    "container": "scorer",
    "model": "fraud",
}


def fill(text: str) -> str:
    """The template filled in: every placeholder replaced, the marker line (or JSON description) removed."""
    used: dict[str, Iterator[str]] = {}

    def value(match: re.Match[str]) -> str:
        quoted, bare = match.group(1), match.group(2)
        key = quoted if quoted is not None else bare
        assert key in FILLED, f"no value for the placeholder <FILL IN: {key}>"
        chosen = FILLED[key]
        if isinstance(chosen, list):
            chosen = next(used.setdefault(key, iter(chosen)))
        text_value = str(chosen)
        if quoted is None:
            return text_value
        return text_value if re.fullmatch(r"-?\d+(\.\d+)?", text_value) else json.dumps(text_value)

    lines = [line for line in text.splitlines() if TEMPLATE_MARKER not in line]
    return _PLACEHOLDER.sub(value, "\n".join(lines) + "\n").replace(",\n}", "\n}")


#: Templates that meet an item only together: one audience's dashboard needs another's beside it.
COMPANIONS = {
    "model-quality-dashboard.json": ("service-health-dashboard.json",),
    "service-health-dashboard.json": ("model-quality-dashboard.json",),
}


def _spec(file: str) -> TemplateSpec:
    return next(spec for spec in SPECS if spec.file == file)


def _items_of(specs: list[TemplateSpec]) -> list[str]:
    return sorted({item for spec in specs for item in spec.items})


def _scan(root: Path) -> ChecklistResult:
    (root / "mlchecklist.yaml").write_text("profile: [" + ", ".join(_items_of(SPECS)) + "]\n", encoding="utf-8")
    return scan(root, today=TODAY)


def test_every_template_is_marked_and_has_placeholders() -> None:
    for spec in SPECS:
        text = template_text(spec)
        assert TEMPLATE_MARKER in text.splitlines()[0] or TEMPLATE_MARKER in text.splitlines()[1], spec.file
        assert "<FILL IN: " in text, spec.file
        if spec.file.endswith(".json"):
            json.loads(text)  # a valid document even before it is filled in
        elif spec.file.endswith(".yaml"):
            yaml.safe_load(text)


def test_unfilled_templates_are_not_evidence(tmp_path: Path) -> None:
    write_templates(tmp_path, SPECS)
    result = _scan(tmp_path)
    for entry in result.items:
        assert entry.status == "unmet", (entry.item.id, entry.message)
        assert not [piece for piece in entry.evidence if piece.verdict == "supports"], entry.item.id
    by_id = {entry.item.id: entry for entry in result.items}
    # Detectors that report the candidate say that it is an unfilled template.
    assert "docs/runbooks/rollback.md is an unfilled template" in by_id["rollback"].message
    assert "docs/model-card.md is an unfilled template" in by_id["model-baseline"].message
    assert any("is an unfilled template" in problem for problem in result.problems)


@pytest.mark.parametrize("spec", SPECS, ids=[spec.file for spec in SPECS])
def test_each_unfilled_template_leaves_its_items_unmet(tmp_path: Path, spec: TemplateSpec) -> None:
    write_templates(tmp_path, [spec])
    result = _scan(tmp_path)
    for entry in result.items:
        if entry.item.id in spec.items:
            assert entry.status == "unmet", entry.message
            assert all(piece.verdict != "supports" for piece in entry.evidence)


@pytest.mark.parametrize("spec", SPECS, ids=[spec.file for spec in SPECS])
def test_each_filled_template_meets_its_items(tmp_path: Path, spec: TemplateSpec) -> None:
    for chosen in [spec, *(_spec(name) for name in COMPANIONS.get(spec.file, ()))]:
        target = tmp_path / chosen.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fill(template_text(chosen)), encoding="utf-8")
    result = _scan(tmp_path)
    statuses = {entry.item.id: (entry.status, entry.message) for entry in result.items}
    for item in spec.items:
        assert statuses[item][0] == "met", (item, statuses[item][1])


def test_the_marker_only_counts_as_a_comment_line_in_documents(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("Templates carry the line `ml-checklist: template` until filled.\n")
    (tmp_path / "make.py").write_text('TEXT = """\n# ml-checklist: template\n"""\n')
    (tmp_path / "runbook.md").write_text("<!-- ml-checklist: template -->\n# Rollback\n")
    index = RepoIndex(tmp_path)
    assert index.read_text("notes.md") is not None and not index.is_template("notes.md")
    assert index.read_text("make.py") is not None and not index.is_template("make.py")
    assert index.read_text("runbook.md") is None and index.is_template("runbook.md")
    assert "unfilled template" in (index.problem("runbook.md") or "")


def test_write_templates_never_overwrites(tmp_path: Path) -> None:
    rollback = next(spec for spec in SPECS if spec.file == "rollback.md")
    (tmp_path / rollback.path).parent.mkdir(parents=True)
    (tmp_path / rollback.path).write_text("# Our own runbook\n")
    outcomes = dict((spec.file, written) for spec, written in write_templates(tmp_path, SPECS))
    assert outcomes["rollback.md"] is False
    assert (tmp_path / rollback.path).read_text() == "# Our own runbook\n"
    assert all(written for name, written in outcomes.items() if name != "rollback.md")


def test_a_filled_dashboard_beside_an_unfilled_one_is_one_audience_only(tmp_path: Path) -> None:
    model, service = _spec("model-quality-dashboard.json"), _spec("service-health-dashboard.json")
    write_templates(tmp_path, [service])
    (tmp_path / model.path).write_text(fill(template_text(model)), encoding="utf-8")
    statuses = {entry.item.id: entry for entry in _scan(tmp_path).items}
    assert statuses["data-quality-dashboards"].status == "met"
    assert statuses["stakeholder-dashboards"].status == "unmet"
    assert "no platform or business dashboard" in statuses["stakeholder-dashboards"].message


def test_an_unfilled_template_is_named_only_under_the_items_it_is_for(tmp_path: Path) -> None:
    """The on-call and incident templates are Markdown runbooks too; the rollback detector reads
    them, but the rollback message names only the rollback template (its marker line says which
    item it is for)."""
    (tmp_path / "mlchecklist.yaml").write_text("profile: [rollback, on-call, incident-response]\n")
    for spec in SPECS:
        if spec.path.startswith("docs/runbooks/"):
            target = tmp_path / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template_text(spec), encoding="utf-8")
    result = scan(tmp_path, today=TODAY)
    messages = {entry.item.id: entry.message for entry in result.items}
    assert result.by_status("met") == []
    assert "docs/runbooks/rollback.md is an unfilled template" in messages["rollback"]
    assert "on-call.md" not in messages["rollback"] and "incident-response.md" not in messages["rollback"]
    assert "docs/runbooks/on-call.md is an unfilled template" in messages["on-call"]

"""The explanation of an item that fails the gate: what was looked for, what was found, and the
three ways out (add the evidence, mark a test, or record a decision), with exact syntax."""

from __future__ import annotations

import datetime as dt

from pytest_mlchecklist.engine import ItemResult
from pytest_mlchecklist.config import ResolvedConfig

STATUS_WORDS = {
    "met": "MET",
    "unmet": "UNMET",
    "waived": "WAIVED",
    "not_applicable": "NOT APPLICABLE",
    "error": "ERROR",
}


def failure_text(result: ItemResult, config: ResolvedConfig) -> str:
    """Multi-line text for an item that fails: shown by pytest and by ``ml-checklist scan``."""
    item = result.item
    lines = [f"{item.label} ({item.title}): {STATUS_WORDS[result.status]}", f"  {result.message}"]
    if result.status == "met" and result.waiver_state == "unused":
        lines.append(f"  The item is met, so the waiver in {result.waiver.source if result.waiver else 'the configuration'} "
                     "is not needed: remove it (strict mode fails on unused waivers).")
        return "\n".join(lines)
    lines.append("")
    lines.append("Looked for:")
    for sentence in result.looked_for:
        lines.append(f"  - {sentence}")
    if "test" in item.evidence:
        lines.append(f"  - a passing test marked @pytest.mark.ml_checklist(\"{item.id}\")")
    if "declared" in item.evidence:
        lines.append(f"  - files declared under `evidence: {{{item.id}: [...]}}` in the configuration (still checked)")
    found = [piece for piece in result.evidence if piece.verdict != "supports"]
    if found:
        lines.append("Found, but not enough:")
        for piece in found[:8]:
            lines.append(f"  - {piece.location()}: {piece.detail}")
    lines.append("")
    lines.append("Ways out:")
    lines.append(f"  1. Add the evidence: {item.remediation}")
    if "test" in item.evidence:
        lines.append(f"  2. Mark a test that demonstrates it: @pytest.mark.ml_checklist(\"{item.id}\")")
    else:
        lines.append("  2. (A marked test does not count for this item: it needs a file in the repository.)")
    lines.append("  3. Record a conscious decision in " + (config.source or "mlchecklist.yaml") + ":")
    lines.extend("     " + line for line in waiver_snippet(item.id, config))
    return "\n".join(lines)


def waiver_snippet(item_id: str, config: ResolvedConfig) -> list[str]:
    """A ready-to-paste waiver (and not-applicable) entry in the syntax of the config file in use."""
    expires = (config.today + dt.timedelta(days=min(90, config.settings.max_waiver_days))).isoformat()
    if item_id in config.locked_items:
        return [f"(none: under the {config.profile} profile this item can neither be waived nor declared not applicable)"]
    if config.source_kind == "pyproject":
        return [
            "[[tool.ml-checklist.waivers]]",
            f'item = "{item_id}"',
            'reason = "<why it is safe to ship without it for now>"',
            'owner = "@your-team"',
            f"expires = {expires}",
            "or, if it can never apply:",
            "[[tool.ml-checklist.not_applicable]]",
            f'item = "{item_id}"',
            'reason = "<why this item does not apply to this system>"',
        ]
    return [
        "waivers:",
        f"  - item: {item_id}",
        '    reason: "<why it is safe to ship without it for now>"',
        '    owner: "@your-team"',
        f"    expires: {expires}",
        "or, if it can never apply:",
        "not_applicable:",
        f"  - item: {item_id}",
        '    reason: "<why this item does not apply to this system>"',
        f'or in code: @pytest.mark.ml_waive("{item_id}", reason="...", owner="@your-team", expires="{expires}")',
    ]

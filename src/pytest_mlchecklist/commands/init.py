"""``ml-checklist init [PATH] [--templates] [--force] [--profile mvp] [--pyproject]``.

Scans the repository with the default configuration to see which items already have evidence,
then writes a commented starter ``mlchecklist.yaml`` (or, with ``--pyproject``, prints the
``[tool.ml-checklist]`` table to paste into ``pyproject.toml``). It never invents a waiver: the
items found unmet are listed as comments with a hint.

With ``--templates`` it also writes starter documents where the detectors look (package data
under ``pytest_mlchecklist/templates``). Each carries the line ``ml-checklist: template``, so it
is not evidence until someone fills it in and deletes that line. Existing files are never
overwritten, not even with ``--force``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pytest_mlchecklist.commands.common import UsageProblem, repository_root, today_option

if TYPE_CHECKING:
    from pytest_mlchecklist.engine import ChecklistResult

CONFIG_NAME = "mlchecklist.yaml"
DEFAULT_PROFILE = "mvp"


@dataclass(frozen=True)
class TemplateSpec:
    """One starter document: the package file, where it goes, and the items it starts."""

    file: str
    path: str
    items: tuple[str, ...]
    what: str


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``init``."""
    parser = subparsers.add_parser(
        "init",
        help="write a starter configuration (and, with --templates, starter documents)",
        description="Scan the repository, then write a commented mlchecklist.yaml with the profile and "
        "the items that are not met yet. With --templates, also write starter documents where the "
        "detectors look; they count as evidence only once filled in.",
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, help="profile to start with (default: mvp)")
    parser.add_argument("--templates", action="store_true", help="also write starter documents (never overwrites a file)")
    parser.add_argument("--force", action="store_true", help="replace an existing mlchecklist.yaml")
    parser.add_argument("--pyproject", action="store_true",
                        help="print a [tool.ml-checklist] table to add to pyproject.toml instead of writing mlchecklist.yaml")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=None, help="evaluate dates as of this day")


def run(arguments: argparse.Namespace) -> int:
    """Write the configuration (and templates); 0 on success, 2 when the configuration exists."""
    root = repository_root(arguments.path)
    today = today_option(arguments.today) or dt.date.today()
    existing, kind = _existing_configuration(root)
    if arguments.pyproject and not (root / "pyproject.toml").is_file():
        raise UsageProblem(f"--pyproject: there is no pyproject.toml in {root}; leave out --pyproject to write {CONFIG_NAME}")
    keep_config = existing is not None and not arguments.force
    if keep_config and not arguments.templates:
        raise UsageProblem(f"{existing} already configures the checklist in {root}; nothing was written. "
                           "Use --force to replace it, or edit it by hand (see `ml-checklist explain ITEM`)")
    if existing is not None and arguments.force and kind == "pyproject" and not arguments.pyproject:
        raise UsageProblem(f"[tool.ml-checklist] in pyproject.toml configures the checklist; writing {CONFIG_NAME} "
                           "too would leave two configurations. Remove the table first, or use --pyproject")

    result = _scan_with_defaults(root, arguments.profile, today)
    specs = load_template_specs()
    written_templates: dict[str, str] = {}
    if arguments.templates:
        for spec, written in write_templates(root, specs):
            print(f"{'wrote' if written else 'kept'} {spec.path}"
                  + ("" if written else " (the file exists; not overwritten)") + f": {spec.what}")
            if written:
                for item in spec.items:
                    written_templates.setdefault(item, spec.path)

    if keep_config:
        print(f"kept the existing configuration, {existing} (use --force to replace it)")
    elif arguments.pyproject:
        print("Add this table to pyproject.toml:\n")
        print(render_pyproject(result, written_templates, today))
    else:
        text = render_yaml(result, written_templates, today)
        target = root / CONFIG_NAME
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write {target}: {exc.strerror}") from None
        print(f"wrote {CONFIG_NAME}: profile {result.config.profile}, {result.met} of {len(result.items)} items "
              "already have evidence")
    print(_next_steps(bool(written_templates)))
    return 0


def _existing_configuration(root: Path) -> tuple[str | None, str]:
    """How the checklist is configured already: ``("mlchecklist.yaml", "yaml")``,
    ``("[tool.ml-checklist] in pyproject.toml", "pyproject")`` or ``(None, "defaults")``."""
    from pytest_mlchecklist.config import YAML_CONFIG_NAMES, find_config_file
    from pytest_mlchecklist.errors import ConfigError

    try:
        path, kind = find_config_file(root)
    except ConfigError:  # two configurations at once: a configuration exists all the same
        return next(name for name in YAML_CONFIG_NAMES if (root / name).is_file()), "yaml"
    if path is None:
        return None, kind
    return (f"[tool.ml-checklist] in {path.name}" if kind == "pyproject" else path.name), kind


# ---------------------------------------------------------------------- scanning
def _scan_with_defaults(root: Path, profile: str, today: dt.date) -> ChecklistResult:
    """Evaluate ``root`` with the default settings and ``profile`` (an existing configuration
    is ignored: ``init`` describes the repository as it is)."""
    from pytest_mlchecklist.catalog import load_builtin_catalog
    from pytest_mlchecklist.config import LoadedSettings, Settings, choose_catalog, resolve_config
    from pytest_mlchecklist.engine import build_index, evaluate, load_recorded_test_evidence

    settings = Settings()
    catalog = load_builtin_catalog(choose_catalog(settings, profile_override=profile))
    config = resolve_config(LoadedSettings(settings=settings, source=None, kind="defaults"),
                            catalog, today=today, profile_override=profile)
    index = build_index(root, config)
    recorded, waivers, outcomes = load_recorded_test_evidence(root, config)
    return evaluate(config, index, test_evidence=recorded, marker_waivers=waivers,
                    test_run=bool(recorded or outcomes), test_outcomes=outcomes)


# ---------------------------------------------------------------------- templates
def load_template_specs() -> list[TemplateSpec]:
    """The starter documents listed in ``templates/templates.yaml`` (package data)."""
    text = resources.files("pytest_mlchecklist").joinpath("templates", "templates.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return [TemplateSpec(file=entry["file"], path=entry["path"], items=tuple(entry["items"]), what=entry["what"])
            for entry in data["templates"]]


def template_text(spec: TemplateSpec) -> str:
    """The text of one template, as shipped."""
    return resources.files("pytest_mlchecklist").joinpath("templates", spec.file).read_text(encoding="utf-8")


def write_templates(root: Path, specs: list[TemplateSpec]) -> list[tuple[TemplateSpec, bool]]:
    """Write each template under ``root`` unless its file exists: ``(spec, written)`` pairs."""
    outcomes: list[tuple[TemplateSpec, bool]] = []
    for spec in specs:
        target = root / spec.path
        if target.exists():
            outcomes.append((spec, False))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template_text(spec), encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write {target}: {exc.strerror}") from None
        outcomes.append((spec, True))
    return outcomes


# ---------------------------------------------------------------------- the configuration text
def _comment_block(result: ChecklistResult, templates: dict[str, str], today: dt.date, prefix: str) -> list[str]:
    """The commented summary of the scan: what is met, and what is not with hints."""
    config = result.config
    lines = [
        f"{prefix}Scan of {today.isoformat()}: {result.met} of {len(result.items)} items of the {config.profile} "
        "profile have evidence.",
    ]
    met = [entry.item.label for entry in result.items if entry.status == "met"]
    if met:
        lines.append(f"{prefix}Met: " + ", ".join(met))
    not_met = [entry for entry in result.items if entry.status != "met"]
    if not_met:
        lines += [
            prefix.rstrip(),
            f"{prefix}Not met yet: each of these fails `pytest --ml-checklist` until you add the",
            f"{prefix}evidence, mark a test that shows it, or record a waiver (reason, owner, expiry).",
            f"{prefix}`ml-checklist explain ITEM` says what counts.",
        ]
        for entry in not_met:
            item = entry.item
            lines.append(f"{prefix}  {item.label}: {item.title}" + (" (could not decide: see `ml-checklist scan`)"
                                                                     if entry.status == "error" else ""))
            if item.id in templates:
                lines.append(f"{prefix}      template written: {templates[item.id]} (fill it in)")
            hint = _first_sentence(item.remediation)
            lines.extend(f"{prefix}      {line}" for line in textwrap.wrap(f"hint: {hint}", 88))
    return lines


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end == -1 else flat[: end + 1]


def render_yaml(result: ChecklistResult, templates: dict[str, str], today: dt.date) -> str:
    """The commented ``mlchecklist.yaml`` written by ``init``."""
    config = result.config
    profiles = ", ".join(config.catalog.profiles)
    lines = [
        "# pytest-mlchecklist configuration, started by `ml-checklist init`.",
        "# Run the gate with `pytest --ml-checklist`, or `ml-checklist scan` without running tests.",
        "#",
        f"# profile: which items are enforced ({profiles}, or a list of item slugs/numbers).",
        "# mvp is the first-launch set; mature is every item; regulated locks some items against waivers.",
        f"profile: {config.profile}",
        "",
        *_comment_block(result, templates, today, "# "),
        "",
        "# Pointers to evidence the detectors should read (still checked, never taken on trust):",
        "# evidence:",
        "#   rollback: [docs/runbooks/rollback.md]",
        "#",
        "# Latency targets in milliseconds, for item latency-gated and the ml_latency helper:",
        "# sla:",
        "#   latency_ms: {p99: 80}",
        "#",
        "# A waiver is a conscious, recorded decision to ship without an item for now.",
        "# None is written for you. The shape:",
        "# waivers:",
        "#   - item: load-testing",
        "#     reason: \"<why it is safe to ship without it for now>\"",
        "#     owner: \"@your-team\"",
        f"#     expires: {(today + dt.timedelta(days=90)).isoformat()}",
        "#",
        "# An item that can never apply to this system:",
        "# not_applicable:",
        "#   - item: <slug or number>",
        "#     reason: \"<why it does not apply>\"",
        "",
    ]
    return "\n".join(lines)


def render_pyproject(result: ChecklistResult, templates: dict[str, str], today: dt.date) -> str:
    """The ``[tool.ml-checklist]`` table printed by ``init --pyproject``."""
    lines = [
        "[tool.ml-checklist]",
        "# Run the gate with `pytest --ml-checklist`, or `ml-checklist scan` without running tests.",
        f'profile = "{result.config.profile}"',
        *_comment_block(result, templates, today, "# "),
        "",
        "# A waiver is a conscious, recorded decision; none is written for you. The shape:",
        "# [[tool.ml-checklist.waivers]]",
        '# item = "load-testing"',
        '# reason = "<why it is safe to ship without it for now>"',
        '# owner = "@your-team"',
        f"# expires = {(today + dt.timedelta(days=90)).isoformat()}",
    ]
    return "\n".join(lines)


def _next_steps(with_templates: bool) -> str:
    if with_templates:
        return ("Next: fill in the templates (delete their `ml-checklist: template` line when done), "
                "then run `ml-checklist scan` (or `pytest --ml-checklist`).")
    return "Next: run `ml-checklist scan` (or `pytest --ml-checklist`) and `ml-checklist explain ITEM` for what counts."

"""Item 29 (rollback): a rollback mechanism exists and its procedure was actually rehearsed.

Three detectors, each deciding from content:

``rollback-runbook`` reads Markdown documents (any ``.md`` outside vendored or generated folders;
changelogs and the SECURITY / CODE_OF_CONDUCT / CONTRIBUTING files left out). A section whose
heading is about rolling back (rollback, roll back, roll-back, revert, reverting, downgrade;
words in inline code such as ``session.rollback()`` name an API and do not count), with the
sections nested under it, is the procedure.
Its *steps* are list items that say something (at least two words, not a placeholder such as
TODO, not a rehearsal record); sections nested under it about rehearsals, contacts or history
are not steps. Commands in code blocks are invisible to the Markdown model, so a procedure
written only as a code block is reported as having no steps, and the detail says so.
The rehearsal date is read anywhere in the same document: a line that says the procedure was
rehearsed, drilled or tested ("Last rehearsed: 2026-10-02", "Rollback drill: 2026-10-02",
"Last tested on 2026-10-02"), or any dated line (list item, table row, heading) under a
"Rehearsals" / "Drills" / "Rehearsal log" heading. Only ISO dates (``YYYY-MM-DD``) are read;
lines about a next, planned or scheduled rehearsal are not a rehearsal. The most recent date
that is not in the future wins.

* at least 2 steps and a rehearsal at most ``rollback_rehearsal_max_days`` (default 180) days
  before today: ``supports``;
* steps without a rehearsal date, with a rehearsal older than the limit, with only future or
  invalid dates: ``partial``, saying which;
* a rollback heading with fewer than 2 steps, or a rehearsal log without a procedure:
  ``partial``.

``progressive-rollout`` parses Kubernetes YAML (Helm templates included) for an Argo Rollouts
``Rollout`` (``argoproj.io``) and a Flagger ``Canary`` (``flagger.app``). A Rollout whose
canary or blueGreen strategy runs an analysis that references a template (background
``canary.analysis``, ``canary.steps[].analysis``, ``blueGreen.prePromotionAnalysis`` /
``postPromotionAnalysis``) aborts and rolls back on its own: ``supports``. A Rollout without
analysis, or a Canary without ``analysis.metrics``, only shifts traffic: ``partial``.

``rollback-pipeline`` parses GitHub Actions workflows and ``.gitlab-ci.yml``: a deploy command
that rolls back by itself (``helm upgrade --atomic`` / ``--rollback-on-failure``) or a rollback
command (``helm rollback``, ``kubectl rollout undo``, ``kubectl argo rollouts undo|abort``)
in a step or job that runs only when the pipeline fails is ``supports``; a rollback command
that runs on demand is ``partial`` (a manual mechanism, with no record that it was rehearsed).

The module also holds the small helpers that read ISO dates in Markdown (:func:`iso_dates`,
:func:`parse_iso_date`), for any detector that needs them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

ITEM = "rollback"

# ---------------------------------------------------------------------- dates in Markdown
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


@dataclass(frozen=True)
class DateMention:
    """An ISO date written in a document: the text as written, its value (``None`` when the
    date does not exist, such as ``2026-13-40``), and its line."""

    text: str
    value: dt.date | None
    line: int


def parse_iso_date(text: str) -> dt.date | None:
    """The date of a ``YYYY-MM-DD`` string, or ``None`` when it is not a real date."""
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def iso_dates(text: str, line: int) -> list[DateMention]:
    """Every ``YYYY-MM-DD`` date in ``text`` (a line of prose at ``line``), valid or not."""
    return [DateMention(match.group(0), parse_iso_date(match.group(0)), line) for match in _ISO_DATE.finditer(text)]


def dates_near(text: str, line: int, label: re.Pattern[str], *, window: int = 60) -> list[DateMention]:
    """Dates written within ``window`` characters of a match of ``label`` in ``text``.

    ``Last rehearsed: 2026-10-02`` and ``2026-10-02: rollback drill in staging`` both give a date
    for a label such as ``rehears|drill``; a date far from the label in a long paragraph does not.
    """
    found: list[DateMention] = []
    spans = [match.span() for match in label.finditer(text)]
    if not spans:
        return found
    for match in _ISO_DATE.finditer(text):
        start, end = match.span()
        if any(start - label_end <= window and label_start - end <= window for label_start, label_end in spans):
            found.append(DateMention(match.group(0), parse_iso_date(match.group(0)), line))
    return found


def plain_title(title: str) -> str:
    """A heading without its inline code spans: ``rl.rollback()`` in backticks names an API,
    it does not make the section about rolling back."""
    return re.sub(r"(`+).*?\1", " ", title)


# ---------------------------------------------------------------------- Markdown runbooks
_ROLLBACK_HEADING = re.compile(r"\broll(?:ing)?[\s_-]?backs?\b|\brevert(?:ing|s)?\b|\bdowngrad(?:e|es|ing)\b", re.IGNORECASE)
_REHEARSAL_HEADING = re.compile(r"rehears|\bdrills?\b|game[\s_-]?days?|exercise log|\btest log\b", re.IGNORECASE)
_NOT_STEPS_HEADING = re.compile(
    r"contact|owner|on[\s_-]?call|escalat|reference|see also|history|changelog|related|links?\b", re.IGNORECASE
)
_REHEARSAL_LABEL = re.compile(
    r"rehears|\bdrill(?:s|ed)?\b|last[\s_-]+(?:tested|exercised|practi[cs]ed)|\btested\s+on\b|game[\s_-]?day",
    re.IGNORECASE,
)
_PLANNED = re.compile(r"\b(?:next|planned|upcoming|scheduled\s+(?:for|on)|due\s+(?:on|by))\b", re.IGNORECASE)
_SKIPPED_DOCUMENT = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing)"
    r"\.(?:md|markdown)$",
    re.IGNORECASE,
)
_RUNBOOK_PATH = re.compile(r"roll[\s_-]?back|revert|runbook|playbook|(?:^|/)ops/|deploy|release", re.IGNORECASE)
_MIN_STEPS = 2


@dataclass(frozen=True)
class _Procedure:
    """A rollback section of a document and the steps found under it."""

    heading: MarkdownSection
    steps: int
    steps_line: int


def _markdown_paths(ctx: DetectorContext) -> list[str]:
    found = [
        path
        for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_DOCUMENT.match(path.rsplit("/", 1)[-1])
    ]
    declared = [path for path in ctx.declared(ITEM) if path.lower().endswith((".md", ".markdown", ".txt"))]
    return ctx.candidates(ITEM, [*found, *declared])


def _is_step(text: str) -> bool:
    if not is_substantive(text) or len(text.split()) < 2:
        return False
    return not (_REHEARSAL_LABEL.search(text) and _ISO_DATE.search(text))


def _procedure_sections(document: MarkdownDocument, heading: MarkdownSection) -> list[MarkdownSection]:
    """The heading's subtree without nested sections about rehearsals, contacts or history."""
    kept: list[MarkdownSection] = []
    skip_below: int | None = None
    for section in document.subtree(heading):
        if skip_below is not None and section.level > skip_below:
            continue
        skip_below = None
        title = plain_title(section.title)
        if section is not heading and (_REHEARSAL_HEADING.search(title) or _NOT_STEPS_HEADING.search(title)):
            skip_below = section.level
            continue
        kept.append(section)
    return kept


def top_level_matches(document: MarkdownDocument, pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> list[MarkdownSection]:
    """Sections whose heading (inline code left out) matches ``pattern`` and not ``exclude``, and that are not
    nested under an earlier match."""
    chosen: list[MarkdownSection] = []
    covered: set[int] = set()
    for section in document.sections:
        if id(section) in covered:
            continue
        title = plain_title(section.title)
        if not pattern.search(title) or (exclude is not None and exclude.search(title)):
            continue
        chosen.append(section)
        covered.update(id(nested) for nested in document.subtree(section))
    return chosen


def _procedure(document: MarkdownDocument, heading: MarkdownSection) -> _Procedure:
    steps = 0
    steps_line = heading.line
    for section in _procedure_sections(document, heading):
        count = sum(1 for entry in section.list_items if _is_step(entry.text))
        if count and not steps:
            steps_line = section.line
        steps += count
    return _Procedure(heading=heading, steps=steps, steps_line=steps_line)


def _rehearsal_dates(document: MarkdownDocument) -> list[DateMention]:
    """Dates the document gives for rehearsals of its procedure (see the module docstring)."""
    found: list[DateMention] = []
    in_log: set[int] = set()
    for section in top_level_matches(document, _REHEARSAL_HEADING):
        in_log.update(id(nested) for nested in document.subtree(section))
    for section in document.all_sections():
        lines = list(section.text_lines())
        if section.level:
            lines.append((section.line, section.title))
        for line, raw in lines:
            text = plain_title(raw)  # a date in inline code is an example of the format, not a rehearsal
            if _PLANNED.search(text):
                continue
            if id(section) in in_log:
                found.extend(iso_dates(text, line))
            else:
                found.extend(dates_near(text, line, _REHEARSAL_LABEL))
    return found


def _code_block_between(text: str | None, start: int, end: int | None) -> bool:
    if text is None:
        return False
    lines = text.splitlines()[start - 1 : (end - 1) if end else None]
    return any(line.lstrip().startswith(("```", "~~~")) for line in lines)


def _next_heading_line(document: MarkdownDocument, heading: MarkdownSection) -> int | None:
    subtree = document.subtree(heading)
    position = document.sections.index(subtree[-1]) + 1
    return document.sections[position].line if position < len(document.sections) else None


def _steps_phrase(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def _judge_rehearsal(ctx: DetectorContext, path: str, found: _Procedure, dates: list[DateMention]) -> Evidence:
    limit = ctx.settings.rollback_rehearsal_max_days
    what = f"rollback procedure with {_steps_phrase(found.steps)}"
    where: dict[str, Any] = {"path": path, "line": found.steps_line}
    valid = [(mention.value, mention) for mention in dates if mention.value is not None]
    past = [(value, mention) for value, mention in valid if value <= ctx.today]
    if past:
        latest_date, latest = max(past, key=lambda pair: pair[0])
        age = (ctx.today - latest_date).days
        values = {"steps": float(found.steps), "rehearsal_age_days": float(age), "max_days": float(limit)}
        if age <= limit:
            return ctx.supports(ITEM, f"{what}, last rehearsed {latest.text} ({_days(age)} ago)", values=values, **where)
        return ctx.partial(
            ITEM,
            f"{what} was last rehearsed {latest.text}, {_days(age)} ago, over the {limit}-day limit; rehearse it again",
            values=values,
            **where,
        )
    if valid:
        earliest = min(valid, key=lambda pair: pair[0])[1]
        return ctx.partial(
            ITEM,
            f"{what}, but its rehearsal date {earliest.text} is in the future; record the date of the last rehearsal",
            **where,
        )
    if dates:
        return ctx.partial(
            ITEM, f"{what}, but its rehearsal date `{dates[0].text}` is not a valid date (use YYYY-MM-DD)", **where
        )
    return ctx.partial(
        ITEM, f"{what} never says when it was last rehearsed; add `Last rehearsed: YYYY-MM-DD`", **where
    )


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _judge_document(ctx: DetectorContext, path: str, document: MarkdownDocument) -> Evidence | None:
    headings = top_level_matches(document, _ROLLBACK_HEADING, exclude=_REHEARSAL_HEADING)
    if not headings:
        logs = [
            section for section in document.sections
            if _REHEARSAL_HEADING.search(plain_title(section.title)) and _ROLLBACK_HEADING.search(plain_title(section.title))
        ]
        if logs:
            return ctx.partial(ITEM, "runbook logs rollback rehearsals but has no rollback steps", path=path, line=logs[0].line)
        return None
    procedures = [_procedure(document, heading) for heading in headings]
    best = max(procedures, key=lambda found: found.steps)
    if best.steps >= _MIN_STEPS:
        return _judge_rehearsal(ctx, path, best, _rehearsal_dates(document))
    heading = best.heading
    if best.steps == 1:
        return ctx.partial(
            ITEM, "runbook has a rollback heading with only 1 step; list at least 2 concrete steps", path=path, line=heading.line
        )
    if _code_block_between(ctx.index.read_text(path), heading.line, _next_heading_line(document, heading)):
        detail = ("runbook has a rollback heading but no steps: only a code block, which is not read; "
                  "write the procedure as a numbered list")
    else:
        detail = "runbook has a rollback heading but no steps; write the procedure as a numbered list"
    return ctx.partial(ITEM, detail, path=path, line=heading.line)


@detector(
    name="rollback-runbook",
    items=(ITEM,),
    looks_for="a Markdown runbook with a rollback section of at least 2 listed steps and a recent "
    "`Last rehearsed: YYYY-MM-DD` date (or a dated rehearsal log)",
)
def rollback_runbook(ctx: DetectorContext) -> Iterator[Evidence]:
    """Rollback procedures in Markdown runbooks and how recently they were rehearsed."""
    declared = set(ctx.declared(ITEM))
    for path in _markdown_paths(ctx):
        text = ctx.index.read_text(path)
        if text is None:
            # Any Markdown file may hold a runbook, but only one that looks like a runbook (or
            # that the team declared) is worth an "unreadable" that keeps the item undecided.
            if path in declared or _RUNBOOK_PATH.search(path):
                yield ctx.unreadable(ITEM, path)
            continue
        if not _ROLLBACK_HEADING.search(text):
            continue  # no heading can be about rolling back: not worth parsing
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(ITEM, path)
            continue
        found = _judge_document(ctx, path, document)
        if found is not None:
            yield found


# ---------------------------------------------------------------------- Argo Rollouts and Flagger
_YAML_SUFFIXES = (".yaml", ".yml")
_DELIVERY_KINDS = re.compile(r"^\s*kind:\s*[\"']?(Rollout|Canary)[\"']?\s*(?:#.*)?$", re.MULTILINE)
_TEMPLATED = "HELM_TEMPLATE_VALUE"


def _name(document: dict[str, Any]) -> str:
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name.strip():
        return "(unnamed)"
    return "(templated name)" if _TEMPLATED in name else name


def _template_names(analysis: Any) -> list[str]:
    """Template names an Argo Rollouts analysis block references."""
    if not isinstance(analysis, dict):
        return []
    names: list[str] = []
    templates = analysis.get("templates")
    if isinstance(templates, list):
        for template in templates:
            if isinstance(template, dict) and isinstance(template.get("templateName"), str) and template["templateName"].strip():
                names.append(template["templateName"])
    legacy = analysis.get("templateName")
    if isinstance(legacy, str) and legacy.strip():
        names.append(legacy)
    return ["(templated)" if _TEMPLATED in name else name for name in names]


def _rollout_analyses(strategy: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The strategy kind (``canary``/``blueGreen``) and the analysis templates it runs."""
    canary = strategy.get("canary")
    if isinstance(canary, dict):
        names = _template_names(canary.get("analysis"))
        steps = canary.get("steps")
        if isinstance(steps, list):
            for step in steps:
                if isinstance(step, dict):
                    names.extend(_template_names(step.get("analysis")))
        return "canary", names
    blue_green = strategy.get("blueGreen")
    if isinstance(blue_green, dict):
        names = _template_names(blue_green.get("prePromotionAnalysis"))
        names.extend(_template_names(blue_green.get("postPromotionAnalysis")))
        return "blueGreen", names
    return None, []


def _judge_rollout(ctx: DetectorContext, document: dict[str, Any], path: str, line: int | None) -> Evidence:
    name = _name(document)
    spec = document.get("spec")
    strategy = spec.get("strategy") if isinstance(spec, dict) else None
    kind, templates = _rollout_analyses(strategy) if isinstance(strategy, dict) else (None, [])
    if kind is None:
        return ctx.partial(ITEM, f"Argo Rollout `{name}` has no canary or blueGreen strategy, so nothing rolls it back "
                           "automatically", path=path, line=line)
    if not templates:
        return ctx.partial(ITEM, f"Argo Rollout `{name}` has a {kind} strategy but no analysis, so a bad release is not "
                           "aborted automatically; add an analysis with an AnalysisTemplate", path=path, line=line)
    unique = ", ".join(f"`{template}`" for template in dict.fromkeys(templates))
    noun = "analysis" if len(dict.fromkeys(templates)) == 1 else "analyses"
    return ctx.supports(ITEM, f"Argo Rollout `{name}` aborts and rolls back when {noun} {unique} fails", path=path, line=line)


def _judge_flagger(ctx: DetectorContext, document: dict[str, Any], path: str, line: int | None) -> Evidence:
    name = _name(document)
    spec = document.get("spec")
    analysis = None
    if isinstance(spec, dict):
        analysis = spec.get("analysis", spec.get("canaryAnalysis"))
    metrics = analysis.get("metrics") if isinstance(analysis, dict) else None
    names = [
        metric["name"] for metric in metrics or []
        if isinstance(metric, dict) and isinstance(metric.get("name"), str) and metric["name"].strip()
    ] if isinstance(metrics, list) else []
    if not names:
        return ctx.partial(ITEM, f"Flagger Canary `{name}` has no analysis metrics, so a bad release is not rolled "
                           "back automatically; add `analysis.metrics`", path=path, line=line)
    listed = ", ".join(f"`{metric}`" for metric in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return ctx.supports(ITEM, f"Flagger Canary `{name}` rolls back when metrics {listed} fail their checks", path=path, line=line)


def _kind_lines(text: str) -> list[tuple[str, int]]:
    return [(match.group(1), text.count("\n", 0, match.start()) + 1) for match in _DELIVERY_KINDS.finditer(text)]


@detector(
    name="progressive-rollout",
    items=(ITEM,),
    looks_for="an Argo Rollouts `Rollout` whose canary/blueGreen strategy runs an analysis, or a Flagger "
    "`Canary` with analysis metrics (automatic rollback)",
)
def progressive_delivery(ctx: DetectorContext) -> Iterator[Evidence]:
    """Automatic rollback by Argo Rollouts analysis or Flagger canary metrics."""
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(*_YAML_SUFFIXES)):
        if not path.lower().endswith(_YAML_SUFFIXES):
            continue
        text = ctx.index.read_text(path)
        if text is None or ("argoproj.io" not in text and "flagger.app" not in text):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        kind_lines = _kind_lines(text)
        for document in documents:
            if not isinstance(document, dict):
                continue
            api = document.get("apiVersion")
            kind = document.get("kind")
            if not isinstance(api, str) or kind not in ("Rollout", "Canary"):
                continue
            line = next((number for found, number in kind_lines if found == kind), None)
            if line is not None:
                kind_lines.remove((kind, line))
            if kind == "Rollout" and api.startswith("argoproj.io/"):
                yield _judge_rollout(ctx, document, path, line)
            elif kind == "Canary" and api.startswith("flagger.app/"):
                yield _judge_flagger(ctx, document, path, line)


# ---------------------------------------------------------------------- CI pipelines
_AUTO_ROLLBACK = re.compile(r"\bhelm\s+(?:upgrade|install)\b[^\n]*?(?:--atomic|--rollback-on-failure)\b")
_ROLLBACK_COMMAND = re.compile(
    r"\bhelm\s+rollback\b|\bkubectl\s+rollout\s+undo\b|\bkubectl[\s-]+argo\s+rollouts\s+(?:undo|abort)\b"
)
_ON_FAILURE_IF = re.compile(r"\bfailure\(\)")


@dataclass(frozen=True)
class _PipelineStep:
    """A shell script of a CI job, and whether it runs only when the pipeline failed."""

    job: str
    script: str
    on_failure: bool


def _script_text(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list):
        text = "\n".join(part for part in value if isinstance(part, str))
    else:
        return ""
    return re.sub(r"\\\s*\n\s*", " ", text)  # join continued shell lines


def _github_steps(document: Any) -> Iterator[_PipelineStep]:
    jobs = document.get("jobs") if isinstance(document, dict) else None
    if not isinstance(jobs, dict):
        return
    for job_name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        job_on_failure = isinstance(job.get("if"), str) and bool(_ON_FAILURE_IF.search(job["if"]))
        steps = job.get("steps")
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                continue
            step_on_failure = isinstance(step.get("if"), str) and bool(_ON_FAILURE_IF.search(step["if"]))
            yield _PipelineStep(str(job_name), _script_text(step.get("run")), job_on_failure or step_on_failure)


def _gitlab_steps(document: Any) -> Iterator[_PipelineStep]:
    if not isinstance(document, dict):
        return
    for job_name, job in document.items():
        if not isinstance(job, dict):
            continue
        on_failure = job.get("when") == "on_failure"
        rules = job.get("rules")
        if isinstance(rules, list) and rules and all(isinstance(rule, dict) and rule.get("when") == "on_failure" for rule in rules):
            on_failure = True
        for key in ("before_script", "script", "after_script"):
            script = _script_text(job.get(key))
            if script:
                yield _PipelineStep(str(job_name), script, on_failure)


def _workflow_documents(text: str) -> list[Any] | None:
    """A GitHub Actions workflow parsed as plain YAML.

    The index reads ``{{ ... }}`` as Helm templating and blanks it, which would erase
    ``if: ${{ failure() }}``; GitHub expressions are plain strings to YAML, so the text the
    index read is parsed here as it is.
    """
    try:
        return [document for document in yaml.safe_load_all(text) if document is not None]
    except Exception:  # noqa: BLE001 - any parser error means: could not decide from this file
        return None


def _command(pattern: re.Pattern[str], text: str) -> str:
    """The command a pattern found, as a short phrase (``helm rollback``)."""
    match = pattern.search(text)
    return " ".join(match.group(0).split()) if match is not None else ""


@detector(
    name="rollback-pipeline",
    items=(ITEM,),
    looks_for="a CI deploy job that rolls back on failure (`helm upgrade --atomic`, or `helm rollback` / "
    "`kubectl rollout undo` in a step that runs on failure) in GitHub Actions or GitLab CI",
)
def rollback_pipeline(ctx: DetectorContext) -> Iterator[Evidence]:
    """Automatic rollback steps in GitHub Actions workflows and GitLab CI pipelines."""
    workflows = ctx.index.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")
    gitlab = [path for path in ctx.index.files if path.rsplit("/", 1)[-1].endswith(".gitlab-ci.yml")]
    for path in ctx.candidates(ITEM, [*workflows, *gitlab]):
        if not path.lower().endswith(_YAML_SUFFIXES):
            continue
        text = ctx.index.read_text(path)
        if text is None or not (_AUTO_ROLLBACK.search(_script_text(text)) or _ROLLBACK_COMMAND.search(text)):
            continue
        is_gitlab = path.rsplit("/", 1)[-1].endswith(".gitlab-ci.yml")
        documents = ctx.index.yaml_documents(path) if is_gitlab else _workflow_documents(text)
        if documents is None:
            if is_gitlab:
                yield ctx.unreadable(ITEM, path)
            else:
                yield ctx.evidence(ITEM, "could not decide from this file: it could not be parsed as YAML",
                                   verdict="unreadable", path=path)
            continue
        steps = [step for document in documents for step in (_gitlab_steps(document) if is_gitlab else _github_steps(document))]
        yield from _judge_pipeline(ctx, path, steps)


def _judge_pipeline(ctx: DetectorContext, path: str, steps: list[_PipelineStep]) -> Iterator[Evidence]:
    manual: _PipelineStep | None = None
    for step in steps:
        automatic = _AUTO_ROLLBACK.search(step.script)
        if automatic is not None:
            flag = "--atomic" if "--atomic" in automatic.group(0) else "--rollback-on-failure"
            yield ctx.supports(ITEM, f"CI job `{step.job}` deploys with `helm upgrade {flag}`, which rolls back a failed "
                               "release automatically", path=path)
            return
        if _ROLLBACK_COMMAND.search(step.script):
            if step.on_failure:
                yield ctx.supports(ITEM, f"CI job `{step.job}` runs `{_command(_ROLLBACK_COMMAND, step.script)}` "
                                   "when the deploy fails", path=path)
                return
            manual = manual or step
    if manual is not None:
        yield ctx.partial(ITEM, f"CI job `{manual.job}` can roll back on demand "
                          f"(`{_command(_ROLLBACK_COMMAND, manual.script)}`) but nothing records a rehearsal; "
                          "add a runbook with `Last rehearsed: YYYY-MM-DD`", path=path)


DETECTORS: tuple[Detector, ...] = (rollback_runbook, progressive_delivery, rollback_pipeline)

"""Safety-nets items about judging a launched model: the A/B test plan and counterfactual logging.

``ab-test-plan-document`` (ab-test-plan)
    Markdown: a document whose title or a section heading is about an A/B test, online
    experiment or experiment plan/design. Within that part of the document (the whole document
    when its title is about the experiment) four parts are looked for:

    * *sample size*: a line about the sample size, users / sessions per arm or variant, the
      minimum detectable effect or statistical power, with a number;
    * *duration*: a line about the duration / run time / test length with a number and a time
      unit (days, weeks), or start and end dates;
    * *success criteria*: a section headed success criteria / decision rule / primary metric /
      hypothesis with content, or a line labelled so (``Success criteria: ...``);
    * *approval*: a line saying approved / signed off by someone (an @handle, an e-mail or a
      name) with an ISO date at most ``review_max_days`` old.

    All four: **supports**; otherwise **partial** naming what is missing (an approval older
    than the limit is named as such).

``experiment-config`` (ab-test-plan)
    YAML/JSON experiment configurations (GrowthBook-, Eppo-, Statsig-style or in-house): a
    mapping with variants (``variations`` / ``variants`` / ``arms`` / ``treatments`` / ``groups``)
    and at least one of the four parts as fields: ``sample_size`` (``min_sample_size``,
    ``users_per_variant``, ``mde`` with ``power``), a duration (``duration_days``, ``duration``,
    ``start_date`` with ``end_date``), success criteria (``success_criteria``, ``primary_metric``,
    ``primaryMetrics``, ``goals``, ``decision_rule``, ``hypothesis``) and an approval
    (``approved_by`` / ``approver`` with a date, or ``approval: {by, date}``). All four with a fresh
    approval: **supports**; otherwise **partial** naming what is missing.

``counterfactual-log-code`` (counterfactual-logging)
    Non-test Python: a record of a served decision, written as a dict literal or keyword
    arguments of a call (a logger, a producer, an insert), or as the fields of a pydantic model /
    dataclass. It counts when it holds the *candidates or actions* (``candidates``, ``actions``,
    ``slate``, ``arms``, ``ranked_items``...), their *propensities or scores* (``propensity``,
    ``action_probabilities``, ``scores``...) and the *model version* (``model_version``,
    ``policy_version``, ``model_id``): **supports**. Candidates with propensities but no
    version, or propensities without candidates: **partial**. Plain request logging
    (request id, latency, the prediction) gives nothing.

``counterfactual-log-schema`` (counterfactual-logging)
    Logging schemas: JSON Schema (``properties``), Avro (``.avsc``, ``fields[].name``),
    BigQuery JSON schemas (lists of ``{name, type}``), YAML schemas (``fields`` /
    ``columns`` lists or ``properties``) and Protobuf messages; the same three groups of fields
    decide. A configuration flag that turns counterfactual or propensity logging on
    (``counterfactual_logging: true``, ``log_propensities: enabled``) **supports**; turned off
    it is **partial**.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.model_docs import unit_lines
from pytest_mlchecklist.detectors.monitoring import Responders
from pytest_mlchecklist.detectors.org_documents import join_names
from pytest_mlchecklist.detectors.prometheus import line_of_mapping, structured_with_lines
from pytest_mlchecklist.detectors.python_code import repository_modules
from pytest_mlchecklist.detectors.runbooks import iso_dates, plain_title
from pytest_mlchecklist.detectors.safety_documents import candidate_documents, date_of
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

AB_TEST = "ab-test-plan"
COUNTERFACTUAL = "counterfactual-logging"

_PARTS = ("sample size", "duration", "success criteria", "approval")


# ====================================================================== A/B test plan: documents
_EXPERIMENT_HEADING = re.compile(
    r"\ba\s*/\s*b\b|\bab[\s_-]?test|split[\s-]test|online\s+(?:experiment|test)|experiment(?:ation)?\s+(?:plan|design|proposal)"
    r"|^experiment\s*[:—–-]",
    re.IGNORECASE,
)
_EXPERIMENT_HINT = re.compile(r"a\s*/\s*b|ab[\s_-]?test|experiment", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.-])\d[\d,.]*\s*[kKmM]?\b")
_SAMPLE = re.compile(
    r"sample[\s_-]+size|(?:users|sessions|visitors|requests|customers|units)\s+(?:per|in each|for each)\s+(?:arm|variant|group|bucket)"
    r"|minimum\s+detectable\s+effect|\bmde\b|statistical\s+power",
    re.IGNORECASE,
)
_DURATION = re.compile(r"duration|run(?:s|ning)?\s+(?:for|time)|length|test\s+period|\bruns?\b|\blasts?\b", re.IGNORECASE)
_TIME_UNIT = re.compile(r"\b\d+\s*(?:days?|weeks?|d\b|w\b|business\s+days|full\s+weeks?|months?)", re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:start|from|begins?)\b.*\d{4}-\d{2}-\d{2}.*\b(?:end|to|until|through|ends?)\b.*\d{4}-\d{2}-\d{2}"
                     r"|\d{4}-\d{2}-\d{2}\s*(?:→|->|–|—|to|until)\s*\d{4}-\d{2}-\d{2}", re.IGNORECASE)
_CRITERIA_HEADING = re.compile(r"success\s+(?:criteria|metrics?)|decision\s+(?:rule|criteria)|primary\s+metric|hypothes|"
                               r"ship\s+criteria|launch\s+criteria|guardrail", re.IGNORECASE)
_CRITERIA_LINE = re.compile(r"^\W*(?:success\s+criteria|decision\s+rule|primary\s+metric|ship\s+if|hypothesis)\b\W*\S",
                            re.IGNORECASE)
_APPROVAL = re.compile(r"approv|sign(?:ed)?[\s_-]?off|signed\s+by", re.IGNORECASE)
_PENDING = re.compile(r"\b(?:pending|not\s+yet|awaiting|to\s+be\s+approved|draft)\b", re.IGNORECASE)
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b")
_NOT_PERSON = frozenset("approved approval sign signed off by date product manager lead head data science team review "
                        "experiment plan status owner the ml".split())


def _someone(text: str) -> bool:
    responders = Responders()
    responders.add_text(text)
    if responders.handles or responders.emails:
        return True
    for match in _PERSON.finditer(text):
        words = {word.lower() for word in match.group(0).split()}
        if not words & _NOT_PERSON:
            return True
    return False


@dataclass
class _Plan:
    """What an experiment plan holds; each part is the line where it was found (``None`` if missing)."""

    sample: int | None = None
    duration: int | None = None
    criteria: int | None = None
    approval: int | None = None
    approval_date: dt.date | None = None
    stale_approval: dt.date | None = None

    def missing(self) -> list[str]:
        found = (self.sample, self.duration, self.criteria, self.approval)
        return [name for name, line in zip(_PARTS, found) if line is None]

    def count(self) -> int:
        return 4 - len(self.missing())


def _approval(ctx: DetectorContext, plan: _Plan, line: int, text: str) -> None:
    if not _APPROVAL.search(text) or _PENDING.search(text) or not _someone(text):
        return
    dates = [mention.value for mention in iso_dates(text, line) if mention.value is not None and mention.value <= ctx.today]
    if not dates:
        return
    latest = max(dates)
    if (ctx.today - latest).days <= ctx.settings.review_max_days:
        if plan.approval_date is None or latest > plan.approval_date:
            plan.approval, plan.approval_date = line, latest
    elif plan.approval is None:
        plan.stale_approval = latest


def _scan_lines(ctx: DetectorContext, plan: _Plan, lines: list[tuple[int, str]]) -> None:
    for line, raw in lines:
        text = raw.replace("`", "")
        cleaned = re.sub(r"\d{4}-\d{2}-\d{2}", " ", text)
        if plan.sample is None and _SAMPLE.search(text) and _NUMBER.search(cleaned):
            plan.sample = line
        if plan.duration is None and ((_DURATION.search(text) and _TIME_UNIT.search(text)) or _PERIOD.search(text)):
            plan.duration = line
        if plan.criteria is None and _CRITERIA_LINE.search(text):
            plan.criteria = line
        _approval(ctx, plan, line, text)


def _plan_sections(document: MarkdownDocument) -> list[MarkdownSection]:
    """The experiment part of a document: everything when its first heading is about the experiment."""
    if document.sections and _EXPERIMENT_HEADING.search(plain_title(document.sections[0].title)):
        return [document.preamble, *document.sections]
    chosen: list[MarkdownSection] = []
    covered: set[int] = set()
    for section in document.sections:
        if id(section) in covered or not _EXPERIMENT_HEADING.search(plain_title(section.title)):
            continue
        for nested in document.subtree(section):
            covered.add(id(nested))
            chosen.append(nested)
    return chosen


def _judge_plan(ctx: DetectorContext, plan: _Plan, what: str, path: str, line: int | None) -> Evidence | None:
    missing = plan.missing()
    if not missing:
        assert plan.approval_date is not None
        return ctx.supports(AB_TEST, f"{what} with sample size, duration, success criteria and an approval dated "
                            f"{plan.approval_date.isoformat()}", path=path, line=line)
    if plan.count() == 0:
        return None
    notes = []
    if "approval" in missing and plan.stale_approval is not None:
        age = (ctx.today - plan.stale_approval).days
        notes.append(f"its approval ({plan.stale_approval.isoformat()}) is {age} days old, over the "
                     f"{ctx.settings.review_max_days}-day limit (`review_max_days`)")
        missing = [name for name in missing if name != "approval"]
    if missing:
        notes.insert(0, f"it does not give the {join_names(missing)}")
    return ctx.partial(AB_TEST, f"{what}, but {'; '.join(notes)}", path=path, line=line,
                       values={"parts": float(plan.count())})


@detector(
    name="ab-test-plan-document",
    items=(AB_TEST,),
    looks_for="a Markdown A/B test plan with sample size, duration, success criteria and a dated approval "
    "(`Approved by: @owner on YYYY-MM-DD`)",
)
def ab_test_plan_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """A written, approved A/B test plan (see the module docstring)."""
    for path, document in candidate_documents(ctx, AB_TEST, _EXPERIMENT_HINT):
        if document is None:
            yield ctx.unreadable(AB_TEST, path)
            continue
        sections = _plan_sections(document)
        if not sections:
            continue
        plan = _Plan()
        lines: list[tuple[int, str]] = []
        for section in sections:
            if section.level:
                lines.append((section.line, section.title))
            lines.extend((line, text) for line, text in section.text_lines() if is_substantive(text))
            if plan.criteria is None and section.level and _CRITERIA_HEADING.search(plain_title(section.title)):
                if any(is_substantive(text) for _, text in unit_lines(document, section)):
                    plan.criteria = section.line
        _scan_lines(ctx, plan, sorted(lines))
        first = next(section for section in sections if section.level) if any(s.level for s in sections) else None
        found = _judge_plan(ctx, plan, "A/B test plan", path, first.line if first else None)
        if found is not None:
            yield found


# ====================================================================== A/B test plan: configs
_VARIANT_KEYS = frozenset({"variations", "variants", "arms", "treatments", "groups", "buckets", "treatment_groups"})
_SAMPLE_KEYS = re.compile(r"^(?:min(?:imum)?[_-]?|target[_-]?|required[_-]?)?sample[_-]?sizes?(?:[_-]per[_-]\w+)?$|"
                          r"^(?:users|units|sessions)[_-]per[_-](?:variant|arm|group)$|^sampleSize$|^minSampleSize$", re.I)
_MDE_KEYS = re.compile(r"^(?:mde|minimum[_-]?detectable[_-]?effect)$", re.IGNORECASE)
_DURATION_KEYS = re.compile(r"^(?:duration(?:[_-]?(?:days|weeks))?|run[_-]?days|length[_-]?days|max[_-]?duration|"
                            r"durationDays|runtime)$", re.IGNORECASE)
_CRITERIA_KEYS = re.compile(r"^(?:success[_-]?criteria|successCriteria|primary[_-]?metrics?|primaryMetrics?|goals?|"
                            r"goal[_-]?metrics?|decision[_-]?rule|hypothesis|ship[_-]?criteria)$", re.IGNORECASE)
_APPROVER_KEYS = re.compile(r"^(?:approved[_-]?by|approver|approvedBy|signed[_-]?off[_-]?by)$", re.IGNORECASE)
_APPROVAL_DATE_KEYS = re.compile(r"^(?:approved[_-]?(?:at|on|date)|approval[_-]?date|approvedAt|signed[_-]?off[_-]?(?:at|on))$",
                                 re.IGNORECASE)
_CONFIG_HINT = re.compile(r"variations|variants|\barms\b|treatments|experiment", re.IGNORECASE)


def _filled(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return value > 0
    if isinstance(value, str):
        return is_substantive(value) and not re.fullmatch(r"\s*<[^>]*>\s*", value)
    return bool(value)


def _config_plan(ctx: DetectorContext, node: dict[str, Any]) -> _Plan:
    plan = _Plan()
    line = line_of_mapping(node) or 1
    keys = {str(key): value for key, value in node.items()}
    nested_approval = keys.get("approval") if isinstance(keys.get("approval"), dict) else {}
    if any(_SAMPLE_KEYS.match(key) and _filled(value) for key, value in keys.items()) or (
        any(_MDE_KEYS.match(key) and _filled(value) for key, value in keys.items()) and _filled(keys.get("power"))
    ):
        plan.sample = line
    if any(_DURATION_KEYS.match(key) and _filled(value) for key, value in keys.items()) or (
        date_of(keys.get("start_date") or keys.get("startDate")) and date_of(keys.get("end_date") or keys.get("endDate"))
    ):
        plan.duration = line
    if any(_CRITERIA_KEYS.match(key) and _filled(value) for key, value in keys.items()):
        plan.criteria = line
    approver = next((value for key, value in [*keys.items(), *nested_approval.items()]
                     if _APPROVER_KEYS.match(str(key)) or str(key) == "by"), None)
    date = next((date_of(value) for key, value in [*keys.items(), *nested_approval.items()]
                 if _APPROVAL_DATE_KEYS.match(str(key)) or str(key) in ("date", "on", "at")), None)
    if isinstance(approver, str) and _filled(approver) and date is not None and date <= ctx.today:
        if (ctx.today - date).days <= ctx.settings.review_max_days:
            plan.approval, plan.approval_date = line, date
        else:
            plan.stale_approval = date
    return plan


@detector(
    name="experiment-config",
    items=(AB_TEST,),
    looks_for="an experiment config (YAML/JSON) with variants plus sample size, duration, success criteria / primary "
    "metric and an approval (`approved_by` with a date)",
)
def experiment_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Experiment definitions kept as configuration (see the module docstring)."""
    for path in ctx.candidates(AB_TEST, ctx.index.with_suffix(".yaml", ".yml", ".json")):
        lowered = path.lower()
        text = ctx.index.read_text(path)
        if text is None or not _CONFIG_HINT.search(text):
            continue
        documents = structured_with_lines(ctx.index, path)
        if documents is None:
            if "experiment" in lowered:
                yield ctx.unreadable(AB_TEST, path)
            continue
        best: tuple[int, _Plan, dict[str, Any]] | None = None
        for document in documents:
            for node in iter_nodes(document):
                if not isinstance(node, dict) or not any(str(key) in _VARIANT_KEYS for key in node):
                    continue
                if isinstance(document, dict) and isinstance(document.get("kind"), str) and "apiVersion" in document:
                    continue  # Kubernetes resources (Seldon, Argo) have their own readers
                plan = _config_plan(ctx, node)
                if plan.count() and (best is None or plan.count() > best[0]):
                    best = (plan.count(), plan, node)
        if best is None:
            continue
        _, plan, node = best
        name = node.get("key") or node.get("name") or node.get("id")
        what = f"experiment `{name}`" if isinstance(name, str) else "experiment config"
        found = _judge_plan(ctx, plan, what, path, line_of_mapping(node))
        if found is not None:
            yield found


# ====================================================================== counterfactual logging
_ACTION_FIELDS = frozenset({"candidates", "candidate_ids", "candidate_items", "actions", "action", "action_id",
                            "chosen_action", "arms", "arm", "slate", "slates", "ranked_items", "ranking", "items_shown",
                            "shown_items", "recommendations", "eligible_actions", "action_set", "impressions"})
_PROPENSITY_FIELDS = frozenset({"propensity", "propensities", "propensity_score", "propensity_scores", "pscore",
                                "action_prob", "action_probs", "action_probability", "action_probabilities",
                                "logging_probability", "logging_propensity", "probabilities", "probs", "scores",
                                "candidate_scores", "action_scores", "exploration_probability", "epsilon"})
_VERSION_FIELDS = frozenset({"model_version", "policy_version", "model_id", "policy_id", "model_name_version",
                             "policy", "model_uri", "model_version_id", "policy_name"})


def _normal(name: str) -> str:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return spaced.lower().replace("-", "_")


@dataclass(frozen=True)
class _Record:
    """The field names of one logged record (or schema), and where it is."""

    fields: frozenset[str]
    line: int | None
    label: str

    def groups(self) -> tuple[bool, bool, bool]:
        return (bool(self.fields & _ACTION_FIELDS), bool(self.fields & _PROPENSITY_FIELDS),
                bool(self.fields & _VERSION_FIELDS))


def _judge_records(ctx: DetectorContext, path: str, records: list[_Record]) -> Evidence | None:
    complete = [record for record in records if all(record.groups())]
    if complete:
        record = complete[0]
        return ctx.supports(COUNTERFACTUAL, f"{record.label} logs candidates/actions with their propensities or scores "
                            "and the model version", path=path, line=record.line)
    close = [record for record in records if record.groups()[1] and (record.groups()[0] or record.groups()[2])]
    if close:
        record = close[0]
        actions, _, version = record.groups()
        missing = join_names([name for name, present in (("the candidates or actions", actions), ("the model version", version))
                        if not present])
        return ctx.partial(COUNTERFACTUAL, f"{record.label} logs propensities or scores but not {missing}",
                           path=path, line=record.line)
    return None


def _dict_fields(node: ast.Dict) -> frozenset[str]:
    return frozenset(_normal(key.value) for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str))


def _code_records(tree: ast.Module) -> list[_Record]:
    records: list[_Record] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            fields = _dict_fields(node)
            if fields & _PROPENSITY_FIELDS:
                records.append(_Record(fields, node.lineno, "a logged record"))
        elif isinstance(node, ast.Call):
            fields = frozenset(_normal(keyword.arg) for keyword in node.keywords if keyword.arg)
            if fields & _PROPENSITY_FIELDS:
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "call")
                records.append(_Record(fields, node.lineno, f"`{callee}(...)`"))
        elif isinstance(node, ast.ClassDef):
            fields = frozenset(_normal(item.target.id) for item in node.body
                               if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name))
            if fields & _PROPENSITY_FIELDS:
                records.append(_Record(fields, node.lineno, f"log record `{node.name}`"))
    return records


@detector(
    name="counterfactual-log-code",
    items=(COUNTERFACTUAL,),
    looks_for="serving code that logs each decision with its candidates/actions, their propensities or scores and "
    "the model version (a dict, keyword arguments or a record class)",
)
def counterfactual_log_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Decision logs that allow offline evaluation (see the module docstring)."""
    hints = ("propensit", "action_prob", "probabilities", "scores", "pscore", "epsilon", "probs")
    for module in repository_modules(ctx, COUNTERFACTUAL):
        if not module.mentions(*hints) or not module.parses:
            continue
        found = _judge_records(ctx, module.path, _code_records(module.tree))
        if found is not None:
            yield found


_FLAG_KEY = re.compile(r"^(?:counterfactual|propensit\w*|exploration|off[_-]?policy)[_-]?(?:logging|logs?|log[_-]?enabled|enabled)$"
                       r"|^log[_-]?(?:propensit\w*|counterfactuals?|candidates|exploration)$|^counterfactual_logging\w*$",
                       re.IGNORECASE)
_PROTO_MESSAGE = re.compile(r"^\s*message\s+(\w+)\s*\{", re.MULTILINE)
_PROTO_FIELD = re.compile(r"^\s*(?:repeated\s+|optional\s+)?[\w.<>, ]+\s+(\w+)\s*=\s*\d+", re.MULTILINE)
_SCHEMA_SUFFIXES = (".json", ".avsc", ".yaml", ".yml", ".proto")
_SCHEMA_HINT = re.compile(r"propensit|action_prob|counterfactual|pscore|exploration|scores|probabilities", re.IGNORECASE)


def _schema_records(document: Any) -> list[_Record]:
    records: list[_Record] = []
    for node in iter_nodes(document):
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                records.append(_Record(frozenset(_normal(str(key)) for key in properties), line_of_mapping(node),
                                       f"schema `{node.get('title') or node.get('name') or 'properties'}`"))
            for key in ("fields", "columns", "schema"):
                value = node.get(key)
                if isinstance(value, list):
                    names = frozenset(_normal(str(item["name"])) for item in value
                                      if isinstance(item, dict) and isinstance(item.get("name"), str))
                    if names:
                        records.append(_Record(names, line_of_mapping(node), f"schema `{node.get('name') or key}`"))
        elif isinstance(node, list) and node and all(isinstance(item, dict) and "name" in item and "type" in item for item in node):
            records.append(_Record(frozenset(_normal(str(item["name"])) for item in node), None, "table schema"))
    return [record for record in records if record.fields & _PROPENSITY_FIELDS]


def _flag_findings(ctx: DetectorContext, path: str, documents: list[Any]) -> Evidence | None:
    for document in documents:
        for node in iter_nodes(document):
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if not _FLAG_KEY.match(str(key)):
                    continue
                on = value is True or (isinstance(value, str) and value.strip().lower() in ("true", "on", "enabled", "yes"))
                if isinstance(value, dict):
                    on = value.get("enabled") is True
                line = line_of_mapping(node)
                if on:
                    return ctx.supports(COUNTERFACTUAL, f"`{key}` turns counterfactual logging on", path=path, line=line)
                return ctx.partial(COUNTERFACTUAL, f"`{key}` is set but does not turn counterfactual logging on",
                                   path=path, line=line)
    return None


@detector(
    name="counterfactual-log-schema",
    items=(COUNTERFACTUAL,),
    looks_for="a prediction-log schema (JSON Schema, Avro, BigQuery, YAML, Protobuf) with candidates/actions, "
    "propensities or scores and the model version, or a config flag turning counterfactual logging on",
)
def counterfactual_log_schema(ctx: DetectorContext) -> Iterator[Evidence]:
    """Logging schemas and switches for counterfactual logging (see the module docstring)."""
    for path in ctx.candidates(COUNTERFACTUAL, ctx.index.with_suffix(*_SCHEMA_SUFFIXES, ".toml")):
        lowered = path.lower()
        text = ctx.index.read_text(path)
        if text is None or not _SCHEMA_HINT.search(text):
            continue
        if lowered.endswith(".proto"):
            records = []
            starts = list(_PROTO_MESSAGE.finditer(text))
            for position, match in enumerate(starts):
                end = starts[position + 1].start() if position + 1 < len(starts) else len(text)
                fields = frozenset(_normal(name) for name in _PROTO_FIELD.findall(text[match.end():end]))
                if fields & _PROPENSITY_FIELDS:
                    records.append(_Record(fields, text.count("\n", 0, match.start()) + 1, f"message `{match.group(1)}`"))
            found = _judge_records(ctx, path, records)
            if found is not None:
                yield found
            continue
        documents = structured_with_lines(ctx.index, path, json_suffixes=(".json", ".avsc"))
        if documents is None:
            yield ctx.unreadable(COUNTERFACTUAL, path)
            continue
        found = _judge_records(ctx, path, [record for document in documents for record in _schema_records(document)])
        if found is None or found.verdict != "supports":
            flag = _flag_findings(ctx, path, documents)
            if flag is not None and (found is None or flag.verdict == "supports"):
                found = flag
        if found is not None:
            yield found


DETECTORS: tuple[Detector, ...] = (
    ab_test_plan_document,
    experiment_config,
    counterfactual_log_code,
    counterfactual_log_schema,
)

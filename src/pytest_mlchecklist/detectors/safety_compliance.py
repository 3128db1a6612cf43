"""Safety-nets catalog, section "compliance and safety rails": the items that are not one of the
51 production items. Every decision comes from parsed content (Markdown by structure, YAML/JSON
by keys, Terraform by blocks, Python by :mod:`ast`); file names only choose what to read.

``fairness-review``
    ``fairness-review-document``: a Markdown section about fairness / bias / disparate impact
    (the whole document when its title is) that names protected groups or demographics, gives
    fairness metrics with numbers (a line with a metric such as disparate impact, demographic
    parity, equalised odds, selection rate or false positive rate and a figure, or a table whose
    header names such a metric and whose cells are numbers), states a conclusion (a conclusion /
    findings / decision / outcome sub-section with content, or a ``Conclusion:`` line), and is
    signed off (a reviewer or approver named near *reviewed by / approved by / signed off* and a
    date at most ``review_max_days`` old). All of it: ``supports``; otherwise ``partial`` naming
    what is missing. A heading with nothing (or only TODO) under it is ``partial``; a section
    that names neither groups nor fairness metrics ("bias term") is not read as a review.
    ``fairness-report``: JSON/YAML output of a fairness evaluation (AIF360 / Fairlearn style keys:
    ``disparate_impact``, ``statistical_parity_difference``, ``demographic_parity_ratio``,
    ``equalized_odds_difference``..., or a Fairlearn ``by_group`` table) with numeric values:
    ``supports``; only thresholds (``min_disparate_impact``), values that are not numbers, or a
    ``generated_at`` date older than ``review_max_days``: ``partial``.

``genai-safety-filters``
    ``guardrail-config``: NeMo Guardrails ``config.yml`` (``rails.output.flows``), Guardrails AI
    ``.rail`` specs (validators on ``<output>``), Terraform ``aws_bedrock_guardrail`` (content
    filters with an ``output_strength`` other than NONE, or PII entities) and
    ``azurerm_cognitive_account_rai_policy`` (an enabled ``content_filter`` on ``Completion``).
    Output filtering: ``supports``; prompt filtering only: ``partial``.
    ``output-moderation-code``: non-test Python where the result of a generation call
    (``chat.completions.create``, ``messages.create``, ``generate``, ``invoke``, ``completion``...)
    flows, through assignments, into a moderation call (OpenAI ``moderations.create``, llm-guard
    ``scan_output``, a guardrails ``Guard`` / ``validate``, Presidio ``analyze``/``anonymize``,
    Detoxify ``predict``, or a function named for moderation, toxicity, safety, PII redaction or
    output filtering) in the same function: ``supports``. A moderation call that only sees the
    prompt (or llm-guard ``scan_prompt``): ``partial``.

``explainability``
    ``explainer-code``: non-test Python that builds an explainer (SHAP, LIME, Captum, alibi,
    DiCE, eli5) and computes explanations with it (``explainer(X)``, ``shap_values``,
    ``explain_instance``, ``attribute``, ``explain``...): ``supports``. The same in notebook or
    scratch code (``notebooks/``, ``scratch/``, ``sandbox/``, files with ``# %%`` cells), an
    explainer never used, or an explanation library that is only a dependency: ``partial``.
    ``explanation-api``: a web route whose path is about explanations (``/explain``,
    ``/reasons``) or whose handler returns explanation fields (``explanation``, ``reason_codes``,
    ``attributions``, ``shap_values``...), or answers with a repository class that has such a
    field (found from ``response_model``, the return annotation or a class called in a
    ``return``, through the imports), and a KServe ``InferenceService`` with an
    ``explainer`` component: ``supports``.
    ``explainability-document``: a Markdown section about explainability / interpretability /
    explanations / reason codes that names a method (SHAP, LIME, integrated gradients, anchors,
    counterfactuals, feature attributions, reason codes...) and where explanations are kept or
    served (stored / logged / returned, a table, bucket or endpoint): ``supports``; one of the two:
    ``partial``.

``human-fallback``
    ``human-review-code``: non-test Python where an ``if`` compares a confidence-like value
    (confidence, score, probability, uncertainty, margin, entropy) with a threshold and one of its
    branches sends the case to a person (a call or a returned label about human / manual review,
    escalation, triage, a review queue): ``supports``. A branch that returns a review decision label
    (``"review"``, ``"manual_review"``...) when a score crosses a constant threshold (a number or
    an upper-case constant) counts too.
    ``human-review-config``: a YAML/JSON/TOML mapping with a confidence threshold and a review
    queue (``review_queue``, ``escalation_queue``...): ``supports``; one without the other: ``partial``.
    ``human-review-runbook``: a Markdown section about human review / human-in-the-loop /
    manual review / escalation to a human that describes the path (at least two lines), names an
    owner and gives an SLA (a time: ``4 hours``, ``1 business day``): ``supports``; less: ``partial``.

``prediction-audit-log``
    ``audit-log-code``: non-test Python that builds a prediction record (a dict literal, the
    keywords of a call, or a call to a repository function or method that returns such a dict)
    with a model version, a request / prediction id and the output, and
    sends it to durable storage in the same function (Kafka ``send``/``produce``, BigQuery
    ``insert_rows_json``, S3 ``put_object``, Kinesis/Firehose ``put_record``, Pub/Sub ``publish``,
    a database ``add``/``insert``/``execute``) or to a structured logger at info level or above.
    With a retention setting for prediction / audit data somewhere in the repository (YAML/JSON
    ``retention``-like keys, Terraform ``retention_in_days``, ``retention.ms``, BigQuery
    expirations, lifecycle expiration on a prediction / audit resource): ``supports``; without
    it: ``partial``. Debug-level logging is not an audit trail and is not read.
    ``audit-log-config``: a YAML/JSON mapping under an ``audit`` / ``prediction_log`` key with a
    destination (topic, table, bucket, uri, sink) and a retention: ``supports``; without retention,
    disabled, or with a field list missing the model version or request id: ``partial``.

A candidate file that does not parse is ``unreadable``.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.data_handling import plural
from pytest_mlchecklist.detectors.kubernetes import display, manifest_candidates
from pytest_mlchecklist.detectors.model_docs import is_number_cell, markdown_tables, subtree_end
from pytest_mlchecklist.detectors.org_documents import join_names
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    dotted_name,
    is_test_path,
    repository_modules,
    resolve_alias,
)
from pytest_mlchecklist.detectors.runbooks import plain_title, top_level_matches
from pytest_mlchecklist.detectors.safety_documents import (
    Dated,
    all_dates,
    candidate_documents,
    dated_lines,
    latest_past,
    people,
    review_age_problem,
    section_lines,
)
from pytest_mlchecklist.detectors.terraform import (
    HclBlock,
    HclError,
    attribute,
    bool_value,
    hcl_blocks,
    nested_blocks,
    string_value,
)
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection

FAIRNESS = "fairness-review"
GENAI = "genai-safety-filters"
EXPLAIN = "explainability"
HUMAN = "human-fallback"
AUDIT = "prediction-audit-log"

_STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_CI_PATH = re.compile(r"(?:^|/)\.github/|(?:^|/)\.gitlab-ci\.yml$|(?:^|/)\.pre-commit", re.IGNORECASE)


# ====================================================================== shared small readers
def _structured_files(ctx: DetectorContext, item: str, suffixes: tuple[str, ...] = _STRUCTURED_SUFFIXES) -> list[str]:
    """Configuration files outside tests and CI folders (declared files included)."""
    declared = set(ctx.declared(item))
    return [
        path for path in ctx.candidates(item, ctx.index.with_suffix(*suffixes))
        if path.lower().endswith(suffixes)
        and (path in declared or (not is_test_path(path) and not _CI_PATH.search(path)))
    ]


def _norm_key(key: Any) -> str:
    return re.sub(r"[\s.-]+", "_", str(key).strip()).lower()


def _walk_mappings(node: Any, trail: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every mapping of a parsed document with the normalised keys leading to it."""
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from _walk_mappings(value, (*trail, _norm_key(key)))
    elif isinstance(node, list):
        for value in node:
            yield from _walk_mappings(value, trail)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _meaningful_string(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip().strip("<>").strip().lower()
    return bool(text) and text not in {"todo", "tbd", "none", "null", "changeme", "xxx", "..."}


def _key_line(text: str | None, key: str) -> int | None:
    """The first line where ``key`` is written as a key (``key:`` or ``"key":``)."""
    if text is None:
        return None
    match = re.search(rf"^[ \t-]*[\"']?{re.escape(key)}[\"']?\s*[:=]", text, re.MULTILINE | re.IGNORECASE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _names_in(node: ast.AST) -> set[str]:
    """Plain names read in an expression (``a`` in ``a.b[0]``)."""
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name)}


def _call_name(module: PythonModule, call: ast.Call) -> str:
    """The dotted name of what a call calls, import aliases resolved (``""`` when not a name).

    A call on a call (``Detoxify("original").predict(x)``) gives the inner name plus the method.
    """
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        inner = _call_name(module, func.value)
        return f"{inner}.{func.attr}" if inner else func.attr
    name = dotted_name(func)
    return resolve_alias(name, module.aliases) if name else ""


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module) -> list[ast.AST]:
    """The nodes of a function (or module) body, nested function and class bodies left out, in
    source order."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(function.body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


def _assigned_names(node: ast.AST) -> list[str]:
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    names: list[str] = []
    for target in targets:
        names.extend(child.id for child in ast.walk(target) if isinstance(child, ast.Name))
    return names


def _assigned_value(node: ast.AST) -> ast.AST | None:
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        return node.value
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return node.iter
    if isinstance(node, ast.withitem):
        return node.context_expr
    return None


def _python_modules(ctx: DetectorContext, item: str, *hints: re.Pattern[str]) -> list[PythonModule]:
    """Non-test modules whose text matches every one of ``hints`` and that parse."""
    return [module for module in repository_modules(ctx, item)
            if all(hint.search(module.text) for hint in hints) and module.parses]


def _unparsable_modules(ctx: DetectorContext, item: str, *hints: re.Pattern[str]) -> list[str]:
    """Non-test modules that match ``hints`` but are not valid Python."""
    return [module.path for module in repository_modules(ctx, item)
            if all(hint.search(module.text) for hint in hints) and not module.parses]


# ====================================================================== fairness-review
_FAIRNESS_HEADING = re.compile(
    r"\bfair(?:ness)?\b|\bbias(?:es)?\b|disparate[\s-]impact|\bequity\b|responsible[\s-]ai|protected\s+(?:groups?|attributes?)",
    re.IGNORECASE,
)
_FAIRNESS_PATH = re.compile(r"fairness|bias|responsible|model[\s_-]?card", re.IGNORECASE)
_GROUPS = re.compile(
    r"\b(?:gender|sex|age(?:\s+(?:groups?|bands?|buckets?))?|race|racial|ethnicit\w*|disabilit\w*|religio\w*|"
    r"national\s+origin|nationality|marital\s+status|pregnan\w*|sexual\s+orientation|"
    r"protected\s+(?:groups?|attributes?|characteristics?|class(?:es)?)|demographic\w*|"
    r"sensitive\s+(?:features?|attributes?))\b",
    re.IGNORECASE,
)
_FAIRNESS_METRIC = re.compile(
    r"disparate[\s-]impact|demographic[\s-]parity|statistical[\s-]parity|equal(?:i[sz]ed)?[\s-]odds|"
    r"equal(?:ity\s+of)?[\s-]opportunity|selection[\s-]rates?|false[\s-](?:positive|negative)[\s-]rates?|"
    r"\b(?:fpr|fnr|tpr)\b|parity\s+(?:difference|ratio|gap)|average\s+odds|predictive\s+parity|"
    r"calibration\s+(?:gap|difference)|approval\s+rates?",
    re.IGNORECASE,
)
_RULE_PHRASE = re.compile(r"four[\s-]fifths(?:\s+rule)?|\b80\s*%\s*rule|\(\s*80\s*%\s*\)", re.IGNORECASE)
_FIGURE = re.compile(r"(?<![\w.-])[-+]?\d+(?:\.\d+)?\s*%?(?![\w-])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONCLUSION_HEADING = re.compile(
    r"conclusion|findings?|outcome|decision|verdict|recommendation|summary|result|assessment", re.IGNORECASE
)
_CONCLUSION_LINE = re.compile(r"^\W*(?:conclusion|decision|outcome|verdict|finding|result|summary)s?\W*[:\-–]\s*\S", re.IGNORECASE)
_SIGN_OFF_LABEL = re.compile(
    r"sign(?:ed)?[\s_-]?off|approv(?:ed|er|al)|reviewed(?:\s+(?:by|on))?|reviewers?\b|review\s+date", re.IGNORECASE
)
_SIGN_OFF_HEADING = re.compile(r"sign[\s-]?off|approval|reviewers?|review\s+record", re.IGNORECASE)


def _group_name(text: str) -> str:
    """``age bands`` -> ``age``, ``Ethnicity`` -> ``ethnicity``; ``protected groups`` stays whole."""
    words = text.lower().split()
    return " ".join(words) if words[0] in ("protected", "sensitive", "national", "marital", "sexual") else words[0]


def _metric_lines(lines: list[tuple[int, str]]) -> list[int]:
    found: list[int] = []
    for line, text in lines:
        if not _FAIRNESS_METRIC.search(text):
            continue
        cleaned = _RULE_PHRASE.sub(" ", _ISO_DATE.sub(" ", text))
        if _FIGURE.search(cleaned):
            found.append(line)
    return found


def _metric_table_rows(ctx: DetectorContext, path: str, document: MarkdownDocument, section: MarkdownSection) -> int:
    """Body rows with a number under a fairness-metric column, in tables inside the section."""
    end = subtree_end(document, section)
    rows = 0
    for table in markdown_tables(ctx.index, path, document):
        if not section.line <= table.line < end:
            continue
        columns = [position for position, cell in enumerate(table.header) if _FAIRNESS_METRIC.search(cell)]
        if not columns:
            continue
        rows += sum(1 for row in table.rows if any(position < len(row.cells) and is_number_cell(row.cells[position])
                                                   for position in columns))
    return rows


def _has_conclusion(document: MarkdownDocument, section: MarkdownSection, lines: list[tuple[int, str]]) -> bool:
    for nested in document.subtree(section)[1:]:
        if _CONCLUSION_HEADING.search(plain_title(nested.title)) and not nested.is_empty():
            return True
    return any(_CONCLUSION_LINE.search(text) for _, text in lines)


def _sign_off(ctx: DetectorContext, document: MarkdownDocument) -> tuple[list[str], Dated | None]:
    """(reviewers named, latest past sign-off date) anywhere in the document."""
    reviewers: list[str] = []
    lines: list[tuple[int, str]] = []
    for section in document.all_sections():
        section_text = section.text_lines()
        lines.extend(section_text)
        in_sign_off = section.level > 0 and bool(_SIGN_OFF_HEADING.search(plain_title(section.title)))
        for _, text in section_text:
            if in_sign_off or _SIGN_OFF_LABEL.search(text):
                reviewers.extend(people(text))
    dates = dated_lines(lines, _SIGN_OFF_LABEL)
    for section in document.all_sections():
        if section.level > 0 and _SIGN_OFF_HEADING.search(plain_title(section.title)):
            dates.extend(all_dates(section.text_lines()))
    return list(dict.fromkeys(reviewers)), latest_past(dates, ctx.today)


def _judge_fairness(ctx: DetectorContext, path: str, document: MarkdownDocument) -> Evidence | None:
    title_sections = [section for section in document.sections if section.level == 1]
    if title_sections and _FAIRNESS_HEADING.search(plain_title(title_sections[0].title)):
        units = [title_sections[0]]
    else:
        units = top_level_matches(document, _FAIRNESS_HEADING)
    best: tuple[int, Evidence] | None = None
    for section in units:
        lines = section_lines(document, section)
        if not lines and not any(nested.tables for nested in document.subtree(section)):
            found = ctx.partial(FAIRNESS, "fairness heading with nothing under it; write the review (groups, metrics, "
                                "conclusion, sign-off)", path=path, line=section.line)
            best = best or (0, found)
            continue
        groups = list(dict.fromkeys(_group_name(match.group(0)) for _, text in lines for match in _GROUPS.finditer(text)))
        figures = len(_metric_lines(lines)) + _metric_table_rows(ctx, path, document, section)
        mentions_metric = any(_FAIRNESS_METRIC.search(text) for _, text in lines)
        if not groups and not mentions_metric:
            continue  # "bias" in another sense: not a fairness review
        conclusion = _has_conclusion(document, section, lines)
        reviewers, signed = _sign_off(ctx, document)
        missing: list[str] = []
        if not groups:
            missing.append("the protected groups or demographics compared")
        if not figures:
            missing.append("fairness metrics with numbers (e.g. disparate impact ratio per group)")
        if not conclusion:
            missing.append("a conclusion")
        if not reviewers:
            missing.append("a named reviewer (`Reviewed by: @name`)")
        stale = review_age_problem(ctx, signed, "the sign-off")
        if stale:
            missing.append(stale)
        score = 4 - len(missing)
        where = {"path": path, "line": section.line}
        if not missing and signed is not None:
            found = ctx.supports(
                FAIRNESS,
                f"fairness review comparing {join_names(groups[:3])} with {plural(figures, 'metric figure')}, a "
                f"conclusion, signed off {signed.text} ({(ctx.today - signed.value).days} days ago)",
                values={"metric_figures": float(figures), "review_age_days": float((ctx.today - signed.value).days)},
                **where,
            )
            score = 10
        else:
            found = ctx.partial(FAIRNESS, "fairness review is missing " + join_names(missing), **where)
        if best is None or score > best[0]:
            best = (score, found)
    return best[1] if best else None


@detector(
    name="fairness-review-document",
    items=(FAIRNESS,),
    looks_for="a Markdown fairness / bias review naming protected groups, with fairness metrics and numbers, a "
    "conclusion and a recent dated sign-off by a named reviewer",
)
def fairness_review_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Completed fairness reviews in Markdown."""
    for path, document in candidate_documents(ctx, FAIRNESS, _FAIRNESS_HEADING, _FAIRNESS_PATH):
        if document is None:
            yield ctx.unreadable(FAIRNESS, path)
            continue
        found = _judge_fairness(ctx, path, document)
        if found is not None:
            yield found


_FAIRNESS_KEYS = frozenset(
    {
        "disparate_impact", "disparate_impact_ratio", "di_ratio", "demographic_parity_difference",
        "demographic_parity_ratio", "equalized_odds_difference", "equalized_odds_ratio", "equalised_odds_difference",
        "equal_opportunity_difference", "statistical_parity_difference", "average_odds_difference",
        "average_abs_odds_difference", "theil_index", "selection_rate_ratio", "selection_rate_difference",
        "false_positive_rate_difference", "false_negative_rate_difference", "true_positive_rate_difference",
    }
)
_THRESHOLD_PREFIX = re.compile(r"^(?:min|max|threshold|target|limit|maximum|minimum)_|_(?:threshold|limit|min|max)$")
_REPORT_DATE_KEYS = frozenset({"generated_at", "evaluated_at", "created_at", "date", "run_date", "timestamp", "report_date"})
_FAIRNESS_TEXT = re.compile(
    r"disparate_impact|parity_(?:difference|ratio)|equali[sz]ed_odds|equal_opportunity|average_odds|by_group|theil_index",
    re.IGNORECASE,
)


@dataclass
class _FairnessReport:
    measured: list[str]
    thresholds: list[str]
    empty: list[str]
    dates: list[str]


def _numeric_leaf(value: Any) -> bool:
    if _is_number(value):
        return True
    if isinstance(value, dict):
        return bool(value) and any(_numeric_leaf(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_numeric_leaf(inner) for inner in value)
    return False


def _scan_fairness_report(documents: list[Any]) -> _FairnessReport:
    found = _FairnessReport([], [], [], [])
    for document in documents:
        for _, mapping in _walk_mappings(document):
            for raw_key, value in mapping.items():
                key = _norm_key(raw_key)
                if key in _REPORT_DATE_KEYS and isinstance(value, str):
                    found.dates.append(value)
                base = _THRESHOLD_PREFIX.sub("", key)
                if key == "by_group" and isinstance(value, dict):
                    groups = [inner for inner in value.values() if _numeric_leaf(inner)]
                    if len(groups) >= 2 or any(isinstance(inner, dict) and len(inner) >= 2 for inner in groups):
                        found.measured.append("by_group")
                    continue
                if base not in _FAIRNESS_KEYS:
                    continue
                if base != key:
                    found.thresholds.append(key)
                elif _numeric_leaf(value):
                    found.measured.append(key)
                else:
                    found.empty.append(key)
    return found


@detector(
    name="fairness-report",
    items=(FAIRNESS,),
    looks_for="fairness evaluation output in JSON/YAML (AIF360/Fairlearn keys such as `disparate_impact`, "
    "`statistical_parity_difference`, a `by_group` table) with numeric values",
)
def fairness_report(ctx: DetectorContext) -> Iterator[Evidence]:
    """Fairness evaluation results written as JSON or YAML."""
    for path in _structured_files(ctx, FAIRNESS, (".json", ".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or not _FAIRNESS_TEXT.search(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(FAIRNESS, path)
            continue
        report = _scan_fairness_report(documents)
        if report.measured:
            keys = list(dict.fromkeys(report.measured))
            line = _key_line(text, keys[0])
            dates = []
            for value in report.dates:
                try:
                    dates.append(dt.date.fromisoformat(value.strip()[:10]))
                except ValueError:
                    continue
            past = [value for value in dates if value <= ctx.today]
            if past:
                age = (ctx.today - max(past)).days
                if age > ctx.settings.review_max_days:
                    yield ctx.partial(FAIRNESS, f"fairness results ({join_names(keys[:3])}) are {age} days old, over the "
                                      f"{ctx.settings.review_max_days}-day limit (`review_max_days`); evaluate again",
                                      path=path, line=line)
                    continue
            yield ctx.supports(FAIRNESS, f"fairness evaluation output with {plural(len(keys), 'metric')} "
                               f"({join_names(keys[:3])}{' and more' if len(keys) > 3 else ''})", path=path, line=line)
        elif report.thresholds:
            yield ctx.partial(FAIRNESS, f"fairness thresholds ({join_names(report.thresholds[:3])}) but no measured "
                              "results; record the evaluation output", path=path, line=_key_line(text, report.thresholds[0]))
        elif report.empty:
            yield ctx.partial(FAIRNESS, f"fairness metric keys without numbers ({join_names(report.empty[:3])})",
                              path=path, line=_key_line(text, report.empty[0]))


# ====================================================================== genai-safety-filters
_NEMO_HINT = re.compile(r"^rails\s*:", re.MULTILINE)
_TF_GUARDRAIL_TYPES = frozenset({"aws_bedrock_guardrail", "azurerm_cognitive_account_rai_policy"})


def _flows(value: Any) -> list[str]:
    flows = value.get("flows") if isinstance(value, dict) else None
    return [flow for flow in flows if isinstance(flow, str) and flow.strip()] if isinstance(flows, list) else []


def _nemo_evidence(ctx: DetectorContext, path: str, text: str) -> Iterator[Evidence]:
    documents = ctx.index.yaml_documents(path)
    if documents is None:
        yield ctx.unreadable(GENAI, path)
        return
    for document in documents:
        rails = document.get("rails") if isinstance(document, dict) else None
        if not isinstance(rails, dict):
            continue
        output = _flows(rails.get("output"))
        prompt = _flows(rails.get("input"))
        line = _key_line(text, "rails")
        if output:
            yield ctx.supports(GENAI, f"NeMo Guardrails configuration runs {plural(len(output), 'output rail')} on "
                               "generated answers" + (f" and {plural(len(prompt), 'input rail')}" if prompt else ""),
                               path=path, line=_key_line(text, "output") or line)
        elif prompt:
            yield ctx.partial(GENAI, f"NeMo Guardrails configuration checks prompts only ({plural(len(prompt), 'input rail')}); "
                              "add output rails (e.g. self check output) so generated answers are filtered too",
                              path=path, line=line)
        else:
            yield ctx.partial(GENAI, "NeMo Guardrails `rails` block without input or output flows", path=path, line=line)


def _rail_evidence(ctx: DetectorContext, path: str, text: str) -> Evidence:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return ctx.evidence(GENAI, f"could not decide from this file: it could not be parsed as XML ({exc})",
                            verdict="unreadable", path=path)
    output = root.find("output") if root.tag == "rail" else None
    if output is None:
        return ctx.partial(GENAI, "Guardrails AI spec without an `<output>` element, so generated output is not validated",
                           path=path, line=1)
    validated = [element for element in output.iter()
                 if element.get("validators") or element.get("format") or element.tag == "validator"
                 or any(name.startswith("on-fail") for name in element.attrib)]
    line = text.count("\n", 0, text.find("<output")) + 1 if "<output" in text else 1
    if validated:
        return ctx.supports(GENAI, f"Guardrails AI spec validates generated output ({plural(len(validated), 'validated element')})",
                            path=path, line=line)
    return ctx.partial(GENAI, "Guardrails AI spec has an `<output>` with no validators; add validators (toxicity, PII...)",
                       path=path, line=line)


def _bedrock_guardrail(ctx: DetectorContext, path: str, block: HclBlock) -> Evidence:
    name = block.labels[1] if len(block.labels) > 1 else "(unnamed)"
    outputs = 0
    inputs = 0
    for policy in nested_blocks(block, "content_policy_config"):
        for filters in nested_blocks(policy, "filters_config"):
            output = string_value((attribute(filters, "output_strength") or ("", 0))[0])
            prompt = string_value((attribute(filters, "input_strength") or ("", 0))[0])
            if output and output.upper() != "NONE":
                outputs += 1
            if prompt and prompt.upper() != "NONE":
                inputs += 1
    pii = sum(len(nested_blocks(policy, "pii_entities_config")) for policy in nested_blocks(block, "sensitive_information_policy_config"))
    if outputs or pii:
        parts = [plural(outputs, "content filter") + " on outputs"] if outputs else []
        if pii:
            parts.append(plural(pii, "PII entity rule", "PII entity rules"))
        return ctx.supports(GENAI, f"Bedrock guardrail `{name}` filters model output ({join_names(parts)})", path=path, line=block.line)
    if inputs:
        return ctx.partial(GENAI, f"Bedrock guardrail `{name}` filters prompts only; set `output_strength` on its content filters",
                           path=path, line=block.line)
    return ctx.partial(GENAI, f"Bedrock guardrail `{name}` has no content filter or PII rule", path=path, line=block.line)


def _azure_rai_policy(ctx: DetectorContext, path: str, block: HclBlock) -> Evidence:
    name = block.labels[1] if len(block.labels) > 1 else "(unnamed)"
    completion = 0
    prompt = 0
    for content_filter in nested_blocks(block, "content_filter"):
        source = string_value((attribute(content_filter, "source") or ("", 0))[0]) or ""
        enabled = bool_value((attribute(content_filter, "filter_enabled") or ("true", 0))[0]) is not False
        if not enabled:
            continue
        if source.lower() == "completion":
            completion += 1
        elif source.lower() == "prompt":
            prompt += 1
    if completion:
        return ctx.supports(GENAI, f"Azure OpenAI content policy `{name}` filters completions ({plural(completion, 'filter')})",
                            path=path, line=block.line)
    if prompt:
        return ctx.partial(GENAI, f"Azure OpenAI content policy `{name}` filters prompts only; add `Completion` filters",
                           path=path, line=block.line)
    return ctx.partial(GENAI, f"Azure OpenAI content policy `{name}` has no enabled content filter", path=path, line=block.line)


@detector(
    name="guardrail-config",
    items=(GENAI,),
    looks_for="output filtering configured for generated text: NeMo Guardrails `rails.output.flows`, a Guardrails AI "
    "`.rail` spec with output validators, a Terraform Bedrock guardrail or Azure OpenAI content policy on completions",
)
def guardrail_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Guardrail and content-filter configuration for generative models."""
    for path in _structured_files(ctx, GENAI, (".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is not None and _NEMO_HINT.search(text) and re.search(r"^\s+(?:input|output)\s*:", text, re.MULTILINE):
            yield from _nemo_evidence(ctx, path, text)
    for path in ctx.candidates(GENAI, ctx.index.with_suffix(".rail")):
        text = ctx.index.read_text(path)
        if text is None:
            yield ctx.unreadable(GENAI, path)
            continue
        yield _rail_evidence(ctx, path, text)
    for path in ctx.candidates(GENAI, ctx.index.with_suffix(".tf")):
        text = ctx.index.read_text(path)
        if text is None or not any(kind in text for kind in _TF_GUARDRAIL_TYPES):
            continue
        try:
            blocks = list(hcl_blocks(text, _TF_GUARDRAIL_TYPES))
        except HclError:
            yield ctx.evidence(GENAI, "could not decide from this file: a block's braces never close", verdict="unreadable", path=path)
            continue
        for block in blocks:
            if block.labels[0] == "aws_bedrock_guardrail":
                yield _bedrock_guardrail(ctx, path, block)
            else:
                yield _azure_rai_policy(ctx, path, block)


_GENERATION_ENDINGS = (
    "completions.create", "messages.create", "responses.create", "ChatCompletion.create", "Completion.create",
)
_GENERATION_LAST = frozenset(
    {"generate", "agenerate", "generate_content", "generate_text", "text_generation", "chat_completion", "invoke",
     "ainvoke", "completion", "acompletion", "create_completion", "create_chat_completion"}
)
_MODERATION_LOCAL = re.compile(
    r"moderat|toxic|safety|guard|filter_(?:output|response|completion|answer|text)|content_filter|redact|scrub|"
    r"censor|check_(?:output|response|completion|answer)|detect_pii|pii_filter|sanitize_output|sanitise_output",
    re.IGNORECASE,
)
_GENAI_HINT = re.compile(r"completion|messages\.create|generat|invoke")
_MODERATION_HINT = re.compile(r"[Mm]oderat|scan_output|scan_prompt|[Gg]uard|[Tt]oxic|[Pp]residio|[Rr]edact|[Ss]crub|[Ss]afety|"
                              r"[Ff]ilter|pii|PII|[Cc]ensor")


def _is_generation(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    receiver = name.rsplit(".", 2)[-2].lower() if name.count(".") >= 1 else ""
    if "rails" in receiver or "guard" in receiver:
        return False  # a guarded generation: the guardrail configuration decides
    return name.endswith(_GENERATION_ENDINGS) or last in _GENERATION_LAST


def _moderation_kind(name: str) -> str | None:
    """``"output"``, ``"input"``, ``"either"`` for a moderation call, else ``None``."""
    last = name.rsplit(".", 1)[-1]
    lowered = name.lower()
    if last == "scan_output":
        return "output"
    if last == "scan_prompt":
        return "input"
    if lowered.endswith("moderations.create"):
        return "either"
    receiver = lowered.rsplit(".", 2)[-2] if "." in lowered else ""
    if "guard" in receiver and last in ("validate", "parse", "__call__"):
        return "either"
    if ("analyzer" in receiver or "presidio" in lowered) and last in ("analyze", "anonymize"):
        return "either"
    if ("detoxify" in lowered or "tox" in receiver) and last == "predict":
        return "either"
    if _MODERATION_LOCAL.search(last):
        return "either"
    return None


@dataclass(frozen=True)
class _ModerationFinding:
    function: str
    line: int
    generation: str
    moderation: str
    output: bool


def _moderation_findings(module: PythonModule) -> list[_ModerationFinding]:
    findings: list[_ModerationFinding] = []
    names = [_call_name(module, node) for node in ast.walk(module.tree) if isinstance(node, ast.Call)]
    if not any(_is_generation(name) for name in names) or not any(_moderation_kind(name) for name in names):
        return findings
    for function in _functions(module.tree):
        nodes = _own_nodes(function)
        calls = [(node, _call_name(module, node)) for node in nodes if isinstance(node, ast.Call)]
        generations = [(node, name) for node, name in calls if _is_generation(name)]
        moderations = [(node, name, _moderation_kind(name)) for node, name in calls]
        moderations = [(node, name, kind) for node, name, kind in moderations if kind is not None]
        if not generations or not moderations:
            continue
        generation_nodes = {id(node) for node, _ in generations}
        tainted: set[str] = set()
        for _ in range(3):  # propagate through a few assignment hops
            for node in nodes:
                value = _assigned_value(node)
                if value is None:
                    continue
                if any(id(child) in generation_nodes for child in ast.walk(value)) or _names_in(value) & tainted:
                    tainted.update(_assigned_names(node))
        for node, name, kind in moderations:
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            sees_output = any(
                _names_in(argument) & tainted or any(id(child) in generation_nodes for child in ast.walk(argument))
                for argument in arguments
            )
            output = kind == "output" or (kind == "either" and sees_output)
            findings.append(_ModerationFinding(function.name, node.lineno, generations[0][1], name, output))
    return findings


@detector(
    name="output-moderation-code",
    items=(GENAI,),
    looks_for="Python that passes the output of an LLM generation call through a moderation or filter call "
    "(`moderations.create`, llm-guard `scan_output`, a guardrails Guard, Presidio, Detoxify, a moderation function)",
)
def output_moderation_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Generated output passed through a moderation call before it is returned."""
    for path in _unparsable_modules(ctx, GENAI, _MODERATION_HINT, _GENAI_HINT):
        yield ctx.unreadable(GENAI, path)
    for module in _python_modules(ctx, GENAI, _MODERATION_HINT, _GENAI_HINT):
        findings = _moderation_findings(module)
        if not findings:
            continue
        output = [finding for finding in findings if finding.output]
        if output:
            finding = output[0]
            yield ctx.supports(GENAI, f"`{finding.function}` passes the output of `{finding.generation}` through "
                               f"`{finding.moderation}` before using it", path=module.path, line=finding.line)
        else:
            finding = findings[0]
            yield ctx.partial(GENAI, f"`{finding.function}` moderates the prompt (`{finding.moderation}`) but not the "
                              f"generated output of `{finding.generation}`", path=module.path, line=finding.line)


# ====================================================================== explainability
_EXPLAINER_PREFIXES = ("shap.", "lime.", "captum.", "alibi.", "dice_ml.", "eli5.", "interpret.")
_EXPLAINER_CLASS = re.compile(r"Explainer$|^(?:IntegratedGradients|Saliency|DeepLift\w*|GradientShap|Occlusion|"
                              r"FeatureAblation|ShapleyValueSampling|Lime|KernelShap|TreeShap|Anchor\w+|Counterfactual\w*|"
                              r"ALE|Dice|LayerIntegratedGradients|GuidedBackprop|InputXGradient|NoiseTunnel)$")
_EXPLAIN_METHODS = frozenset(
    {"shap_values", "explain_instance", "attribute", "explain", "generate_counterfactuals", "explain_prediction",
     "explain_local", "explain_global", "shap_interaction_values"}
)
_EXPLAIN_FUNCTIONS = frozenset({"eli5.explain_prediction", "eli5.explain_weights", "eli5.show_prediction"})
_EXPLAIN_HINT = re.compile(r"\b(?:shap|lime|captum|alibi|dice_ml|eli5)\b")
_SCRATCH_DIRS = frozenset({"notebooks", "notebook", "scratch", "sandbox", "playground", "tmp", "exploration", "explore", "drafts"})
_CELL_MARKER = re.compile(r"^# (?:%%|In\[)", re.MULTILINE)
_DEPENDENCY_FILES = re.compile(r"(?:^|/)(?:requirements[\w.-]*\.(?:txt|in)|pyproject\.toml|setup\.cfg|environment\.ya?ml|Pipfile)$")
_EXPLAIN_PACKAGE = re.compile(r"^\s*[\"']?(shap|lime|captum|alibi|dice-ml|eli5|interpret)\b", re.MULTILINE | re.IGNORECASE)


def _is_scratch(module: PythonModule) -> bool:
    folders = {part.lower() for part in module.path.split("/")[:-1]}
    return bool(folders & _SCRATCH_DIRS) or bool(_CELL_MARKER.search(module.text))


@dataclass(frozen=True)
class _ExplainerUse:
    explainer: str
    line: int
    computed: bool


def _holder(node: ast.AST) -> str | None:
    """The name an explainer is kept under: ``explainer`` or ``self.explainer`` (as ``explainer``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_explainer_class(name: str) -> bool:
    return name.startswith(_EXPLAINER_PREFIXES) and bool(_EXPLAINER_CLASS.search(name.rsplit(".", 1)[-1]))


def _explainer_uses(module: PythonModule) -> list[_ExplainerUse]:
    """Explainers built in a module (kept in a name or attribute) and whether one is used to
    compute explanations anywhere in the module."""
    explainers: dict[str, tuple[str, int]] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            name = _call_name(module, node.value)
            if _is_explainer_class(name):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    holder = _holder(target)
                    if holder is not None:
                        explainers[holder] = (name, node.value.lineno)
    uses: list[_ExplainerUse] = []
    computed: set[str] = set()
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(module, node)
        if name in _EXPLAIN_FUNCTIONS:
            uses.append(_ExplainerUse(name, node.lineno, True))
            continue
        func = node.func
        holder = _holder(func)
        if holder in explainers:
            computed.add(holder)
        elif isinstance(func, ast.Attribute) and func.attr in _EXPLAIN_METHODS:
            inner = _holder(func.value)
            if inner in explainers:
                computed.add(inner)
            elif isinstance(func.value, ast.Call) and _is_explainer_class(_call_name(module, func.value)):
                uses.append(_ExplainerUse(_call_name(module, func.value), node.lineno, True))
    uses.extend(_ExplainerUse(name, line, holder in computed) for holder, (name, line) in explainers.items())
    return sorted(uses, key=lambda use: (not use.computed, use.line))


@detector(
    name="explainer-code",
    items=(EXPLAIN,),
    looks_for="Python (not tests or notebooks) that builds a SHAP/LIME/Captum/alibi/DiCE explainer and computes "
    "explanations with it",
)
def explainer_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Explanations computed in the repository's code."""
    found_any = False
    for path in _unparsable_modules(ctx, EXPLAIN, _EXPLAIN_HINT):
        yield ctx.unreadable(EXPLAIN, path)
    for module in _python_modules(ctx, EXPLAIN, _EXPLAIN_HINT):
        uses = _explainer_uses(module)
        if not uses:
            continue
        found_any = True
        computed = [use for use in uses if use.computed]
        scratch = _is_scratch(module)
        if computed and not scratch:
            use = computed[0]
            yield ctx.supports(EXPLAIN, f"computes explanations with `{use.explainer}`", path=module.path, line=use.line)
        elif computed:
            use = computed[0]
            yield ctx.partial(EXPLAIN, f"explanations with `{use.explainer}` are computed only in notebook or scratch code; "
                              "compute and keep them where decisions are made", path=module.path, line=use.line)
        else:
            use = uses[0]
            yield ctx.partial(EXPLAIN, f"builds `{use.explainer}` but never computes an explanation with it",
                              path=module.path, line=use.line)
    if found_any:
        return
    for path in ctx.candidates(EXPLAIN, [path for path in ctx.index.files if _DEPENDENCY_FILES.search(path)]):
        text = ctx.index.read_text(path)
        match = _EXPLAIN_PACKAGE.search(text or "")
        if match is not None:
            yield ctx.partial(EXPLAIN, f"`{match.group(1).lower()}` is a dependency, but no code computes explanations with it",
                              path=path, line=text.count("\n", 0, match.start()) + 1 if text else None)
            return


_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "route", "api_route"})
_EXPLAIN_PATH = re.compile(r"explain|explanation|reason|attribution|interpret", re.IGNORECASE)
_EXPLAIN_FIELD = re.compile(
    r"^(?:explanations?|reason_codes?|reasons|attributions?|feature_attributions?|feature_contributions?|contributions|"
    r"shap_values|top_factors|top_features|adverse_action_codes?|explanation_\w+)$",
    re.IGNORECASE,
)
_ROUTE_TEXT = re.compile(r"@\w+(?:\.\w+)*\.(?:get|post|put|patch|route|api_route)\s*\(")


def _route_path(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = dotted_name(decorator.func) or ""
        if name.rsplit(".", 1)[-1] not in _ROUTE_METHODS or "." not in name:
            continue
        first = decorator.args[0] if decorator.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("/"):
            return first.value
    return None


def _explanation_fields(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    fields: list[str] = []
    for node in _own_nodes(function):
        if isinstance(node, ast.Dict):
            fields.extend(key.value for key in node.keys
                          if isinstance(key, ast.Constant) and isinstance(key.value, str) and _EXPLAIN_FIELD.match(key.value))
        elif isinstance(node, ast.Call):
            fields.extend(keyword.arg for keyword in node.keywords if keyword.arg and _EXPLAIN_FIELD.match(keyword.arg))
    return list(dict.fromkeys(fields))


@dataclass(frozen=True)
class _ResponseClass:
    """A class of the repository a route answers with, and its explanation fields."""

    name: str
    path: str
    fields: tuple[str, ...]


def _class_fields(node: ast.ClassDef) -> list[str]:
    """Annotated field names of a class body (dataclass, pydantic model, TypedDict, attrs)."""
    return [statement.target.id for statement in node.body
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)]


def _repository_classes(ctx: DetectorContext) -> dict[str, _ResponseClass]:
    """Top-level classes of the repository's non-test modules by qualified name (``pkg.schemas.Score``)."""

    def compute() -> dict[str, _ResponseClass]:
        classes: dict[str, _ResponseClass] = {}
        for module in repository_modules(ctx, EXPLAIN):
            if "class " not in module.text or not module.parses:
                continue
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef):
                    fields = tuple(field for field in _class_fields(node) if _EXPLAIN_FIELD.match(field))
                    classes[f"{module.name}.{node.name}"] = _ResponseClass(node.name, module.path, fields)
        return classes

    return ctx.index.memo(("safety-compliance", "response-classes", *ctx.declared(EXPLAIN)), compute)


def _response_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Names of what a route answers with: the decorator's ``response_model``, the return annotation, and
    classes called in a ``return`` (``return ScoreResponse(...)``)."""
    nodes: list[ast.AST] = []
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call):
            nodes.extend(keyword.value for keyword in decorator.keywords if keyword.arg == "response_model")
    if function.returns is not None:
        nodes.append(function.returns)
    nodes.extend(node.value.func for node in _own_nodes(function)
                 if isinstance(node, ast.Return) and isinstance(node.value, ast.Call))
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
            names.append(node.value)
            continue
        for child in ast.walk(node):
            name = dotted_name(child) if isinstance(child, (ast.Name, ast.Attribute)) else None
            if name:
                names.append(name)
    return list(dict.fromkeys(names))


def _response_class_fields(ctx: DetectorContext, module: PythonModule,
                           function: ast.FunctionDef | ast.AsyncFunctionDef) -> _ResponseClass | None:
    """The first repository class the route answers with that has explanation fields, if any.

    Names are resolved through the module's imports; a name that does not resolve is looked up among the
    classes of the repository by its short name when exactly one class has it.
    """
    classes = _repository_classes(ctx)
    by_short: dict[str, list[_ResponseClass]] = {}
    for found in classes.values():
        by_short.setdefault(found.name, []).append(found)
    for name in _response_names(function):
        qualified = module.resolve(name)
        found = classes.get(qualified) if qualified else None
        if found is None and qualified is None and len(by_short.get(name.rsplit(".", 1)[-1], [])) == 1:
            found = by_short[name.rsplit(".", 1)[-1]][0]
        if found is not None and found.fields:
            return found
    return None


def _does_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(node, ast.Call) for node in _own_nodes(function))


@detector(
    name="explanation-api",
    items=(EXPLAIN,),
    looks_for="a web route that serves explanations (`/explain`, or a handler returning `explanation`/`reason_codes`/"
    "`attributions`), or a KServe InferenceService with an `explainer` component",
)
def explanation_api(ctx: DetectorContext) -> Iterator[Evidence]:
    """Explanations served next to predictions."""
    for module in repository_modules(ctx, EXPLAIN):
        if not _ROUTE_TEXT.search(module.text) or not module.parses:
            continue
        for function in _functions(module.tree):
            route = _route_path(function)
            if route is None:
                continue
            fields = _explanation_fields(function)
            response = None if fields else _response_class_fields(ctx, module, function)
            if fields:
                yield ctx.supports(EXPLAIN, f"route `{route}` returns explanations ({join_names([f'`{f}`' for f in fields[:3]])})",
                                   path=module.path, line=function.lineno)
            elif response is not None:
                shown = join_names([f"`{field}`" for field in response.fields[:3]])
                yield ctx.supports(EXPLAIN, f"route `{route}` returns explanations ({shown} of `{response.name}`, "
                                   f"{response.path})", path=module.path, line=function.lineno)
            elif _EXPLAIN_PATH.search(route):
                if _does_something(function):
                    yield ctx.supports(EXPLAIN, f"route `{route}` serves explanations", path=module.path, line=function.lineno)
                else:
                    yield ctx.partial(EXPLAIN, f"route `{route}` is named for explanations but returns a constant",
                                      path=module.path, line=function.lineno)
    for path in ctx.candidates(EXPLAIN, manifest_candidates(ctx.index)):
        text = ctx.index.read_text(path)
        if text is None or "InferenceService" not in text or "explainer" not in text:
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(EXPLAIN, path)
            continue
        for document in documents:
            if not isinstance(document, dict) or document.get("kind") != "InferenceService":
                continue
            spec = document.get("spec")
            explainer = spec.get("explainer") if isinstance(spec, dict) else None
            if isinstance(explainer, dict) and explainer:
                metadata = document.get("metadata")
                name = metadata.get("name") if isinstance(metadata, dict) else None
                yield ctx.supports(EXPLAIN, f"KServe InferenceService `{display(str(name or '(unnamed)'))}` serves "
                                   "explanations with an explainer component", path=path, line=_key_line(text, "explainer"))


_EXPLAIN_HEADING = re.compile(
    r"explainab|interpretab|\bexplanations?\b|reason\s+codes?|feature\s+attributions?|adverse\s+action", re.IGNORECASE
)
_EXPLAIN_DOC_PATH = re.compile(r"model[\s_-]?card|explain|interpret|responsible", re.IGNORECASE)
_EXPLAIN_METHOD = re.compile(
    r"\bshap\b|shapley|\blime\b|integrated\s+gradients|captum|\banchors?\b|counterfactual|feature\s+(?:importance|attribution)s?|"
    r"saliency|reason\s+codes?|partial\s+dependence|\bale\b|\bebm\b|explainable\s+boosting|glass[\s-]?box|coefficients|"
    r"adverse\s+action\s+codes?",
    re.IGNORECASE,
)
_EXPLAIN_STORAGE = re.compile(
    r"\b(?:stored|logged|saved|written|persisted|kept|archived)\b|\breturned\s+(?:in|with|by|alongside)\b|"
    r"\bavailable\s+(?:in|at|via|from|through)\b|\bexposed\b|\bendpoint\b|s3://|gs://|\btable\b|\bbucket\b|/explain",
    re.IGNORECASE,
)


@detector(
    name="explainability-document",
    items=(EXPLAIN,),
    looks_for="a Markdown explainability section (model card) naming the explanation method and where explanations "
    "are stored or served",
)
def explainability_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Explainability written down in a model card or design document."""
    for path, document in candidate_documents(ctx, EXPLAIN, _EXPLAIN_HEADING, _EXPLAIN_DOC_PATH):
        if document is None:
            yield ctx.unreadable(EXPLAIN, path)
            continue
        best: Evidence | None = None
        for section in top_level_matches(document, _EXPLAIN_HEADING):
            lines = section_lines(document, section)
            methods = sorted({match.group(0).lower() for _, text in lines for match in _EXPLAIN_METHOD.finditer(text)})
            stored = any(_EXPLAIN_STORAGE.search(text) for _, text in lines)
            where = {"path": path, "line": section.line}
            if methods and stored:
                best = ctx.supports(EXPLAIN, f"explainability section names the method ({join_names(methods[:2])}) and "
                                    "where explanations are kept or served", **where)
                break
            if not lines:
                found = ctx.partial(EXPLAIN, "explainability heading with nothing under it", **where)
            elif methods:
                found = ctx.partial(EXPLAIN, f"explainability section names {join_names(methods[:2])} but not where "
                                    "explanations are stored or served", **where)
            else:
                found = ctx.partial(EXPLAIN, "explainability section does not name an explanation method "
                                    "(SHAP, LIME, reason codes...)", **where)
            best = best or found
        if best is not None:
            yield best


# ====================================================================== human-fallback
_CONFIDENCE_WORD = re.compile(r"confiden|certaint|uncertain|score|prob|margin|entropy", re.IGNORECASE)
_HUMAN_ROUTE = re.compile(r"human|manual|review|escalat|triage|moderator|analyst|hitl|annotat|underwriter|operator", re.IGNORECASE)
_HUMAN_LABEL = re.compile(
    r"(?:human|manual)[\s_-]?(?:review|check|decision)|needs?[\s_-]review|review[\s_-]queue|escalat|refer(?:red)?[\s_-]to",
    re.IGNORECASE,
)
_ORDERINGS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_QUEUE_METHODS = frozenset({"put", "put_nowait", "send", "publish", "append", "enqueue", "add", "create"})
_HUMAN_TEXT = re.compile(r"[Hh]uman|[Mm]anual|[Rr]eview|[Ee]scalat|[Tt]riage|HITL|[Mm]oderator|[Aa]nalyst")
_CONFIDENCE_TEXT = re.compile(r"[Cc]onfiden|[Cc]ertaint|[Ss]core|[Pp]rob|[Mm]argin|[Ee]ntropy|[Tt]hreshold")


def _subject_words(node: ast.AST) -> str:
    """Names, attributes and string subscripts read in ``node`` joined (``result.confidence``)."""
    words: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            words.append(child.id)
        elif isinstance(child, ast.Attribute):
            words.append(child.attr)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            words.append(child.value)
    return " ".join(words)


def _confidence_comparison(test: ast.AST) -> str | None:
    """The confidence-like value an ``if`` test compares with a threshold, if any."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, _ORDERINGS) for op in node.ops):
            continue
        sides = [node.left, *node.comparators]
        subjects = [side for side in sides if _CONFIDENCE_WORD.search(_subject_words(side))]
        others = [side for side in sides if side not in subjects]
        if not subjects or not others:
            continue
        threshold = others[0]
        if isinstance(threshold, ast.Constant) and _is_number(threshold.value) or _subject_words(threshold):
            return dotted_name(subjects[0]) or _subject_words(subjects[0]).split(" ")[0]
    return None


#: Decision labels that send a case to a person when a function returns them under a score threshold.
_REVIEW_DECISION = re.compile(r"^(?:(?:manual|human)[\s_-]?)?review$|^needs?[\s_-]review$|^refer(?:red)?$|^escalated?$",
                              re.IGNORECASE)
_CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


def _constant_threshold(test: ast.AST) -> str | None:
    """The constant threshold an ``if`` compares a score with (``score >= REVIEW_THRESHOLD``, ``proba > 0.7``):
    a number or an upper-case module constant, as written."""
    if not isinstance(test, ast.Compare) or not all(isinstance(op, _ORDERINGS) for op in test.ops):
        return None
    sides = [test.left, *test.comparators]
    if not any(_CONFIDENCE_WORD.search(_subject_words(side)) and not isinstance(side, ast.Constant) for side in sides):
        return None
    for side in sides:
        if isinstance(side, ast.Constant) and _is_number(side.value):
            return str(side.value)
        name = dotted_name(side) or ""
        if _CONSTANT_NAME.match(name.rsplit(".", 1)[-1]):
            return name
    return None


def _returned_review_label(statements: list[ast.stmt]) -> str | None:
    """A ``return "review"`` (or ``"manual_review"``...) among the statements of a branch."""
    for statement in statements:
        if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Constant) and \
                isinstance(statement.value.value, str) and _REVIEW_DECISION.match(statement.value.value):
            return statement.value.value
    return None


def _human_route(module: PythonModule, statements: list[ast.stmt]) -> str | None:
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = _call_name(module, node)
                last = name.rsplit(".", 1)[-1]
                receiver = name.rsplit(".", 2)[-2] if "." in name else ""
                if _HUMAN_ROUTE.search(last) or (_HUMAN_ROUTE.search(receiver) and last in _QUEUE_METHODS):
                    return f"`{name}`"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _HUMAN_LABEL.search(node.value):
                return "a human-review label"
    return None


@detector(
    name="human-review-code",
    items=(HUMAN,),
    looks_for="Python that compares a confidence or score with a threshold and sends the case to a person "
    "(review queue, manual review, escalation)",
)
def human_review_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Low-confidence cases routed to a human in code."""
    for module in _python_modules(ctx, HUMAN, _HUMAN_TEXT, _CONFIDENCE_TEXT):
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.If):
                continue
            subject = _confidence_comparison(node.test)
            if subject is None:
                continue
            route = _human_route(module, node.body) or _human_route(module, node.orelse)
            threshold = _constant_threshold(node.test)
            label = _returned_review_label(node.body) or _returned_review_label(node.orelse) if threshold else None
            if route is None and label is not None:
                yield ctx.supports(HUMAN, f"`{subject}` compared with the threshold `{threshold}` returns the decision "
                                   f"`{label}`, which sends the case to a person", path=module.path, line=node.lineno)
                break
            if route is not None:
                yield ctx.supports(HUMAN, f"cases are sent to a person ({route}) depending on `{subject}` against a threshold",
                                   path=module.path, line=node.lineno)
                break


_THRESHOLD_KEY = re.compile(
    r"^(?:(?:min|minimum)_(?:confidence|certainty|score|probability|proba)|"
    r"(?:confidence|certainty|uncertainty|score|probability|proba|review|human_review|manual_review|abstain|escalation|"
    r"auto_approve|auto_decision)_(?:threshold|cutoff|floor|min|below))$"
)
_QUEUE_KEY = re.compile(r"^(?:(?:human_)?review|manual_review|escalation|triage|human|hitl|labeling|labelling)_"
                        r"(?:queue|topic|channel|destination|sink|inbox|team|stream)$")
_REVIEW_CONTEXT = re.compile(r"review|human|hitl|escalat|fallback|triage|manual", re.IGNORECASE)


def _review_blocks(documents: list[Any]) -> list[tuple[list[str], list[str]]]:
    """(threshold keys, queue keys) of each mapping, read together with its nested mappings
    one level down (``human_review: {threshold: 0.6, queue: fraud-review}``)."""
    blocks: list[tuple[list[str], list[str]]] = []
    for document in documents:
        for trail, mapping in _walk_mappings(document):
            keys: dict[str, Any] = {}
            for key, value in mapping.items():
                keys[_norm_key(key)] = value
                if isinstance(value, dict):
                    keys.update({f"{_norm_key(key)}_{_norm_key(inner)}": nested for inner, nested in value.items()})
            in_context = any(_REVIEW_CONTEXT.search(part) for part in trail)
            thresholds = [
                key for key, value in keys.items()
                if _is_number(value) and value > 0
                and (_THRESHOLD_KEY.match(key) or (in_context and key in ("threshold", "min_confidence", "confidence")))
            ]
            queues = [
                key for key, value in keys.items()
                if _meaningful_string(value)
                and (_QUEUE_KEY.match(key) or (in_context and key in ("queue", "topic", "channel", "destination")))
            ]
            if thresholds or queues:
                blocks.append((thresholds, queues))
    return blocks


def _flat_key_line(text: str, key: str) -> int | None:
    """The line of a key, or of its last part for a key flattened from a nested mapping."""
    return _key_line(text, key) or _key_line(text, key.rsplit("_", 1)[-1])


@detector(
    name="human-review-config",
    items=(HUMAN,),
    looks_for="a YAML/JSON/TOML configuration with a confidence threshold and a human review queue",
)
def human_review_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Confidence thresholds and review queues in configuration."""
    for path in _structured_files(ctx, HUMAN):
        text = ctx.index.read_text(path)
        if text is None or not _REVIEW_CONTEXT.search(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(HUMAN, path)
            continue
        blocks = _review_blocks(documents)
        complete = [(thresholds, queues) for thresholds, queues in blocks if thresholds and queues]
        if complete:
            thresholds, queues = complete[0]
            yield ctx.supports(HUMAN, f"configuration sends cases below `{thresholds[0]}` to `{queues[0]}`",
                               path=path, line=_flat_key_line(text, thresholds[0]))
        elif blocks:
            thresholds, queues = blocks[0]
            if thresholds:
                detail = f"configuration has a confidence threshold (`{thresholds[0]}`) but no review queue"
                key = thresholds[0]
            else:
                detail = f"configuration has a review queue (`{queues[0]}`) but no confidence threshold"
                key = queues[0]
            yield ctx.partial(HUMAN, detail, path=path, line=_flat_key_line(text, key))


_HUMAN_HEADING = re.compile(
    r"human[\s-]in[\s-]the[\s-]loop|\bhitl\b|human\s+review|manual\s+review|review\s+queue|escalat\w*\s+to\s+(?:a\s+)?human|"
    r"human\s+(?:fallback|oversight|escalation)|manual\s+(?:fallback|override|decision)|low[\s-]confidence",
    re.IGNORECASE,
)
_HUMAN_PATH = re.compile(r"review|human|hitl|runbook|playbook|escalat", re.IGNORECASE)
_SLA = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:business\s+|working\s+)?(?:minutes?|mins?|hours?|hrs?|h|days?|d)\b|\bsla\b\s*[:\-–]?\s*\S*\d",
    re.IGNORECASE,
)


@detector(
    name="human-review-runbook",
    items=(HUMAN,),
    looks_for="a Markdown section describing the human review path for low-confidence cases, with an owner and an SLA",
)
def human_review_runbook(ctx: DetectorContext) -> Iterator[Evidence]:
    """The human review path written down."""
    for path, document in candidate_documents(ctx, HUMAN, _HUMAN_HEADING, _HUMAN_PATH):
        if document is None:
            yield ctx.unreadable(HUMAN, path)
            continue
        best: tuple[int, Evidence] | None = None
        for section in top_level_matches(document, _HUMAN_HEADING):
            lines = section_lines(document, section, titles=False)
            owners = [person for _, text in lines for person in people(text)]
            sla = any(_SLA.search(text) for _, text in lines)
            missing = []
            if len(lines) < 2:
                missing.append("the review path (at least two lines: when a case goes to a person and what they do)")
            if not owners:
                missing.append("an owner (@team or name)")
            if not sla:
                missing.append("an SLA (how fast a person decides, e.g. `within 4 hours`)")
            where = {"path": path, "line": section.line}
            if not missing:
                found = ctx.supports(HUMAN, f"human review path with owner {owners[0]} and an SLA", **where)
                best = (10, found)
                break
            if not lines:
                found = ctx.partial(HUMAN, "human review heading with nothing under it", **where)
            else:
                found = ctx.partial(HUMAN, "human review section is missing " + join_names(missing), **where)
            if best is None or 3 - len(missing) > best[0]:
                best = (3 - len(missing), found)
        if best is not None:
            yield best[1]


# ====================================================================== prediction-audit-log
_VERSION_KEY = re.compile(r"^model_?(?:version|ver|rev|revision|sha|uri|tag)(?:_?id)?$", re.IGNORECASE)
_MODEL_KEYS = frozenset({"model", "model_name", "model_id", "modelname", "modelid"})
_ID_KEY = re.compile(r"^(?:request|prediction|trace|correlation|inference|event|decision|transaction)_?id$", re.IGNORECASE)
_OUTPUT_KEY = re.compile(
    r"^(?:predictions?|predicted\w*|scores?|outputs?|decision|label|result|probabilit(?:y|ies)|proba|y_pred)$", re.IGNORECASE
)
_INPUT_KEY = re.compile(r"^(?:inputs?|features?|feature_\w+|input_\w+|payload\w*|request|request_body|instances?)$", re.IGNORECASE)
_TIME_KEY = re.compile(r"^(?:timestamp|ts|time|created_at|predicted_at|logged_at|event_time|scored_at)$", re.IGNORECASE)
_DURABLE_SINKS = frozenset(
    {"send", "produce", "send_message", "insert_rows_json", "insert_rows", "insert_all", "load_table_from_json",
     "put_object", "put_record", "put_record_batch", "put_records", "put_item", "publish", "add", "add_all", "insert",
     "insert_one", "insert_many", "execute", "append_rows", "upload_fileobj", "write_rows", "xadd"}
)
_LOG_LEVELS = frozenset({"info", "warning", "warn", "error", "critical", "log", "msg", "exception"})
_AUDIT_HINT = re.compile(r"(?:request|prediction|trace|correlation|inference|event|decision|transaction)_?id", re.IGNORECASE)
_VERSION_HINT = re.compile(r"version", re.IGNORECASE)


@dataclass(frozen=True)
class _AuditRecord:
    function: str
    line: int
    sink: str
    durable: bool
    extras: tuple[str, ...]


def _record_keys(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Dict):
        return [key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)]
    if isinstance(node, ast.Call):
        return [keyword.arg for keyword in node.keywords if keyword.arg]
    return []


def _has_model_version(keys: list[str]) -> bool:
    """A model version key, or ``version`` next to a model name or id."""
    lowered = [key.lower() for key in keys]
    return any(_VERSION_KEY.match(key) for key in lowered) or ("version" in lowered and bool(_MODEL_KEYS & set(lowered)))


def _is_record(keys: list[str]) -> bool:
    return _has_model_version(keys) and any(_ID_KEY.match(key) for key in keys) and any(_OUTPUT_KEY.match(key) for key in keys)


_LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger", "structlog.getLogger", "loguru.logger.bind"})


def _logger_names(module: PythonModule) -> set[str]:
    """Names the module binds to a logger (``audit = logging.getLogger("audit")``)."""
    names: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _call_name(module, node.value) in _LOGGER_FACTORIES:
            names.update(holder for holder in map(_holder, node.targets) if holder is not None)
    return names


def _sink_kind(name: str, loggers: set[str]) -> str | None:
    """``"durable"`` for a storage / stream write, ``"log"`` for a logger call at info or above."""
    last = name.rsplit(".", 1)[-1]
    receiver = name.rsplit(".", 2)[-2] if "." in name else ""
    if last in _DURABLE_SINKS and "." in name:
        return "durable"
    if last in _LOG_LEVELS and (receiver in loggers or "log" in receiver.lower()
                                or name.startswith(("logging.", "structlog.", "loguru."))):
        return "log"
    return None


def _returned_record_keys(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str] | None:
    """The keys of the prediction record a function returns (a dict literal, directly or through
    a local name), or ``None`` when it returns none."""
    nodes = _own_nodes(function)
    assigned: dict[str, list[str]] = {}
    for node in nodes:
        value = _assigned_value(node)
        if isinstance(value, ast.Dict):
            for target in _assigned_names(node):
                assigned[target] = _record_keys(value)
    for node in nodes:
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        if isinstance(node.value, ast.Dict):
            keys = _record_keys(node.value)
        elif isinstance(node.value, ast.Name):
            keys = assigned.get(node.value.id, [])
        else:
            continue
        if _is_record(keys):
            return keys
    return None


def _record_builders(ctx: DetectorContext) -> dict[str, list[str]]:
    """Functions and methods of the repository that build and return a prediction record
    (``Scored.log_record()``), by name, with the record's keys; computed once per scan."""

    def compute() -> dict[str, list[str]]:
        builders: dict[str, list[str]] = {}
        for module in _python_modules(ctx, AUDIT, _AUDIT_HINT, _VERSION_HINT):
            for function in _functions(module.tree):
                keys = _returned_record_keys(function)
                if keys is not None:
                    builders[function.name] = keys
        return builders

    return ctx.index.memo(("safety-compliance", "record-builders", *ctx.declared(AUDIT)), compute)


def _builder_called(node: ast.AST, builders: dict[str, list[str]]) -> list[str] | None:
    """The record keys when ``node`` calls a record builder (``scored.log_record(...)``)."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name is None or name not in builders:
        return None
    return builders[name] + [keyword.arg for keyword in node.keywords if keyword.arg]


def _audit_records(module: PythonModule, builders: dict[str, list[str]]) -> list[_AuditRecord]:
    """Prediction records that reach a sink inside one function of ``module``; a call to a record
    builder defined anywhere in the repository counts as building the record."""
    found: list[_AuditRecord] = []
    loggers = _logger_names(module)
    for function in _functions(module.tree):
        nodes = _own_nodes(function)
        record_keys: dict[int, list[str]] = {}
        for node in nodes:
            if isinstance(node, (ast.Dict, ast.Call)) and _is_record(_record_keys(node)):
                record_keys[id(node)] = _record_keys(node)
            else:
                built = _builder_called(node, builders)
                if built is not None:
                    record_keys[id(node)] = built
        if not record_keys:
            continue
        tainted: set[str] = set()
        for _ in range(3):
            for node in nodes:
                value = _assigned_value(node)
                if value is not None and (any(id(child) in record_keys for child in ast.walk(value)) or _names_in(value) & tainted):
                    tainted.update(_assigned_names(node))
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(module, node)
            kind = _sink_kind(name, loggers)
            if kind is None:
                continue
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            carries = id(node) in record_keys or any(
                any(id(child) in record_keys for child in ast.walk(argument)) or _names_in(argument) & tainted
                for argument in arguments
            )
            if not carries:
                continue
            keys = [key for found_keys in record_keys.values() for key in found_keys]
            extras = tuple(part for part, pattern in (("inputs", _INPUT_KEY), ("time", _TIME_KEY))
                           if any(pattern.match(key) for key in keys))
            found.append(_AuditRecord(function.name, node.lineno, name, kind == "durable", extras))
    return found


_RETENTION_KEY = re.compile(
    r"^(?:retention(?:_(?:days|period|ms|hours|time|policy|in_days|duration))?|ttl(?:_days|_seconds|_hours)?|"
    r"expire_after(?:_days)?|expiration(?:_days|_ms)?|partition_expiration_days|default_table_expiration_ms|"
    r"log_retention(?:_days)?|delete_after(?:_days)?|max_age(?:_days)?|message_retention_duration)$"
)
_AUDIT_CONTEXT = re.compile(r"audit|prediction|inference|decision[\s_-]?log", re.IGNORECASE)
_TF_RETENTION_TYPES = frozenset(
    {"aws_cloudwatch_log_group", "google_bigquery_table", "google_bigquery_dataset", "confluent_kafka_topic", "kafka_topic",
     "aws_s3_bucket_lifecycle_configuration", "aws_kinesis_stream", "google_logging_project_bucket_config",
     "azurerm_log_analytics_workspace", "google_pubsub_topic", "google_pubsub_subscription", "azurerm_storage_management_policy",
     "aws_s3_bucket", "google_storage_bucket"}
)
_TF_RETENTION = re.compile(
    r"retention_in_days|retention_period|retention_days|retention\.ms|retention_ms|partition_expiration_days|"
    r"default_table_expiration_ms|message_retention_duration|expiration\s*\{|delete_after_days|\bage\s*=",
)


def _has_value(value: Any) -> bool:
    return _is_number(value) and value > 0 or (isinstance(value, str) and bool(re.search(r"\d", value)))


def _retention_settings(ctx: DetectorContext) -> list[tuple[str, int | None]]:
    """Where a retention is set for prediction or audit data (paths and lines), computed once."""

    def compute() -> list[tuple[str, int | None]]:
        found: list[tuple[str, int | None]] = []
        for path in _structured_files(ctx, AUDIT):
            text = ctx.index.read_text(path)
            if text is None or not re.search(r"retention|ttl|expir|delete_after|max_age", text, re.IGNORECASE):
                continue
            documents = ctx.index.structured(path) or []
            for document in documents:
                context = bool(_AUDIT_CONTEXT.search(path)) or bool(_AUDIT_CONTEXT.search(str(document)[:20000]))
                for _, mapping in _walk_mappings(document):
                    for key, value in mapping.items():
                        if _RETENTION_KEY.match(_norm_key(key)) and _has_value(value) and context:
                            found.append((path, _key_line(text, str(key))))
        for path in ctx.candidates(AUDIT, ctx.index.with_suffix(".tf")):
            text = ctx.index.read_text(path)
            if text is None or not _TF_RETENTION.search(text):
                continue
            try:
                blocks = list(hcl_blocks(text, _TF_RETENTION_TYPES))
            except HclError:
                continue
            for block in blocks:
                about_audit = _AUDIT_CONTEXT.search(" ".join(block.labels)) or _AUDIT_CONTEXT.search(block.source)
                if _TF_RETENTION.search(block.source) and about_audit:
                    found.append((path, block.line))
        return found

    return ctx.index.memo(("safety-compliance", "audit-retention", *ctx.declared(AUDIT)), compute)


@detector(
    name="audit-log-code",
    items=(AUDIT,),
    looks_for="Python that writes prediction records (model version, request id, output) to durable storage or a "
    "structured log, and a retention setting for them",
)
def audit_log_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Prediction records written by the serving code."""
    builders = _record_builders(ctx)
    modules = _python_modules(ctx, AUDIT, _AUDIT_HINT, _VERSION_HINT)
    if builders:
        # A module that only calls a builder need not mention a model version itself.
        hinted = {module.path for module in modules}
        modules = [module for module in repository_modules(ctx, AUDIT)
                   if module.parses and (module.path in hinted or any(name in module.text for name in builders))]
    for module in modules:
        records = _audit_records(module, builders)
        if not records:
            continue
        record = next((found for found in records if found.durable), records[0])
        where = "durable storage" if record.durable else "a structured log"
        extras = f" (with {join_names(list(record.extras))})" if record.extras else ""
        what = f"`{record.function}` writes prediction records with model version, request id and output{extras} to " \
               f"{where} via `{record.sink}`"
        retention = _retention_settings(ctx)
        if retention:
            path, line = retention[0]
            yield ctx.supports(AUDIT, f"{what}; retention is set in {path}" + (f":{line}" if line else ""),
                               path=module.path, line=record.line)
        else:
            yield ctx.partial(AUDIT, f"{what}, but no retention setting for them was found (topic retention, table "
                              "expiration, log group retention...)", path=module.path, line=record.line)


_AUDIT_BLOCK_KEY = re.compile(
    r"^(?:audit(?:_log|_logging|_trail)?|prediction_(?:log|logs|logging|audit|audit_log)|inference_(?:log|logging)|"
    r"decision_log)$"
)
_DESTINATION_KEY = frozenset({"topic", "table", "bucket", "uri", "path", "sink", "destination", "stream", "dataset", "url",
                              "location", "output", "target", "kafka_topic", "bigquery_table", "s3_uri", "gcs_uri"})
_FIELD_KEYS = frozenset({"fields", "columns", "schema", "record_fields"})


@detector(
    name="audit-log-config",
    items=(AUDIT,),
    looks_for="a YAML/JSON `audit` / `prediction_log` configuration with a destination (topic, table, bucket) and a "
    "retention",
)
def audit_log_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Prediction audit logging declared in configuration."""
    for path in _structured_files(ctx, AUDIT):
        text = ctx.index.read_text(path)
        if text is None or not re.search(r"audit|prediction_log|inference_log|decision_log", text, re.IGNORECASE):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(AUDIT, path)
            continue
        for document in documents:
            for _, mapping in _walk_mappings(document):
                for raw_key, block in mapping.items():
                    if not _AUDIT_BLOCK_KEY.match(_norm_key(raw_key)) or not isinstance(block, dict):
                        continue
                    found = _judge_audit_block(ctx, path, text, str(raw_key), block)
                    if found is not None:
                        yield found


def _judge_audit_block(ctx: DetectorContext, path: str, text: str, key: str, block: dict[str, Any]) -> Evidence | None:
    keys = {_norm_key(name): value for name, value in block.items()}
    line = _key_line(text, key)
    destination = next((name for name, value in keys.items() if name in _DESTINATION_KEY and _meaningful_string(value)), None)
    if destination is None:
        return None
    if keys.get("enabled") is False:
        return ctx.partial(AUDIT, f"prediction audit logging to a {destination} is configured but disabled", path=path, line=line)
    fields_value = next((value for name, value in keys.items() if name in _FIELD_KEYS), None)
    missing: list[str] = []
    if isinstance(fields_value, (list, dict)):
        names = [str(name) for name in fields_value] if isinstance(fields_value, list) else [str(name) for name in fields_value]
        names = [_norm_key(name) for name in names]
        if not _has_model_version(names):
            missing.append("the model version in its fields")
        if not any(_ID_KEY.match(name) for name in names):
            missing.append("a request or prediction id in its fields")
    if not any(_RETENTION_KEY.match(name) and _has_value(value) for name, value in keys.items()):
        missing.append("a retention")
    if missing:
        return ctx.partial(AUDIT, f"prediction audit logging to a {destination} lacks {join_names(missing)}", path=path, line=line)
    return ctx.supports(AUDIT, f"prediction audit logging to a {destination} with a retention", path=path, line=line)


DETECTORS: tuple[Detector, ...] = (
    fairness_review_document,
    fairness_report,
    guardrail_config,
    output_moderation_code,
    explainer_code,
    explanation_api,
    explainability_document,
    human_review_code,
    human_review_config,
    human_review_runbook,
    audit_log_code,
    audit_log_config,
)

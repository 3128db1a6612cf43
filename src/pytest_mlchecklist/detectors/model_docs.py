"""Model documentation detectors: items 15 (model-baseline), 16 (complexity-justified) and 18
(hyperparameter-rationale). They read model cards, evaluation reports, decision records and
search configurations, and decide from what those say, never from a file name.

Markdown is read by structure (headings, sections, list items, prose, tables; code blocks are
never read). Changelogs and community files (CONTRIBUTING, SECURITY...) are left out.

Item 15, ``model-baseline`` (detectors ``baseline-document`` and ``baseline-report``)
    * A Markdown table with a metric column (AUC, recall, RMSE, latency...) and a row labelled
      as the baseline (baseline, current system, previous model, champion, rules engine,
      heuristic, majority class...) whose metric cell and another row's cell are both numbers:
      ``supports`` (also the transposed layout: a baseline column and metric rows).
    * A sentence in a section headed baseline / comparison / results / evaluation / metrics /
      benchmark / performance that names the baseline and compares two measured numbers
      ("AUC 0.89 against 0.75 for the rules engine", "from 0.71 to 0.86"): ``supports``.
      Thresholds ("at least 0.80") are targets, not measurements, and are not read.
    * Such a section that mentions a baseline without numbers, or gives the model's metrics
      without any baseline: ``partial``.
    * A JSON/YAML report where a ``baseline`` / ``champion`` / ``previous_model`` (...) entry and
      a sibling entry hold numbers for the same metric names (or ``baseline_auc`` next to
      ``auc``): ``supports``; baseline numbers without model numbers, or a baseline named
      without numbers in an evaluation file: ``partial``.
Item 16, ``complexity-justified`` (detector ``model-alternatives``)
    The units read are decision records (Markdown under ``adr``/``decisions`` folders, whole
    document) and sections headed alternatives / options considered / model selection / why
    ... / candidates / trade-offs / complexity (with their nested sections). A unit that names
    at least two model families, one of them simple (logistic or linear regression, trees,
    gradient boosting, naive Bayes, kNN, rules/heuristics, a majority-class or "simple" model),
    and gives a reason (measured numbers, or a trade-off: latency, cost, memory,
    interpretability, maintenance...) ``supports``. Alternatives without a reason, only
    complex alternatives, or one family described with nothing to compare (also a model card's
    architecture section): ``partial``.
Item 18, ``hyperparameter-rationale`` (detectors ``hyperparameter-search`` and ``hyperparameter-notes``)
    * A search: Optuna ``create_study``, Ray Tune ``Tuner``/``tune.run``, scikit-learn
      ``GridSearchCV``/``RandomizedSearchCV``/halving searches, ``BayesSearchCV``, KerasTuner,
      hyperopt ``fmin``, skopt minimisers, SageMaker ``HyperparameterTuner``, ``wandb.sweep`` (in
      non-test Python, parsed with ``ast``); a W&B sweep YAML (``method`` grid/random/bayes with
      searched ``parameters``); a Hydra sweeper with ``params``; a Katib ``Experiment``.
      With a written rationale (see below) or a results file in the repository: ``supports``;
      alone: ``partial`` (no record of what the search found or why the values won).
    * A results file: a trials export (Optuna ``trials_dataframe``, scikit-learn
      ``cv_results_``) with at least two trials and their scores ``supports`` on its own; a
      ``best_params`` file only pairs with a search (alone: ``partial``).
    * A Markdown section headed hyperparameters / tuning / hparams that records a search (a
      search word together with the values tried, a range, a trial count or a table of
      trials) and the reasons for the chosen values ``supports``; values only, reasons
      without a search, or a search without reasons: ``partial``.
    * Only final values in a training config (``learning_rate``, ``max_depth``...), with no
      search and no notes anywhere: ``partial``.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.python_code import PythonModule, constant_value, is_test_path, iter_calls, module_name
from pytest_mlchecklist.detectors.runbooks import plain_title, top_level_matches
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, MarkdownTable, is_substantive
from pytest_mlchecklist.repo import RepoIndex

BASELINE = "model-baseline"
COMPLEXITY = "complexity-justified"
HYPERPARAMETERS = "hyperparameter-rationale"

# ====================================================================== Markdown helpers (shared)
_SKIPPED_DOCUMENT = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing|support"
    r"|license|licence|authors)\.(?:md|markdown)$",
    re.IGNORECASE,
)


def markdown_tables(index: RepoIndex, path: str, document: MarkdownDocument | None = None) -> list[MarkdownTable]:
    """The tables of a Markdown file (code blocks excluded), parsed once per scan.

    With its parsed ``document``, a file without any table is not parsed a second time.
    """
    if document is not None and not any(section.tables for section in document.all_sections()):
        return []

    return index.markdown_tables(path)


def cell_text(cell: str) -> str:
    """A table cell without inline-code backticks and surrounding emphasis."""
    return cell.replace("`", "").strip().strip("*_").strip()


def markdown_paths(ctx: DetectorContext, item: str) -> list[str]:
    """Markdown documents that may hold evidence for ``item`` (declared paths included).

    Documents under test folders are fixtures, not the team's documentation.
    """
    found = [
        path for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_DOCUMENT.match(path.rsplit("/", 1)[-1]) and not is_test_path(path)
    ]
    declared = [path for path in ctx.declared(item) if path.lower().endswith((".md", ".markdown", ".txt"))]
    return ctx.candidates(item, [*found, *declared])


def subtree_end(document: MarkdownDocument, section: MarkdownSection) -> int:
    """The line where the section and its nested sections end (exclusive)."""
    subtree = document.subtree(section)
    position = document.sections.index(subtree[-1]) + 1
    return document.sections[position].line if position < len(document.sections) else 10**9


def unit_lines(document: MarkdownDocument, section: MarkdownSection, *, titles: bool = False) -> list[tuple[int, str]]:
    """Substantive prose lines of a section and its nested sections (nested titles optionally)."""
    lines: list[tuple[int, str]] = []
    for nested in document.subtree(section):
        if titles:
            lines.append((nested.line, nested.title))
        lines.extend((line, text) for line, text in nested.text_lines() if is_substantive(text))
    return lines


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(`*_\"'])")


def sentences(text: str) -> list[str]:
    """A paragraph split into sentences (decimals such as ``0.86`` are never split)."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _names(names: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(names))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


# ====================================================================== numbers and metrics
#: A measured value in prose: a decimal, a percentage, or a number with a unit.
_METRIC_NUMBER = re.compile(
    r"(?<![\w.\-/:])[-+−]?(?:\d+\.\d+|\.\d+|\d+(?:\.\d+)?\s?(?:%|ms\b|pp\b|points?\b|percentage points\b))(?!\d|\.\d)"
)
_CELL_NUMBER = re.compile(r"^[<>≤≥~≈]?\s*[-+−±]?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?\s*(?:%|ms|s|pp|x|points?)?(?:\s|\(|±|$)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_THRESHOLD_BEFORE = re.compile(
    r"(?:at\s+least|at\s+most|no\s+more\s+than|no\s+less\s+than|minimum(?:\s+of)?|maximum(?:\s+of)?|\bmin\b|\bmax\b"
    r"|threshold(?:\s+of)?|gate(?:\s+of)?|target(?:\s+of)?|>=|<=|≥|≤|>|<|above|below|under|over)\W{0,3}$",
    re.IGNORECASE,
)
METRIC_WORD = re.compile(
    r"(?<![a-z])(?:roc[\s_-]?auc|pr[\s_-]?auc|auprc|aucpr|auc|gini|accuracy|acc|f1|f[\s_-]?score|f[\s_-]?beta|precision|recall"
    r"|sensitivity|specificity|tpr|fpr|false[\s_-]?positives?[\s_-]?rate|false[\s_-]?negatives?[\s_-]?rate|log[\s_-]?loss"
    r"|cross[\s_-]?entropy|brier|rmse|mse|mae|mape|smape|wape|r2|r²|ndcg|map|mrr|hit[\s_-]?rate|ctr|bleu|rouge\w*|wer|cer"
    r"|iou|miou|dice|perplexity|top[\s_-]?\d+|kappa|mcc|lift|error[\s_-]?rate|loss|latency|p50|p95|p99|throughput)(?![a-z])",
    re.IGNORECASE,
)


def is_number_cell(cell: str) -> bool:
    """True when a table cell holds a measured number (``0.86``, ``86 %``, ``< 1 ms``), not a date."""
    text = cell_text(cell)
    return bool(text) and not _ISO_DATE.match(text) and bool(_CELL_NUMBER.match(text))


def measured_numbers(text: str) -> list[re.Match[str]]:
    """Measured values in a sentence; targets and thresholds ("at least 0.80") are left out."""
    return [match for match in _METRIC_NUMBER.finditer(text) if not _THRESHOLD_BEFORE.search(text[: match.start()])]


def metric_name(text: str) -> str | None:
    """The first metric a text names (lower case), if any."""
    match = METRIC_WORD.search(cell_text(text))
    return match.group(0).lower() if match else None


# ====================================================================== item 15: baseline
BASELINE_TERM = re.compile(
    r"\bbaselines?\b|\bchampion\b|\bincumbent\b"
    r"|\b(?:current|existing|previous|prior|old|legacy|production|prod|serving|live|deployed)[\s_-]+"
    r"(?:system|model|version|release|approach|solution|rules?|heuristics?|classifier|ranker|scorer|pipeline)\b"
    r"|\brules?[\s_-]?(?:engine|based|v\d+)\b|\bbusiness[\s_-]rules\b|\bheuristics?\b|\bmajority[\s_-]class\b"
    r"|\bmost[\s_-]frequent\b"
    r"|\b(?:dummy|naive|random|constant)[\s_-](?:baseline|classifier|regressor|model|predictor|forecast|guess)\b"
    r"|\bseasonal[\s_-]naive\b",
    re.IGNORECASE,
)
_EVALUATION_HEADING = re.compile(
    r"baseline|compar|\bresults?\b|evaluat|benchmark|performance|\bmetrics?\b|\bvs\.?\b|versus|backtest|offline test|quality",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:against|vs\.?|versus|compared\s+(?:to|with)|relative\s+to|than|over|instead\s+of|up\s+from|down\s+from)\b"
    r"|→|->|=>",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\b", re.IGNORECASE)
_MODEL_WORD = re.compile(r"\b(?:model|ours|new|candidate|challenger)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Compared:
    """A comparison found in a document: where, against what, on which metrics, and how."""

    line: int
    baseline: str
    metrics: tuple[str, ...]
    how: str


def _is_baseline_label(cell: str, *, label: bool) -> bool:
    text = cell_text(cell)
    if not text or BASELINE_TERM.search(text) is None:
        return False
    return label or BASELINE_TERM.fullmatch(text) is not None  # a notes cell that says just "baseline"


def _rows_layout(table: MarkdownTable) -> _Compared | None:
    header = table.header
    metric_columns = [index for index, title in enumerate(header) if index > 0 and metric_name(title)]
    if not metric_columns:
        return None
    for row in table.rows:
        if not any(_is_baseline_label(cell, label=index == 0) for index, cell in enumerate(row.cells)):
            continue
        others = [
            other for other in table.rows
            if other is not row and not (other.cells and _is_baseline_label(other.cells[0], label=True))
        ]
        shared = [
            index for index in metric_columns
            if index < len(row.cells) and is_number_cell(row.cells[index])
            and any(index < len(other.cells) and is_number_cell(other.cells[index]) for other in others)
        ]
        if row.cells and any(_quality_metric(header[index]) for index in shared):
            names = [metric_name(header[index]) or cell_text(header[index]) for index in shared]
            return _Compared(row.line, cell_text(row.cells[0]), tuple(names), "table")
    return None


def _columns_layout(table: MarkdownTable) -> _Compared | None:
    header = table.header
    baseline_columns = [index for index, title in enumerate(header) if index > 0 and _is_baseline_label(title, label=True)]
    for column in baseline_columns:
        others = [index for index in range(1, len(header)) if index != column and index not in baseline_columns]
        names = [
            metric_name(row.cells[0]) or cell_text(row.cells[0])
            for row in table.rows
            if row.cells and metric_name(row.cells[0]) and column < len(row.cells) and is_number_cell(row.cells[column])
            and any(index < len(row.cells) and is_number_cell(row.cells[index]) for index in others)
        ]
        if any(_quality_metric(name) for name in names):
            return _Compared(table.line, cell_text(header[column]), tuple(names), "table")
    return None


def table_comparison(table: MarkdownTable) -> _Compared | None:
    """A baseline compared with the model in a table, with numbers on both sides, if any."""
    return _rows_layout(table) or _columns_layout(table)


def _sentence_comparison(sentence: str) -> str | None:
    """The baseline term of a sentence that compares two measured numbers, or ``None``."""
    term = BASELINE_TERM.search(sentence)
    if term is None or not _quality_metric(sentence):
        return None
    numbers = measured_numbers(sentence)
    if len(numbers) < 2:
        return None
    for first, second in zip(numbers, numbers[1:]):
        between = sentence[first.end() : second.start()]
        if len(between) <= 60 and _COMPARISON.search(between):
            return term.group(0)
        before = sentence[max(0, first.start() - 40) : first.start()]
        if len(between) <= 40 and _FROM_TO.search(before) and re.search(r"\bto\b", between):
            return term.group(0)
    near_baseline = [
        number for number in numbers if abs(number.start() - term.end()) <= 30 or abs(term.start() - number.end()) <= 30
    ]
    if near_baseline and _MODEL_WORD.search(sentence):
        rest = [number for number in numbers if number not in near_baseline]
        if rest:
            return term.group(0)
    return None


@dataclass
class _BaselineScan:
    """What one Markdown document says about a baseline."""

    compared: list[_Compared] = field(default_factory=list)
    mentions: list[tuple[int, str]] = field(default_factory=list)  # (line, term) without numbers
    model_only: list[int] = field(default_factory=list)  # evaluation sections with numbers, no baseline
    empty_baseline: list[int] = field(default_factory=list)


_SERVICE_METRICS = frozenset({"latency", "p50", "p95", "p99", "throughput"})


def _quality_metric(text: str) -> bool:
    """True when ``text`` names a model-quality metric (latency and throughput are about the service)."""
    return any(match.group(0).lower() not in _SERVICE_METRICS for match in METRIC_WORD.finditer(cell_text(text)))


def _has_model_numbers(document: MarkdownDocument, section: MarkdownSection) -> bool:
    """True when a section gives quality metrics with numbers, in prose or in a table (whose cells
    the Markdown model lists as short paragraphs)."""
    lines = [text for _, text in unit_lines(document, section)]
    if any(_quality_metric(text) and measured_numbers(text) for text in lines):
        return True
    cells = [text for text in lines if len(text.split()) <= 3]
    return any(_quality_metric(text) for text in cells) and any(is_number_cell(text) for text in cells)


def scan_baseline_document(document: MarkdownDocument, tables: list[MarkdownTable]) -> _BaselineScan:
    """Comparisons with a baseline in one document (see the module docstring)."""
    scan = _BaselineScan()
    for table in tables:
        found = table_comparison(table)
        if found is not None:
            scan.compared.append(found)
    for section in top_level_matches(document, _EVALUATION_HEADING):
        mentioned = False
        for line, text in unit_lines(document, section):
            for sentence in sentences(text):
                term = _sentence_comparison(sentence)
                if term is not None:
                    metric = metric_name(sentence) or "a metric"
                    scan.compared.append(_Compared(line, term, (metric,), "prose"))
                    mentioned = True
                else:
                    mention = BASELINE_TERM.search(sentence)
                    if mention is not None:
                        scan.mentions.append((line, mention.group(0)))
                        mentioned = True
        end = subtree_end(document, section)
        table_mentions = [
            table for table in tables if section.line <= table.line < end
            and any(BASELINE_TERM.search(cell) for row in table.rows for cell in row.cells[:1])
        ]
        if table_mentions:
            mentioned = True
            if not any(section.line <= found.line < end for found in scan.compared):
                scan.mentions.append((table_mentions[0].line, "a baseline row"))
        if BASELINE_TERM.search(plain_title(section.title)) and all(nested.is_empty() for nested in document.subtree(section)):
            scan.empty_baseline.append(section.line)
        elif not mentioned and not BASELINE_TERM.search(section.title) and _has_model_numbers(document, section):
            scan.model_only.append(section.line)
    return scan


_BASELINE_DOC_HINT = re.compile(
    r"baseline|champion|incumbent|current system|previous model|rules?[\s_-]?(?:engine|based|v\d)|heuristic|majority class"
    r"|^#{1,6}[^\n]*(?:evaluat|results?|compar|benchmark|performance|metrics)",
    re.IGNORECASE | re.MULTILINE,
)
_MODEL_DOC_PATH = re.compile(r"model[\s_-]?card|eval|report|result|benchmark|experiment|(?:^|/)adrs?/|decision", re.IGNORECASE)


def _readable_documents(
    ctx: DetectorContext,
    item: str,
    hint: re.Pattern[str],
    path_hint: re.Pattern[str],
    always: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, MarkdownDocument] | Evidence]:
    """Markdown candidates whose text matches ``hint`` (or for which ``always`` is true), parsed,
    and the candidates that could not be read when their path says they matter."""
    declared = set(ctx.declared(item))
    for path in markdown_paths(ctx, item):
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared or path_hint.search(path):
                yield ctx.unreadable(item, path)
            continue
        if path not in declared and not (always is not None and always(path)) and not hint.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(item, path)
            continue
        yield path, document


@detector(
    name="baseline-document",
    items=(BASELINE,),
    looks_for="a model card or evaluation report (Markdown) comparing the model with a baseline (rules, the current "
    "system, the previous model, a simple model) with numbers, in a table with a baseline row or in an evaluation section",
)
def baseline_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Baseline comparisons in Markdown model cards and evaluation reports."""
    for found in _readable_documents(ctx, BASELINE, _BASELINE_DOC_HINT, _MODEL_DOC_PATH):
        if isinstance(found, Evidence):
            yield found
            continue
        path, document = found
        # Tables matter only where a baseline is named: a document that names none is not parsed twice.
        mentions_baseline = BASELINE_TERM.search(ctx.index.read_text(path) or "") is not None
        tables = markdown_tables(ctx.index, path, document) if mentions_baseline else []
        scan = scan_baseline_document(document, tables)
        if scan.compared:
            best = max(scan.compared, key=lambda compared: (compared.how == "table", len(compared.metrics)))
            metrics = len(set(best.metrics))
            where = "a table" if best.how == "table" else "prose"
            detail = (f"document compares the model with baseline `{_short(best.baseline)}` on "
                      f"{_count(metrics, 'metric')} ({_names(list(best.metrics))}) in {where}")
            yield ctx.supports(BASELINE, detail, path=path, line=best.line, values={"metrics": float(metrics)})
        elif scan.mentions:
            line, term = scan.mentions[0]
            yield ctx.partial(BASELINE, f"document mentions the baseline ({_short(term)}) but gives no measured numbers for "
                              "it and the model; add the baseline's metrics next to the model's", path=path, line=line)
        elif scan.empty_baseline:
            yield ctx.partial(BASELINE, "document has a baseline heading but nothing under it", path=path,
                              line=scan.empty_baseline[0])
        elif scan.model_only:
            yield ctx.partial(BASELINE, "evaluation section gives the model's metrics but no baseline to compare with",
                              path=path, line=scan.model_only[0])


# ---------------------------------------------------------------------- item 15: JSON / YAML reports
_BASELINE_KEY = re.compile(
    r"^(?:baselines?|champion|incumbent|previous[_-]?model|prev[_-]?model|current[_-]?model|production[_-]?model|prod[_-]?model"
    r"|reference[_-]?model|old[_-]?model|legacy[_-]?model|rules[_-]?engine|heuristic)(?:[_-]?(?:metrics|scores|results|eval\w*))?$",
    re.IGNORECASE,
)
_BASELINE_PREFIX = re.compile(r"^(?:baseline|champion|incumbent|previous|prev|prod|production)[_-](?P<metric>.+)$", re.IGNORECASE)
_BASELINE_TEXT_HINT = re.compile(
    r"[\"']?\b(?:baselines?|champion|incumbent|previous[_-]?model|prev[_-]?model|current[_-]?model|production[_-]?model"
    r"|prod[_-]?model|reference[_-]?model|old[_-]?model|legacy[_-]?model|rules[_-]?engine)\w*[\"']?\s*:",
    re.IGNORECASE,
)
_EVALUATION_PATH = re.compile(r"eval|metric|report|result|score|benchmark|model[\s_-]?card", re.IGNORECASE)
_COUNT_KEYS = frozenset({"rows", "n", "count", "positives", "negatives", "support", "samples", "size", "n_samples", "total"})


def _numeric_leaves(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], float]:
    """Numeric leaves of nested dicts, keyed by their key path."""
    leaves: dict[tuple[str, ...], float] = {}
    if isinstance(value, dict):
        for key, child in value.items():
            leaves.update(_numeric_leaves(child, (*prefix, str(key))))
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and prefix:
        leaves[prefix] = float(value)
    return leaves


def _is_metric_path(path: tuple[str, ...]) -> bool:
    last = path[-1].lower()
    return last not in _COUNT_KEYS and METRIC_WORD.search(last) is not None


@dataclass(frozen=True)
class _ReportFinding:
    verdict: str
    baseline: str
    metrics: tuple[str, ...]
    key: str


def _baseline_name(key: str, value: Any) -> str:
    if isinstance(value, dict):
        for name_key in ("name", "model", "id", "version", "model_name"):
            if isinstance(value.get(name_key), str) and is_substantive(value[name_key]):
                return value[name_key]
    if isinstance(value, str) and is_substantive(value):
        return value
    return key


def _judge_report_dict(node: dict[Any, Any]) -> _ReportFinding | None:
    best: _ReportFinding | None = None
    for key, value in node.items():
        key_text = str(key)
        prefixed = _BASELINE_PREFIX.match(key_text)
        if prefixed is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            metric = prefixed.group("metric")
            partner = node.get(metric)
            if METRIC_WORD.search(metric) and isinstance(partner, (int, float)) and not isinstance(partner, bool):
                return _ReportFinding("prefixed", key_text, (metric,), key_text)
            continue
        if not _BASELINE_KEY.match(key_text):
            continue
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "false", "")):
            continue
        baseline = {path: number for path, number in _numeric_leaves(value).items() if _is_metric_path(path)}
        name = _baseline_name(key_text, value)
        if not baseline:
            candidate = _ReportFinding("named", name, (), key_text)
        else:
            shared: list[str] = []
            for other_key, other in node.items():
                if other_key == key or _BASELINE_KEY.match(str(other_key)):
                    continue
                leaves = _numeric_leaves(other) if isinstance(other, dict) else _numeric_leaves({str(other_key): other})
                common = [path[-1] for path in baseline if path in leaves]
                if len(common) > len(shared):
                    shared = common
            if shared:
                return _ReportFinding("supports", name, tuple(dict.fromkeys(shared)), key_text)
            candidate = _ReportFinding("baseline-only", name, tuple(path[-1] for path in baseline), key_text)
        if best is None or (best.verdict == "named" and candidate.verdict == "baseline-only"):
            best = candidate
    return best


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*:", text, re.MULTILINE) or re.search(
        rf"[\"']{re.escape(key)}[\"']\s*:", text
    )
    return text.count("\n", 0, match.start()) + 1 if match else None


@detector(
    name="baseline-report",
    items=(BASELINE,),
    looks_for="an evaluation report (JSON/YAML) holding a baseline's metrics (`baseline`, `champion`, `previous_model`) "
    "next to the model's, on the same metric names",
)
def baseline_report(ctx: DetectorContext) -> Iterator[Evidence]:
    """Baseline metrics next to the model's in JSON/YAML evaluation reports."""
    paths = ctx.index.with_suffix(".json", ".yaml", ".yml")
    for path in ctx.candidates(BASELINE, paths):
        if not path.lower().endswith((".json", ".yaml", ".yml")) or is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _BASELINE_TEXT_HINT.search(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(BASELINE, path)
            continue
        judged = (_judge_report_dict(node) for node in iter_nodes(documents) if isinstance(node, dict))
        findings = [found for found in judged if found is not None]
        if not findings:
            continue
        order = {"supports": 0, "prefixed": 0, "baseline-only": 1, "named": 2}
        best = min(findings, key=lambda found: order[found.verdict])
        line = _key_line(text, best.key)
        name = _short(best.baseline)
        if best.verdict == "prefixed":
            yield ctx.supports(BASELINE, f"report records `{best.key}` next to the model's `{best.metrics[0]}`",
                               path=path, line=line, values={"metrics": 1.0})
        elif best.verdict == "supports":
            metrics = list(dict.fromkeys(best.metrics))
            yield ctx.supports(BASELINE, f"report compares the model with baseline `{name}` on "
                               f"{_count(len(metrics), 'metric')} ({_names(metrics)})", path=path, line=line,
                               values={"metrics": float(len(metrics))})
        elif best.verdict == "baseline-only":
            yield ctx.partial(BASELINE, f"report gives metrics for baseline `{name}` but none for the model on the same "
                              "metric names", path=path, line=line)
        elif _EVALUATION_PATH.search(path):
            yield ctx.partial(BASELINE, f"evaluation file names baseline `{name}` but records no metrics for it",
                              path=path, line=line)


# ====================================================================== item 16: complexity justified
_SIMPLE_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("logistic regression", r"\blogistic[\s_-]regression\b|\blog[\s_-]?reg\b|\blogisticregression\b"),
        ("linear model", r"\blinear[\s_-](?:regression|models?|classifiers?|svms?|svc|baselines?|regressors?)\b"
                         r"|\bridge[\s_-]regression\b|\blasso\b|\belastic[\s_-]?net\b|\bglms?\b"),
        ("decision tree", r"\bdecision[\s_-]trees?\b"),
        ("random forest", r"\brandom[\s_-]forests?\b"),
        ("gradient-boosted trees", r"\bgradient[\s_-]boost\w*|\bgbdts?\b|\bgbms?\b|\bxgboost\b|\blightgbm\b|\bcatboost\b"
                                   r"|\bboosted[\s_-]trees?\b"),
        ("naive Bayes", r"\bnaive[\s_-]bayes\b"),
        ("k-nearest neighbours", r"\bk[\s_-]?nn\b|\bk[\s_-]nearest\b|\bnearest[\s_-]neighbou?rs?\b"),
        ("rules", r"\bheuristics?\b|\brules?[\s_-]?(?:engine|based|v\d+)\b|\bbusiness[\s_-]rules\b"),
        ("majority-class baseline", r"\bmajority[\s_-]class\b|\bmost[\s_-]frequent\b|\bdummy[\s_-](?:classifier|regressor)\b"),
        ("TF-IDF", r"\btf[\s_-]?idf\b|\bbag[\s_-]of[\s_-]words\b"),
        ("classical forecasting", r"\b(?:s?arima|exponential[\s_-]smoothing|moving[\s_-]average|seasonal[\s_-]naive)\b"),
        ("simple model", r"\bsimpler?[\s_-](?:models?|baselines?|alternatives?|approach(?:es)?)\b"),
    )
)
_COMPLEX_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("neural network", r"\bneural[\s_-]net(?:work)?s?\b|\bdnns?\b|\bmlps?\b|\bdeep[\s_-]learning\b"
                           r"|\bdeep[\s_-](?:models?|networks?)\b"),
        ("transformer", r"\btransformers?\b|\bbert\b|\broberta\b|\bdistilbert\b|\bllms?\b"
                        r"|\blarge[\s_-]language[\s_-]models?\b|\bgpt[\s_-]?\d"),
        ("CNN", r"\bcnns?\b|\bconvolutional\b|\bresnet\w*|\befficientnet\w*"),
        ("recurrent network", r"\brnns?\b|\blstms?\b|\bgrus?\b"),
        ("two-tower model", r"\btwo[\s_-]tower\b|\bwide[\s_-]*(?:&|and)[\s_-]*deep\b|\bdeepfm\b"),
        ("ensemble", r"\bensembles?\b|\bstacked[\s_-]models?\b|\bstacking\b"),
    )
)
_TRADE_OFF = re.compile(
    r"\blatency\b|\bcosts?\b|\bcostly\b|\bexpensive\b|\bcheaper\b|\bmemory\b|\bfootprint\b|\binterpretab\w*|\bexplainab\w*"
    r"|\breason[\s_-]codes?\b|\bmaintenance\b|\bmaintain\w*|\boperational\b|\binference[\s_-]time\b|\btraining[\s_-]time\b"
    r"|\bgpus?\b|\bthroughput\b|\bmodel[\s_-]size\b|\bnot[\s_-]worth\b|\bworth\s+(?:it|the)\b|\boutweigh\w*|\bdid\s+not\s+pay\b"
    r"|\bpay\s+for\b|\btrade[\s_-]?offs?\b|\bgap\b|\bmarginal(?:ly)?\b|\bnegligible\b|\bcosting\b|\bslower\b|\bfaster\b",
    re.IGNORECASE,
)
_ALTERNATIVES_HEADING = re.compile(
    r"alternative|options?\s+considered|considered\s+options?|pros\s+and\s+cons|model\s+(?:selection|choice)|choice\s+of"
    r"|choosing|^why\b|\bwhy\s+(?:not\s+)?(?:a|an|the|this|we)\b|candidates?|trade[\s_-]?offs?|complexity|simpler"
    r"|\bdecision\s+(?:record|outcome)\b|\b(?:design|architecture|model)\s+decision",
    re.IGNORECASE,
)
_ARCHITECTURE_HEADING = re.compile(
    r"architecture|model\s+(?:details|description|type|overview)|\bapproach\b|\balgorithm\b|^model$", re.IGNORECASE
)
_ADR_DIRS = frozenset({"adr", "adrs", "decisions", "decision-records", "decision_records", "architecture-decisions"})
_COMPLEXITY_HINT = re.compile(
    r"^#{1,6}[^\n]*(?:alternative|considered|pros and cons|selection|choice|choosing|why|candidate|trade|complexity|simpler"
    r"|decision|architecture|model details|approach|algorithm)",
    re.IGNORECASE | re.MULTILINE,
)


_COMPLEXITY_PATH = re.compile(r"model[\s_-]?card|(?:^|/)adrs?/|decision", re.IGNORECASE)


def _is_decision_record(path: str) -> bool:
    return any(part.lower() in _ADR_DIRS for part in path.split("/")[:-1])


def _families(lines: list[tuple[int, str]]) -> tuple[list[str], list[str]]:
    simple: list[str] = []
    complex_: list[str] = []
    for _, text in lines:
        for name, pattern in _SIMPLE_FAMILIES:
            if pattern.search(text) and name not in simple:
                simple.append(name)
        for name, pattern in _COMPLEX_FAMILIES:
            if pattern.search(text) and name not in complex_:
                complex_.append(name)
    return simple, complex_


def _reasons(lines: list[tuple[int, str]]) -> list[str]:
    reasons: list[str] = []
    if any(measured_numbers(text) for _, text in lines):
        reasons.append("measured numbers")
    trade_offs = [match.group(0).lower() for _, text in lines for match in _TRADE_OFF.finditer(text)]
    if trade_offs:
        reasons.append(f"trade-offs ({_names(trade_offs, 2)})")
    return reasons


@dataclass(frozen=True)
class _Unit:
    """What one decision record or section says about model alternatives."""

    line: int
    simple: tuple[str, ...]
    complex: tuple[str, ...]
    reasons: tuple[str, ...]
    kind: str

    @property
    def families(self) -> list[str]:
        return [*self.simple, *self.complex]


def _unit(sections: list[MarkdownSection], kind: str) -> _Unit:
    """What ``sections`` (one record, or one section with its nested ones) say about alternatives.

    Table cells are among the sections' paragraphs, so measured numbers in a table count.
    """
    lines: list[tuple[int, str]] = []
    prose: list[tuple[int, str]] = []
    for section in sections:
        lines.append((section.line, section.title))
        for line, text in section.text_lines():
            if is_substantive(text):
                lines.append((line, text))
                prose.append((line, text))
    simple, complex_ = _families(lines)
    return _Unit(sections[0].line if sections else 1, tuple(simple), tuple(complex_), tuple(_reasons(prose)), kind)


def _judge_unit(ctx: DetectorContext, path: str, unit: _Unit) -> Evidence | None:
    families = unit.families
    where = {"path": path, "line": unit.line}
    if not families:
        return None
    listed = _names(families, 4)
    if unit.simple and len(families) >= 2:
        if unit.reasons:
            return ctx.supports(COMPLEXITY, f"{unit.kind} compares {listed}, with {' and '.join(unit.reasons)}", **where)
        return ctx.partial(COMPLEXITY, f"{unit.kind} names {listed} but gives no reason for the choice (no numbers, no "
                           "trade-off such as latency, cost or an accuracy gap)", **where)
    if len(families) >= 2:
        return ctx.partial(COMPLEXITY, f"{unit.kind} compares {listed} but no simpler alternative (a linear model, trees or "
                           "heuristics)", **where)
    return ctx.partial(COMPLEXITY, f"{unit.kind} names only one approach ({families[0]}) and compares no alternative", **where)


@detector(
    name="model-alternatives",
    items=(COMPLEXITY,),
    looks_for="a decision record (docs/adr, decisions/) or a model card section (alternatives, model selection, why ...) "
    "comparing the chosen model with simpler ones (linear, trees, heuristics) and giving numbers or a trade-off",
)
def model_alternatives(ctx: DetectorContext) -> Iterator[Evidence]:
    """Simpler alternatives compared, with a reason, in decision records and model cards."""
    for found in _readable_documents(ctx, COMPLEXITY, _COMPLEXITY_HINT, _COMPLEXITY_PATH, always=_is_decision_record):
        if isinstance(found, Evidence):
            yield found
            continue
        path, document = found
        judged = _judge_document_alternatives(ctx, path, document)
        if judged is not None:
            yield judged


def _judge_document_alternatives(ctx: DetectorContext, path: str, document: MarkdownDocument) -> Evidence | None:
    units: list[_Unit] = []
    if _is_decision_record(path):
        sections = [document.preamble, *document.sections] if document.preamble.text_lines() else list(document.sections)
        if sections:
            units.append(_unit(sections, "decision record"))
    else:
        for section in top_level_matches(document, _ALTERNATIVES_HEADING):
            units.append(_unit(document.subtree(section), "model selection section"))
    evidence = [judged for unit in units for judged in [_judge_unit(ctx, path, unit)] if judged is not None]
    supporting = [found for found in evidence if found.verdict == "supports"]
    if supporting:
        return supporting[0]
    if evidence:
        return max(evidence, key=lambda found: len(found.detail))
    for section in top_level_matches(document, _ARCHITECTURE_HEADING):
        unit = _unit(document.subtree(section), "architecture section")
        if unit.families:
            return ctx.partial(COMPLEXITY, f"architecture section describes the model ({_names(unit.families, 2)}) without "
                               "comparing any simpler alternative", path=path, line=unit.line)
    return None


# ====================================================================== item 18: hyperparameters
_SEARCH_CALLS: dict[str, str] = {
    "optuna.create_study": "Optuna study",
    "ray.tune.Tuner": "Ray Tune",
    "ray.tune.tuner.Tuner": "Ray Tune",
    "ray.tune.run": "Ray Tune",
    "sklearn.model_selection.GridSearchCV": "scikit-learn GridSearchCV",
    "sklearn.model_selection.RandomizedSearchCV": "scikit-learn RandomizedSearchCV",
    "sklearn.model_selection.HalvingGridSearchCV": "scikit-learn HalvingGridSearchCV",
    "sklearn.model_selection.HalvingRandomSearchCV": "scikit-learn HalvingRandomSearchCV",
    "skopt.BayesSearchCV": "scikit-optimize BayesSearchCV",
    "skopt.gp_minimize": "scikit-optimize gp_minimize",
    "skopt.forest_minimize": "scikit-optimize forest_minimize",
    "skopt.gbrt_minimize": "scikit-optimize gbrt_minimize",
    "keras_tuner.RandomSearch": "KerasTuner RandomSearch",
    "keras_tuner.Hyperband": "KerasTuner Hyperband",
    "keras_tuner.BayesianOptimization": "KerasTuner BayesianOptimization",
    "keras_tuner.GridSearch": "KerasTuner GridSearch",
    "hyperopt.fmin": "hyperopt fmin",
    "sagemaker.tuner.HyperparameterTuner": "SageMaker HyperparameterTuner",
    "sagemaker.HyperparameterTuner": "SageMaker HyperparameterTuner",
    "wandb.sweep": "W&B sweep",
}
_SEARCH_TEXT_HINTS = (
    "optuna", "tune", "SearchCV", "skopt", "keras_tuner", "kerastuner", "hyperopt", "HyperparameterTuner", "sweep",
)


@dataclass(frozen=True)
class _Search:
    """A hyperparameter search found in code or configuration."""

    path: str
    line: int | None
    what: str


@dataclass(frozen=True)
class _Results:
    """A file recording a search's results: trials with scores, or the best parameters."""

    path: str
    line: int | None
    what: str
    trials: int


@dataclass(frozen=True)
class _Notes:
    """A Markdown section about hyperparameters and what it records."""

    path: str
    line: int
    search: bool
    reasons: bool
    empty: bool


def _resolve_search_name(name: str) -> str | None:
    if name in _SEARCH_CALLS:
        return name
    aliases = {"kerastuner.": "keras_tuner.", "sklearn.model_selection._search.": "sklearn.model_selection."}
    for old, new in aliases.items():
        if name.startswith(old) and new + name[len(old):] in _SEARCH_CALLS:
            return new + name[len(old):]
    if name.startswith("keras_tuner.tuners.") and "keras_tuner." + name.rsplit(".", 1)[-1] in _SEARCH_CALLS:
        return "keras_tuner." + name.rsplit(".", 1)[-1]
    if name.startswith("optuna.") and name.endswith(".create_study"):
        return "optuna.create_study"
    return None


def _python_searches(ctx: DetectorContext) -> tuple[list[_Search], list[str]]:
    searches: list[_Search] = []
    unreadable: list[str] = []
    declared = set(ctx.declared(HYPERPARAMETERS))
    for path in ctx.candidates(HYPERPARAMETERS, ctx.index.with_suffix(".py")):
        if not path.endswith(".py") or (is_test_path(path) and path not in declared):
            continue
        text = ctx.index.read_text(path)
        if text is None or not any(hint in text for hint in _SEARCH_TEXT_HINTS):
            continue
        module = PythonModule(path, module_name(path), text, False, ctx.index)
        if not module.parses:
            unreadable.append(path)
            continue
        searches.extend(_module_searches(module))
    return searches, unreadable


def _module_searches(module: PythonModule) -> list[_Search]:
    found: list[_Search] = []
    seen: set[str] = set()
    trials = _optuna_trials(module.tree)
    for call in iter_calls(module.tree, module.aliases):
        resolved = _resolve_search_name(call.name)
        if resolved is None:
            continue
        what = _SEARCH_CALLS[resolved]
        if resolved == "optuna.create_study" and trials:
            what = f"Optuna study ({_count(trials, 'trial')})"
        if what in seen:
            continue
        seen.add(what)
        found.append(_Search(module.path, call.line, what))
    return found


def _optuna_trials(tree: ast.Module) -> int:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "optimize":
            for keyword in node.keywords:
                value = constant_value(keyword.value)
                if keyword.arg == "n_trials" and isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    return value
    return 0


_SWEEP_METHODS = frozenset({"grid", "random", "bayes"})


def _searched_wandb(parameters: dict[Any, Any]) -> int:
    count = 0
    for spec in parameters.values():
        if not isinstance(spec, dict):
            continue
        values = spec.get("values")
        if (isinstance(values, list) and len(values) >= 2) or ("min" in spec and "max" in spec) or "distribution" in spec:
            count += 1
    return count


def _sweep_in(document: Any, kind_line: int | None, path: str) -> _Search | None:
    if not isinstance(document, dict):
        return None
    method = document.get("method")
    parameters = document.get("parameters")
    if isinstance(method, str) and method in _SWEEP_METHODS and isinstance(parameters, dict):
        searched = _searched_wandb(parameters)
        if searched:
            metric = document.get("metric")
            target = f", metric `{metric['name']}`" if isinstance(metric, dict) and isinstance(metric.get("name"), str) else ""
            return _Search(path, kind_line, f"W&B sweep ({method} over {_count(searched, 'parameter')}{target})")
    hydra = document.get("hydra")
    sweeper = hydra.get("sweeper") if isinstance(hydra, dict) else None
    if isinstance(sweeper, dict):
        params = sweeper.get("params") or sweeper.get("search_space")
        if isinstance(params, dict) and params:
            kind = _hydra_sweeper_kind(document, sweeper)
            return _Search(path, kind_line, f"Hydra {kind}sweeper over {_count(len(params), 'parameter')}")
    if document.get("kind") == "Experiment" and str(document.get("apiVersion", "")).startswith("kubeflow.org/"):
        spec = document.get("spec")
        if isinstance(spec, dict) and isinstance(spec.get("parameters"), list) and spec["parameters"]:
            algorithm = spec.get("algorithm")
            name = algorithm.get("algorithmName") if isinstance(algorithm, dict) else None
            label = f"{name} " if isinstance(name, str) else ""
            return _Search(path, kind_line, f"Katib Experiment ({label}over {_count(len(spec['parameters']), 'parameter')})")
    return None


def _hydra_sweeper_kind(document: dict[Any, Any], sweeper: dict[Any, Any]) -> str:
    defaults = document.get("defaults")
    if isinstance(defaults, list):
        for entry in defaults:
            if isinstance(entry, dict):
                for key, value in entry.items():
                    if "hydra/sweeper" in str(key) and isinstance(value, str):
                        return f"{value} "
    target = sweeper.get("_target_")
    if isinstance(target, str):
        for name in ("optuna", "ax", "nevergrad"):
            if name in target.lower():
                return f"{name} "
    return ""


def _config_searches(ctx: DetectorContext) -> tuple[list[_Search], list[str]]:
    searches: list[_Search] = []
    unreadable: list[str] = []
    for path in ctx.candidates(HYPERPARAMETERS, ctx.index.with_suffix(".yaml", ".yml")):
        if not path.lower().endswith((".yaml", ".yml")):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            continue
        hinted = ("method:" in text and "parameters:" in text) or "sweeper" in text or (
            "kubeflow.org" in text and "Experiment" in text
        )
        if not hinted:
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            unreadable.append(path)
            continue
        for document in documents:
            line = _first_line(text, ("method:", "sweeper:", "kind: Experiment"))
            found = _sweep_in(document, line, path)
            if found is not None:
                searches.append(found)
    return searches, unreadable


def _first_line(text: str, markers: tuple[str, ...]) -> int | None:
    positions = [text.find(marker) for marker in markers if marker in text]
    return text.count("\n", 0, min(positions)) + 1 if positions else None


_RESULTS_PATH = re.compile(r"trial|tun(?:e|ing)|sweep|hpo|hyper|search|cv[_-]?results|optuna|study", re.IGNORECASE)
_BEST_KEYS = ("best_params", "best_parameters", "best_hyperparameters", "best_config", "best_trial")


def _csv_results(path: str, text: str) -> _Results | None:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return None
    if len(rows) < 3:
        return None
    header = [cell.strip() for cell in rows[0]]
    data = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    params = [name for name in header if name.startswith(("params_", "param_", "config/", "config."))]
    if not params or len(data) < 2:
        return None
    if "value" in header or any(name.startswith(("values_", "mean_test_", "rank_test_")) for name in header):
        tool = "scikit-learn cv_results" if any(name.startswith("mean_test_") for name in header) else "trials export"
        return _Results(path, 1, f"{tool} with {_count(len(data), 'trial')} over {_count(len(params), 'parameter')}", len(data))
    return None


def _structured_results(path: str, documents: list[Any], text: str) -> _Results | None:
    for node in iter_nodes(documents):
        if not isinstance(node, dict):
            continue
        trials = node.get("trials")
        if isinstance(trials, list):
            scored = [
                trial for trial in trials
                if isinstance(trial, dict) and isinstance(trial.get("params"), dict) and trial["params"]
                and any(isinstance(trial.get(key), (int, float, list)) for key in ("value", "values", "score", "metric"))
            ]
            if len(scored) >= 2:
                return _Results(path, _key_line(text, "trials"), f"search results with {_count(len(scored), 'trial')}", len(scored))
        for key in _BEST_KEYS:
            best = node.get(key)
            if isinstance(best, dict) and best:
                return _Results(path, _key_line(text, key), f"best parameters ({_count(len(best), 'parameter')})", 0)
    return None


def _results_files(ctx: DetectorContext) -> tuple[list[_Results], list[str]]:
    results: list[_Results] = []
    unreadable: list[str] = []
    for path in ctx.candidates(HYPERPARAMETERS, ctx.index.with_suffix(".csv", ".json", ".yaml", ".yml")):
        lowered = path.lower()
        if is_test_path(path):
            continue
        if lowered.endswith(".csv"):
            if not _RESULTS_PATH.search(path.rsplit("/", 1)[-1]):
                continue
            text = ctx.index.read_text(path)
            found = _csv_results(path, text) if text is not None else None
        elif lowered.endswith((".json", ".yaml", ".yml")):
            text = ctx.index.read_text(path)
            if text is None or not (any(key in text for key in _BEST_KEYS) or ('"trials"' in text or "trials:" in text)):
                continue
            documents = ctx.index.structured(path)
            if documents is None:
                unreadable.append(path)
                continue
            found = _structured_results(path, documents, text)
        else:
            continue
        if found is not None:
            results.append(found)
    return results, unreadable


_HYPERPARAMETER_HEADING = re.compile(
    r"hyper[\s_-]?param|\bhparams?\b|\btuning\b|\bparameter\s+(?:search|choice|selection|tuning)\b"
    r"|\btraining\s+(?:config(?:uration)?|parameters|settings)\b",
    re.IGNORECASE,
)
_SEARCH_WORDS = re.compile(
    r"\bsearch\w*|\bgrid\b|\bsweep\w*|\boptuna\b|\bray\s+tune\b|\bhyperopt\b|\bbayesian\b|\btrials?\b|\btried\b|\btuned\b"
    r"|\bswept\b|\bcross[\s_-]?validat\w*|\bablation\w*|\bcompared\b",
    re.IGNORECASE,
)
_VALUE_LIST = re.compile(
    r"\d*\.?\d+(?:e-?\d+)?(?:\s*[/,|]\s*\d*\.?\d+(?:e-?\d+)?){2,}"
    r"|[{\[]\s*\d[\d.e-]*(?:\s*,\s*\d[\d.e-]*)+\s*[}\]]"
)
_RANGE = re.compile(
    r"\bbetween\s+\S*\d\S*\s+and\s+\S*\d|\bfrom\s+\S*\d\S*\s+to\s+\S*\d|\b\d+\s+(?:trials|runs|configurations|candidates)\b",
    re.IGNORECASE,
)
_REASON_WORDS = re.compile(
    r"\bbecause\b|\bsince\b|\bso\s+that\b|\bdue\s+to\b|\bto\s+avoid\b|\bavoid\w*|\boscillat\w*|\bover-?fit\w*|\bunder-?fit\w*"
    r"|\bdiverg\w*|\bconverg\w*|\bunstable\b|\binstabilit\w*|\bbest\b|\bwon\b|\bchosen\b|\bpicked\b|\bselected\b|\boutperform\w*"
    r"|\bdropped\b|\bdrops?\b|\bimprov\w*|\bworse\b|\bbetter\b|\bplateau\w*|\bsaturat\w*|\btrade[\s_-]?offs?\b|\bhurt\b",
    re.IGNORECASE,
)
_SCORE = re.compile(r"score|objective|\bval", re.IGNORECASE)
_NOTES_HINT = re.compile(
    r"^#{1,6}[^\n]*(?:hyper[\s_-]?param|hparam|tuning|parameter\s+(?:search|choice|selection)"
    r"|training\s+(?:config|parameters|settings))",
    re.IGNORECASE | re.MULTILINE,
)


def _judge_notes(document: MarkdownDocument, section: MarkdownSection, tables: list[MarkdownTable], path: str) -> _Notes:
    lines = unit_lines(document, section)
    end = subtree_end(document, section)
    trial_table = any(
        section.line <= table.line < end and any(metric_name(title) or _SCORE.search(title) for title in table.header)
        and sum(1 for row in table.rows if any(is_number_cell(cell) for cell in row.cells)) >= 2
        for table in tables
    )
    search_words = any(_SEARCH_WORDS.search(text) for _, text in unit_lines(document, section, titles=True))
    tried = trial_table or any(_VALUE_LIST.search(text) or _RANGE.search(text) for _, text in lines)
    reasons = any(_REASON_WORDS.search(text) for _, text in lines)
    return _Notes(path, section.line, search=search_words and tried, reasons=reasons, empty=not lines and not trial_table)


def hyperparameter_notes_found(ctx: DetectorContext) -> tuple[list[_Notes], list[str]]:
    """Markdown sections about hyperparameters, and the candidate documents that could not be
    read (shared by both item-18 detectors, computed once per scan)."""

    def compute() -> tuple[list[_Notes], list[str]]:
        notes: list[_Notes] = []
        problems: list[str] = []
        for found in _readable_documents(ctx, HYPERPARAMETERS, _NOTES_HINT, re.compile(r"hyper|tuning|model[\s_-]?card")):
            if isinstance(found, Evidence):
                problems.append(found.path or "")
                continue
            path, document = found
            tables = markdown_tables(ctx.index, path, document)
            for section in top_level_matches(document, _HYPERPARAMETER_HEADING):
                notes.append(_judge_notes(document, section, tables, path))
        return notes, problems

    return ctx.index.memo(("model-docs", "hyperparameter-notes"), compute)


@detector(
    name="hyperparameter-notes",
    items=(HYPERPARAMETERS,),
    looks_for="a Markdown section on hyperparameters (model card, training docs) that records the search run (values "
    "tried, trials) and why the chosen values won",
)
def hyperparameter_notes(ctx: DetectorContext) -> Iterator[Evidence]:
    """Written hyperparameter rationale in Markdown."""
    notes, problems = hyperparameter_notes_found(ctx)
    for path in problems:
        yield ctx.unreadable(HYPERPARAMETERS, path)
    for note in notes:
        where = {"path": note.path, "line": note.line}
        if note.search and note.reasons:
            yield ctx.supports(HYPERPARAMETERS, "hyperparameter section records the search (values tried) and why the chosen "
                               "values won", **where)
        elif note.empty:
            yield ctx.partial(HYPERPARAMETERS, "hyperparameter section is empty", **where)
        elif note.search:
            yield ctx.partial(HYPERPARAMETERS, "hyperparameter section records a search but not why the chosen values won",
                              **where)
        elif note.reasons:
            yield ctx.partial(HYPERPARAMETERS, "hyperparameter section explains the chosen values but records no search "
                              "(values tried, trials or a search config)", **where)
        else:
            yield ctx.partial(HYPERPARAMETERS, "hyperparameter section lists values without the search or the reasons behind "
                              "them", **where)


_HYPERPARAMETER_KEYS = frozenset(
    {
        "learning_rate", "lr", "eta", "max_depth", "n_estimators", "num_leaves", "num_boost_round", "min_child_weight",
        "subsample", "colsample_bytree", "batch_size", "epochs", "num_epochs", "max_epochs", "dropout", "weight_decay",
        "l1", "l2", "reg_alpha", "reg_lambda", "hidden_size", "num_layers", "n_layers", "momentum", "warmup_steps",
        "min_samples_leaf", "min_samples_split", "max_features", "gamma", "c",
    }
)
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "params", "hparams", "settings"})
_CONFIG_HINTS = ("learning_rate", "max_depth", "n_estimators", "epochs", "lr:", "batch_size")
_CONFIG_NAME = re.compile(r"config|param|hparam|train|settings", re.IGNORECASE)


def _final_value_configs(ctx: DetectorContext) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for path in ctx.candidates(HYPERPARAMETERS, ctx.index.with_suffix(".yaml", ".yml", ".toml")):
        parts = path.lower().split("/")
        if is_test_path(path) or not (any(part in _CONFIG_DIRS for part in parts[:-1]) or _CONFIG_NAME.search(parts[-1])):
            continue
        text = ctx.index.read_text(path)
        if text is None or not any(key in text for key in _CONFIG_HINTS):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            continue
        keys = [
            str(key) for node in iter_nodes(documents) if isinstance(node, dict)
            for key, value in node.items()
            if str(key).lower() in _HYPERPARAMETER_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool)
        ]
        if len(set(keys)) >= 2:
            found.append((path, list(dict.fromkeys(keys))))
    return found


@detector(
    name="hyperparameter-search",
    items=(HYPERPARAMETERS,),
    looks_for="a hyperparameter search (Optuna, Ray Tune, scikit-learn *SearchCV, W&B sweep, Hydra sweeper, Katib) "
    "together with a written rationale or a results file (trials, best parameters) in the repository",
)
def hyperparameter_search(ctx: DetectorContext) -> Iterator[Evidence]:
    """Hyperparameter searches, and whether their results or a rationale are kept."""
    python, broken_python = _python_searches(ctx)
    configs, broken_configs = _config_searches(ctx)
    results, broken_results = _results_files(ctx)
    for path in [*broken_python, *broken_configs, *broken_results]:
        yield ctx.unreadable(HYPERPARAMETERS, path)
    notes, _ = hyperparameter_notes_found(ctx)
    rationale = [note for note in notes if note.reasons or note.search]
    searches = [*python, *configs]
    for search in searches:
        where = {"path": search.path, "line": search.line}
        if results:
            record = results[0]
            yield ctx.supports(HYPERPARAMETERS, f"{search.what} with results kept in `{record.path}` ({record.what})", **where)
        elif rationale:
            yield ctx.supports(HYPERPARAMETERS, f"{search.what}, with a written rationale in `{rationale[0].path}`", **where)
        else:
            yield ctx.partial(HYPERPARAMETERS, f"{search.what} but no record of its results or of why the chosen values won "
                              "(no results file, no hyperparameter notes)", **where)
    if not searches:
        for record in results:
            where = {"path": record.path, "line": record.line}
            if record.trials >= 2:
                yield ctx.supports(HYPERPARAMETERS, f"{record.what} and their scores", **where)
            else:
                yield ctx.partial(HYPERPARAMETERS, f"{record.what} recorded, but not the search that found them", **where)
    if searches or results or notes:
        return
    for path, keys in _final_value_configs(ctx):
        yield ctx.partial(HYPERPARAMETERS, f"hyperparameters in {path} ({_names(keys)}) have no search or rationale",
                          path=path)


DETECTORS: tuple[Detector, ...] = (
    baseline_document,
    baseline_report,
    model_alternatives,
    hyperparameter_search,
    hyperparameter_notes,
)

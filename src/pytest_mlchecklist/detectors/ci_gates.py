"""Model testing detectors: a metric regression gate in CI (item 21) and load tests with results (item 23).

Performance regression gate (``performance-regression-gate``)
    A *gate check* is a comparison, read with :mod:`ast`, of a model metric with a threshold:
    one side names a metric (``auc``, ``accuracy``, ``f1``, ``recall``, ``rmse``, ``loss``,
    ``ndcg``... in a name, attribute, ``["key"]`` or ``.get("key")``; ``metrics[name]`` too), the
    other is a number other than 0 and 1, a module constant, or a name that says threshold
    (``min_auc``, ``thresholds[...]``, ``gates["min_auc"]``, ``baseline_auc``, ``prod_auc``,
    ``tolerance``...). Range checks (``0 <= auc <= 1``) and equality are not gates. A check
    *fails the build* when it is asserted, when the ``if`` it tests raises or exits
    (``sys.exit(1)``, ``raise SystemExit``, ``pytest.fail``), or when the ``if`` records a failure
    (appends, sets a flag, returns) in a module that exits non-zero somewhere.

    Detector ``ci-metric-gate`` reads the CI pipelines (:mod:`.ci_workflows`): every command of
    every step, with ``make`` targets and ``dvc repro`` stages followed one level. A command
    that runs repository Python (``python path.py``, ``python -m pkg.mod``, a console script of
    ``pyproject.toml``, inline ``python -c`` / heredoc / ``shell: python`` code) whose module
    holds a failing gate check (or calls a repository function that does, then exits non-zero)
    **supports** the item when the job runs on pushes or pull/merge requests and may not fail
    (no ``continue-on-error``, ``allow_failure``, ``|| true``). The same gate running only on a
    schedule, on demand, or allowed to fail is **partial**; so is an evaluation CI runs that
    computes metrics without any threshold, and ``dvc metrics diff`` or CML reports in a job
    with no gate (they show numbers, they fail nothing). A gate script no CI job runs is
    **partial**.

    Detector ``metric-gate-test`` reads test functions (``test_*`` in test modules, skipped
    ones left out) that assert a gate check, or that call a repository function holding gate
    checks (and assert its result, or the function asserts/raises itself). The test module must
    import the repository's own code and call it. Such a test **supports** the item, with its
    node id, when a CI ``pytest`` command in a job that runs on every change selects it (no
    paths: the ``testpaths`` of the pytest configuration, or everything; paths and node ids;
    ``--ignore``/``--deselect`` honoured; ``-k``/``-m`` expressions are not evaluated; ``tox``,
    ``nox`` and ``hatch test`` run the whole suite). Otherwise it is **partial** ("no CI job runs
    it").

    Detector ``metric-threshold-config`` reads YAML/TOML (and JSON named like a config) for
    numeric metric thresholds: a key naming a metric and a threshold (``min_auc``,
    ``max_rmse``, ``auc_threshold``) or a metric key under ``thresholds``/``gates``/
    ``acceptance``... Thresholds read by a gate found above are reported with that gate; a file
    of thresholds no gate reads is **partial**.

Load testing (``load-testing``): see the second half of this module.
"""

from __future__ import annotations

import ast
import configparser
import csv
import datetime as dt
import io
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.ci_workflows import (
    CiPipelines,
    CiStep,
    Command,
    ci_pipelines,
    expand_command,
    makefile_recipes,
    repo_path,
    split_commands,
)
from pytest_mlchecklist.detectors.import_graph import ImportGraph, import_graph
from pytest_mlchecklist.detectors.python_code import PythonModule, constant_value, dotted_name, is_test_path
from pytest_mlchecklist.evidence import Evidence, Verdict
from pytest_mlchecklist.markdown import MarkdownDocument, is_substantive
from pytest_mlchecklist.repo import RepoIndex

GATE = "performance-regression-gate"

# ======================================================================== names of metrics and thresholds
_METRIC_NAME = re.compile(
    r"(?:^|_)(?:auc|roc_?auc|pr_?auc|auprc|aucpr|accuracy|acc|f1|f2|fbeta|precision|recall|rmse|mse|mae|mape|smape"
    r"|wape|r2|logloss|log_loss|loss|ndcg|mrr|map_at_\d+|bleu|rouge\w*|wer|cer|perplexity|brier|gini|ks|iou|miou"
    r"|dice|top_?[15]|sensitivity|specificity|tpr|fpr|tnr|fnr|false_positive_rate|true_positive_rate"
    r"|false_negative_rate|mcc|kappa|hit_?rate|coverage_at_\d+)(?:_|$)"
)
#: Words that make a dictionary of metrics the metric side (``metrics[name]``).
_METRIC_CONTAINERS = frozenset({"metric", "metrics"})
_THRESHOLD_TOKENS = frozenset(
    {"threshold", "thresholds", "thresh", "min", "max", "minimum", "maximum", "floor", "ceiling", "gate", "gates",
     "limit", "limits", "target", "targets", "baseline", "baselines", "champion", "production", "prod", "previous",
     "prev", "old", "reference", "ref", "expected", "tolerance", "tol", "required", "requirement", "requirements",
     "acceptable", "acceptance", "criteria", "slo", "slos", "budget", "incumbent", "bar", "cutoff", "allowed"}
)
#: Cheap text hints: a file that mentions no metric is not parsed.
_METRIC_TEXT = re.compile(
    r"auc|accuracy|f1|precision|recall|rmse|\bmae\b|\bmse\b|\br2\b|loss|ndcg|bleu|rouge|\bwer\b|perplexity|brier"
    r"|\bmrr\b|\biou\b|\bks\b|\bmcc\b|metric",
    re.IGNORECASE,
)
_THRESHOLD_TEXT = re.compile(r"threshold|gate|min_|max_|minimum|floor|baseline|tolerance|champion|_min\b|_max\b",
                             re.IGNORECASE)
_EXIT_TEXT = re.compile(r"sys\.exit|SystemExit|\bexit\(|\braise\b|\bassert\b|pytest\.fail")
_FAILURE_EXCEPTION = re.compile(r"gate|threshold|regress|quality|metric|performance|assertion|evaluation|SystemExit",
                                re.IGNORECASE)
_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "pytest.fail", "pytest.exit"})
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def _snake(name: str) -> str:
    """``valAUC`` -> ``val_auc``; anything that is not a letter or digit becomes ``_``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def _tokens(name: str) -> set[str]:
    return set(_snake(name).split("_"))


def is_metric_name(name: str) -> bool:
    """True when a name or key names a model-quality metric (``val_auc``, ``f1_score``, ``rmse``)."""
    return bool(_METRIC_NAME.search(_snake(name)))


def is_threshold_name(name: str) -> bool:
    """True when a name or key says it is a threshold (``min_auc``, ``thresholds``, ``baseline``)."""
    return bool(_tokens(name) & _THRESHOLD_TOKENS)


def _expression_names(node: ast.AST) -> list[str]:
    """The names an expression reads, most specific first: ``report["model"]["auc"]`` gives
    ``auc``, ``model``, ``report``; ``metrics.get("auc")`` gives ``auc``, ``metrics``."""
    names: list[str] = []
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Subscript):
            key = constant_value(current.slice)
            if isinstance(key, str):
                names.append(key)
            current = current.value
        elif isinstance(current, ast.Attribute):
            names.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Name):
            names.append(current.id)
            current = None
        elif isinstance(current, ast.BinOp):  # `prod_auc - tolerance`
            names.extend(_expression_names(current.left))
            names.extend(_expression_names(current.right))
            current = None
        elif isinstance(current, ast.Call):
            func = current.func
            if isinstance(func, ast.Attribute) and func.attr == "get" and current.args:
                key = constant_value(current.args[0])
                if isinstance(key, str):
                    names.append(key)
                current = func.value
            elif isinstance(func, ast.Name) and func.id in ("float", "int", "round", "abs") and current.args:
                current = current.args[0]
            else:
                called = dotted_name(func)
                if called:
                    names.append(called.rsplit(".", 1)[-1])
                current = None
        else:
            current = None
    return names


def _number(node: ast.AST) -> float | None:
    value = constant_value(node)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# ======================================================================== gate checks
@dataclass(frozen=True)
class Threshold:
    """The threshold side of a gate check: a number, or a name and (when known) its value."""

    label: str
    keys: tuple[str, ...] = ()
    value: float | None = None
    source: str | None = None

    def shown(self) -> str:
        """``0.85``, ``\\`min_auc\\` (0.8 in configs/evaluation.yaml)`` or ``\\`min_auc\\```."""
        if self.keys and self.value is not None:
            where = f" in {self.source}" if self.source else ""
            return f"{self.label} ({self.value:g}{where})"
        return self.label


@dataclass(frozen=True)
class GateCheck:
    """A comparison of a metric with a threshold, and how it fails (``kind``).

    ``kind`` is ``assert`` (asserted), ``fail`` (the ``if`` it tests raises or exits), ``flag``
    (the ``if`` records a failure, or a conditional expression picks an exit code) or ``value``
    (the comparison's result is stored or returned). ``op`` is written with the metric on the
    left: the failing condition for ``assert``/``fail``/``flag``, the tested one for ``value``.
    """

    metric: str
    op: str
    threshold: Threshold
    line: int
    kind: str

    def shown(self) -> str:
        """``fails when auc < 0.85`` or ``compares auc with `min_auc```."""
        if self.kind == "value":
            return f"compares {self.metric} with {self.threshold.shown()}"
        return f"fails when {self.metric} {self.op} {self.threshold.shown()}"

    def with_threshold(self, threshold: Threshold) -> GateCheck:
        """The same check with its threshold's value filled in."""
        return GateCheck(self.metric, self.op, threshold, self.line, self.kind)


def _literal(node: ast.AST) -> bool:
    """True for literal data: constants, and lists/tuples/sets/dicts (or ``np.array(...)``) of them."""
    if isinstance(node, ast.Constant) or _number(node) is not None:
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_literal(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(value is not None and _literal(value) for value in (*node.keys, *node.values))
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        return all(_literal(argument) for argument in node.args)
    return False


def _toy_call(node: ast.AST) -> bool:
    """A metric computed on literal data (``f1_score([1, 0], [1, 1])``): a unit test of the
    metric function, not the model's quality."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "round", "abs") \
            and node.args:
        node = node.args[0]
    if not isinstance(node, ast.Call) or (isinstance(node.func, ast.Attribute) and node.func.attr == "get"):
        return False
    return bool(node.args) and all(_literal(argument) for argument in node.args)


def _metric_side(node: ast.AST) -> str | None:
    if _number(node) is not None or _toy_call(node):
        return None
    names = _expression_names(node)
    if not names or any(is_threshold_name(name) for name in names):
        return None
    for name in names:
        if is_metric_name(name):
            return name
    if isinstance(node, ast.Subscript) and names[0].lower() in _METRIC_CONTAINERS:
        return f"{names[0]}[...]"
    return None


def _threshold_side(node: ast.AST, constants: dict[str, float]) -> Threshold | None:
    value = _number(node)
    if value is not None:
        return None if value in (0.0, 1.0) else Threshold(label=f"{value:g}", value=value)
    if isinstance(node, ast.Name) and node.id in constants:
        return Threshold(label=f"`{node.id}`", keys=(node.id,), value=constants[node.id])
    names = _expression_names(node)
    if names and any(is_threshold_name(name) for name in names):
        return Threshold(label=f"`{_source_of(node)}`", keys=tuple(names))
    return None


def _source_of(node: ast.AST, limit: int = 40) -> str:
    """Short source text of an expression, for a detail (``gates['min_auc']``)."""
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - any unparse problem: fall back to the names read
        text = ".".join(reversed(_expression_names(node)))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_of(compare: ast.Compare, constants: dict[str, float], kind: str, negated: bool) -> GateCheck | None:
    if len(compare.ops) != 1 or type(compare.ops[0]) not in _OPS:
        return None
    op = _OPS[type(compare.ops[0])]
    left, right = compare.left, compare.comparators[0]
    metric = _metric_side(left)
    threshold = _threshold_side(right, constants) if metric else None
    if metric is None or threshold is None:
        metric = _metric_side(right)
        threshold = _threshold_side(left, constants) if metric else None
        op = _FLIP[op]
    if metric is None or threshold is None:
        return None
    if negated:
        op = _NEGATE[op]
    return GateCheck(metric=metric, op=op, threshold=threshold, line=compare.lineno, kind=kind)


def _compares(expression: ast.AST, negated: bool = False) -> Iterator[tuple[ast.Compare, bool]]:
    """Comparisons in a condition, with whether a ``not`` turns them around."""
    if isinstance(expression, ast.Compare):
        yield expression, negated
    elif isinstance(expression, ast.UnaryOp) and isinstance(expression.op, ast.Not):
        yield from _compares(expression.operand, not negated)
    elif isinstance(expression, ast.BoolOp):
        for value in expression.values:
            yield from _compares(value, negated)
    else:
        for child in ast.iter_child_nodes(expression):
            yield from _compares(child, negated)


def _walk_body(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``statements``, not entering nested function or class definitions."""
    stack: list[ast.AST] = list(reversed(statements))
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _called(node: ast.AST) -> str:
    return (dotted_name(node.func) or "") if isinstance(node, ast.Call) else ""


def _body_effect(statements: list[ast.stmt]) -> str | None:
    """``fail`` when a branch raises or exits, ``flag`` when it records a failure, else ``None``."""
    effect: str | None = None
    for node in _walk_body(statements):
        if isinstance(node, (ast.Raise, ast.Assert)) or _called(node) in _EXIT_CALLS:
            return "fail"
        if isinstance(node, ast.Call) and _called(node).rsplit(".", 1)[-1] in ("append", "add", "extend", "error",
                                                                                "critical", "exception"):
            effect = "flag"
        elif isinstance(node, (ast.Return, ast.AugAssign)):
            effect = "flag"
        elif isinstance(node, ast.Assign) and isinstance(constant_value(node.value), (bool, int, float)):
            effect = "flag"
    return effect


def gate_checks(scope: ast.AST, constants: dict[str, float]) -> list[GateCheck]:
    """The gate checks of a module or function (see :class:`GateCheck`), in line order.

    A comparison tested by an ``if`` or ``while`` whose branches neither fail nor record a
    failure is not a check (``if val_auc > 0.9: log.info("great")``); a comparison whose result
    is stored, returned or passed to ``all``/``any`` is a ``value`` check.
    """
    found: dict[int, GateCheck] = {}
    examined: set[int] = set()
    statements = scope.body if isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) else []
    nodes = list(ast.walk(scope)) if isinstance(scope, ast.Module) else list(_walk_body(statements))
    values: list[ast.AST] = []
    for node in nodes:
        conditions: list[tuple[ast.AST, str, bool]] = []
        if isinstance(node, ast.Assert):
            conditions.append((node.test, "assert", True))
        elif isinstance(node, (ast.If, ast.While)):
            examined.update(id(compare) for compare, _ in _compares(node.test))
            effect = _body_effect(node.body)
            if effect is not None:
                conditions.append((node.test, effect, False))
            elif node.orelse and (else_effect := _body_effect(node.orelse)) is not None:
                conditions.append((node.test, else_effect, True))
        elif isinstance(node, ast.IfExp):
            conditions.append((node.test, "flag", False))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return)) and node.value is not None:
            values.append(node.value)
        elif isinstance(node, ast.Call) and _called(node) in ("all", "any", "bool"):
            values.extend(node.args)
        for condition, kind, negate in conditions:
            for compare, negated in _compares(condition):
                check = _check_of(compare, constants, kind, negated != negate)
                if check is not None and id(compare) not in found:
                    found[id(compare)] = check
    for value in values:
        for compare, negated in _compares(value):
            if id(compare) in found or id(compare) in examined:
                continue
            check = _check_of(compare, constants, "value", negated)
            if check is not None:
                found[id(compare)] = check
    return sorted(found.values(), key=lambda check: check.line)


def module_constants(tree: ast.Module) -> dict[str, float]:
    """Numbers bound at the top level of a module (``MIN_AUC = 0.85``)."""
    constants: dict[str, float] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.AST | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        number = _number(value) if value is not None else None
        if number is None:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                constants[target.id] = number
    return constants


def _exits_non_zero(tree: ast.AST) -> bool:
    """True when the code can exit with a failure: ``sys.exit(x)`` with ``x`` not 0/None,
    ``raise SystemExit(...)``, or raising an exception named like a gate failure."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) in _EXIT_CALLS:
            if not node.args:
                if _called(node).startswith("pytest."):
                    return True
                continue
            if constant_value(node.args[0]) not in (0, None):
                return True
        elif isinstance(node, ast.Raise) and node.exc is not None:
            name = dotted_name(node.exc.func if isinstance(node.exc, ast.Call) else node.exc) or ""
            if _FAILURE_EXCEPTION.search(name):
                return True
    return False


def _strongest(checks: list[GateCheck]) -> GateCheck | None:
    ranked = sorted(checks, key=lambda check: (["assert", "fail", "flag", "value"].index(check.kind), check.line))
    return ranked[0] if ranked else None


# ======================================================================== configured thresholds
@dataclass(frozen=True)
class ConfigThreshold:
    """A numeric metric threshold in a configuration file."""

    path: str
    keys: tuple[str, ...]
    value: float
    line: int | None


_CONFIG_SKIP = re.compile(r"(?:^|/)(?:\.github/|\.gitlab-ci|dvc\.lock$|mlchecklist\.ya?ml$|package(?:-lock)?\.json$)")
_CONFIG_JSON = re.compile(r"config|param|threshold|gate|criteria|settings", re.IGNORECASE)


def _threshold_entries(data: Any, keys: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], float]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                yield from _threshold_entries(value, (*keys, key))
    elif isinstance(data, list):
        for value in data:
            yield from _threshold_entries(value, keys)
    elif isinstance(data, (int, float)) and not isinstance(data, bool) and keys:
        last = keys[-1]
        metric = is_metric_name(last) or (len(keys) > 1 and is_metric_name(keys[-2]))
        if metric and any(is_threshold_name(key) for key in keys):
            yield keys, float(data)


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def config_thresholds(ctx: DetectorContext) -> dict[str, list[ConfigThreshold]]:
    """Metric thresholds in the repository's configuration files, by file (cached per scan)."""
    return ctx.index.memo(("metric-thresholds", *ctx.declared(GATE)), lambda: _config_thresholds(ctx))


def _config_thresholds(ctx: DetectorContext) -> dict[str, list[ConfigThreshold]]:
    index = ctx.index
    found: dict[str, list[ConfigThreshold]] = {}
    paths = [
        path for path in index.with_suffix(".yaml", ".yml", ".toml", ".json")
        if not _CONFIG_SKIP.search(path)
        and (not path.endswith(".json") or _CONFIG_JSON.search(posixpath.basename(path)))
    ]
    for path in ctx.candidates(GATE, paths):
        text = index.read_text(path)
        if text is None or not _THRESHOLD_TEXT.search(text) or not _METRIC_TEXT.search(text):
            continue
        documents = index.structured(path)
        if not documents:
            continue
        entries = [
            ConfigThreshold(path, keys, value, _key_line(text, keys[-1]))
            for document in documents for keys, value in _threshold_entries(document)
        ]
        if entries:
            found[path] = entries
    return found


def _fill_threshold(check: GateCheck, configs: dict[str, list[ConfigThreshold]], texts: list[str]) -> GateCheck:
    """Give a named threshold its value from a configuration file, preferring a file the gate's
    code or command mentions."""
    threshold = check.threshold
    if not threshold.keys or threshold.value is not None:
        return check
    key = threshold.keys[0]
    matches: list[tuple[int, ConfigThreshold]] = []
    for path, entries in configs.items():
        mentioned = any(posixpath.basename(path) in text for text in texts)
        for entry in entries:
            if entry.keys[-1] != key:
                continue
            parent_match = len(threshold.keys) > 1 and len(entry.keys) > 1 and entry.keys[-2] == threshold.keys[1]
            matches.append((2 * mentioned + parent_match, entry))
    matches = [(score, entry) for score, entry in matches if score > 0]
    if not matches:  # a key of the same name in a file the gate never names is not its threshold
        return check
    best = max(matches, key=lambda pair: (pair[0], -len(pair[1].path)))[1]
    return check.with_threshold(Threshold(threshold.label, threshold.keys, best.value, best.path))


# ======================================================================== what CI runs
@dataclass(frozen=True)
class CiRun:
    """A command CI runs: the step it belongs to and the command (maybe reached through make/dvc)."""

    step: CiStep
    command: Command

    @property
    def line(self) -> int | None:
        """The line in the CI file (the command's own line when it is written there)."""
        return self.command.line if self.command.path == self.step.path and not self.command.via else self.step.line

    def where(self) -> str:
        """``job `quality` of .github/workflows/ci.yml`` (with ``, via make eval`` when expanded)."""
        via = f", via {self.command.via}" if self.command.via else ""
        return f"job `{self.step.job}` of {self.step.path}{via}"

    def blocking(self) -> str | None:
        """Why a failure of this command would not block a change, or ``None`` when it would."""
        if self.command.allowed_to_fail:
            return "its failure is ignored (`|| true`)"
        if self.step.allowed_to_fail:
            return "the step is allowed to fail (continue-on-error / allow_failure / after_script)"
        if self.step.manual:
            return "the job only runs when started by hand"
        if not self.step.runs_on_change:
            triggers = ", ".join(sorted(self.step.triggers)) or "no trigger"
            return f"the job does not run on pushes or pull requests (only: {triggers})"
        return None


def ci_runs(ctx: DetectorContext) -> list[CiRun]:
    """Every command of every CI step, with ``make``/``dvc repro`` followed (cached per scan)."""
    return ctx.index.memo(("ci-runs",), lambda: _ci_runs(ctx))


def _ci_runs(ctx: DetectorContext) -> list[CiRun]:
    runs: list[CiRun] = []
    for step in ci_pipelines(ctx.index).steps():
        if (step.shell or "").startswith("python") and step.run.strip():
            line = step.script_lines[0][0] if step.script_lines else step.line
            runs.append(CiRun(step, Command(argv=("python", "-"), path=step.path, line=line, stdin=step.run,
                                            stdin_line=line)))
            continue
        for command in step.commands():
            runs.append(CiRun(step, command))
            runs.extend(CiRun(step, inner) for inner in expand_command(ctx.index, command))
    return runs


def _console_scripts(ctx: DetectorContext) -> dict[str, str]:
    """Console scripts of the root ``pyproject.toml``: name -> module (cached per scan)."""
    return ctx.index.memo(("console-scripts",), lambda: _read_console_scripts(ctx))


def _read_console_scripts(ctx: DetectorContext) -> dict[str, str]:
    data = ctx.index.toml_data("pyproject.toml") if "pyproject.toml" in ctx.index else None
    found: dict[str, str] = {}
    if not isinstance(data, dict):
        return found
    project = data.get("project")
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    for table in (project.get("scripts") if isinstance(project, dict) else None,
                  poetry.get("scripts") if isinstance(poetry, dict) else None):
        if isinstance(table, dict):
            for name, target in table.items():
                if isinstance(target, str) and ":" in target:
                    found[str(name)] = target.split(":", 1)[0].strip()
    return found


def _python_target(ctx: DetectorContext, graph: ImportGraph, command: Command) -> str | None:
    """The repository module a command runs, if it runs one."""
    call = command.python_call()
    if call is not None:
        if call.script:
            return call.script if call.script in ctx.index and call.script.endswith(".py") else None
        if call.module and call.module.split(".")[0] not in ("pytest", "pip", "build", "venv", "unittest"):
            return graph.find(call.module) or graph.find(f"{call.module}.__main__")
        return None
    if not command.argv:
        return None
    first = command.argv[0]
    if first.endswith(".py"):
        path = repo_path(command.cwd, first)
        return path if path in ctx.index else None
    module = _console_scripts(ctx).get(first)
    return graph.find(module) if module else None


# ======================================================================== the analysis
@dataclass
class Gate:
    """A gate found in the repository, and how it is run."""

    check: GateCheck
    module: str | None = None
    through: str | None = None
    reads: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """Evidence before it is labelled with a detector's name (the analysis is shared)."""

    verdict: Verdict
    detail: str
    path: str | None = None
    line: int | None = None
    nodeid: str | None = None
    values: dict[str, float] | None = field(default=None, compare=False, hash=False)

    def evidence(self, ctx: DetectorContext, item: str) -> Evidence:
        """The finding as evidence of the detector running in ``ctx``."""
        return ctx.evidence(item, self.detail, verdict=self.verdict, path=self.path, line=self.line,
                            nodeid=self.nodeid, values=self.values)


def unreadable_finding(ctx: DetectorContext, path: str, reason: str | None = None) -> Finding:
    """A candidate file that could not be read or parsed."""
    why = reason or ctx.index.problem(path) or "could not be read"
    return Finding("unreadable", f"could not decide from this file: {why}", path=path)


@dataclass
class GateAnalysis:
    """Everything the three item-21 detectors report, computed once per scan."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    read_configs: set[str] = field(default_factory=set)

    def add(self, detector_name: str, found: Finding) -> None:
        """Record a finding for one of the detectors."""
        self.findings.setdefault(detector_name, []).append(found)


class _Gates:
    """Finds gate checks in modules and functions, with the thresholds filled in from configs."""

    def __init__(self, ctx: DetectorContext) -> None:
        self.ctx = ctx
        self.graph = import_graph(ctx.index)
        self.configs = config_thresholds(ctx)
        self._modules: dict[str, Gate | None] = {}
        self._functions: dict[tuple[str, str], list[GateCheck]] = {}

    def texts(self, *paths: str | None, extra: str = "") -> list[str]:
        found = [extra] if extra else []
        for path in paths:
            if path:
                text = self.ctx.index.read_text(path)
                if text:
                    found.append(text)
        return found

    def fill(self, check: GateCheck, texts: list[str]) -> GateCheck:
        return _fill_threshold(check, self.configs, texts)

    def function_checks(self, path: str, qualname: str) -> list[GateCheck]:
        """Gate checks in the function ``qualname`` (``f`` or ``Class.f``) of the module at ``path``."""
        key = (path, qualname)
        if key in self._functions:
            return self._functions[key]
        checks: list[GateCheck] = []
        tree = self.ctx.index.python_ast(path)
        if tree is not None:
            node = _find_function(tree, qualname)
            if node is not None:
                checks = gate_checks(node, module_constants(tree))
        self._functions[key] = checks
        return checks

    def called_gate(self, module: PythonModule, call: ast.Call) -> tuple[str, str, list[GateCheck]] | None:
        """The repository function a call reaches and its gate checks, if it has any."""
        name = dotted_name(call.func)
        if name is None:
            return None
        resolved = module.resolve(name)
        if resolved is None:
            return None
        owner = self.graph.owner(resolved, near=module.path)
        if owner is None or not owner[1]:
            return None
        path, qualname = owner
        checks = self.function_checks(path, qualname)
        return (path, qualname, checks) if checks else None

    def module_gate(self, path: str) -> Gate | None:
        """The gate a script or module holds when run: a failing check of its own, or a call to
        a repository function with checks in a module that exits non-zero."""
        if path in self._modules:
            return self._modules[path]
        gate: Gate | None = None
        tree = self.ctx.index.python_ast(path)
        module = self.graph.module(path)
        if tree is not None and module is not None:
            gate = self._gate_in(tree, module, path)
        self._modules[path] = gate
        return gate

    def _gate_in(self, tree: ast.Module, module: PythonModule | None, path: str | None, extra: str = "") -> Gate | None:
        checks = gate_checks(tree, module_constants(tree))
        exits = _exits_non_zero(tree) or any(isinstance(node, ast.Assert) for node in ast.walk(tree))
        best = _strongest([check for check in checks if check.kind in ("assert", "fail")])
        if best is None and exits:
            best = _strongest(checks)
        texts = self.texts(path, extra=extra)
        if best is not None:
            return Gate(self.fill(best, texts), module=path, reads=texts)
        if not exits or module is None:
            return None
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                reached = self.called_gate(module, node)
                if reached is not None:
                    target, qualname, inner = reached
                    check = _strongest(inner)
                    assert check is not None
                    reads = [*texts, *self.texts(target)]
                    return Gate(self.fill(check, reads), module=target, through=qualname, reads=reads)
        return None

    def inline_gate(self, code: str) -> Gate | None:
        """The gate of inline Python (``python -c``, a heredoc, a ``shell: python`` step)."""
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return self._gate_in(tree, None, None, extra=code)


def _find_function(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    parts = qualname.split(".")
    body: list[ast.stmt] = tree.body
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        match = None
        for node in body:
            if last and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == part:
                match = node
            elif not last and isinstance(node, ast.ClassDef) and node.name == part:
                match = node
        if match is None:
            return None
        if last:
            return match  # type: ignore[return-value]
        body = match.body  # type: ignore[union-attr]
    return None


def gate_analysis(ctx: DetectorContext) -> GateAnalysis:
    """The item-21 evidence of the three detectors, computed once per scan."""
    return ctx.index.memo(("gate-analysis", *ctx.declared(GATE)), lambda: _analyse(ctx))


def _analyse(ctx: DetectorContext) -> GateAnalysis:
    analysis = GateAnalysis()
    gates = _Gates(ctx)
    pipelines = ci_pipelines(ctx.index)
    for path, reason in pipelines.unreadable:
        analysis.add("ci-metric-gate", unreadable_finding(ctx, path, reason))
    runs = ci_runs(ctx)
    credited: set[str] = set()
    _ci_gates(ctx, gates, runs, analysis, credited)
    _gate_tests(ctx, gates, pipelines, runs, analysis, credited)
    _uncalled_scripts(ctx, gates, analysis, credited)
    _unread_configs(ctx, gates, analysis)
    return analysis


def _ci_gates(ctx: DetectorContext, gates: _Gates, runs: list[CiRun], analysis: GateAnalysis, credited: set[str]) -> None:
    jobs_with_gate: set[tuple[str, str]] = set()
    reports: list[tuple[CiRun, str]] = []
    seen: set[tuple[str, str, int | None, str]] = set()
    for run in runs:
        command = run.command
        call = command.python_call()
        target = _python_target(ctx, gates.graph, command)
        gate: Gate | None = None
        if target is not None:
            if ctx.index.python_ast(target) is None:
                analysis.add("ci-metric-gate", unreadable_finding(ctx, target))
                continue
            gate = gates.module_gate(target)
        elif call is not None and call.code:
            gate = gates.inline_gate(call.code)
        elif command.argv[:3] == ("dvc", "metrics", "diff") or command.argv[:3] == ("dvc", "plots", "diff"):
            reports.append((run, f"`{' '.join(command.argv[:3])}`"))
            continue
        elif command.program == "cml" or command.program.startswith("cml-"):
            reports.append((run, "a CML report"))
            continue
        key = (run.step.path, run.step.job, run.line, " ".join(command.argv))
        if key in seen:
            continue
        if gate is None:
            if target is not None and _evaluates(ctx, gates, target):
                seen.add(key)
                analysis.add("ci-metric-gate", Finding(
                    "partial", f"`{command.shown()}` in {run.where()} computes metrics but fails on no threshold; "
                    "compare them with thresholds and exit non-zero", path=run.step.path, line=run.line))
            continue
        seen.add(key)
        if gate.module:
            credited.add(gate.module)
        analysis.read_configs.update(_configs_read(gates, gate, command))
        check = gate.check
        through = f" through `{gate.through}`" if gate.through else ""
        arguments = _threshold_arguments(command)
        line = run.line
        if target is None and call is not None and call.code_line is not None and line == command.line:
            line = call.code_line + check.line - 1  # the line of the check inside the inline code
        shown = "inline Python" if target is None else f"`{command.shown()}`"
        what = f"{shown} in {run.where()} {check.shown()}{through}{arguments}"
        blocked = run.blocking()
        values = {"threshold": check.threshold.value} if check.threshold.value is not None else None
        if blocked is None:
            jobs_with_gate.add((run.step.path, run.step.job))
            analysis.add("ci-metric-gate", Finding("supports", what, path=run.step.path, line=line, values=values))
        else:
            analysis.add("ci-metric-gate", Finding("partial", f"{what}, but {blocked}", path=run.step.path,
                                                   line=line, values=values))
    for run, name in reports:
        if (run.step.path, run.step.job) in jobs_with_gate:
            continue
        analysis.add("ci-metric-gate", Finding(
            "partial", f"{name} in {run.where()} shows metric changes but fails on no threshold",
            path=run.step.path, line=run.line))


def _threshold_arguments(command: Command) -> str:
    """`` (--min-auc 0.85)`` when the command passes a threshold on its command line."""
    words = command.arguments
    for position, word in enumerate(words):
        if not word.startswith("--"):
            continue
        name, _, value = word[2:].partition("=")
        if not value and position + 1 < len(words):
            value = words[position + 1]
        if is_threshold_name(name.replace("-", "_")) and re.fullmatch(r"-?\d+(?:\.\d+)?", value):
            return f" (--{name} {value})"
    return ""


def _configs_read(gates: _Gates, gate: Gate, command: Command | None) -> set[str]:
    texts = [*gate.reads, " ".join(command.argv) if command else ""]
    read = {path for path in gates.configs if any(posixpath.basename(path) in text for text in texts)}
    if gate.check.threshold.source:
        read.add(gate.check.threshold.source)
    return read


def _evaluates(ctx: DetectorContext, gates: _Gates, path: str) -> bool:
    """True for a module that computes model metrics (calls a metric function, or is named
    like an evaluation) but holds no gate."""
    module = gates.graph.module(path)
    tree = ctx.index.python_ast(path)
    if module is None or tree is None:
        return False
    if re.search(r"eval", posixpath.basename(path), re.IGNORECASE):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = module.resolve(dotted_name(node.func) or "") or dotted_name(node.func) or ""
            if name.startswith(("sklearn.metrics", "torchmetrics", "evaluate.")) or is_metric_name(name.rsplit(".", 1)[-1]):
                return True
    return False


# ------------------------------------------------------------------------ tests
@dataclass(frozen=True)
class PytestRun:
    """A CI command that runs pytest, and what it selects."""

    run: CiRun
    selectors: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    whole: bool = False

    def selects(self, path: str, nodeid: str) -> bool:
        """True when this run collects the test ``nodeid`` (in the file ``path``)."""
        if any(path == ignored or path.startswith(ignored.rstrip("/") + "/") or nodeid == ignored
               for ignored in self.ignored):
            return False
        if self.whole:
            return True
        for selector in self.selectors:
            if "::" in selector:
                if nodeid == selector or nodeid.startswith(selector + "::"):
                    return True
            elif selector == "" or path == selector or path.startswith(selector.rstrip("/") + "/"):
                return True
        return False


_PYTEST_VALUE_OPTIONS = frozenset(
    {"-k", "-m", "-p", "-c", "-o", "-n", "-W", "-r", "--rootdir", "--junitxml", "--junit-xml", "--cov-report",
     "--cov-config", "--maxfail", "--tb", "--durations", "--log-level", "--basetemp", "--confcutdir", "--dist",
     "--numprocesses", "--benchmark-json", "--benchmark-save", "--import-mode", "--override-ini", "--timeout",
     "--reruns", "--capture", "--color", "--html", "--ignore", "--ignore-glob", "--deselect", "--config-file",
     "--cov-fail-under", "--log-file", "--ml-checklist-json", "--ml-checklist-profile"}
)


def _pytest_config_testpaths(ctx: DetectorContext, folder: str) -> list[str] | None:
    """``testpaths`` of the pytest configuration found in ``folder`` (``None``: no configuration there)."""
    index = ctx.index
    for name, section in (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("pyproject.toml", None),
                          ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = repo_path(folder, name)
        if path not in index:
            continue
        if section is None:
            data = index.toml_data(path)
            tool = data.get("tool") if isinstance(data, dict) else None
            options = tool.get("pytest", {}).get("ini_options") if isinstance(tool, dict) and isinstance(tool.get("pytest"), dict) else None
            if not isinstance(options, dict):
                continue
            value = options.get("testpaths")
            paths = [value] if isinstance(value, str) else [str(item) for item in value] if isinstance(value, list) else []
        else:
            text = index.read_text(path)
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read_string(text or "")
            except configparser.Error:
                continue
            if not parser.has_section(section):
                continue
            paths = parser.get(section, "testpaths", fallback="").split()
        return [repo_path(folder, item) for item in paths]
    return None


def pytest_runs(ctx: DetectorContext, runs: list[CiRun]) -> list[PytestRun]:
    """The CI commands that run pytest (directly, ``python -m pytest``, tox, nox, ``hatch test``)."""
    found: list[PytestRun] = []
    for run in runs:
        command = run.command
        program = command.program
        if program in ("tox", "nox") or command.argv[:2] == ("hatch", "test"):
            found.append(PytestRun(run, (), whole=True))
            continue
        if program not in ("pytest", "py.test"):
            continue
        selectors: list[str] = []
        ignored: list[str] = []
        words = list(command.arguments)
        while words:
            word = words.pop(0)
            if word in ("--ignore", "--deselect") and words:
                ignored.append(repo_path(command.cwd, words.pop(0)))
            elif word.startswith(("--ignore=", "--deselect=")):
                ignored.append(repo_path(command.cwd, word.split("=", 1)[1]))
            elif word in _PYTEST_VALUE_OPTIONS:
                if words:
                    words.pop(0)
            elif word.startswith("-"):
                continue
            else:
                file_part, _, rest = word.partition("::")
                base = repo_path(command.cwd, file_part)
                selectors.append(f"{base}::{rest}" if rest else base)
        if not selectors:
            configured = _pytest_config_testpaths(ctx, command.cwd)
            if configured is None and command.cwd:
                configured = _pytest_config_testpaths(ctx, "")
            selectors = configured or [command.cwd]
        found.append(PytestRun(run, tuple(selectors), tuple(ignored)))
    return found


@dataclass(frozen=True)
class _TestFunction:
    name: str
    nodeid: str
    node: ast.FunctionDef | ast.AsyncFunctionDef


def _test_functions(path: str, tree: ast.Module) -> Iterator[_TestFunction]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            if not _skipped(node):
                yield _TestFunction(node.name, f"{path}::{node.name}", node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test") and not _skipped(node):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name.startswith("test"):
                    if not _skipped(child):
                        yield _TestFunction(child.name, f"{path}::{node.name}::{child.name}", child)


def _skipped(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted_name(target) or ""
        if name.endswith(("mark.skip", "unittest.skip")) or name == "skip":
            return True
    return False


def _exercises_repository(gates: _Gates, module: PythonModule, tree: ast.Module) -> bool:
    """True when a test module calls code of the repository that is not test code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            resolved = module.resolve(name) if name else None
            if resolved is None or resolved.startswith(module.name + "."):
                continue
            owner = gates.graph.owner(resolved, near=module.path)
            if owner is not None and not is_test_path(owner[0]):
                return True
    return False


def _test_gate(gates: _Gates, module: PythonModule, function: _TestFunction) -> Gate | None:
    """The gate a test function enforces: an asserted check, or an asserted call of a
    repository function with checks (or one that asserts or raises by itself)."""
    constants = module_constants(module.tree)
    direct = [check for check in gate_checks(function.node, constants) if check.kind in ("assert", "fail")]
    texts = gates.texts(module.path)
    if direct:
        best = _strongest(direct)
        assert best is not None
        return Gate(gates.fill(best, texts), module=module.path, reads=texts)
    asserted = _asserted_nodes(function.node)
    for node in _walk_body(function.node.body):
        if not isinstance(node, ast.Call):
            continue
        reached = gates.called_gate(module, node)
        if reached is None:
            continue
        target, qualname, checks = reached
        self_failing = [check for check in checks if check.kind in ("assert", "fail")]
        if id(node) in asserted or self_failing:
            check = _strongest(self_failing or checks)
            assert check is not None
            reads = [*texts, *gates.texts(target)]
            return Gate(gates.fill(check, reads), module=target, through=qualname, reads=reads)
    return None


def _asserted_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """Calls whose result is asserted: inside an ``assert``, or stored in a name an ``assert`` reads."""
    asserted_names: set[str] = set()
    asserted: set[int] = set()
    nodes = list(_walk_body(function.body))
    for node in nodes:
        if isinstance(node, ast.Assert):
            for inner in ast.walk(node.test):
                asserted.add(id(inner))
                if isinstance(inner, ast.Name):
                    asserted_names.add(inner.id)
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if any(isinstance(target, ast.Name) and target.id in asserted_names for target in node.targets):
                asserted.add(id(node.value))
    return asserted


def _gate_tests(
    ctx: DetectorContext, gates: _Gates, pipelines: CiPipelines, runs: list[CiRun], analysis: GateAnalysis,
    credited: set[str],
) -> None:
    runners = pytest_runs(ctx, runs)
    paths = [path for path in gates.graph.paths if is_test_path(path) and posixpath.basename(path) != "conftest.py"]
    for path in ctx.candidates(GATE, paths):
        text = ctx.index.read_text(path)
        if text is None or "assert" not in text or not (_METRIC_TEXT.search(text) or _THRESHOLD_TEXT.search(text)):
            continue
        tree = ctx.index.python_ast(path)
        module = gates.graph.module(path)
        if tree is None or module is None:
            if _THRESHOLD_TEXT.search(text) and _METRIC_TEXT.search(text):
                analysis.add("metric-gate-test", unreadable_finding(ctx, path))
            continue
        exercised: bool | None = None
        for function in _test_functions(path, tree):
            gate = _test_gate(gates, module, function)
            if gate is None:
                continue
            if gate.through is None:
                if exercised is None:
                    exercised = _exercises_repository(gates, module, tree)
                if not exercised:
                    analysis.add("metric-gate-test", Finding(
                        "partial", f"test `{function.name}` {gate.check.shown()} but never calls the repository's own "
                        "code, so it checks stored numbers rather than the model", path=path,
                        line=function.node.lineno, nodeid=function.nodeid))
                    continue
            analysis.read_configs.update(_configs_read(gates, gate, None))
            analysis.add("metric-gate-test", _judge_test(path, function, gate, pipelines, runners, credited))


def _judge_test(
    path: str, function: _TestFunction, gate: Gate, pipelines: CiPipelines, runners: list[PytestRun],
    credited: set[str],
) -> Finding:
    through = f" through `{gate.through}`" if gate.through else ""
    what = f"test `{function.name}` {gate.check.shown()}{through}"
    where: dict[str, Any] = {"path": path, "line": function.node.lineno, "nodeid": function.nodeid}
    selecting = [runner for runner in runners if runner.selects(path, function.nodeid)]
    blocking = [runner for runner in selecting if runner.run.blocking() is None]
    if blocking:
        if gate.module:
            credited.add(gate.module)
        return Finding("supports", f"{what}; CI runs it in {blocking[0].run.where()}", **where)
    if selecting:
        return Finding("partial", f"{what}; CI runs it in {selecting[0].run.where()}, but {selecting[0].run.blocking()}",
                       **where)
    if not pipelines.workflows:
        return Finding("partial", f"{what}, but no CI workflow runs the tests", **where)
    return Finding("partial", f"{what}, but no CI job runs it", **where)


# ------------------------------------------------------------------------ scripts and configs nobody runs
def _uncalled_scripts(ctx: DetectorContext, gates: _Gates, analysis: GateAnalysis, credited: set[str]) -> None:
    paths = [path for path in gates.graph.paths if not is_test_path(path)]
    ran = {_python_target(ctx, gates.graph, run.command) for run in ci_runs(ctx)}
    for path in ctx.candidates(GATE, paths):
        if path in credited or path in ran or not path.endswith(".py"):
            continue
        text = ctx.index.read_text(path)
        if text is None or "__main__" not in text:
            continue  # only scripts are judged here: a library module is credited through what runs it
        if not (_METRIC_TEXT.search(text) and _THRESHOLD_TEXT.search(text) and _EXIT_TEXT.search(text)):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None or not _is_script(tree):
            continue
        gate = gates.module_gate(path)
        if gate is None or (gate.module and gate.module in credited):
            continue
        analysis.read_configs.update(_configs_read(gates, gate, None))
        analysis.add("ci-metric-gate", Finding(
            "partial", f"{path} {gate.check.shown()}, but no CI job runs it on pushes or pull requests",
            path=path, line=gate.check.line if gate.module == path else None))


def _is_script(tree: ast.Module) -> bool:
    """True for a module meant to be run: an ``if __name__ == "__main__":`` block."""
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = {dotted_name(part) for part in (node.test.left, *node.test.comparators)}
            values = {constant_value(part) for part in (node.test.left, *node.test.comparators)}
            if "__name__" in names and "__main__" in values:
                return True
    return False


def _unread_configs(ctx: DetectorContext, gates: _Gates, analysis: GateAnalysis) -> None:
    for path, entries in sorted(gates.configs.items()):
        if path in analysis.read_configs:
            continue
        names = ", ".join(f"`{entry.keys[-1]}` {entry.value:g}" for entry in entries[:3])
        more = f" and {len(entries) - 3} more" if len(entries) > 3 else ""
        analysis.add("metric-threshold-config", Finding(
            "partial", f"metric thresholds ({names}{more}) but no CI step or test found that reads this file and fails "
            "below them", path=path, line=entries[0].line))


# ------------------------------------------------------------------------ the detectors
@detector(
    name="ci-metric-gate",
    items=(GATE,),
    looks_for="a CI step (GitHub Actions, GitLab CI; make targets and dvc stages followed) running an evaluation "
    "script that compares metrics with thresholds and exits non-zero, on every push or pull request",
)
def ci_metric_gate(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evaluation gates that CI runs (see the module docstring)."""
    for found in gate_analysis(ctx).findings.get("ci-metric-gate", []):
        yield found.evidence(ctx, GATE)


@detector(
    name="metric-gate-test",
    items=(GATE,),
    looks_for="a test asserting a metric against a threshold or baseline (directly or through the repository's "
    "gate function), run by a CI pytest command on every push or pull request",
)
def metric_gate_test(ctx: DetectorContext) -> Iterator[Evidence]:
    """Tests that fail below a metric threshold, and whether CI runs them."""
    for found in gate_analysis(ctx).findings.get("metric-gate-test", []):
        yield found.evidence(ctx, GATE)


@detector(
    name="metric-threshold-config",
    items=(GATE,),
    looks_for="metric thresholds in a config file (`min_auc`, `thresholds:`, `gates:`) read by a CI gate",
)
def metric_threshold_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Configured metric thresholds that no gate reads."""
    for found in gate_analysis(ctx).findings.get("metric-threshold-config", []):
        yield found.evidence(ctx, GATE)




# ######################################################################## item 23: load testing
LOAD = "load-testing"
#: Results older than this are not evidence that the current service holds its peak load.
MAX_RESULT_AGE_DAYS = 365


@dataclass(frozen=True)
class LoadDefinition:
    """A load test found in the repository and the load it drives (``target``, ``None`` when unknown)."""

    tool: str
    path: str
    line: int | None
    label: str
    target: str | None = None
    values: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    thresholds: bool = False

    def shown(self) -> str:
        """``k6 script loadtest/score.js targets 200 iterations/s``."""
        checks = " with pass/fail thresholds" if self.thresholds else ""
        return f"{self.label} targets {self.target}{checks}" if self.target else self.label


@dataclass(frozen=True)
class LoadResult:
    """Results of a load-test run: what they say, and when the run happened (when known)."""

    tool: str
    path: str
    line: int | None
    summary: str
    date: dt.date | None = None
    failed: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class LoadFiles:
    """Everything the ``load-test`` detector judges, found once per scan."""

    definitions: list[LoadDefinition] = field(default_factory=list)
    results: list[LoadResult] = field(default_factory=list)
    unreadable: list[Finding] = field(default_factory=list)


# ------------------------------------------------------------------------ small readers
_ISO_DATE = re.compile(r"(?<!\d)(20\d{2})-(\d{2})-(\d{2})(?!\d)")
_PATH_DATE = re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def _date(match: re.Match[str] | None) -> dt.date | None:
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _path_date(path: str) -> dt.date | None:
    """A date written in a results file's path (``results/2026-10-02/summary.json``)."""
    found = [_date(match) for match in _PATH_DATE.finditer(path)]
    dates = [date for date in found if date is not None]
    return max(dates) if dates else None


def _num(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def strip_c_comments(text: str) -> str:
    """JavaScript/Scala/Java/Kotlin text with ``//`` and ``/* */`` comments blanked (newlines
    kept, so line numbers stay right); string literals are left alone."""
    out: list[str] = []
    index = 0
    quote: str | None = None
    length = len(text)
    while index < length:
        char = text[index]
        if quote is not None:
            out.append(char)
            if char == "\\" and index + 1 < length:
                out.append(text[index + 1])
                index += 2
                continue
            if char == quote:
                quote = None
            index += 1
            continue
        if char in "'\"`":
            quote = char
            out.append(char)
            index += 1
            continue
        if text.startswith("//", index):
            end = text.find("\n", index)
            end = length if end == -1 else end
            out.append(" " * (end - index))
            index = end
            continue
        if text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = length if end == -1 else end + 2
            out.append("".join("\n" if part == "\n" else " " for part in text[index:end]))
            index = end
            continue
        out.append(char)
        index += 1
    return "".join(out)


def balanced_braces(text: str, start: int) -> str | None:
    """The ``{...}`` block opening at ``text[start]``, strings respected; ``None`` if unclosed."""
    depth = 0
    quote: str | None = None
    index = start
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
        index += 1
    return None


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


# ------------------------------------------------------------------------ k6
_K6_IMPORT = re.compile(r"""(?:from\s+|require\(\s*)['"]k6(?:/[\w/-]+)?['"]""")
_K6_OPTIONS = re.compile(r"\bexport\s+(?:const|let|var)\s+options\s*=\s*\{")
_K6_LOCAL_OPTIONS = re.compile(r"\b(?:const|let|var)\s+options\s*=\s*\{")
_ENV_DEFAULT = r"(?:__ENV\.\w+\s*\|\|\s*|parseInt\(\s*__ENV\.\w+\s*\|\|\s*['\"]?)?"
_K6_VUS = re.compile(rf"\b(?:vus|maxVUs|preAllocatedVUs)\s*:\s*{_ENV_DEFAULT}(\d+)")
_K6_TARGET = re.compile(rf"\btarget\s*:\s*{_ENV_DEFAULT}(\d+(?:\.\d+)?)")
_K6_RATE = re.compile(rf"\b(?:rate|startRate)\s*:\s*{_ENV_DEFAULT}(\d+(?:\.\d+)?)")
_K6_ARRIVAL = re.compile(r"""executor\s*:\s*['"](?:constant|ramping)-arrival-rate['"]""")
_K6_TIME_UNIT = re.compile(r"""timeUnit\s*:\s*['"](\d*)(ms|s|m|h)['"]""")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def k6_load(options: str) -> tuple[str | None, dict[str, float], bool]:
    """The target load of a k6 ``options`` object (its source text), read by patterns.

    Arrival-rate executors (``constant-arrival-rate``/``ramping-arrival-rate``) give the highest
    ``rate``/``startRate``/stage ``target`` per ``timeUnit`` (default 1s) as iterations per
    second; otherwise the highest ``vus``/stage ``target`` as virtual users. Also whether the
    object sets ``thresholds``. Values such as ``__ENV.VUS || 50`` give their default.
    """
    thresholds = bool(re.search(r"\bthresholds\s*:\s*\{\s*[\w'\"]", options))
    if _K6_ARRIVAL.search(options):
        rates = [float(value) for value in _K6_RATE.findall(options) + _K6_TARGET.findall(options)]
        unit = _K6_TIME_UNIT.search(options)
        seconds = (float(unit.group(1) or 1) * _UNIT_SECONDS[unit.group(2)]) if unit else 1.0
        if rates and seconds > 0:
            rate = max(rates) / seconds
            return f"{_fmt(rate)} iterations/s (arrival rate)", {"target_rps": rate}, thresholds
    users = [float(value) for value in _K6_VUS.findall(options) + _K6_TARGET.findall(options)]
    if users and max(users) > 0:
        return f"{_fmt(max(users))} virtual users", {"target_users": max(users)}, thresholds
    return None, {}, thresholds


def _k6_definition(path: str, text: str) -> LoadDefinition | None:
    code = strip_c_comments(text)
    if not _K6_IMPORT.search(code) or not re.search(r"\bexport\s+default\b|\bexport\s+function\b|exec\s*:", code):
        return None
    match = _K6_OPTIONS.search(code) or (_K6_LOCAL_OPTIONS.search(code) if re.search(r"export\s*\{[^}]*\boptions\b", code) else None)
    label = f"k6 script {path}"
    if match is None:
        return LoadDefinition("k6", path, None, label)
    block = balanced_braces(code, match.end() - 1) or ""
    target, values, thresholds = k6_load(block)
    if target is None and re.search(r"\bexecutor\s*:", code):
        target, values, thresholds = k6_load(code)  # scenarios built outside the options literal
    return LoadDefinition("k6", path, _line_at(code, match.start()), label, target, values, thresholds)


# ------------------------------------------------------------------------ Locust
_LOCUST_CONF = re.compile(r"(?:^|/)\.?(?:[\w.-]*locust[\w.-]*)\.conf$", re.IGNORECASE)


def _locust_classes(module: PythonModule, tree: ast.Module) -> tuple[list[tuple[str, int]], float | None]:
    """User classes with tasks (name, line) and the highest user count of a ``LoadTestShape``."""
    users: list[tuple[str, int]] = []
    shape_users: float | None = None
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [module.resolve(dotted_name(base) or "") or (dotted_name(base) or "") for base in node.bases]
        if any(base.startswith("locust") and base.endswith("LoadTestShape") for base in bases):
            counts = _shape_users(node)
            if counts:
                shape_users = max([*counts, shape_users or 0.0])
            continue
        if not any(base.startswith("locust") and base.endswith("User") for base in bases):
            continue
        if _has_tasks(module, node):
            users.append((node.name, node.lineno))
    return users, shape_users


def _has_tasks(module: PythonModule, node: ast.ClassDef) -> bool:
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in child.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = module.resolve(dotted_name(target) or "") or dotted_name(target) or ""
                if name in ("locust.task", "task") or name.endswith(".task"):
                    return True
        elif isinstance(child, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "tasks" for t in child.targets):
            return True
    return False


def _shape_users(node: ast.ClassDef) -> list[float]:
    """User counts a ``LoadTestShape`` gives: ``"users": N`` in its stages, or ``return (N, rate)``."""
    counts: list[float] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Dict):
            for key, value in zip(inner.keys, inner.values):
                if key is not None and constant_value(key) in ("users", "user_count") and _number(value) is not None:
                    counts.append(_number(value) or 0.0)
        elif isinstance(inner, ast.Return) and isinstance(inner.value, ast.Tuple) and inner.value.elts:
            number = _number(inner.value.elts[0])
            if number is not None:
                counts.append(number)
    return [count for count in counts if count > 0]


def _locust_conf_values(text: str) -> dict[str, str]:
    """``key = value`` lines of a Locust configuration file (comments and sections skipped)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("[", ";")):
            continue
        key, separator, value = line.partition("=")
        if not separator:
            key, separator, value = line.partition(":")
        if separator and value.strip():
            values[key.strip().lower().replace("_", "-")] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class _LocustSettings:
    users: float | None
    spawn_rate: float | None
    source: str


def _locust_settings(values: dict[str, str], source: str) -> _LocustSettings | None:
    users = _num(values.get("users") or values.get("u") or values.get("num-users") or "")
    rate = _num(values.get("spawn-rate") or values.get("r") or values.get("hatch-rate") or "")
    if users is None:
        return None
    return _LocustSettings(users, rate, source)


# ------------------------------------------------------------------------ commands (CI, shell scripts, Makefiles)
_LOAD_PROGRAMS = frozenset({"k6", "locust", "vegeta", "wrk", "wrk2", "hey"})
_LOAD_TEXT = re.compile(r"\b(?:k6|locust|vegeta|wrk2?|hey)\b")
_DOCKER_IMAGES = re.compile(r"^(?:docker\.io/)?(?:grafana|loadimpact)/k6(?::[\w.-]+)?$|^(?:docker\.io/)?locustio/locust(?::[\w.-]+)?$")


def _options(words: tuple[str, ...], *names: str) -> list[str]:
    """Values of an option written ``-u 50``, ``-u50`` (one-letter), ``--users=50``, ``-rate=50``."""
    found: list[str] = []
    for position, word in enumerate(words):
        for name in names:
            if word == name and position + 1 < len(words):
                found.append(words[position + 1])
            elif word.startswith(name + "="):
                found.append(word[len(name) + 1 :])
            elif len(name) == 2 and name.startswith("-") and not name.startswith("--") and word.startswith(name) \
                    and len(word) > 2 and word[2:].replace(".", "", 1).isdigit():
                found.append(word[2:])
    return found


def _rate_per_second(text: str) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?:/(\d*)(ms|s|m|h))?", text.strip())
    if match is None:
        return None
    seconds = float(match.group(2) or 1) * _UNIT_SECONDS[match.group(3)] if match.group(3) else 1.0
    return float(match.group(1)) / seconds if seconds else None


def _load_argv(command: Command) -> tuple[str, ...]:
    """The load tool's words, looking inside ``docker run ... grafana/k6 run ...``."""
    argv = command.argv
    if argv and posixpath.basename(argv[0]) == "docker" and "run" in argv:
        for position, word in enumerate(argv):
            if _DOCKER_IMAGES.match(word):
                tool = "k6" if "k6" in word else "locust"
                return (tool, *argv[position + 1 :])
    return argv


@dataclass(frozen=True)
class _CommandLoad:
    tool: str
    target: str | None
    values: dict[str, float]
    script: tuple[str, ...] = ()
    locust: _LocustSettings | None = None
    config: tuple[str, ...] = ()


def _places(cwd: str, path: str) -> tuple[str, ...]:
    """Where a path named in a command may be: from the command's folder, then from the root."""
    return tuple(dict.fromkeys((repo_path(cwd, path), repo_path("", path))))


def command_load(command: Command) -> _CommandLoad | None:
    """The load a load-tool command drives (see the module docstring), or ``None`` for other commands."""
    argv = _load_argv(command)
    if not argv:
        return None
    program = posixpath.basename(argv[0])
    words = argv[1:]
    if program not in _LOAD_PROGRAMS:
        return None
    if program == "k6":
        if not words or words[0] not in ("run", "cloud"):
            return None
        scripts = [word for word in words[1:] if word.endswith((".js", ".ts", ".mjs")) and not word.startswith("-")]
        vus = [_num(value) for value in _options(words, "--vus", "-u")]
        stages = [_num(stage.split(":")[-1]) for value in _options(words, "--stage", "-s") for stage in value.split(",")]
        users = [value for value in [*vus, *stages] if value]
        target = f"{_fmt(max(users))} virtual users" if users else None
        return _CommandLoad("k6", target, {"target_users": max(users)} if users else {},
                            script=_places(command.cwd, scripts[-1]) if scripts else ())
    if program == "locust":
        files = _options(words, "-f", "--locustfile")
        users = next((value for value in (_num(text) for text in _options(words, "-u", "--users")) if value), None)
        rate = next((value for value in (_num(text) for text in _options(words, "-r", "--spawn-rate")) if value), None)
        config = _options(words, "--config")
        settings = _LocustSettings(users, rate, "command line") if users else None
        return _CommandLoad("locust", None, {}, script=_places(command.cwd, files[0] if files else "locustfile.py"),
                            locust=settings, config=_places(command.cwd, config[0]) if config else ())
    if program == "vegeta":
        if not words or words[0] != "attack":
            return None
        rates = [_rate_per_second(value) for value in _options(words, "-rate", "--rate")]
        rate = next((value for value in rates if value), None)
        target = f"{_fmt(rate)} requests/s" if rate else None
        return _CommandLoad("vegeta", target, {"target_rps": rate} if rate else {})
    if program in ("wrk", "wrk2"):
        rate = next((value for value in (_num(text) for text in _options(words, "-R", "--rate")) if value), None)
        connections = next((value for value in (_num(text) for text in _options(words, "-c", "--connections")) if value), None)
        if rate:
            return _CommandLoad(program, f"{_fmt(rate)} requests/s", {"target_rps": rate})
        if connections:
            return _CommandLoad(program, f"{_fmt(connections)} connections", {"target_users": connections})
        return _CommandLoad(program, None, {})
    # hey: -c workers, -q requests/s per worker
    workers = next((value for value in (_num(text) for text in _options(words, "-c")) if value), None)
    per_worker = next((value for value in (_num(text) for text in _options(words, "-q")) if value), None)
    if workers and per_worker:
        return _CommandLoad("hey", f"{_fmt(workers * per_worker)} requests/s", {"target_rps": workers * per_worker})
    if workers:
        return _CommandLoad("hey", f"{_fmt(workers)} concurrent workers", {"target_users": workers})
    return _CommandLoad("hey", None, {})


def _load_commands(ctx: DetectorContext) -> list[Command]:
    """Load-tool commands in CI steps, shell scripts and Makefiles."""
    commands = [run.command for run in ci_runs(ctx)]
    index = ctx.index
    shell = [path for path in index.with_suffix(".sh", ".bash") ]
    makefiles = [path for path in index.files
                 if posixpath.basename(path) in ("Makefile", "makefile", "GNUmakefile") or path.endswith(".mk")]
    for path in ctx.candidates(LOAD, [*shell, *makefiles]):
        text = index.read_text(path)
        if text is None or not _LOAD_TEXT.search(text):
            continue
        folder = posixpath.dirname(path)
        if path.endswith((".sh", ".bash")):
            commands.extend(split_commands([(1, text)], path=path, cwd=folder))
        else:
            for target, lines in makefile_recipes(text).items():
                commands.extend(split_commands(lines, path=path, cwd=folder, via=f"make {target}"))
    return [command for command in commands if command.argv and posixpath.basename(_load_argv(command)[0]) in _LOAD_PROGRAMS]


# ------------------------------------------------------------------------ JMeter, Gatling, Artillery
_JMETER_GROUPS = ("ThreadGroup", "ConcurrencyThreadGroup", "UltimateThreadGroup", "ArrivalsThreadGroup",
                  "SteppingThreadGroup", "FreeFormArrivalsThreadGroup")
_JMETER_PROPERTY = re.compile(r"\$\{__P\(\s*[\w.]+\s*,\s*(\d+(?:\.\d+)?)\s*\)\}")


def _jmeter_value(text: str | None) -> float | None:
    if text is None:
        return None
    text = text.strip()
    match = _JMETER_PROPERTY.fullmatch(text)
    return _num(match.group(1)) if match else _num(text)


def _jmeter_definition(path: str, text: str) -> LoadDefinition | None:
    """The thread groups of a JMeter ``.jmx`` plan (raises ``ElementTree.ParseError`` on bad XML)."""
    root = ElementTree.fromstring(text)
    label = f"JMeter plan {path}"
    threads: list[float] = []
    groups = 0
    for element in root.iter():
        short = element.tag.rsplit(".", 1)[-1]
        if short not in _JMETER_GROUPS or element.get("enabled") == "false":
            continue
        groups += 1
        for prop in element:
            name = prop.get("name", "")
            if name in ("ThreadGroup.num_threads", "TargetLevel"):
                value = _jmeter_value(prop.text)
                if value:
                    threads.append(value)
    if not groups:
        return None
    samplers = sum(1 for element in root.iter() if element.tag.endswith("Sampler") or element.tag.endswith("SamplerProxy"))
    rates = [
        value / 60.0 for element in root.iter() if element.tag.endswith("ConstantThroughputTimer")
        and element.get("enabled") != "false"
        for prop in element if prop.get("name") == "throughput" and (value := _jmeter_value(prop.text) or 0.0) > 0
    ]
    line = _text_line(text, "ThreadGroup.num_threads") or _text_line(text, "ThreadGroup")
    if not samplers:
        return LoadDefinition("JMeter", path, line, f"{label} (no samplers, so it sends no requests)")
    if rates:
        return LoadDefinition("JMeter", path, line, label, f"{_fmt(max(rates))} requests/s", {"target_rps": max(rates)})
    if threads:
        return LoadDefinition("JMeter", path, line, label, f"{_fmt(max(threads))} threads", {"target_users": max(threads)})
    return LoadDefinition("JMeter", path, line, label)


def _text_line(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return _line_at(text, position) if position >= 0 else None


_GATLING_SIMULATION = re.compile(r"\bextends\s+Simulation\b|:\s*Simulation\s*\(\s*\)")
_GATLING_RATE = re.compile(
    r"\b(?:constantUsersPerSec|rampUsersPerSec|incrementUsersPerSec)\s*\(\s*(\d+(?:\.\d+)?)\s*\)"
    r"(?:\s*\.?\s*to\s*\(?\s*(\d+(?:\.\d+)?))?"
)
_GATLING_USERS = re.compile(
    r"\b(?:atOnceUsers|rampUsers|constantConcurrentUsers|rampConcurrentUsers|stressPeakUsers|incrementConcurrentUsers)"
    r"\s*\(\s*(\d+)\s*\)(?:\s*\.?\s*to\s*\(?\s*(\d+))?"
)


def _gatling_definition(path: str, text: str) -> LoadDefinition | None:
    code = strip_c_comments(text)
    if not _GATLING_SIMULATION.search(code) or "setUp" not in code:
        return None
    label = f"Gatling simulation {path}"
    line = _line_at(code, code.find("setUp"))
    rates = [float(value) for match in _GATLING_RATE.finditer(code) for value in match.groups() if value]
    if rates:
        return LoadDefinition("Gatling", path, line, label, f"{_fmt(max(rates))} users/s", {"target_rps": max(rates)})
    users = [float(value) for match in _GATLING_USERS.finditer(code) for value in match.groups() if value]
    if users:
        return LoadDefinition("Gatling", path, line, label, f"{_fmt(max(users))} users", {"target_users": max(users)})
    return LoadDefinition("Gatling", path, line, label)


def _artillery_definition(path: str, documents: list[Any], text: str) -> LoadDefinition | None:
    for document in documents:
        config = document.get("config") if isinstance(document, dict) else None
        phases = config.get("phases") if isinstance(config, dict) else None
        if not isinstance(phases, list) or "scenarios" not in document:
            continue
        rates = [float(phase[key]) for phase in phases if isinstance(phase, dict) for key in ("arrivalRate", "rampTo")
                 if isinstance(phase.get(key), (int, float)) and not isinstance(phase.get(key), bool)]
        label = f"Artillery test {path}"
        line = _key_line(text, "phases")
        if rates and max(rates) > 0:
            return LoadDefinition("Artillery", path, line, label, f"{_fmt(max(rates))} arrivals/s", {"target_rps": max(rates)})
        return LoadDefinition("Artillery", path, line, label)
    return None


# ------------------------------------------------------------------------ results
def _trend(metric: Any, key: str) -> float | None:
    if not isinstance(metric, dict):
        return None
    values = metric.get("values") if isinstance(metric.get("values"), dict) else metric
    value = values.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _k6_failed(metrics: dict[str, Any]) -> list[str]:
    """Thresholds a k6 run crossed: ``true`` in a ``--summary-export`` (k6 writes ``true`` for a
    failed threshold there), ``{"ok": false}`` in ``handleSummary`` data."""
    failed: list[str] = []
    for name, metric in metrics.items():
        thresholds = metric.get("thresholds") if isinstance(metric, dict) else None
        if not isinstance(thresholds, dict):
            continue
        for expression, outcome in thresholds.items():
            if outcome is True or (isinstance(outcome, dict) and outcome.get("ok") is False):
                failed.append(f"{name} {expression}")
    return failed


def _document_date(data: dict[str, Any]) -> dt.date | None:
    for key in ("timestamp", "date", "time", "started", "start_time", "startTime", "earliest", "created", "run_date"):
        value = data.get(key)
        if isinstance(value, str):
            found = _date(_ISO_DATE.search(value))
            if found:
                return found
    return None


def _k6_result(path: str, data: dict[str, Any]) -> LoadResult | None:
    metrics = data.get("metrics")
    if not isinstance(metrics, dict) or not ({"http_reqs", "http_req_duration", "iterations"} & set(metrics)):
        return None
    values: dict[str, float] = {}
    parts: list[str] = []
    rate = _trend(metrics.get("http_reqs"), "rate") or _trend(metrics.get("iterations"), "rate")
    if rate is not None:
        values["rps"] = rate
        parts.append(f"{_fmt(rate)} requests/s")
    p95 = _trend(metrics.get("http_req_duration"), "p(95)")
    if p95 is not None:
        values["p95_ms"] = p95
        parts.append(f"p95 {p95:.1f} ms")
    failed_rate = _trend(metrics.get("http_req_failed"), "rate")
    if failed_rate is None:
        failed_rate = _trend(metrics.get("http_req_failed"), "value")
    if failed_rate is not None:
        values["error_rate"] = failed_rate
        parts.append(f"{failed_rate * 100:.2g}% errors")
    date = _document_date(data) or _path_date(path)
    return LoadResult("k6", path, None, ", ".join(parts) or "k6 summary", date, tuple(_k6_failed(metrics)), values)


def _vegeta_result(path: str, data: dict[str, Any]) -> LoadResult | None:
    latencies = data.get("latencies")
    if not isinstance(latencies, dict) or "requests" not in data:
        return None
    values: dict[str, float] = {}
    parts: list[str] = []
    rate = data.get("throughput") or data.get("rate")
    if isinstance(rate, (int, float)):
        values["rps"] = float(rate)
        parts.append(f"{_fmt(float(rate))} requests/s")
    p95 = latencies.get("95th")
    if isinstance(p95, (int, float)):
        values["p95_ms"] = p95 / 1e6
        parts.append(f"p95 {p95 / 1e6:.1f} ms")
    success = data.get("success")
    if isinstance(success, (int, float)):
        values["error_rate"] = 1.0 - float(success)
        parts.append(f"{(1.0 - float(success)) * 100:.2g}% errors")
    return LoadResult("vegeta", path, None, ", ".join(parts) or "vegeta report", _document_date(data) or _path_date(path),
                      (), values)


def _jmeter_result(path: str, data: dict[str, Any]) -> LoadResult | None:
    total = data.get("Total")
    if not isinstance(total, dict) or "sampleCount" not in total:
        return None
    values: dict[str, float] = {}
    parts: list[str] = []
    for key, name, shown in (("throughput", "rps", "{} requests/s"), ("pct2ResTime", "p95_ms", "p95 {} ms"),
                             ("errorPct", "error_pct", "{}% errors")):
        value = total.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[name] = float(value)
            parts.append(shown.format(_fmt(float(value)) if key != "pct2ResTime" else f"{value:.1f}"))
    return LoadResult("JMeter", path, None, ", ".join(parts) or "JMeter statistics", _path_date(path), (), values)


def _locust_csv_result(ctx: DetectorContext, path: str, text: str) -> LoadResult | None:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "Request Count" not in reader.fieldnames:
        return None
    rows = list(reader)
    total = next((row for row in rows if (row.get("Name") or "").strip() in ("Aggregated", "Total")), rows[-1] if rows else None)
    if total is None:
        return None
    values: dict[str, float] = {}
    parts: list[str] = []
    rate = _num(total.get("Requests/s") or "")
    if rate is not None:
        values["rps"] = rate
        parts.append(f"{_fmt(rate)} requests/s")
    p95 = _num(total.get("95%") or "")
    if p95 is not None:
        values["p95_ms"] = p95
        parts.append(f"p95 {p95:g} ms")
    requests, failures = _num(total.get("Request Count") or ""), _num(total.get("Failure Count") or "")
    if requests and failures is not None:
        values["error_rate"] = failures / requests
        parts.append(f"{failures / requests * 100:.2g}% errors")
    date = _locust_history_date(ctx, path) or _path_date(path)
    return LoadResult("locust", path, None, ", ".join(parts) or "Locust statistics", date, (), values)


def _locust_history_date(ctx: DetectorContext, path: str) -> dt.date | None:
    """The date of the last row of the ``*_stats_history.csv`` next to a ``*_stats.csv``."""
    history = path[: -len("_stats.csv")] + "_stats_history.csv"
    text = ctx.index.read_text(history) if history in ctx.index else None
    if not text:
        return None
    rows = list(csv.DictReader(io.StringIO(text)))
    stamp = _num(rows[-1].get("Timestamp") or "") if rows else None
    if stamp is None or stamp <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None


def _locust_html_result(path: str, text: str) -> LoadResult | None:
    if "locust" not in text.lower() or not re.search(r"Request Statistics|requests_statistics|requestStatistics", text):
        return None
    dates = [date for date in (_date(match) for match in _ISO_DATE.finditer(text)) if date]
    return LoadResult("locust", path, None, "Locust HTML report", max(dates) if dates else _path_date(path))


# ------------------------------------------------------------------------ Markdown reports
_REPORT_HEADING = re.compile(r"load[\s_-]?test|stress[\s_-]?test|soak|spike[\s_-]?test|capacity|performance[\s_-]?test"
                             r"|\bk6\b|locust|gatling|jmeter|vegeta|\bwrk2?\b", re.IGNORECASE)
_REPORT_TEXT = re.compile(r"rps|req/s|requests?/s|requests per second|throughput|virtual users|\bvus\b", re.IGNORECASE)
_RATE_TEXT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:rps|req/s|reqs/s|requests?/s(?:ec)?|requests per second)", re.IGNORECASE)
_USERS_TEXT = re.compile(r"(\d[\d,]*)\s*(?:concurrent\s+)?(?:users|vus|virtual users)\b", re.IGNORECASE)
_LATENCY_TEXT = re.compile(r"\b(p(?:50|90|95|99)|median|latency)\b[^0-9\n]{0,25}(\d+(?:\.\d+)?)\s*ms", re.IGNORECASE)
_ERROR_TEXT = re.compile(r"error(?:s| rate)?[^0-9\n]{0,20}(\d+(?:\.\d+)?)\s*%|(\d+(?:\.\d+)?)\s*%\s*(?:errors|error rate|failed)",
                         re.IGNORECASE)
_RATE_HEADER = re.compile(r"\brps\b|req/s|requests?/s|throughput|requests per second", re.IGNORECASE)
_LATENCY_HEADER = re.compile(r"\bp(?:50|90|95|99)\b|latency|median", re.IGNORECASE)
_ERROR_HEADER = re.compile(r"error|fail", re.IGNORECASE)


def _table_rows(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Markdown table rows: the cells the Markdown model gives share their row's line."""
    by_line: dict[int, list[str]] = {}
    for line, text in lines:  # paragraphs in document order, so cells stay in column order
        by_line.setdefault(line, []).append(text)
    return [[(line, cell) for cell in cells] for line, cells in sorted(by_line.items()) if len(cells) >= 2]


def _report_result(ctx: DetectorContext, path: str, document: MarkdownDocument) -> LoadResult | None:
    """A load-test report: a section about a load test stating the load reached and latency or
    errors. Of several such sections, the most recently dated wins, then the most nested one."""
    found: list[tuple[dt.date, int, LoadResult]] = []
    for section in document.sections:
        if not _REPORT_HEADING.search(section.title):
            continue
        paragraphs: list[tuple[int, str]] = []
        items: list[tuple[int, str]] = []
        for nested in document.subtree(section):
            paragraphs.extend(nested.paragraphs)
            items.extend((item.line, item.text) for item in nested.list_items)
        values = _report_values(paragraphs, items)
        if values is None:
            continue
        numbers, parts, dates = values
        dates.extend(date for date in (_date(match) for match in _ISO_DATE.finditer(section.title)) if date)
        past = [date for date in dates if date <= ctx.today]
        date = max(past) if past else None
        result = LoadResult("report", path, section.line, ", ".join(parts), date, (), numbers)
        found.append((date or dt.date.min, section.level, result))
    return max(found, key=lambda entry: (entry[0], entry[1]))[2] if found else None


_TARGET_LINE = re.compile(r"\b(?:target|goal|agreed|expected|sla|slo|objective|budget|plan(?:ned)?|should|must)\b",
                          re.IGNORECASE)


def _report_values(
    paragraphs: list[tuple[int, str]], items: list[tuple[int, str]]
) -> tuple[dict[str, float], list[str], list[dt.date]] | None:
    """Load reached, latency, error rate and dates stated in a report section: table columns
    first (a header naming RPS/throughput, p95/latency, errors), then sentences. Sentences that
    state a target (target, goal, agreed, SLA...) are not results."""
    values: dict[str, float] = {}
    lines = [*paragraphs, *items]
    dates = [date for _, text in lines for date in (_date(match) for match in _ISO_DATE.finditer(text)) if date]
    rows = _table_rows(paragraphs)
    if rows:
        header = [cell for _, cell in rows[0]]
        for row in rows[1:]:
            cells = [cell for _, cell in row]
            for name, pattern in (("rps", _RATE_HEADER), ("latency_ms", _LATENCY_HEADER), ("error_pct", _ERROR_HEADER)):
                if name in values:
                    continue
                for column, title in enumerate(header):
                    if pattern.search(title) and column < len(cells):
                        number = re.match(r"\s*(\d[\d,]*(?:\.\d+)?)", cells[column])
                        if number:
                            values[name] = _num(number.group(1)) or 0.0
                            break
    for _, text in lines:
        if not is_substantive(text) or _TARGET_LINE.search(text):
            continue
        if "rps" not in values and (match := _RATE_TEXT.search(text)):
            values["rps"] = _num(match.group(1)) or 0.0
        if "users" not in values and (match := _USERS_TEXT.search(text)):
            values["users"] = _num(match.group(1)) or 0.0
        if "latency_ms" not in values and (match := _LATENCY_TEXT.search(text)):
            values["latency_ms"] = float(match.group(2))
        if "error_pct" not in values and (match := _ERROR_TEXT.search(text)):
            values["error_pct"] = float(match.group(1) or match.group(2))
    load = values.get("rps") or values.get("users")
    if not load or not ("latency_ms" in values or "error_pct" in values):
        return None
    parts = [f"{_fmt(values['rps'])} requests/s" if values.get("rps") else f"{_fmt(values['users'])} users"]
    if "latency_ms" in values:
        parts.append(f"latency {values['latency_ms']:g} ms")
    if "error_pct" in values:
        parts.append(f"{values['error_pct']:g}% errors")
    return values, parts, dates


# ------------------------------------------------------------------------ collecting
def load_files(ctx: DetectorContext) -> LoadFiles:
    """Load-test definitions and results of the repository (cached per scan)."""
    return ctx.index.memo(("load-files", *ctx.declared(LOAD)), lambda: _collect_load_files(ctx))


def _collect_load_files(ctx: DetectorContext) -> LoadFiles:
    found = LoadFiles()
    commands = _load_commands(ctx)
    _collect_scripts(ctx, found, commands)
    _collect_commands(found, commands)
    _collect_results(ctx, found)
    return found


def _collect_scripts(ctx: DetectorContext, found: LoadFiles, commands: list[Command]) -> None:
    index = ctx.index
    command_loads = [(command, load) for command in commands if (load := command_load(command)) is not None]
    by_script: dict[str, list[_CommandLoad]] = {}
    for _, load in command_loads:
        script = next((place for place in load.script if place in index), None)
        if script is not None:
            by_script.setdefault(script, []).append(load)
    # k6
    for path in ctx.candidates(LOAD, index.with_suffix(".js", ".mjs", ".ts")):
        text = index.read_text(path)
        if text is None or "k6" not in text or not _K6_IMPORT.search(text):
            continue
        definition = _k6_definition(path, text)
        if definition is None:
            continue
        if definition.target is None:
            cli = next((load for load in by_script.get(path, []) if load.target), None)
            if cli is not None:
                definition = LoadDefinition("k6", path, definition.line, definition.label,
                                            f"{cli.target} (command line)", cli.values, definition.thresholds)
        found.definitions.append(definition)
    # Locust
    settings = _locust_configs(ctx)
    for path in ctx.candidates(LOAD, index.with_suffix(".py")):
        text = index.read_text(path)
        if text is None or "locust" not in text:
            continue
        tree = index.python_ast(path)
        module = import_graph(index).module(path)
        if tree is None or module is None:
            if re.search(r"^\s*(?:from|import)\s+locust", text, re.MULTILINE):
                found.unreadable.append(unreadable_finding(ctx, path))
            continue
        users, shape = _locust_classes(module, tree)
        if not users:
            continue
        found.definitions.append(_locust_definition(path, users, shape, settings, by_script.get(path, [])))
    # JMeter, Gatling, Artillery
    for path in ctx.candidates(LOAD, index.with_suffix(".jmx")):
        text = index.read_text(path)
        if text is None:
            found.unreadable.append(unreadable_finding(ctx, path))
            continue
        try:
            definition = _jmeter_definition(path, text)
        except (ElementTree.ParseError, ValueError) as exc:
            found.unreadable.append(unreadable_finding(ctx, path, f"could not be parsed as XML: {exc}"))
            continue
        if definition is not None:
            found.definitions.append(definition)
    for path in ctx.candidates(LOAD, index.with_suffix(".scala", ".java", ".kt")):
        text = index.read_text(path)
        if text is None or "Simulation" not in text or "io.gatling" not in text:
            continue
        definition = _gatling_definition(path, text)
        if definition is not None:
            found.definitions.append(definition)
    for path in ctx.candidates(LOAD, index.with_suffix(".yml", ".yaml")):
        text = index.read_text(path)
        if text is None or "phases" not in text or not re.search(r"arrivalRate|arrivalCount|rampTo", text):
            continue
        documents = index.yaml_documents(path)
        if documents is None:
            found.unreadable.append(unreadable_finding(ctx, path))
            continue
        definition = _artillery_definition(path, documents, text)
        if definition is not None:
            found.definitions.append(definition)


def _locustfile_target(index: RepoIndex, config_path: str, locustfile: str) -> str:
    """The locustfile a ``locust.conf`` names. Locust reads the path from the working directory,
    which is usually the repository root; a path relative to the conf's own folder is accepted
    too, for teams that run Locust from there."""
    from_root = repo_path("", locustfile)
    beside = repo_path(posixpath.dirname(config_path), locustfile)
    return from_root if from_root in index and beside not in index else beside


def _locust_configs(ctx: DetectorContext) -> list[tuple[str, str | None, _LocustSettings | None]]:
    """Locust configuration files: (path, the locustfile it names, its user settings)."""
    index = ctx.index
    configs: list[tuple[str, str | None, _LocustSettings | None]] = []
    for path in ctx.candidates(LOAD, [path for path in index.files if _LOCUST_CONF.search(path)]):
        text = index.read_text(path)
        if text is None:
            continue
        values = _locust_conf_values(text)
        locustfile = values.get("locustfile") or values.get("f")
        target = _locustfile_target(index, path, locustfile) if locustfile else None
        configs.append((path, target, _locust_settings(values, path)))
    if "pyproject.toml" in index:
        data = index.toml_data("pyproject.toml")
        tool = data.get("tool") if isinstance(data, dict) else None
        table = tool.get("locust") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            values = {str(key).lower().replace("_", "-"): str(value) for key, value in table.items()}
            locustfile = values.get("locustfile")
            configs.append(("pyproject.toml", repo_path("", locustfile) if locustfile else None,
                            _locust_settings(values, "pyproject.toml")))
    return configs


def _locust_definition(
    path: str, users: list[tuple[str, int]], shape: float | None,
    configs: list[tuple[str, str | None, _LocustSettings | None]], loads: list[_CommandLoad],
) -> LoadDefinition:
    names = ", ".join(f"`{name}`" for name, _ in users[:2])
    label = f"Locust {'users' if len(users) > 1 else 'user'} {names} ({path})"
    line = users[0][1]
    if shape:
        return LoadDefinition("locust", path, line, label, f"{_fmt(shape)} users (LoadTestShape)", {"target_users": shape})
    chosen: _LocustSettings | None = next((load.locust for load in loads if load.locust), None)
    if chosen is None:
        config_paths = {place for load in loads for place in load.config}
        folder = posixpath.dirname(path)
        for config_path, locustfile, settings in configs:
            applies = config_path in config_paths or locustfile == path or (
                locustfile is None and posixpath.dirname(config_path) in (folder, "")
                and (posixpath.dirname(config_path) == folder or posixpath.basename(path) == "locustfile.py"))
            if applies and settings is not None:
                chosen = settings
                break
    if chosen is None or not chosen.users:
        return LoadDefinition("locust", path, line, label)
    spawn = f", spawn rate {_fmt(chosen.spawn_rate)}/s" if chosen.spawn_rate else ""
    return LoadDefinition("locust", path, line, label, f"{_fmt(chosen.users)} users{spawn}, {chosen.source}",
                          {"target_users": chosen.users})


def _collect_commands(found: LoadFiles, commands: list[Command]) -> None:
    seen: set[tuple[str, int | None]] = set()
    for command in commands:
        load = command_load(command)
        if load is None or load.tool in ("k6", "locust") or (command.path, command.line) in seen:
            continue
        seen.add((command.path, command.line))
        label = f"`{command.shown()}` ({command.path})"
        found.definitions.append(LoadDefinition(load.tool, command.path, command.line, label, load.target, load.values))


def _collect_results(ctx: DetectorContext, found: LoadFiles) -> None:
    index = ctx.index
    for path in ctx.candidates(LOAD, index.with_suffix(".json")):
        text = index.read_text(path)
        if text is None or not ('"http_req' in text or '"latencies"' in text or '"sampleCount"' in text):
            continue
        data = index.json_data(path)
        if data is None:
            found.unreadable.append(unreadable_finding(ctx, path))
            continue
        if isinstance(data, dict):
            result = _k6_result(path, data) or _vegeta_result(path, data) or _jmeter_result(path, data)
            if result is not None:
                found.results.append(result)
    for path in ctx.candidates(LOAD, index.with_suffix("_stats.csv")):
        text = index.read_text(path)
        if text is None:
            continue
        try:
            result = _locust_csv_result(ctx, path, text)
        except csv.Error:
            found.unreadable.append(unreadable_finding(ctx, path, "could not be parsed as CSV"))
            continue
        if result is not None:
            found.results.append(result)
    for path in ctx.candidates(LOAD, index.with_suffix(".html", ".htm")):
        text = index.read_text(path)
        if text is None or "locust" not in text.lower():
            continue
        result = _locust_html_result(path, text)
        if result is not None:
            found.results.append(result)
    for path in ctx.candidates(LOAD, index.with_suffix(".md", ".markdown")):
        text = index.read_text(path)
        if text is None or not _REPORT_HEADING.search(text) or not _REPORT_TEXT.search(text):
            continue
        document = index.markdown(path)
        if document is None:
            continue
        result = _report_result(ctx, path, document)
        if result is not None:
            found.results.append(result)


# ------------------------------------------------------------------------ judging
def _shared_depth(first: str, second: str) -> int:
    count = 0
    for mine, theirs in zip(first.split("/")[:-1], second.split("/")[:-1]):
        if mine != theirs:
            break
        count += 1
    return count


def _best_result(definition: LoadDefinition, results: list[LoadResult]) -> LoadResult | None:
    """The results that belong with a definition: same tool (or a report) first, then the
    nearest folder, then the newest run."""
    if not results:
        return None

    def rank(result: LoadResult) -> tuple[int, int, dt.date]:
        same_tool = result.tool.lower() == definition.tool.lower() or result.tool == "report"
        return (int(same_tool), _shared_depth(result.path, definition.path), result.date or dt.date.min)

    return max(results, key=rank)


def _age(ctx: DetectorContext, result: LoadResult) -> tuple[str, int | None]:
    if result.date is None or result.date > ctx.today:
        return "not dated", None
    days = (ctx.today - result.date).days
    return f"from {result.date.isoformat()}, {days} day{'s' if days != 1 else ''} ago", days


def _judge_definition(ctx: DetectorContext, definition: LoadDefinition, results: list[LoadResult]) -> Evidence:
    where: dict[str, Any] = {"path": definition.path, "line": definition.line}
    result = _best_result(definition, results)
    if definition.target is None:
        extra = f"; results exist ({result.path}) but the load they were run at is unknown" if result else ""
        return ctx.partial(LOAD, f"{definition.label} has no load parameters (users, virtual users or request "
                           f"rate){extra}", **where)
    if result is None:
        return ctx.partial(LOAD, f"{definition.shown()}, but no results of a run are recorded; commit the summary "
                           "(k6 --summary-export, Locust --csv) or a dated report", values=definition.values, **where)
    age, days = _age(ctx, result)
    values = {**definition.values, **{key: round(value, 4) for key, value in result.values.items()}}
    if days is not None:
        values["results_age_days"] = float(days)
    what = f"{definition.shown()}; results in {result.path}: {result.summary} ({age})"
    if result.failed:
        return ctx.partial(LOAD, f"{what}, but the run failed its thresholds ({', '.join(result.failed[:2])})",
                           values=values, **where)
    if days is not None and days > MAX_RESULT_AGE_DAYS:
        return ctx.partial(LOAD, f"{what}: over {MAX_RESULT_AGE_DAYS} days old; run the load test again",
                           values=values, **where)
    return ctx.supports(LOAD, what, values=values, **where)


@detector(
    name="load-test",
    items=(LOAD,),
    looks_for="a load test with a target load (Locust users/spawn rate, k6 vus/stages/arrival rate, Vegeta/wrk2 "
    "rate, JMeter threads, Gatling injection, Artillery phases) and recorded results of a run (k6 summary JSON, "
    "Locust *_stats.csv or HTML report, Vegeta/JMeter reports, a dated Markdown load-test report)",
)
def load_test(ctx: DetectorContext) -> Iterator[Evidence]:
    """Load-test definitions with a target load, paired with the results of a run."""
    files = load_files(ctx)
    for unreadable in files.unreadable:
        yield unreadable.evidence(ctx, LOAD)
    for definition in files.definitions:
        yield _judge_definition(ctx, definition, files.results)
    if files.definitions or not files.results:
        return
    newest = max(files.results, key=lambda result: (result.date or dt.date.min, result.path))
    age, _ = _age(ctx, newest)
    more = f" (and {len(files.results) - 1} more results files)" if len(files.results) > 1 else ""
    yield ctx.partial(LOAD, f"load-test results in {newest.path}: {newest.summary} ({age}){more}, but no load test "
                      "definition with a target load is kept in the repository", path=newest.path, line=newest.line)


DETECTORS: tuple[Detector, ...] = (ci_metric_gate, metric_gate_test, metric_threshold_config, load_test)

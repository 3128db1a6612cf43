"""Reading Prometheus rules and metric definitions: rule files, ``PrometheusRule`` resources, PromQL.

Shared by every detector that looks at alerting (data freshness, drift, input quality,
prediction distribution, system health, alert fatigue...). Nothing here decides an item; it
turns files into facts:

* **Rule files** (:func:`rule_files`, :func:`read_rule_file`): YAML files (``.yaml``, ``.yml``,
  ``.rules``) holding Prometheus rule groups, in any of the shapes teams keep them:

  - a plain rule file (``groups: [{name, rules: [...]}]``), as loaded by Prometheus, Thanos,
    Cortex/Mimir or Loki's ruler;
  - a ``PrometheusRule`` (prometheus-operator) or ``VMRule`` (VictoriaMetrics) resource, whose
    groups are under ``spec.groups``, including Helm templates of them;
  - groups nested anywhere in a document (kube-prometheus-stack's
    ``additionalPrometheusRulesMap``), and lists of rules outside any group, as Helm charts keep
    them in ``values.yaml`` (``prometheusRule.rules: [...]``): those become a group named after
    the key that holds them.

  Each :class:`Rule` has its kind (``alert`` or ``record``), name, expression, ``for``
  duration, labels, annotations and the line of the rule in the file. A group whose ``rules`` is
  empty is an *empty* group; a group (or a whole resource) whose rules come from a Helm
  expression (``{{ toYaml .Values.rules }}``) is *templated*: its rules are not in the file,
  usually they are in the chart's values file, which is read as a rule file of its own.
  Candidates are chosen with cheap text hints (``alert:``/``record:`` with ``expr:``,
  ``PrometheusRule``, ``groups:`` with ``rules:``); the decision comes from the parsed structure
  (a group holds a ``rules`` list whose entries have ``alert`` or ``record``).

* **PromQL** helpers that read an expression without a full parser: :func:`metric_names`,
  :func:`functions_called`, :func:`comparisons` (with the numeric threshold when it is a
  constant such as ``26 * 3600``), :func:`selectors` (label matchers per metric),
  :func:`age_subjects` (metrics whose age ``time() - metric`` is taken) and
  :func:`name_tokens`.

* **Metric definitions in Python** (:func:`metric_definitions`): metrics a service or job
  emits, read with :mod:`ast` from ``prometheus_client`` constructors (``Gauge("name", ...)``
  with ``namespace``/``subsystem``), OpenTelemetry meters (``meter.create_gauge("name")``) and
  hand-written Prometheus text format (a ``"# TYPE name gauge"`` string).

YAML is parsed with a loader that keeps the line of every mapping, after Helm expressions are
replaced line for line (so lines stay true). A file that does not parse is listed as unreadable
(the index records why).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, resolve_alias
from pytest_mlchecklist.repo import RepoIndex

#: What Helm ``{{ ... }}`` expressions are replaced with (the same placeholder as the index uses).
HELM_PLACEHOLDER = "HELM_TEMPLATE_VALUE"

RULE_FILE_SUFFIXES = (".yaml", ".yml", ".rules")
_HELM_EXPRESSION = re.compile(r"(?<!\$)\{\{-?.*?-?\}\}", re.DOTALL)
_RULE_KEY = re.compile(r"^\s*-?\s*[\"']?(?:alert|record)[\"']?\s*:", re.MULTILINE)
_GROUPS_KEY = re.compile(r"^\s*[\"']?groups[\"']?\s*:", re.MULTILINE)
_RULES_KEY = re.compile(r"^\s*-?\s*[\"']?rules[\"']?\s*:", re.MULTILINE)
_RULE_RESOURCE_KINDS = frozenset({"PrometheusRule", "VMRule"})


# ====================================================================== YAML with lines
class LineDict(dict):  # type: ignore[type-arg]
    """A mapping parsed from YAML that remembers the (1-based) line where it starts."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings are :class:`LineDict`."""


def _construct_line_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_mapping)


def line_preserving_helm(text: str) -> str:
    """``text`` with each Helm expression replaced by :data:`HELM_PLACEHOLDER`, keeping every
    line where it was: a line holding only an expression (``{{- if .Values.x }}``) becomes
    empty, a multi-line expression keeps its line breaks."""
    if "{{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        return HELM_PLACEHOLDER + "\n" * match.group(0).count("\n")

    replaced = _HELM_EXPRESSION.sub(replace, text)
    return "\n".join("" if line.strip() == HELM_PLACEHOLDER else line for line in replaced.split("\n"))


def yaml_with_lines(index: RepoIndex, path: str) -> list[Any] | None:
    """The YAML documents of ``path`` with :class:`LineDict` mappings, or ``None`` when the file
    does not parse (the reason is then recorded by the index)."""
    text = index.read_text(path)
    if text is None:
        return None
    try:
        documents = yaml.load_all(line_preserving_helm(text), Loader=_LineLoader)
        return [document for document in documents if document is not None]
    except Exception:  # noqa: BLE001 - any parser failure: let the index record it
        return index.yaml_documents(path)


def structured_with_lines(index: RepoIndex, path: str, json_suffixes: tuple[str, ...] = (".json",)) -> list[Any] | None:
    """The documents of a JSON (``json_suffixes``), TOML or YAML file by its suffix, as a list, or ``None`` when
    it does not parse; YAML mappings carry their line (see :func:`yaml_with_lines`)."""
    lowered = path.lower()
    if lowered.endswith(json_suffixes):
        data = index.json_data(path)
        return None if data is None else [data]
    if lowered.endswith(".toml"):
        data = index.toml_data(path)
        return None if data is None else [data]
    return yaml_with_lines(index, path)


def line_of_mapping(value: Any) -> int | None:
    """The line where a parsed mapping starts (``None`` for plain dicts)."""
    return value.line if isinstance(value, LineDict) else None


def is_templated(value: Any) -> bool:
    """True for a value that came from a Helm expression."""
    return isinstance(value, str) and HELM_PLACEHOLDER in value


# ====================================================================== rules
@dataclass(frozen=True)
class Rule:
    """One alerting or recording rule."""

    path: str
    group: str
    kind: Literal["alert", "record"]
    name: str
    expr: str
    line: int | None
    duration: str | None = None
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    resource: str | None = None

    @property
    def alerting(self) -> bool:
        """True for an ``alert:`` rule."""
        return self.kind == "alert"

    @property
    def has_expr(self) -> bool:
        """True when the rule has an expression written in the file (parts of it may still come
        from Helm, such as a threshold ``> {{ .Values.maxLag }}``)."""
        return bool(self.expr.strip()) and self.expr.strip() != HELM_PLACEHOLDER

    @property
    def label(self) -> str:
        """``alert `DataStale``` or ``recording rule `job:rows:rate1h``` for details."""
        name = self.name.replace(HELM_PLACEHOLDER, "{{…}}")
        return f"alert `{name}`" if self.alerting else f"recording rule `{name}`"


@dataclass(frozen=True)
class RuleGroup:
    """A rule group; ``templated`` when its rules come from a Helm expression."""

    path: str
    name: str
    line: int | None
    rules: tuple[Rule, ...]
    templated: bool = False
    resource: str | None = None

    @property
    def empty(self) -> bool:
        """True for a group with no rules written anywhere (not even through Helm)."""
        return not self.rules and not self.templated


@dataclass(frozen=True)
class RuleFile:
    """The rule groups found in one file (several documents and resources included)."""

    path: str
    groups: tuple[RuleGroup, ...]
    templated_resources: tuple[str, ...] = ()

    @property
    def rules(self) -> list[Rule]:
        """Every rule of every group, in file order."""
        return [rule for group in self.groups for rule in group.rules]

    @property
    def alerts(self) -> list[Rule]:
        """The alerting rules."""
        return [rule for rule in self.rules if rule.alerting]

    @property
    def empty(self) -> bool:
        """True when the file declares rule groups but none holds a rule, even through Helm."""
        return not self.rules and not self.templated_resources and all(group.empty for group in self.groups)


@dataclass
class RuleIndex:
    """Every rule file of a repository, and the candidates that did not parse."""

    files: dict[str, RuleFile] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def rules(self, paths: Iterable[str] | None = None) -> list[Rule]:
        """The rules of ``paths`` (default: every file), in path then file order."""
        chosen = sorted(self.files) if paths is None else [path for path in paths if path in self.files]
        return [rule for path in chosen for rule in self.files[path].rules]

    def recording_rules(self) -> dict[str, Rule]:
        """Recording rules by the series name they record."""
        return {rule.name: rule for rule in self.rules() if not rule.alerting and rule.has_expr}


def is_rule_candidate(text: str) -> bool:
    """Cheap text hint that a YAML file may hold Prometheus rules (the parse decides)."""
    if "PrometheusRule" in text or "VMRule" in text:
        return True
    if "expr" in text and _RULE_KEY.search(text):
        return True
    return bool(_GROUPS_KEY.search(text) and _RULES_KEY.search(text))


def rule_file_candidates(index: RepoIndex) -> list[str]:
    """YAML files whose text hints at Prometheus rules (see :func:`is_rule_candidate`)."""
    found = []
    for path in index.with_suffix(*RULE_FILE_SUFFIXES):
        text = index.read_text(path)
        if text is not None and is_rule_candidate(text):
            found.append(path)
    return found


def rule_files(index: RepoIndex) -> RuleIndex:
    """Every candidate rule file, parsed once per scan (shared by all detectors).

    Files that parse but hold no rule structure are left out; files that do not parse are
    listed in :attr:`RuleIndex.unreadable`.
    """

    def compute() -> RuleIndex:
        result = RuleIndex()
        for path in rule_file_candidates(index):
            found = read_rule_file(index, path)
            if found is None:
                result.unreadable.append(path)
            elif found.groups or found.templated_resources:
                result.files[path] = found
        return result

    return index.memo(("prometheus", "rule-files"), compute)


def read_rule_file(index: RepoIndex, path: str) -> RuleFile | None:
    """The rule groups of one file; ``None`` when it does not parse (an empty
    :class:`RuleFile` when it parses but holds no rules)."""
    documents = yaml_with_lines(index, path)
    if documents is None:
        return None
    text = index.read_text(path) or ""
    helm = "{{" in text
    groups: list[RuleGroup] = []
    templated: list[str] = []
    for document in documents:
        resource = _resource_name(document)
        if resource is not None:
            spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
            raw_groups = spec.get("groups")
            if is_templated(raw_groups) or (helm and raw_groups is None):
                templated.append(resource)
                continue
        groups.extend(_groups_in(path, document, resource, helm=helm))
    return RuleFile(path, tuple(groups), tuple(templated))


def _resource_name(document: Any) -> str | None:
    if not isinstance(document, dict) or not isinstance(document.get("kind"), str):
        return None
    if document["kind"] not in _RULE_RESOURCE_KINDS:
        return None
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    text = str(name) if isinstance(name, (str, int)) else "(unnamed)"
    return text.replace(HELM_PLACEHOLDER, "{{…}}")


def _looks_like_group(value: Any) -> bool:
    if not isinstance(value, dict) or "rules" not in value:
        return False
    rules = value.get("rules")
    if rules is None or is_templated(rules) or rules == []:
        return True
    return isinstance(rules, list) and any(_is_rule(rule) for rule in rules)


def _is_rule(value: Any) -> bool:
    return isinstance(value, dict) and ("alert" in value or "record" in value)


def _groups_in(path: str, document: Any, resource: str | None, *, helm: bool = False) -> list[RuleGroup]:
    """Rule groups anywhere in a document, and loose rule lists (named after their key)."""
    found: list[RuleGroup] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, key = stack.pop()
        if isinstance(node, dict):
            groups = node.get("groups")
            if isinstance(groups, list) and groups and all(_looks_like_group(group) for group in groups):
                found.extend(_read_group(path, group, resource, helm=helm) for group in groups)
                children = [(value, str(name)) for name, value in node.items() if name != "groups"]
            else:
                children = [(value, str(name)) for name, value in node.items()]
            stack.extend(reversed(children))
        elif isinstance(node, list):
            if any(_is_rule(item) and "expr" in item for item in node):
                rules = tuple(_read_rule(path, key or "(rules)", item, resource) for item in node if _is_rule(item))
                line = next((rule.line for rule in rules if rule.line is not None), None)
                found.append(RuleGroup(path, key or "(rules)", line, rules, resource=resource))
            else:
                stack.extend(reversed([(item, key) for item in node]))
    found.sort(key=lambda group: group.line or 0)
    return found


def _read_group(path: str, group: dict[str, Any], resource: str | None, *, helm: bool) -> RuleGroup:
    """A group; in a Helm template, ``rules:`` left empty by a dropped expression line is templated."""
    name = _text(group.get("name")).replace(HELM_PLACEHOLDER, "{{…}}") or "(unnamed)"
    raw_rules = group.get("rules")
    templated = is_templated(raw_rules) or (helm and raw_rules is None)
    rules: tuple[Rule, ...] = ()
    if isinstance(raw_rules, list):
        rules = tuple(_read_rule(path, name, rule, resource) for rule in raw_rules if _is_rule(rule))
    return RuleGroup(path, name, line_of_mapping(group), rules, templated=templated, resource=resource)


def _read_rule(path: str, group: str, rule: dict[str, Any], resource: str | None) -> Rule:
    kind: Literal["alert", "record"] = "alert" if "alert" in rule else "record"
    return Rule(
        path=path,
        group=group,
        kind=kind,
        name=_text(rule.get(kind)) or "(unnamed)",
        expr=_text(rule.get("expr")),
        line=line_of_mapping(rule),
        duration=_text(rule.get("for")) or None,
        labels=_string_map(rule.get("labels")),
        annotations=_string_map(rule.get("annotations")),
        resource=resource,
    )


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(key): _text(item) for key, item in value.items() if _text(item)}


# ====================================================================== PromQL
_PROMQL_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset",
     "inf", "nan", "atan2"}
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_MODIFIERS = re.compile(r"\boffset\s+-?[0-9a-z]+|@\s*(?:start\(\)|end\(\)|[0-9.]+)")
_IDENTIFIER = re.compile(r"(?<![\w:.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])")
_COMPARISON = re.compile(r"(==|!=|>=|<=|>|<)\s*(?:bool\s+)?")
_NUMBER_EXPRESSION = re.compile(r"^[\s()0-9.eE+\-*/%]+")
_SELECTOR = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^{}]*)\}")
_MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")
_AGE = re.compile(r"\btime\s*\(\s*\)\s*-")


def strip_promql(expr: str) -> str:
    """The expression without strings, label matchers, ranges, grouping clauses and modifiers,
    leaving function names, metric names, operators and numbers."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"#[^\n]*", " ", text)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    return _MODIFIERS.sub(" ", text)


def metric_names(expr: str) -> list[str]:
    """Metric (or recorded series) names an expression reads, in order, without duplicates.

    ``{__name__="x"}`` selectors are included; Grafana variables (``$job``) are not.
    """
    names: list[str] = []
    stripped = strip_promql(expr)
    for match in _IDENTIFIER.finditer(stripped):
        word = match.group(1)
        following = stripped[match.end():].lstrip()
        if word.lower() in _PROMQL_KEYWORDS or following.startswith("(") or HELM_PLACEHOLDER in word:
            continue
        names.append(word)
    for metric, label, operator, value in selectors(expr):
        if metric is None and label == "__name__" and operator == "=":
            names.append(value)
    return list(dict.fromkeys(names))


def functions_called(expr: str) -> set[str]:
    """Names of the functions and aggregations an expression calls (``rate``, ``absent``, ``sum``)."""
    stripped = strip_promql(expr)
    return {
        match.group(1)
        for match in _IDENTIFIER.finditer(stripped)
        if stripped[match.end():].lstrip().startswith("(")
    }


@dataclass(frozen=True)
class Comparison:
    """A comparison operator of an expression and the constant it compares with, if any."""

    operator: str
    value: float | None


def comparisons(expr: str) -> list[Comparison]:
    """The comparison operators of an expression (``> 26 * 3600`` gives ``>`` and ``93600``)."""
    stripped = strip_promql(expr)
    found = []
    for match in _COMPARISON.finditer(stripped):
        right = _NUMBER_EXPRESSION.match(stripped[match.end():])
        value = number_value(right.group(0)) if right else None
        if value is None:
            left = re.search(r"[\s()0-9.eE+\-*/%]+$", stripped[: match.start()])
            value = number_value(left.group(0)) if left else None
        found.append(Comparison(match.group(1), value))
    return found


def number_value(text: str) -> float | None:
    """The value of a constant arithmetic expression (``26 * 3600``), or ``None``."""
    text = text.strip()
    while text.count("(") > text.count(")") and text.startswith("("):
        text = text[1:].strip()
    while text.count(")") > text.count("(") and text.endswith(")"):
        text = text[:-1].strip()
    if not text or not any(char.isdigit() for char in text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return _evaluate(tree.body)


def _evaluate(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _evaluate(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left), _evaluate(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div) and right:
            return left / right
    return None


def selectors(expr: str) -> list[tuple[str | None, str, str, str]]:
    """Label matchers as ``(metric or None, label, operator, value)``: ``x{job="etl"}`` gives
    ``("x", "job", "=", "etl")``."""
    found = []
    for match in _SELECTOR.finditer(expr):
        metric = match.group(1)
        for matcher in _MATCHER.finditer(match.group(2)):
            found.append((metric, matcher.group(1), matcher.group(2), matcher.group(3)[1:-1]))
    return found


def age_subjects(expr: str) -> list[str]:
    """Metrics whose age an expression takes: those after ``time() -`` and before the next
    comparison (``time() - max(x_last_success_timestamp_seconds) > 3600`` gives the metric)."""
    stripped = strip_promql(expr)
    subjects: list[str] = []
    for match in _AGE.finditer(stripped):
        rest = stripped[match.end():]
        stop = _COMPARISON.search(rest)
        operand = rest[: stop.start()] if stop else rest
        subjects.extend(metric_names(operand))
    return list(dict.fromkeys(subjects))


def name_tokens(name: str) -> list[str]:
    """The lower-case words of a metric name (split on ``_``, ``:``, ``.``, ``-`` and camelCase)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [token for token in re.split(r"[_:.\-\s]+", spaced.lower()) if token]


def format_seconds(seconds: float) -> str:
    """``93600`` as ``26 h``, ``5400`` as ``90 min``, ``172800`` as ``2 d`` (for details)."""
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{seconds / 86400:g} d"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


# ====================================================================== metrics defined in Python
@dataclass(frozen=True)
class MetricDefinition:
    """A metric some Python code emits: its exposed name, kind, library and where."""

    name: str
    kind: str
    library: str
    path: str
    line: int
    is_test: bool

    def series_names(self) -> set[str]:
        """The names the metric is exposed under: a ``prometheus_client`` counter also as
        ``<name>_total``, a histogram or summary also as ``_bucket``/``_sum``/``_count``."""
        names = {self.name}
        if self.kind == "counter":
            names.add(self.name if self.name.endswith("_total") else f"{self.name}_total")
            names.add(self.name.removesuffix("_total"))
        elif self.kind in ("histogram", "summary"):
            names.update(f"{self.name}_{suffix}" for suffix in ("bucket", "sum", "count"))
        return names


_PROMETHEUS_CLIENT_KINDS = {
    "Gauge": "gauge", "Counter": "counter", "Histogram": "histogram", "Summary": "summary", "Info": "info",
    "Enum": "enum",
}
_OTEL_KINDS = {
    "create_counter": "counter", "create_up_down_counter": "gauge", "create_histogram": "histogram",
    "create_gauge": "gauge", "create_observable_gauge": "gauge", "create_observable_counter": "counter",
    "create_observable_up_down_counter": "gauge",
}
_TYPE_LINE = re.compile(
    r"^#\s*TYPE\s+([A-Za-z_:][A-Za-z0-9_:]*)\s+(gauge|counter|histogram|summary|untyped)\b", re.MULTILINE
)
_METRIC_HINTS = ("prometheus_client", "opentelemetry", "# TYPE ")


def metric_definitions(index: RepoIndex) -> list[MetricDefinition]:
    """Metrics defined in the repository's Python (tests flagged), parsed once per scan."""

    def compute() -> list[MetricDefinition]:
        found: list[MetricDefinition] = []
        for path in index.with_suffix(".py"):
            text = index.read_text(path)
            if text is None or not any(hint in text for hint in _METRIC_HINTS):
                continue
            tree = index.python_ast(path)
            if tree is not None:
                found.extend(python_metric_definitions(path, tree))
        return found

    return index.memo(("prometheus", "metric-definitions"), compute)


def python_metric_definitions(path: str, tree: ast.Module) -> list[MetricDefinition]:
    """The metrics one parsed module defines (see the module docstring)."""
    aliases = import_aliases(tree)
    is_test = is_test_path(path)
    found: list[MetricDefinition] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            definition = _call_definition(path, node, aliases, is_test)
            if definition is not None:
                found.append(definition)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "# TYPE" in node.value:
            for match in _TYPE_LINE.finditer(node.value):
                found.append(MetricDefinition(match.group(1), match.group(2), "text format", path, node.lineno, is_test))
    return found


def _call_definition(path: str, node: ast.Call, aliases: dict[str, str], is_test: bool) -> MetricDefinition | None:
    name = dotted_name(node.func)
    if name is None:
        return None
    resolved = resolve_alias(name, aliases)
    head, _, last = resolved.rpartition(".")
    if last in _PROMETHEUS_CLIENT_KINDS and head.startswith("prometheus_client"):
        metric = _string_argument(node, 0, "name")
        if metric is None:
            return None
        parts = [_string_argument(node, None, "namespace"), _string_argument(node, None, "subsystem"), metric]
        full = "_".join(part for part in parts if part)
        return MetricDefinition(full, _PROMETHEUS_CLIENT_KINDS[last], "prometheus_client", path, node.lineno, is_test)
    if last in _OTEL_KINDS and isinstance(node.func, ast.Attribute) and any(
        target.startswith("opentelemetry") for target in aliases.values()
    ):
        metric = _string_argument(node, 0, "name")
        if metric is None:
            return None
        return MetricDefinition(metric, _OTEL_KINDS[last], "opentelemetry", path, node.lineno, is_test)
    return None


def _string_argument(node: ast.Call, position: int | None, keyword: str) -> str | None:
    for item in node.keywords:
        if item.arg == keyword and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
            return item.value.value.strip() or None
    if position is not None and len(node.args) > position:
        value = node.args[position]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value.strip() or None
    return None

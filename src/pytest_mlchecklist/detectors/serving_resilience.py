"""Serving resilience detectors: horizontal scaling (26), timeouts and retries (31), a tested
fallback (32) and shadow deployment (33).

Horizontal scaling (``horizontal-scaling``): detectors ``kubernetes-autoscaling``, ``cloud-autoscaling``
    YAML files that mention an autoscaler are parsed (Helm templates included).

    * A ``HorizontalPodAutoscaler`` (``autoscaling/v1``, ``v2``, ``v2beta*``) **supports** when its
      ``scaleTargetRef`` names a workload that a manifest of the repository defines, ``maxReplicas``
      is above ``minReplicas`` (default 1) and it scales on at least one metric (v2 ``metrics``, v1
      ``targetCPUUtilizationPercentage``). A target no manifest defines, equal bounds, no metric
      or no ``maxReplicas`` is **partial**. In a Helm chart, templated bounds and metrics are read
      from ``values.yaml`` (and each ``values-*.yaml`` over it), and an HPA guarded by
      ``{{ if .Values.autoscaling.enabled }}`` counts only for a values file that enables it.
    * A KEDA ``ScaledObject`` with triggers and ``maxReplicaCount`` above ``minReplicaCount``
      (defaults 0 and 100) on a workload of the repository **supports**.
    * A KServe ``InferenceService`` predictor with ``maxReplicas`` above ``minReplicas``
      **supports**; in serverless mode, ``scaleMetric``/``scaleTarget`` or Knative autoscaling
      annotations without a ``maxReplicas`` also **support** (no upper bound). Equal bounds, a
      ``RawDeployment`` without ``maxReplicas``, or nothing set at all is **partial**. A Knative
      ``Service`` is judged the same way from its ``autoscaling.knative.dev/*`` annotations, a
      ``SeldonDeployment`` from its ``hpaSpec``, an Azure ML online deployment from its
      ``scale_settings`` (``target_utilization`` with ``max_instances`` above ``min_instances``).
    * Chart values that enable ``autoscaling`` without any template of the chart rendering an HPA,
      and (when no autoscaler is found at all) workloads with a fixed ``replicas:`` are **partial**.
    * Terraform: ``aws_appautoscaling_target`` (SageMaker variants, ECS services, Lambda) with
      ``max_capacity`` above ``min_capacity`` and an ``aws_appautoscaling_policy`` that tracks or
      steps on it; ``google_compute_(region_)autoscaler``, ``azurerm_monitor_autoscale_setting``
      (a profile with rules), ``google_cloud_run_v2_service`` scaling bounds and SageMaker
      serverless variants **support**. ``var.*`` bounds are resolved from variable defaults and
      ``*.tfvars`` of the same folder. A target without a policy or equal bounds is **partial**.

Timeouts and retries (``timeouts-retries``): detectors ``client-timeouts-retries``, ``mesh-timeouts-retries``
    Non-test Python that uses requests, httpx, aiohttp, gRPC stubs or boto3 ``invoke_endpoint``
    is parsed. A call is a call *to the model* when its URL expression, its function or class
    name says so (predict, infer, score, model, serving, sagemaker...); ``invoke_endpoint`` always is.

    * A model call with a timeout (on the call, the client, a mounted timeout adapter, a gRPC
      service config or a botocore ``Config``) that a **bounded retry with backoff** covers
      **supports**: tenacity (``stop_after_attempt``/``stop_after_delay`` with an exponential
      wait), ``backoff`` (``expo``/``fibo`` with ``max_tries``/``max_time``), stamina, retrying,
      urllib3 ``Retry`` with a ``backoff_factor`` mounted through ``HTTPAdapter``, an httpx
      transport with ``retries``, a gRPC ``retryPolicy``, botocore ``retries``, or a ``for``
      loop over ``range`` that sleeps longer after each failure. A retry covers a call when it
      decorates the function making it (or a function calling it), wraps the session or client it
      goes through, or loops around it.
    * Partial: no timeout ("calls the model without a timeout"), a timeout with no retry, a retry
      without backoff, retries without a limit (a thundering herd when the model is down), and a
      urllib3 ``Retry`` whose ``allowed_methods`` leave out the POST the model call makes.
    * Mesh and proxy config: an Istio ``VirtualService`` route with ``timeout`` and ``retries``
      (``attempts`` > 0), a Linkerd ``ServiceProfile`` route with ``timeout`` and ``isRetryable``
      (bounded by its retry budget), Linkerd ``retry.linkerd.io``/``timeout.linkerd.io``
      annotations, a Gateway API ``HTTPRoute`` rule with ``timeouts`` and ``retry``, an Envoy route
      with ``timeout`` and ``retry_policy``, or a gRPC service config file with ``timeout`` and
      ``retryPolicy`` **support**; one without the other is **partial**.

Fallback (``fallback``): detector ``circuit-breaker-fallback``
    * Code: a circuit breaker (pybreaker, aiobreaker, purgatory, circuitbreaker) applied to a call,
      with a fallback (``fallback_function=``, or an ``except`` of the breaker's error that answers);
      or an ``except`` block around a model call (``predict``, ``infer``, ``invoke_endpoint``, a
      call to the model service...) that answers from a fallback (a function or value named
      fallback/rule/heuristic/baseline/cache/default..., or another model's ``predict``), not by
      raising or returning an error; or functions named ``*fallback*`` that the serving code calls.
      Mesh: an Istio ``DestinationRule`` with ``outlierDetection`` (the breaker), with a failover or
      a route to a fallback destination.
    * Test: a test function that makes the model fail (a patch or mock with an exception
      ``side_effect``, a ``monkeypatch`` with a raising stand-in, an HTTP mock answering 5xx or
      raising, an opened breaker), runs the repository's code and asserts an answer (not only an
      error) about the fallback. It **supports** (with its node id) when fallback or breaker code
      exists; a fallback without such a test, a breaker without a fallback, a breaker that wraps
      nothing, or a test with no fallback code found is **partial**.

Shadow deployment (``shadow-deployment``): detector ``shadow-traffic``
    * Mirroring: Istio ``mirror``/``mirrors`` (with ``mirrorPercentage`` above 0), a Seldon
      predictor with ``shadow: true``, a Knative/KServe traffic entry tagged ``shadow``, an Argo
      Rollouts ``setMirrorRoute`` step, a Gateway API ``RequestMirror`` filter, an Envoy
      ``request_mirror_policies``, Terraform ``shadow_production_variants`` of a SageMaker endpoint
      configuration, or serving code that calls a ``*shadow*`` function which runs a model.
    * Comparison: a Markdown report (a shadow/comparison section with numbers and comparison words,
      and a date or period in the document), a JSON report with shadow comparison metrics
      (agreement, diff, MAE...) and a date, or Python code that compares shadow with production
      predictions.
    * Mirroring with a dated report or a comparison job **supports**; mirroring alone, an undated
      report, or a comparison with no mirroring configuration is **partial**.

Files under vendored or generated folders are not read; a candidate that does not parse is
**unreadable** for the item it was read for.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.kubernetes import (
    HELM_PLACEHOLDER,
    Workload,
    chart_root_of,
    chart_roots,
    chart_values_files,
    display,
    is_templated,
    iter_workloads,
    line_of,
    manifest_candidates,
)
from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, module_name, resolve_alias
from pytest_mlchecklist.detectors.terraform import (
    HclBlock,
    HclError,
    attribute,
    hcl_blocks,
    mask_hcl,
    matching_bracket,
    nested_blocks,
    string_value,
)
from pytest_mlchecklist.detectors.test_code import TestFunction, TestSuite, repository_tests
from pytest_mlchecklist.evidence import Evidence

HSCALE = "horizontal-scaling"
TIMEOUTS = "timeouts-retries"
FALLBACK = "fallback"
SHADOW = "shadow-deployment"

_MEMO = "serving-resilience"
_YAML = (".yaml", ".yml")


# ======================================================================== small helpers
def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mappings(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    """A number from YAML/JSON (``3``, ``"3"``, ``0.5``); ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _count(value: float) -> str:
    """``3`` for 3.0, ``0.5`` for 0.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _name(document: dict[str, Any]) -> str:
    name = _mapping(document.get("metadata")).get("name")
    return display(str(name)) if isinstance(name, str) else "(unnamed)"


def _annotations(metadata: Any) -> dict[str, Any]:
    return {str(key): value for key, value in _mapping(_mapping(metadata).get("annotations")).items()}


def _text_hint(ctx: DetectorContext, path: str, hint: re.Pattern[str]) -> bool:
    text = ctx.index.read_text(path)
    return text is not None and hint.search(text) is not None


def _top_kind_lines(text: str | None) -> dict[str, list[int]]:
    """The ``kind:`` lines at the start of a line (one per document), by kind."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        match = re.match(r"""^kind:\s*["']?([A-Za-z]+)["']?\s*(?:#.*)?$""", line)
        if match:
            found.setdefault(match.group(1), []).append(number)
    return found


class _KindLines:
    """Hands out the ``kind:`` line of each document of a kind, in order."""

    def __init__(self, text: str | None) -> None:
        self._lines = _top_kind_lines(text)
        self._used: dict[str, int] = {}

    def next(self, kind: str) -> int | None:
        lines = self._lines.get(kind, [])
        position = self._used.get(kind, 0)
        self._used[kind] = position + 1
        return lines[position] if position < len(lines) else (lines[-1] if lines else None)


@dataclass
class _YamlFile:
    """A parsed YAML candidate."""

    path: str
    text: str
    documents: list[Any]


def _documents(document: Any) -> Iterator[dict[str, Any]]:
    """A document, or the items of a ``kind: List``."""
    if isinstance(document, dict):
        if document.get("kind") == "List":
            yield from _mappings(document.get("items"))
        else:
            yield document


def _load_yaml(ctx: DetectorContext, item: str, hint: re.Pattern[str]) -> tuple[list[_YamlFile], list[Evidence]]:
    """YAML files whose text matches ``hint`` (plus declared YAML files), parsed; the candidates
    that do not parse become ``unreadable`` evidence."""
    chosen = [path for path in ctx.index.with_suffix(*_YAML) if _text_hint(ctx, path, hint)]
    files: list[_YamlFile] = []
    problems: list[Evidence] = []
    for path in ctx.candidates(item, chosen):
        if not path.lower().endswith(_YAML):
            continue
        documents = ctx.index.yaml_documents(path)
        text = ctx.index.read_text(path)
        if documents is None or text is None:
            problems.append(ctx.unreadable(item, path))
            continue
        files.append(_YamlFile(path, text, [doc for document in documents for doc in _documents(document)]))
    return files, problems


def _api(document: dict[str, Any], prefix: str) -> bool:
    return str(document.get("apiVersion") or "").startswith(prefix)


# ======================================================================== item 26: Helm values
@dataclass(frozen=True)
class _ValuesSet:
    """The values a chart renders with: ``values.yaml``, or another values file over it."""

    path: str | None
    data: dict[str, Any]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _lookup(values: dict[str, Any], dotted: str) -> Any:
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _values_sets(ctx: DetectorContext, root: str) -> tuple[list[_ValuesSet], list[str]]:
    """The chart's values sets (``values.yaml`` alone, then each other values file over it) and
    the values files that do not parse."""
    sets: list[_ValuesSet] = []
    broken: list[str] = []
    base: dict[str, Any] = {}
    for path in chart_values_files(ctx.index, root):
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            broken.append(path)
            continue
        data = documents[0] if documents and isinstance(documents[0], dict) else {}
        if posixpath.basename(path) in ("values.yaml", "values.yml"):
            base = data
            sets.append(_ValuesSet(path, data))
        else:
            sets.append(_ValuesSet(path, _merge(base, data)))
    return sets, broken


_IF_EXPRESSION = re.compile(r"\{\{-?\s*if\s+(.*?)\s*-?\}\}")
_GUARD_VALUE = re.compile(r"(\(\s*not\s+)?\.Values\.([A-Za-z0-9_.]+)")
_KEY_VALUES = re.compile(r"^\s*-?\s*([A-Za-z0-9_]+):\s*\{\{-?\s*(?:toYaml\s+)?\.Values\.([A-Za-z0-9_.]+)[^}]*\}\}")
_TOYAML_VALUES = re.compile(r"\{\{-?\s*toYaml\s+\.Values\.([A-Za-z0-9_.]+)")
_METRIC_VALUE_KEYS = frozenset(
    {"averageUtilization", "averageValue", "value", "targetAverageUtilization", "targetAverageValue"}
)


@dataclass(frozen=True)
class _Guard:
    """An ``{{ if ... }}`` around a document: ``.Values`` paths that must be truthy (or falsy
    when written ``(not .Values.x)``), all of them, or any of them for ``if or``."""

    any_of: bool
    terms: tuple[tuple[bool, str], ...]
    written: str

    def holds(self, values: dict[str, Any]) -> bool:
        """True when the template would render with ``values``."""
        results = [bool(_lookup(values, path)) != negated for negated, path in self.terms]
        return any(results) if self.any_of else all(results)


def _guard(expression: str) -> _Guard | None:
    terms = tuple((bool(match.group(1)), match.group(2)) for match in _GUARD_VALUE.finditer(expression))
    if not terms:
        return None
    written = " and ".join(("not " if negated else "") + path for negated, path in terms)
    any_of = expression.lstrip().startswith("or ")
    return _Guard(any_of, terms, written.replace(" and ", " or ") if any_of else written)


@dataclass
class _HelmRefs:
    """What the Helm template of one document takes from ``.Values``."""

    guards: list[_Guard] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    metric_values: list[str] = field(default_factory=list)
    metrics_block: str | None = None


def _segment(text: str, line: int) -> tuple[list[str], int]:
    """The lines of the YAML document holding ``line`` and the offset of its first line."""
    lines = text.splitlines()
    start = 0
    for number in range(line - 1, -1, -1):
        if number < len(lines) and lines[number].startswith("---"):
            start = number + 1
            break
    end = len(lines)
    for number in range(line, len(lines)):
        if lines[number].startswith("---"):
            end = number
            break
    return lines[start:end], start


def _helm_refs(text: str, kind_line: int | None) -> _HelmRefs:
    """The ``.Values`` references of the document at ``kind_line``: guards before the ``kind:``
    line, the key each templated value comes from, and the templated metric values."""
    refs = _HelmRefs()
    if kind_line is None or "{{" not in text:
        return refs
    lines, offset = _segment(text, kind_line)
    in_metrics = False
    metrics_indent = 0
    for number, line in enumerate(lines, start=offset + 1):
        if number < kind_line:
            for expression in _IF_EXPRESSION.findall(line):
                guard = _guard(expression)
                if guard is not None:
                    refs.guards.append(guard)
            continue
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if re.match(r"^\s*metrics:\s*(?:#.*)?$", line):
            in_metrics, metrics_indent = True, indent
            continue
        if in_metrics and stripped and not stripped.startswith("{{") and indent <= metrics_indent:
            in_metrics = False
        match = _KEY_VALUES.match(line)
        if in_metrics:
            block = _TOYAML_VALUES.search(line)
            if block and refs.metrics_block is None and not match:
                refs.metrics_block = block.group(1)
            if match and match.group(1) in _METRIC_VALUE_KEYS:
                refs.metric_values.append(match.group(2))
            continue
        if match:
            refs.keys.setdefault(match.group(1), match.group(2))
    return refs


# ======================================================================== item 26: targets
class _Workloads:
    """Workloads of the repository's manifests, parsed only in files that can hold a target."""

    def __init__(self, ctx: DetectorContext) -> None:
        self._ctx = ctx
        self._paths = [
            path for path in ctx.candidates(HSCALE, _manifest_paths(ctx)) if path.lower().endswith(_YAML)
        ]
        self._roots = chart_roots(ctx.index)
        self._parsed: dict[str, list[Workload]] = {}

    def _in(self, path: str) -> list[Workload]:
        if path not in self._parsed:
            documents = self._ctx.index.yaml_documents(path)
            self._parsed[path] = list(iter_workloads(path, documents or []))
        return self._parsed[path]

    def find(self, kind: str, name: str, origin: str) -> Workload | None:
        """A workload of ``kind`` named ``name``; a templated name matches a workload of the same
        kind in the chart of ``origin``."""
        templated = HELM_PLACEHOLDER in name or "{{" in name
        if templated:
            root = chart_root_of(origin, self._roots)
            if root is None:
                return None
            paths = [path for path in self._paths if chart_root_of(path, self._roots) == root]
        else:
            paths = [path for path in self._paths if name in (self._ctx.index.read_text(path) or "")]
        for path in paths:
            for workload in self._in(path):
                if workload.kind == kind and (templated or workload.name == name):
                    return workload
        return None

    def fixed_replicas(self) -> Iterator[tuple[Workload, int]]:
        """Deployments and StatefulSets with a literal ``replicas`` count."""
        for path in self._paths:
            text = self._ctx.index.read_text(path) or ""
            if "replicas:" not in text:
                continue
            for document in self._ctx.index.yaml_documents(path) or []:
                for doc in _documents(document):
                    if doc.get("kind") not in ("Deployment", "StatefulSet"):
                        continue
                    replicas = _number(_mapping(doc.get("spec")).get("replicas"))
                    workload = next(iter(iter_workloads(path, [doc])), None)
                    if workload is not None and replicas is not None and replicas >= 1:
                        yield workload, int(replicas)


def _manifest_paths(ctx: DetectorContext) -> list[str]:
    return ctx.index.memo((_MEMO, "manifest-candidates"), lambda: manifest_candidates(ctx.index))


# ======================================================================== item 26: HPA
@dataclass(frozen=True)
class _Scaling:
    """What an autoscaler does under one set of values: bounds and metrics, or why it does not."""

    ok: bool
    text: str
    values_path: str | None = None


def _metric_label(metric: dict[str, Any]) -> str:
    for block in ("resource", "containerResource"):
        name = _mapping(metric.get(block)).get("name")
        if isinstance(name, str) and not is_templated(name):
            return name
    for block in ("pods", "object", "external"):
        inner = _mapping(metric.get(block))
        name = _mapping(inner.get("metric")).get("name") or inner.get("metricName")
        if isinstance(name, str) and not is_templated(name):
            return name
    kind = metric.get("type")
    return str(kind).lower() if isinstance(kind, str) and not is_templated(kind) else "a metric"


def _hpa_metrics(spec: dict[str, Any], refs: _HelmRefs, values: dict[str, Any] | None) -> list[str]:
    """The metrics an HPA renders with ``values`` (``None``: plain YAML)."""
    names: list[str] = []
    cpu = spec.get("targetCPUUtilizationPercentage")
    if "targetCPUUtilizationPercentage" in spec:
        if not is_templated(cpu) and _number(cpu) is not None:
            names.append("cpu")
        elif values is not None and _number(_lookup(values, refs.keys.get("targetCPUUtilizationPercentage", ""))):
            names.append("cpu")
    metrics = spec.get("metrics")
    if isinstance(metrics, list):
        pending = list(refs.metric_values)
        for metric in _mappings(metrics):
            leaves = [node for node in iter_nodes(metric) if not isinstance(node, (dict, list))]
            templated = [leaf for leaf in leaves if is_templated(leaf)]
            if not templated:
                names.append(_metric_label(metric))
                continue
            ref = pending.pop(0) if pending else None
            if values is not None and ref is not None and _lookup(values, ref) not in (None, "", False):
                names.append(_metric_label(metric))
    elif is_templated(metrics) and "metrics" in spec and values is not None and refs.metrics_block:
        rendered = _lookup(values, refs.metrics_block)
        names.extend(_metric_label(metric) for metric in _mappings(rendered))
    return names


def _bound(spec: dict[str, Any], key: str, default: float | None, refs: _HelmRefs, values: dict[str, Any] | None) -> tuple[float | None, str | None]:
    """A replica bound: its number, or ``None`` with the reason it is not known."""
    if key not in spec:
        return default, None if default is not None else f"sets no {key}"
    raw = spec[key]
    if raw is None and key not in refs.keys:
        return None, f"has an empty {key}"
    if not is_templated(raw):
        number = _number(raw)
        return number, None if number is not None else f"has a {key} that is not a number"
    ref = refs.keys.get(key)
    if values is None or ref is None:
        return None, f"takes {key} from a template whose values were not found"
    number = _number(_lookup(values, ref))
    return number, None if number is not None else f"takes {key} from `{ref}`, which the values do not set"


def _guard_problem(refs: _HelmRefs, values: dict[str, Any] | None, values_path: str | None) -> str | None:
    """Why a guarded template would not render with these values, if it would not."""
    if values is None:
        return None
    for guard in refs.guards:
        if guard.holds(values):
            continue
        where = values_path or "the chart values"
        if len(guard.terms) == 1 and not guard.terms[0][0]:
            path = guard.terms[0][1]
            said = "sets it to false" if _lookup(values, path) is False else "does not set it"
            return f"is rendered only when `{path}` is true, and {where} {said}"
        return f"is rendered only when `{guard.written}`, which {where} does not satisfy"
    return None


def _replica_scaling(
    minimum: float | None, maximum: float | None, problem: str | None, metrics: list[str], *, unit: str = "replicas"
) -> _Scaling:
    if problem is not None or minimum is None or maximum is None:
        return _Scaling(False, problem or f"has no {unit} bounds")
    if maximum <= minimum:
        return _Scaling(False, f"pins it to {_count(maximum)} {unit} (maximum not above minimum)")
    if not metrics:
        return _Scaling(False, "names no metric to scale on")
    on = ", ".join(dict.fromkeys(metrics))
    return _Scaling(True, f"from {_count(minimum)} to {_count(maximum)} {unit} on {on}")


def _hpa_scaling(spec: dict[str, Any], refs: _HelmRefs, values_set: _ValuesSet | None) -> _Scaling:
    values = values_set.data if values_set is not None else None
    where = values_set.path if values_set is not None else None
    guard = _guard_problem(refs, values, where)
    if guard is not None:
        return _Scaling(False, guard, where)
    minimum, low_problem = _bound(spec, "minReplicas", 1.0, refs, values)
    maximum, high_problem = _bound(spec, "maxReplicas", None, refs, values)
    scaling = _replica_scaling(minimum, maximum, low_problem or high_problem, _hpa_metrics(spec, refs, values))
    return _Scaling(scaling.ok, scaling.text, where)


def _needs_values(spec: dict[str, Any], refs: _HelmRefs) -> bool:
    return bool(refs.guards) or any(is_templated(value) for value in spec.values() if not isinstance(value, dict)) or any(
        is_templated(node) for node in iter_nodes(spec.get("metrics"))
    )


def _best(outcomes: list[_Scaling]) -> _Scaling:
    return next((outcome for outcome in outcomes if outcome.ok), outcomes[0])


class _Autoscalers:
    """State shared while judging the autoscalers of one scan."""

    def __init__(self, ctx: DetectorContext) -> None:
        self.ctx = ctx
        self.workloads = _Workloads(ctx)
        self.roots = chart_roots(ctx.index)
        self._values: dict[str, tuple[list[_ValuesSet], list[str]]] = {}
        self.broken_values: set[str] = set()
        self.charts_with_scaler: set[str] = set()

    def values_for(self, path: str) -> list[_ValuesSet | None]:
        """The values sets of the chart holding ``path`` (``[None]`` outside a chart)."""
        root = chart_root_of(path, self.roots)
        if root is None:
            return [None]
        if root not in self._values:
            self._values[root] = _values_sets(self.ctx, root)
        sets, broken = self._values[root]
        self.broken_values.update(broken)
        return list(sets) or [None]

    def scale_with_values(self, path: str, spec: dict[str, Any], refs: _HelmRefs) -> _Scaling:
        if not _needs_values(spec, refs):
            return _hpa_scaling(spec, refs, None)
        return _best([_hpa_scaling(spec, refs, values_set) for values_set in self.values_for(path)])


def _target(ref: dict[str, Any], default_kind: str | None) -> tuple[str | None, str | None]:
    kind = ref.get("kind", default_kind)
    name = ref.get("name")
    kind = str(kind) if isinstance(kind, str) else None
    name = str(name) if isinstance(name, (str, int)) and name != "" else None
    return kind, name


def _judge_target(
    scalers: _Autoscalers, label: str, path: str, line: int | None, kind: str | None, name: str | None, scaling: _Scaling
) -> Evidence:
    ctx = scalers.ctx
    where = {"path": path, "line": line}
    from_values = f" (values: {scaling.values_path})" if scaling.values_path else ""
    if kind is None or name is None:
        return ctx.partial(HSCALE, f"{label} has no scaleTargetRef kind and name: it scales nothing", **where)
    target = f"{kind} `{display(name)}`"
    if not scaling.ok:
        return ctx.partial(HSCALE, f"{label} on {target} {scaling.text}", **where)
    workload = scalers.workloads.find(kind, display(name), path)
    if workload is None:
        detail = f"{label} scales {target} {scaling.text}{from_values}, but no manifest in the repository defines {target}"
        return ctx.partial(HSCALE, detail, **where)
    found_in = "" if workload.path == path else f" ({workload.path})"
    return ctx.supports(HSCALE, f"{label} scales {target}{found_in} {scaling.text}{from_values}", **where)


def _judge_hpa(scalers: _Autoscalers, file: _YamlFile, document: dict[str, Any], line: int | None) -> Evidence:
    spec = _mapping(document.get("spec"))
    refs = _helm_refs(file.text, line)
    scaling = scalers.scale_with_values(file.path, spec, refs)
    kind, name = _target(_mapping(spec.get("scaleTargetRef")), None)
    label = f"HorizontalPodAutoscaler `{_name(document)}`"
    return _judge_target(scalers, label, file.path, line, kind, name, scaling)


def _judge_keda(scalers: _Autoscalers, file: _YamlFile, document: dict[str, Any], line: int | None) -> Evidence:
    spec = _mapping(document.get("spec"))
    triggers = [str(trigger.get("type")) for trigger in _mappings(spec.get("triggers")) if trigger.get("type")]
    minimum = _number(spec.get("minReplicaCount", 0))
    maximum = _number(spec.get("maxReplicaCount", 100))
    problem = None if minimum is not None and maximum is not None else "has replica counts that are not numbers"
    scaling = _replica_scaling(minimum, maximum, problem, triggers)
    if scaling.text == "names no metric to scale on":
        scaling = _Scaling(False, "has no triggers: nothing makes it scale")
    kind, name = _target(_mapping(spec.get("scaleTargetRef")), "Deployment")
    return _judge_target(scalers, f"KEDA ScaledObject `{_name(document)}`", file.path, line, kind, name, scaling)


_KNATIVE = "autoscaling.knative.dev/"


def _knative_bounds(annotations: dict[str, Any]) -> tuple[float | None, float | None, list[str]]:
    """min-scale, max-scale and the other autoscaling settings of Knative annotations."""

    def read(*names: str) -> float | None:
        for name in names:
            if _KNATIVE + name in annotations:
                return _number(annotations[_KNATIVE + name])
        return None

    minimum = read("min-scale", "minScale")
    maximum = read("max-scale", "maxScale")
    settings = sorted(
        key[len(_KNATIVE) :] for key in annotations
        if key.startswith(_KNATIVE) and key[len(_KNATIVE) :] not in ("min-scale", "minScale", "max-scale", "maxScale")
    )
    return minimum, maximum, settings


def _serverless_verdict(
    ctx: DetectorContext,
    label: str,
    minimum: float | None,
    maximum: float | None,
    settings: list[str],
    path: str,
    line: int | None,
    *,
    raw: bool = False,
) -> Evidence:
    where = {"path": path, "line": line}
    low = minimum if minimum is not None else (1.0 if raw else 0.0)
    if maximum is not None and maximum > 0:
        if maximum <= low:
            return ctx.partial(HSCALE, f"{label} is pinned to {_count(maximum)} replicas (maximum not above minimum)", **where)
        on = f" on {', '.join(settings)}" if settings else ""
        return ctx.supports(HSCALE, f"{label} autoscales from {_count(low)} to {_count(maximum)} replicas{on}", **where)
    if raw:
        return ctx.partial(HSCALE, f"{label} runs as a RawDeployment without maxReplicas: it does not scale out", **where)
    if settings:
        detail = f"{label} autoscales on {', '.join(settings)} from {_count(low)} replicas, with no upper bound set"
        return ctx.supports(HSCALE, detail, **where)
    return ctx.partial(HSCALE, f"{label} relies on the platform's default autoscaling; it sets no replica bounds", **where)


def _judge_inference_service(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Evidence:
    annotations = _annotations(document.get("metadata"))
    predictor = _mapping(_mapping(document.get("spec")).get("predictor"))
    raw = str(annotations.get("serving.kserve.io/deploymentMode", "")).lower() == "rawdeployment"
    minimum, maximum, settings = _knative_bounds(annotations)
    if "minReplicas" in predictor:
        minimum = _number(predictor.get("minReplicas"))
    if "maxReplicas" in predictor:
        maximum = _number(predictor.get("maxReplicas"))
    for key in ("scaleMetric", "scaleTarget"):
        value = predictor.get(key)
        if value is not None and not is_templated(value):
            settings.append(f"{key} {value}")
    if _mapping(predictor.get("autoScaling")).get("metrics"):
        settings.append("autoScaling metrics")
    label = f"InferenceService `{_name(document)}`"
    return _serverless_verdict(ctx, label, minimum, maximum, settings, file.path, line, raw=raw)


def _judge_knative(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Evidence:
    template = _mapping(_mapping(document.get("spec")).get("template"))
    annotations = {**_annotations(document.get("metadata")), **_annotations(template.get("metadata"))}
    minimum, maximum, settings = _knative_bounds(annotations)
    label = f"Knative Service `{_name(document)}`"
    return _serverless_verdict(ctx, label, minimum, maximum, settings, file.path, line)


def _judge_seldon(scalers: _Autoscalers, file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[Evidence]:
    for predictor in _mappings(_mapping(document.get("spec")).get("predictors")):
        for component in _mappings(predictor.get("componentSpecs")):
            hpa = component.get("hpaSpec")
            if not isinstance(hpa, dict):
                continue
            metrics = [_metric_label(metric) for metric in _mappings(hpa.get("metrics") or hpa.get("metricsv2"))]
            minimum = _number(hpa.get("minReplicas", 1))
            maximum = _number(hpa.get("maxReplicas"))
            scaling = _replica_scaling(minimum, maximum, None if maximum is not None else "sets no maxReplicas", metrics)
            label = f"SeldonDeployment `{_name(document)}` (predictor `{predictor.get('name', '?')}`) hpaSpec"
            if scaling.ok:
                yield scalers.ctx.supports(HSCALE, f"{label} scales {scaling.text}", path=file.path, line=line)
            else:
                yield scalers.ctx.partial(HSCALE, f"{label} {scaling.text}", path=file.path, line=line)


def _judge_azure_online(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any]) -> Evidence | None:
    settings = document.get("scale_settings")
    schema = str(document.get("$schema") or "")
    if not isinstance(settings, dict) or not ("OnlineDeployment" in schema or "endpoint_name" in document):
        return None
    line = line_of(file.text, r"^\s*scale_settings:")
    label = f"Azure ML online deployment `{document.get('name', '?')}`"
    kind = str(settings.get("type") or "default")
    if kind != "target_utilization":
        detail = f"{label} uses scale_settings type `{kind}`: a fixed instance_count, no autoscaling"
        return ctx.partial(HSCALE, detail, path=file.path, line=line)
    minimum = _number(settings.get("min_instances", 1))
    maximum = _number(settings.get("max_instances", 1))
    scaling = _replica_scaling(minimum, maximum, None, ["target utilization"], unit="instances")
    if scaling.ok:
        return ctx.supports(HSCALE, f"{label} scales {scaling.text}", path=file.path, line=line)
    return ctx.partial(HSCALE, f"{label} {scaling.text}", path=file.path, line=line)


def _values_autoscaling(values: dict[str, Any]) -> tuple[float | None, float | None] | None:
    """Bounds of an ``autoscaling: {enabled: true, ...}`` mapping anywhere in chart values."""
    for node in iter_nodes(values):
        if isinstance(node, dict) and isinstance(node.get("autoscaling"), dict):
            block = node["autoscaling"]
            if block.get("enabled") is True:
                return _number(block.get("minReplicas", 1)), _number(block.get("maxReplicas"))
    return None


_HSCALE_HINT = re.compile(
    r"HorizontalPodAutoscaler|ScaledObject|InferenceService|serving\.knative\.dev|SeldonDeployment|scale_settings|autoscaling"
)


@detector(
    name="kubernetes-autoscaling",
    items=(HSCALE,),
    looks_for=(
        "an autoscaler for the serving workload: a HorizontalPodAutoscaler or KEDA ScaledObject targeting a workload "
        "of the repository with min < max replicas and a metric, KServe/Knative/Seldon autoscaling settings, Helm "
        "values that enable an HPA template, or Azure ML online deployment scale settings"
    ),
)
def kubernetes_autoscaling(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 26 from Kubernetes, Helm and serving-platform YAML (see the module docstring)."""
    files, problems = _load_yaml(ctx, HSCALE, _HSCALE_HINT)
    yield from problems
    scalers = _Autoscalers(ctx)
    found = False
    for file in files:
        lines = _KindLines(file.text)
        for document in file.documents:
            kind = document.get("kind")
            if not isinstance(kind, str):
                azure = _judge_azure_online(ctx, file, document)
                if azure is not None:
                    found = True
                    yield azure
                continue
            line = lines.next(kind)
            evidence: list[Evidence] = []
            if kind == "HorizontalPodAutoscaler" and _api(document, "autoscaling/"):
                evidence.append(_judge_hpa(scalers, file, document, line))
            elif kind == "ScaledObject" and _api(document, "keda.sh/"):
                evidence.append(_judge_keda(scalers, file, document, line))
            elif kind == "InferenceService" and _api(document, "serving.kserve.io/"):
                evidence.append(_judge_inference_service(ctx, file, document, line))
            elif kind == "Service" and _api(document, "serving.knative.dev/"):
                evidence.append(_judge_knative(ctx, file, document, line))
            elif kind == "SeldonDeployment":
                evidence.extend(_judge_seldon(scalers, file, document, line))
            if evidence:
                found = True
                root = chart_root_of(file.path, scalers.roots)
                if root is not None and kind in ("HorizontalPodAutoscaler", "ScaledObject"):
                    scalers.charts_with_scaler.add(root)
                yield from evidence
    for path in sorted(scalers.broken_values):
        yield ctx.unreadable(HSCALE, path)
    for values_evidence in _values_without_template(scalers):
        found = True
        yield values_evidence
    if not found:
        for workload, replicas in scalers.workloads.fixed_replicas():
            detail = f"{workload.label} runs a fixed {replicas} replicas and no autoscaler was found"
            line = line_of(ctx.index.read_text(workload.path), r"^\s*replicas:")
            yield ctx.partial(HSCALE, detail, path=workload.path, line=line)


def _values_without_template(scalers: _Autoscalers) -> Iterator[Evidence]:
    """Chart values that enable autoscaling in a chart with no autoscaler template."""
    for root in scalers.roots:
        if root in scalers.charts_with_scaler:
            continue
        for values_set in scalers.values_for(f"{root}/values.yaml" if root else "values.yaml"):
            if values_set is None or values_set.path is None:
                continue
            bounds = _values_autoscaling(values_set.data)
            if bounds is None:
                continue
            minimum, maximum = bounds
            span = f" ({_count(minimum)}-{_count(maximum)} replicas)" if minimum is not None and maximum is not None else ""
            chart = root or "the chart at the root"
            detail = f"{values_set.path} enables autoscaling{span}, but no template of {chart} renders a HorizontalPodAutoscaler"
            line = line_of(scalers.ctx.index.read_text(values_set.path), r"^\s*autoscaling:")
            yield scalers.ctx.partial(HSCALE, detail, path=values_set.path, line=line)
            break


# ======================================================================== item 26: Terraform
_TF_SCALING = frozenset(
    {
        "aws_appautoscaling_target", "aws_appautoscaling_policy", "google_compute_autoscaler",
        "google_compute_region_autoscaler", "azurerm_monitor_autoscale_setting", "google_cloud_run_v2_service",
        "aws_sagemaker_endpoint_configuration",
    }
)
_TF_HINT = re.compile("|".join(sorted(_TF_SCALING)))
_SCALED_NAMESPACES = {"sagemaker": "SageMaker endpoint variant", "ecs": "ECS service", "lambda": "Lambda function"}


@dataclass
class _TfFolder:
    """The Terraform blocks of one folder (one module), and its variables."""

    blocks: list[tuple[str, HclBlock]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    def of_type(self, kind: str) -> list[tuple[str, HclBlock]]:
        return [(path, block) for path, block in self.blocks if block.labels and block.labels[0] == kind]

    def number(self, block: HclBlock, key: str) -> tuple[float | None, str | None]:
        """``key``'s number, through ``var.*`` defaults and tfvars; (None, why) when unknown."""
        found = attribute(block, key)
        if found is None:
            return None, f"sets no {key}"
        value = found[0].strip()
        if value.startswith("var."):
            name = value[4:]
            if name not in self.variables:
                return None, f"takes {key} from `{value}`, which has no default"
            value = self.variables[name]
        number = _number(value.strip('"'))
        return number, None if number is not None else f"sets {key} with an expression that could not be read"


_VARIABLE_START = re.compile(r"\bvariable\s+\"([^\"\n]+)\"\s*\{")
_TFVARS_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(\"?[-0-9.]+\"?)\s*$", re.MULTILINE)


def _tf_variables(text: str) -> dict[str, str]:
    """Defaults of ``variable "name" { default = ... }`` blocks."""
    found: dict[str, str] = {}
    masked = mask_hcl(text)
    for match in _VARIABLE_START.finditer(masked):
        name = text[match.start(1) : match.end(1)]
        try:
            close = matching_bracket(masked, match.end() - 1, "{", "}")
        except HclError:
            continue
        block = HclBlock("variable", (name,), text.count("\n", 0, match.start()) + 1,
                         masked[match.end() : close], text[match.end() : close])
        default = attribute(block, "default")
        if default is not None:
            found[name] = default[0]
    return found


def _tf_folders(ctx: DetectorContext, item: str, types: frozenset[str], hint: re.Pattern[str]) -> tuple[dict[str, _TfFolder], list[Evidence]]:
    """Terraform blocks of ``types`` by folder, with the folder's variables; files whose blocks
    do not close are unreadable."""
    folders: dict[str, _TfFolder] = {}
    problems: list[Evidence] = []
    chosen = [path for path in ctx.index.with_suffix(".tf") if _text_hint(ctx, path, hint)]
    for path in ctx.candidates(item, chosen):
        if not path.endswith(".tf"):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            problems.append(ctx.unreadable(item, path))
            continue
        folder = folders.setdefault(posixpath.dirname(path), _TfFolder())
        try:
            folder.blocks.extend((path, block) for block in hcl_blocks(text, types))
        except HclError as exc:
            problems.append(ctx.evidence(item, f"could not decide from this file: {exc}", verdict="unreadable", path=path))
    if folders:
        for path in ctx.index.with_suffix(".tf"):
            owner = folders.get(posixpath.dirname(path))
            text = ctx.index.read_text(path) if owner is not None else None
            if owner is not None and text is not None:
                for name, value in _tf_variables(text).items():
                    owner.variables.setdefault(name, value)
        for path in ctx.index.with_suffix(".tfvars"):
            owner = folders.get(posixpath.dirname(path))
            text = ctx.index.read_text(path) if owner is not None else None
            if owner is not None and text is not None:
                for match in _TFVARS_LINE.finditer(mask_hcl(text)):
                    owner.variables[match.group(1)] = text[match.start(2) : match.end(2)]
    return folders, problems


def _tf_label(block: HclBlock) -> str:
    return f"{block.labels[0]} `{block.labels[1] if len(block.labels) > 1 else '?'}`"


def _judge_app_autoscaling(ctx: DetectorContext, folder: _TfFolder, path: str, block: HclBlock) -> Evidence | None:
    written = attribute(block, "service_namespace")
    namespace = string_value(written[0]) if written is not None else None
    if namespace is not None and namespace not in _SCALED_NAMESPACES:
        return None
    what = _SCALED_NAMESPACES.get(namespace or "", "service")
    label = _tf_label(block)
    where = {"path": path, "line": block.line}
    minimum, low = folder.number(block, "min_capacity")
    maximum, high = folder.number(block, "max_capacity")
    if low or high:
        return ctx.partial(HSCALE, f"{label} ({what}) {low or high}", **where)
    assert minimum is not None and maximum is not None
    if maximum <= minimum:
        return ctx.partial(HSCALE, f"{label} pins the {what} to {_count(maximum)} instances (max_capacity not above min_capacity)", **where)
    name = block.labels[1] if len(block.labels) > 1 else ""
    resource_id = attribute(block, "resource_id")
    policies: list[str] = []
    for _, policy in folder.of_type("aws_appautoscaling_policy"):
        refers = f"aws_appautoscaling_target.{name}." in policy.source
        same_id = resource_id is not None and (attribute(policy, "resource_id") or ("", 0))[0] == resource_id[0]
        tracks = nested_blocks(policy, "target_tracking_scaling_policy_configuration") or nested_blocks(
            policy, "step_scaling_policy_configuration"
        )
        if (refers or same_id) and tracks:
            policies.append(policy.labels[1] if len(policy.labels) > 1 else "?")
    span = f"between {_count(minimum)} and {_count(maximum)} instances"
    if not policies:
        return ctx.partial(HSCALE, f"{label} lets the {what} scale {span}, but no scaling policy acts on it", **where)
    detail = f"{label} scales the {what} {span} with policy `{policies[0]}`"
    return ctx.supports(HSCALE, detail, **where)


def _judge_gce_autoscaler(ctx: DetectorContext, folder: _TfFolder, path: str, block: HclBlock) -> Evidence | None:
    policies = nested_blocks(block, "autoscaling_policy")
    label = _tf_label(block)
    if not policies:
        return ctx.partial(HSCALE, f"{label} has no autoscaling_policy", path=path, line=block.line)
    policy = policies[0]
    minimum, low = folder.number(policy, "min_replicas")
    maximum, high = folder.number(policy, "max_replicas")
    signals = [name for name in ("cpu_utilization", "load_balancing_utilization", "metric") if nested_blocks(policy, name)]
    scaling = _replica_scaling(minimum, maximum, low or high, signals or ["cpu (the default signal)"])
    if scaling.ok:
        return ctx.supports(HSCALE, f"{label} scales {scaling.text}", path=path, line=policy.line)
    return ctx.partial(HSCALE, f"{label} {scaling.text}", path=path, line=policy.line)


def _judge_azure_autoscale(ctx: DetectorContext, folder: _TfFolder, path: str, block: HclBlock) -> Evidence | None:
    label = _tf_label(block)
    enabled = attribute(block, "enabled")
    if enabled is not None and enabled[0].strip().lower() == "false":
        return ctx.partial(HSCALE, f"{label} is disabled (enabled = false)", path=path, line=enabled[1])
    for profile in nested_blocks(block, "profile"):
        capacity = next(iter(nested_blocks(profile, "capacity")), None)
        if capacity is None:
            continue
        minimum, low = folder.number(capacity, "minimum")
        maximum, high = folder.number(capacity, "maximum")
        rules = len(nested_blocks(profile, "rule"))
        scaling = _replica_scaling(minimum, maximum, low or high, ["a metric rule"] * rules, unit="instances")
        if scaling.ok:
            return ctx.supports(HSCALE, f"{label} scales {scaling.text} ({rules} rules)", path=path, line=profile.line)
        return ctx.partial(HSCALE, f"{label} {scaling.text}", path=path, line=profile.line)
    return ctx.partial(HSCALE, f"{label} has no profile with a capacity", path=path, line=block.line)


def _judge_cloud_run(ctx: DetectorContext, folder: _TfFolder, path: str, block: HclBlock) -> Evidence | None:
    label = _tf_label(block)
    for template in nested_blocks(block, "template"):
        for scaling_block in nested_blocks(template, "scaling"):
            minimum, _ = folder.number(scaling_block, "min_instance_count")
            maximum, high = folder.number(scaling_block, "max_instance_count")
            scaling = _replica_scaling(minimum or 0.0, maximum, high, ["request concurrency"], unit="instances")
            if scaling.ok:
                return ctx.supports(HSCALE, f"Cloud Run {label} scales {scaling.text}", path=path, line=scaling_block.line)
            return ctx.partial(HSCALE, f"Cloud Run {label} {scaling.text}", path=path, line=scaling_block.line)
    return ctx.partial(HSCALE, f"Cloud Run {label} sets no scaling bounds; it relies on the platform defaults", path=path, line=block.line)


def _judge_sagemaker_serverless(ctx: DetectorContext, folder: _TfFolder, path: str, block: HclBlock) -> Evidence | None:
    for variant in nested_blocks(block, "production_variants"):
        for serverless in nested_blocks(variant, "serverless_config"):
            concurrency, problem = folder.number(serverless, "max_concurrency")
            if concurrency is not None and concurrency > 1:
                detail = f"{_tf_label(block)} has a serverless variant that scales up to {_count(concurrency)} concurrent invocations"
                return ctx.supports(HSCALE, detail, path=path, line=serverless.line)
            detail = f"{_tf_label(block)} has a serverless variant limited to one concurrent invocation" if problem is None else (
                f"{_tf_label(block)} serverless variant: {problem}"
            )
            return ctx.partial(HSCALE, detail, path=path, line=serverless.line)
    return None


_TF_JUDGES = {
    "aws_appautoscaling_target": _judge_app_autoscaling,
    "google_compute_autoscaler": _judge_gce_autoscaler,
    "google_compute_region_autoscaler": _judge_gce_autoscaler,
    "azurerm_monitor_autoscale_setting": _judge_azure_autoscale,
    "google_cloud_run_v2_service": _judge_cloud_run,
    "aws_sagemaker_endpoint_configuration": _judge_sagemaker_serverless,
}


@detector(
    name="cloud-autoscaling",
    items=(HSCALE,),
    looks_for=(
        "cloud autoscaling in Terraform: aws_appautoscaling_target with a scaling policy (SageMaker endpoint variants, "
        "ECS), google_compute_autoscaler, azurerm_monitor_autoscale_setting, Cloud Run scaling bounds, SageMaker "
        "serverless variants"
    ),
)
def cloud_autoscaling(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 26 from Terraform (see the module docstring)."""
    folders, problems = _tf_folders(ctx, HSCALE, _TF_SCALING, _TF_HINT)
    yield from problems
    for folder in folders.values():
        for path, block in folder.blocks:
            judge = _TF_JUDGES.get(block.labels[0] if block.labels else "")
            if judge is None:
                continue
            try:
                evidence = judge(ctx, folder, path, block)
            except HclError as exc:
                evidence = ctx.evidence(HSCALE, f"could not decide from this file: {exc}", verdict="unreadable", path=path)
            if evidence is not None:
                yield evidence



# ======================================================================== Python: shared reading
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

#: Words saying that a call, function or URL is about the model service.
_MODEL_CONTEXT = re.compile(
    r"predict|infer|scor(?:e|er|es|ing)|model|serving|invocation|classif|recommend|rank|embed|forecast|"
    r"triton|kserve|seldon|sagemaker|vertex",
    re.IGNORECASE,
)


class _Module:
    """A parsed non-test Python module; the enclosing scopes of its nodes and what its names were
    assigned are computed on first use."""

    def __init__(self, path: str, tree: ast.Module, text: str) -> None:
        self.path = path
        self.tree = tree
        self.text = text

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Local names bound by imports (see :func:`import_aliases`)."""
        return import_aliases(self.tree)

    @cached_property
    def scopes(self) -> dict[int, tuple[ast.AST, ...]]:
        """For every node, the classes and functions enclosing it, outermost first."""
        scopes: dict[int, tuple[ast.AST, ...]] = {}
        stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(self.tree, ())]
        while stack:
            node, chain = stack.pop()
            for child in ast.iter_child_nodes(node):
                scopes[id(child)] = chain
                stack.append((child, chain + (child,) if isinstance(child, _SCOPES) else chain))
        return scopes

    @cached_property
    def assigned(self) -> dict[str, list[ast.expr]]:
        """Values assigned to each name (by the last part of the target: ``self.session`` is
        ``session``), including ``with ... as name``."""
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    key = dotted_name(target)
                    if key is not None:
                        assigned.setdefault(key.split(".")[-1], []).append(node.value)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    key = dotted_name(item.optional_vars) if item.optional_vars is not None else None
                    if key is not None:
                        assigned.setdefault(key.split(".")[-1], []).append(item.context_expr)
        return assigned

    def resolve(self, node: ast.AST | None) -> str | None:
        """The import-resolved dotted name of a name, attribute chain or call's function."""
        if isinstance(node, ast.Call):
            node = node.func
        if node is None:
            return None
        name = dotted_name(node)
        return resolve_alias(name, self.aliases) if name else None

    def value(self, node: ast.AST | None, depth: int = 0) -> ast.AST | None:
        """``node``, or what a name in it was last assigned (one module-wide lookup by last part)."""
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, (ast.Name, ast.Attribute)) and depth < 3:
            key = (dotted_name(node) or "").split(".")[-1]
            values = self.assigned.get(key)
            if values:
                return self.value(values[-1], depth + 1)
        return node

    def functions(self, node: ast.AST) -> list[FunctionNode]:
        """The functions enclosing ``node``, outermost first."""
        return [scope for scope in self.scopes.get(id(node), ()) if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def where(self, node: ast.AST) -> str:
        """``Class.method`` or ``function`` enclosing ``node``, or ``module level``."""
        names = [scope.name for scope in self.scopes.get(id(node), ()) if isinstance(scope, _SCOPES)]
        return f"`{'.'.join(names)}`" if names else "module level"

    def context(self, node: ast.AST) -> str:
        """Names of the enclosing classes and functions (to tell model calls from others)."""
        return " ".join(scope.name for scope in self.scopes.get(id(node), ()) if isinstance(scope, _SCOPES))


def _modules(
    ctx: DetectorContext, item: str, hint: re.Pattern[str], relevant: re.Pattern[str]
) -> tuple[list[_Module], list[Evidence]]:
    """Non-test Python modules whose text matches ``hint``, parsed. One that does not parse is
    ``unreadable`` when its text also matches ``relevant`` (or it was declared): an unrelated
    broken file must not leave the item undecided."""
    chosen = [
        path for path in ctx.index.with_suffix(".py")
        if not is_test_path(path) and _text_hint(ctx, path, hint)
    ]
    modules: list[_Module] = []
    problems: list[Evidence] = []
    for path in ctx.candidates(item, chosen):
        if not path.endswith(".py"):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            if path in ctx.declared(item) or _text_hint(ctx, path, relevant):
                problems.append(ctx.unreadable(item, path))
            continue
        modules.append(_Module(path, tree, ctx.index.read_text(path) or ""))
    return modules, problems


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(keyword.arg == name for keyword in call.keywords)


def _constant(node: ast.AST | None) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    return ...


def _called_names(node: ast.AST) -> set[str]:
    """Last parts of the names called inside ``node`` (``stop_after_attempt``, ``predict``)."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = dotted_name(child.func)
            if name:
                names.add(name.split(".")[-1])
    return names


# ======================================================================== item 31: retry policies
@dataclass
class _Retry:
    """A retry policy found in code or config."""

    kind: str
    line: int
    bounded: bool
    backoff: bool
    jitter: bool
    limit: str = ""
    nodes: frozenset[int] = frozenset()
    callees: frozenset[str] = frozenset()
    function: str | None = None
    methods: frozenset[str] | None = None

    def describe(self) -> str:
        """``retries up to 3 attempts with exponential backoff and jitter (tenacity)``."""
        limit = f" {self.limit}" if self.limit else ""
        if not self.backoff:
            pace = " with no backoff"
        elif self.jitter:
            pace = " with exponential backoff and jitter"
        else:
            pace = " with exponential backoff (no jitter)"
        return f"retries{limit}{pace} ({self.kind})"

    def rank(self) -> int:
        return (2 if self.bounded else 0) + (1 if self.backoff else 0)


def _limit_text(call: ast.Call | None, attempts: tuple[str, ...], seconds: tuple[str, ...]) -> str:
    if call is None:
        return ""
    for child in ast.walk(call):
        if isinstance(child, ast.Call):
            last = (dotted_name(child.func) or "").split(".")[-1]
            value = _constant(child.args[0]) if child.args else ...
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if last in attempts:
                    return f"up to {_count(value)} attempts"
                if last in seconds:
                    return f"for up to {_count(value)} s"
    for keyword in call.keywords:
        value = _constant(keyword.value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if keyword.arg in attempts:
                return f"up to {_count(value)} attempts"
            if keyword.arg in seconds:
                return f"for up to {_count(value)} s"
    return ""


_TENACITY_STOPS = frozenset({"stop_after_attempt", "stop_after_delay", "stop_before_delay"})
_TENACITY_BACKOFF = frozenset({"wait_exponential", "wait_random_exponential", "wait_exponential_jitter", "wait_incrementing", "wait_full_jitter"})
_TENACITY_JITTER = frozenset({"wait_random_exponential", "wait_exponential_jitter", "wait_random", "wait_full_jitter"})


def _expanded(module: _Module, node: ast.AST | None) -> ast.AST | None:
    """``node`` with a name replaced by what it was assigned (``stop=STOP``)."""
    return module.value(node) if node is not None else None


def _tenacity(module: _Module, call: ast.Call | None, line: int, kind: str) -> _Retry:
    stop = _expanded(module, _keyword(call, "stop")) if call is not None else None
    wait = _expanded(module, _keyword(call, "wait")) if call is not None else None
    stops = _called_names(stop) if stop is not None else set()
    waits = _called_names(wait) if wait is not None else set()
    limit = _limit_text(stop if isinstance(stop, ast.Call) else None, ("stop_after_attempt",), ("stop_after_delay", "stop_before_delay"))
    return _Retry(kind, line, bool(stops & _TENACITY_STOPS), bool(waits & _TENACITY_BACKOFF), bool(waits & _TENACITY_JITTER), limit)


def _backoff_lib(module: _Module, call: ast.Call, line: int) -> _Retry:
    generator = (module.resolve(call.args[0]) or "") if call.args else (module.resolve(_keyword(call, "wait_gen")) or "")
    backoff = generator.split(".")[-1] in ("expo", "fibo", "decay")
    jitter_node = _keyword(call, "jitter")
    jitter = backoff and not (jitter_node is not None and _constant(jitter_node) is None)
    bounded = any(
        _has_keyword(call, name) and _constant(_keyword(call, name)) is not None for name in ("max_tries", "max_time")
    )
    limit = _limit_text(call, ("max_tries",), ("max_time",))
    return _Retry("backoff", line, bounded, backoff, jitter, limit)


def _stamina(call: ast.Call | None, line: int) -> _Retry:
    attempts = _keyword(call, "attempts") if call is not None else None
    timeout = _keyword(call, "timeout") if call is not None else None
    unbounded = attempts is not None and _constant(attempts) is None and timeout is not None and _constant(timeout) is None
    limit = _limit_text(call, ("attempts",), ("timeout",)) or "up to 10 attempts"
    return _Retry("stamina", line, not unbounded, True, True, limit)


def _retrying(call: ast.Call | None, line: int) -> _Retry:
    keywords = {keyword.arg for keyword in call.keywords} if call is not None else set()
    bounded = bool(keywords & {"stop_max_attempt_number", "stop_max_delay"})
    limit = _limit_text(call, ("stop_max_attempt_number",), ()) if call is not None else ""
    return _Retry(
        "retrying", line, bounded, "wait_exponential_multiplier" in keywords, "wait_jitter_max" in keywords, limit
    )


def _retry_package(call: ast.Call | None, line: int) -> _Retry:
    tries = _constant(_keyword(call, "tries")) if call is not None else ...
    factor = _constant(_keyword(call, "backoff")) if call is not None else ...
    jitter = _constant(_keyword(call, "jitter")) if call is not None else ...
    bounded = isinstance(tries, int) and tries > 0
    limit = f"up to {tries} attempts" if bounded else ""
    backoff = isinstance(factor, (int, float)) and factor > 1
    return _Retry("retry", line, bounded, backoff, jitter not in (..., 0, None), limit)


def _decorator_retry(module: _Module, decorator: ast.expr) -> _Retry | None:
    """The retry policy a decorator applies, if it is one."""
    call = decorator if isinstance(decorator, ast.Call) else None
    name = module.resolve(decorator) or ""
    line = decorator.lineno
    if name.startswith("tenacity.") and name.split(".")[-1] == "retry":
        return _tenacity(module, call, line, "tenacity")
    if name in ("backoff.on_exception", "backoff.on_predicate") and call is not None:
        return _backoff_lib(module, call, line)
    if name == "stamina.retry":
        return _stamina(call, line)
    if name == "retrying.retry":
        return _retrying(call, line)
    if name == "retry.retry" or name == "retry.api.retry":
        return _retry_package(call, line)
    return None


def _function_retries(module: _Module) -> list[_Retry]:
    """Retry decorators and tenacity ``Retrying`` objects, with what they cover."""
    found: list[_Retry] = []
    if not _RETRY_TEXT.search(module.text):
        return found
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                retry = _decorator_retry(module, decorator)
                if retry is not None:
                    retry.nodes = frozenset(id(child) for child in ast.walk(node))
                    retry.callees = frozenset(_called_names(node))
                    retry.function = node.name
                    found.append(retry)
        elif isinstance(node, ast.Call) and (module.resolve(node) or "") in (
            "tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.asyncio.AsyncRetrying"
        ):
            retry = _tenacity(module, node, node.lineno, "tenacity Retrying")
            functions = module.functions(node)
            scope: ast.AST = functions[-1] if functions else module.tree
            retry.nodes = frozenset(id(child) for child in ast.walk(scope))
            retry.callees = frozenset(_called_names(scope))
            found.append(retry)
            # A Retrying object kept on the instance or module covers the functions that use it.
            for key in _assigned_keys(module, node):
                for function in ast.walk(module.tree):
                    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and _mentions(function, key):
                        retry.nodes = retry.nodes | frozenset(id(child) for child in ast.walk(function))
    if "sleep" in module.text:
        found.extend(_retry_loops(module))
    return found


#: Text of a module that may hold a retry decorator, a tenacity ``Retrying`` or a sleeping loop.
_RETRY_TEXT = re.compile(r"tenacity|backoff|stamina|retrying|\bretry\b|Retrying|sleep")


def _assigned_keys(module: _Module, value: ast.AST) -> list[str]:
    return [key for key, values in module.assigned.items() if any(candidate is value for candidate in values)]


def _mentions(function: ast.AST, key: str) -> bool:
    return any(
        isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Load)
        and (dotted_name(child) or "").split(".")[-1] == key
        for child in ast.walk(function)
    )


def _sleeps(node: ast.AST) -> list[ast.Call]:
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = dotted_name(child.func) or ""
            if name.split(".")[-1] == "sleep" and child.args:
                found.append(child)
    return found


def _retry_loops(module: _Module) -> Iterator[_Retry]:
    """``for attempt in range(n)`` / ``while`` loops that try a call and sleep between attempts."""
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            continue
        tries = [child for child in ast.walk(node) if isinstance(child, ast.Try)]
        sleeps = _sleeps(node)
        if not tries or not sleeps:
            continue
        names_in_sleep = {child.id for sleep in sleeps for child in ast.walk(sleep) if isinstance(child, ast.Name)}
        grown = {
            child.target.id for child in ast.walk(node)
            if isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name) and isinstance(child.op, (ast.Mult, ast.Add, ast.LShift))
        }
        jitter = any((module.resolve(child) or "").startswith("random.") for child in ast.walk(node) if isinstance(child, ast.Call))
        if isinstance(node, (ast.For, ast.AsyncFor)):
            iterator = node.iter
            if not (isinstance(iterator, ast.Call) and dotted_name(iterator.func) == "range"):
                continue
            loop_names = {child.id for child in ast.walk(node.target) if isinstance(child, ast.Name)}
            bounded = True
            count = _constant(iterator.args[-1]) if len(iterator.args) == 1 else ...
            limit = f"up to {count} attempts" if isinstance(count, int) else ""
        else:
            loop_names = set()
            bounded = not (isinstance(node.test, ast.Constant) and node.test.value) or any(
                isinstance(child, ast.If) and isinstance(child.test, ast.Compare)
                and any(isinstance(leaf, (ast.Raise, ast.Break, ast.Return)) for leaf in ast.walk(child))
                for child in ast.walk(node)
            )
            limit = ""
        backoff = bool(names_in_sleep & (loop_names | grown)) or any(
            isinstance(child, ast.BinOp) and isinstance(child.op, ast.Pow) for sleep in sleeps for child in ast.walk(sleep)
        )
        yield _Retry(
            "retry loop", node.lineno, bounded, backoff, jitter, limit,
            nodes=frozenset(id(child) for try_node in tries for child in ast.walk(try_node)),
            callees=frozenset(_called_names(node)),
        )


# ======================================================================== item 31: clients and calls
_CLIENTS = {
    "requests.Session": "requests", "requests.session": "requests", "requests.sessions.Session": "requests",
    "httpx.Client": "httpx", "httpx.AsyncClient": "httpx", "aiohttp.ClientSession": "aiohttp",
}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
_RETRY_CLASSES = frozenset(
    {
        "urllib3.util.retry.Retry", "urllib3.util.Retry", "urllib3.Retry", "requests.packages.urllib3.util.retry.Retry",
        "requests.adapters.Retry", "urllib3.util.retry",
    }
)
_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
_TRANSPORTS = frozenset({"httpx.HTTPTransport", "httpx.AsyncHTTPTransport"})
_SESSION_NAME = re.compile(r"session|client|http", re.IGNORECASE)
_SAGEMAKER_CALLS = frozenset({"invoke_endpoint", "invoke_endpoint_async", "invoke_endpoint_with_response_stream"})


@dataclass
class _Client:
    """A client object the module creates: its library, timeout and the retries it carries."""

    library: str
    timeout: str | None = None
    timeout_off: bool = False
    retry: _Retry | None = None


def _timeout_text(node: ast.AST | None) -> str:
    value = _constant(node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"timeout={_count(value)}"
    return "a timeout"


def _urllib3_retry(module: _Module, node: ast.AST | None) -> _Retry | None:
    """A ``Retry(...)`` (or an int ``max_retries``) given to an adapter."""
    node = module.value(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        if node.value <= 0:
            return None
        return _Retry("HTTPAdapter max_retries", node.lineno, True, False, False, f"up to {node.value} times")
    if not isinstance(node, ast.Call) or (module.resolve(node) or "") not in _RETRY_CLASSES:
        return None
    total = _keyword(node, "total")
    total_value = _constant(total) if total is not None else (_constant(node.args[0]) if node.args else 10)
    if total_value is False or total_value == 0:
        return None
    factor = _keyword(node, "backoff_factor")
    factor_value = _constant(factor) if factor is not None else 0
    backoff = factor is not None and not (isinstance(factor_value, (int, float)) and factor_value <= 0)
    jitter_node = _keyword(node, "backoff_jitter")
    jitter_value = _constant(jitter_node)
    jitter = jitter_node is not None and (jitter_value is ... or (isinstance(jitter_value, (int, float)) and jitter_value > 0))
    bounded = total_value is not None
    limit = f"up to {total_value} times" if isinstance(total_value, int) and not isinstance(total_value, bool) else ""
    retry = _Retry("urllib3 Retry", node.lineno, bounded, backoff, jitter, limit)
    given = any(keyword.arg in ("allowed_methods", "method_whitelist") for keyword in node.keywords)
    retry.methods = _retry_methods(_keyword(node, "allowed_methods", "method_whitelist"), given)
    return retry


#: The methods urllib3's ``Retry`` retries on read errors and status codes by default (no POST).
_URLLIB3_DEFAULT_METHODS = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"})


def _retry_methods(node: ast.expr | None, given: bool) -> frozenset[str] | None:
    """The HTTP methods a ``Retry`` retries beyond connection errors (``None``: any or unknown)."""
    if not given:
        return _URLLIB3_DEFAULT_METHODS
    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        names = [_constant(element) for element in node.elts]
        if all(isinstance(name, str) for name in names):
            return frozenset(str(name).upper() for name in names)
    return None


def _adapter_classes(module: _Module) -> dict[str, bool]:
    """Local ``HTTPAdapter`` subclasses, and whether they set a timeout on every request."""
    found: dict[str, bool] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ClassDef) and any((module.resolve(base) or "").endswith("HTTPAdapter") for base in node.bases):
            sets_timeout = any(
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "send"
                and any(isinstance(child, ast.Constant) and child.value == "timeout" for child in ast.walk(item))
                for item in node.body
            )
            found[node.name] = sets_timeout
    return found


def _botocore_client(module: _Module, call: ast.Call) -> _Client:
    config = module.value(_keyword(call, "config"))
    client = _Client("botocore")
    if not isinstance(config, ast.Call):
        return client
    read = _keyword(config, "read_timeout")
    if read is not None and _constant(read) is not None:
        client.timeout = f"read_timeout={_count(_constant(read))}" if isinstance(_constant(read), (int, float)) else "a read timeout"
    retries = module.value(_keyword(config, "retries"))
    if isinstance(retries, ast.Dict):
        values = {_constant(key): value for key, value in zip(retries.keys, retries.values) if key is not None}
        attempts = _constant(values.get("max_attempts", values.get("total_max_attempts")))
        mode = _constant(values.get("mode"))
        limit = f"up to {attempts} attempts" if isinstance(attempts, int) else ""
        if isinstance(attempts, int) and attempts <= 0:
            return client
        jitter = mode in ("standard", "adaptive")
        client.retry = _Retry(f"botocore {mode if isinstance(mode, str) else 'legacy'} mode", retries.lineno, True, True, jitter, limit)
    return client


def _alternatives(value: ast.AST) -> list[ast.AST]:
    """``value`` and, for ``a or b`` and ``a if c else b``, each branch."""
    if isinstance(value, ast.BoolOp):
        return [value, *value.values]
    if isinstance(value, ast.IfExp):
        return [value, value.body, value.orelse]
    return [value]


def _client_from(module: _Module, value: ast.Call) -> _Client | None:
    name = module.resolve(value) or ""
    if name in _CLIENTS:
        client = _Client(_CLIENTS[name])
        timeout = _keyword(value, "timeout")
        if timeout is not None:
            client.timeout_off = _constant(timeout) is None
            client.timeout = None if client.timeout_off else _timeout_text(timeout)
        transport = module.value(_keyword(value, "transport"))
        if isinstance(transport, ast.Call) and (module.resolve(transport) or "") in _TRANSPORTS:
            retries = _constant(_keyword(transport, "retries"))
            if isinstance(retries, int) and not isinstance(retries, bool) and retries > 0:
                client.retry = _Retry("httpx transport", transport.lineno, True, True, False, f"up to {retries} times")
        return client
    if name.split(".")[-1] == "client" and value.args and _constant(value.args[0]) == "sagemaker-runtime":
        return _botocore_client(module, value)
    return None


def _clients(module: _Module) -> tuple[dict[str, _Client], dict[str, _Retry], dict[str, str]]:
    """Clients by the last part of their name, retries mounted on sessions, timeouts set by adapters.

    A name assigned from a local function that returns a client (``SESSION = build_session()``)
    stands for that client, with what was mounted on it.
    """
    clients: dict[str, _Client] = {}
    for key, values in module.assigned.items():
        for value in values:
            for candidate in _alternatives(value):
                client = _client_from(module, candidate) if isinstance(candidate, ast.Call) else None
                if client is not None:
                    clients[key] = client
    mounted: dict[str, _Retry] = {}
    adapter_timeouts: dict[str, str] = {}
    adapters = _adapter_classes(module) if "HTTPAdapter" in module.text else {}
    for node in ast.walk(module.tree) if ".mount(" in module.text else ():
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "mount"):
            continue
        receiver = (dotted_name(node.func.value) or "").split(".")[-1]
        adapter = module.value(node.args[1] if len(node.args) > 1 else _keyword(node, "adapter"))
        if not isinstance(adapter, ast.Call) or not receiver:
            continue
        adapter_name = module.resolve(adapter) or ""
        local = dotted_name(adapter.func) or ""
        if adapter_name not in _ADAPTERS and local not in adapters:
            continue
        retry = _urllib3_retry(module, _keyword(adapter, "max_retries"))
        if retry is not None:
            mounted[receiver] = retry
        if local in adapters and (_keyword(adapter, "timeout") is not None or adapters[local]):
            adapter_timeouts[receiver] = f"a timeout from `{local}`"
    if not (clients or mounted or adapter_timeouts):
        return clients, mounted, adapter_timeouts
    returned = _returned_names(module)
    for key, values in module.assigned.items():
        for value in values:
            if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Name, ast.Attribute)):
                continue
            for name in returned.get((dotted_name(value.func) or "").split(".")[-1], ()):
                if name in clients:
                    clients.setdefault(key, clients[name])
                if name in mounted:
                    mounted.setdefault(key, mounted[name])
                if name in adapter_timeouts:
                    adapter_timeouts.setdefault(key, adapter_timeouts[name])
    return clients, mounted, adapter_timeouts


def _returned_names(module: _Module) -> dict[str, set[str]]:
    """For each local function, the names it returns (``return session``)."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Return) and isinstance(node.value, (ast.Name, ast.Attribute)):
            functions = module.functions(node)
            if functions:
                found.setdefault(functions[-1].name, set()).add((dotted_name(node.value) or "").split(".")[-1])
    return found


@dataclass
class _ModelCall:
    """A call to the model service found in client code."""

    node: ast.Call
    label: str
    library: str
    receiver: str | None
    timeout: str | None
    missing: str


def _grpc_service_config(module: _Module) -> tuple[_Retry | None, str | None]:
    """A gRPC service config written in the module (a dict literal or a JSON string)."""
    if "retryPolicy" not in module.text and "methodConfig" not in module.text:
        return None, None
    for node in ast.walk(module.tree):
        config: Any = None
        if isinstance(node, ast.Dict) and any(_constant(key) in ("methodConfig", "retryPolicy") for key in node.keys if key is not None):
            try:
                config = ast.literal_eval(node)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "retryPolicy" in node.value:
            try:
                config = json.loads(node.value)
            except ValueError:
                continue
        if isinstance(config, dict):
            retry, timeout = _grpc_policy(config, getattr(node, "lineno", 1))
            if retry is not None or timeout is not None:
                return retry, timeout
    return None, None


def _grpc_policy(config: dict[str, Any], line: int) -> tuple[_Retry | None, str | None]:
    """Retry and timeout of a gRPC service config (``methodConfig[]``) or a bare ``retryPolicy``."""
    entries = _mappings(config.get("methodConfig")) or [config]
    retry: _Retry | None = None
    timeout: str | None = None
    for entry in entries:
        policy = _mapping(entry.get("retryPolicy"))
        attempts = _number(policy.get("maxAttempts"))
        if attempts is not None and attempts > 1 and retry is None:
            backoff = "initialBackoff" in policy and _number(policy.get("backoffMultiplier", 1)) not in (None, 1.0)
            retry = _Retry("gRPC retryPolicy", line, True, backoff or "initialBackoff" in policy, True, f"up to {_count(attempts)} attempts")
        if isinstance(entry.get("timeout"), str) and entry["timeout"].strip() not in ("", "0s") and timeout is None:
            timeout = f"timeout {entry['timeout']}"
    return retry, timeout


def _model_calls(module: _Module, clients: dict[str, _Client], adapter_timeouts: dict[str, str], grpc_timeout: str | None) -> Iterator[_ModelCall]:
    """Calls to the model service and their timeouts.

    A ``session``/``client``/``http`` object whose construction is not in the module (it is passed
    in) is taken to be a client of the HTTP library the module imports.
    """
    imported = {name.split(".")[0] for name in module.aliases.values()}
    http_library = next((library for library in ("requests", "httpx", "aiohttp") if library in imported), None)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        written = dotted_name(func) or ""
        resolved = module.resolve(func) or ""
        library: str | None = None
        receiver: str | None = None
        url = node.args[0] if node.args else _keyword(node, "url")
        if resolved.startswith(("requests.", "httpx.")) and resolved.split(".")[-1] in _HTTP_VERBS and resolved.count(".") in (1, 2):
            library = resolved.split(".")[0]
        elif isinstance(func, ast.Attribute):
            receiver_name = dotted_name(func.value) or ""
            receiver = receiver_name.split(".")[-1] or None
            client = clients.get(receiver or "")
            if func.attr in _HTTP_VERBS and client is not None and client.library in ("requests", "httpx", "aiohttp"):
                library = client.library
                if func.attr in ("request", "stream") and len(node.args) > 1:
                    url = node.args[1]
            elif func.attr in _HTTP_VERBS and client is None and _SESSION_NAME.search(receiver or "") and http_library:
                library = http_library
            elif func.attr in _SAGEMAKER_CALLS:
                library = "botocore"
            elif func.attr[:1].isupper() and "stub" in receiver_name.lower():
                library = "grpc"
                url = None
            elif func.attr in ("future", "with_call") and isinstance(func.value, ast.Attribute) and "stub" in (
                dotted_name(func.value.value) or ""
            ).lower():
                library = "grpc"
                url = None
        if library is None:
            continue
        context = f"{module.context(node)} {written}"
        if url is not None:
            context += " " + _short(ast.unparse(url))
        if library != "botocore" and not _MODEL_CONTEXT.search(context):
            continue
        timeout, missing = _call_timeout(node, library, clients.get(receiver or ""), adapter_timeouts.get(receiver or ""), grpc_timeout)
        yield _ModelCall(node, written or library, library, receiver, timeout, missing)


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200]


def _call_timeout(
    node: ast.Call, library: str, client: _Client | None, adapter_timeout: str | None, grpc_timeout: str | None
) -> tuple[str | None, str]:
    """The timeout that applies to a call, or ``None`` with what is missing."""
    explicit = _keyword(node, "timeout")
    if explicit is not None:
        if _constant(explicit) is None:
            return None, "sets timeout=None"
        return _timeout_text(explicit), ""
    if client is not None and client.timeout is not None:
        return f"{client.timeout} on its client", ""
    if client is not None and client.timeout_off:
        return None, "its client disables the timeout"
    if library == "requests":
        return (adapter_timeout, "") if adapter_timeout else (None, "")
    if library == "httpx":
        return "httpx's default 5 s timeout", ""
    if library == "aiohttp":
        return None, "aiohttp waits up to 5 minutes by default"
    if library == "grpc":
        return (grpc_timeout, "") if grpc_timeout else (None, "a gRPC call without a deadline waits forever")
    return None, "botocore waits 60 s by default; set Config(read_timeout=...)"


def _covering(call: _ModelCall, module: _Module, retries: list[_Retry], clients: dict[str, _Client], mounted: dict[str, _Retry], grpc_retry: _Retry | None) -> list[_Retry]:
    """The retry policies that apply to a model call."""
    covering: list[_Retry] = []
    enclosing = {function.name for function in module.functions(call.node)}
    for retry in retries:
        if id(call.node) in retry.nodes or (enclosing & retry.callees and retry.function not in enclosing):
            covering.append(retry)
    receiver = call.receiver or ""
    if receiver in mounted:
        covering.append(mounted[receiver])
    client = clients.get(receiver)
    if client is not None and client.retry is not None:
        covering.append(client.retry)
    if call.library == "botocore" and client is None:
        covering.extend(other.retry for other in clients.values() if other.library == "botocore" and other.retry is not None)
    if call.library == "grpc" and grpc_retry is not None:
        covering.append(grpc_retry)
    return covering


def _botocore_timeout(call: _ModelCall, clients: dict[str, _Client]) -> _ModelCall:
    """An ``invoke_endpoint`` through a client whose config is known gets that config's timeout."""
    if call.library != "botocore" or call.timeout is not None:
        return call
    client = clients.get(call.receiver or "")
    candidates = [client] if client is not None else [other for other in clients.values() if other.library == "botocore"]
    for candidate in candidates:
        if candidate.timeout is not None:
            return _ModelCall(call.node, call.label, call.library, call.receiver, f"{candidate.timeout} on its client", "")
    return call


_CLIENT_HINT = re.compile(r"\b(?:requests|httpx|aiohttp|grpc|tenacity|backoff|urllib3|botocore|boto3|stamina|retrying)\b")


@detector(
    name="client-timeouts-retries",
    items=(TIMEOUTS,),
    looks_for=(
        "calls to the model service (requests, httpx, aiohttp, gRPC stubs, SageMaker invoke_endpoint) with a timeout "
        "and a bounded retry with backoff (tenacity, backoff, stamina, urllib3 Retry on an HTTPAdapter, httpx "
        "transport retries, gRPC retryPolicy, botocore retries, a bounded retry loop)"
    ),
)
def client_timeouts_retries(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 31 from the Python clients of the model (see the module docstring)."""
    modules, problems = _modules(ctx, TIMEOUTS, _CLIENT_HINT, re.compile(r"(?i)timeout|retr(?:y|ies)"))
    yield from problems
    for module in modules:
        yield from _judge_client_module(ctx, module)


def _judge_client_module(ctx: DetectorContext, module: _Module) -> Iterator[Evidence]:
    clients, mounted, adapter_timeouts = _clients(module)
    grpc_retry, grpc_timeout = _grpc_service_config(module)
    retries = _function_retries(module)
    used: set[int] = set()
    for call in _model_calls(module, clients, adapter_timeouts, grpc_timeout):
        call = _botocore_timeout(call, clients)
        covering = _covering(call, module, retries, clients, mounted, grpc_retry)
        used.update(id(retry) for retry in covering)
        best = max(covering, key=lambda retry: retry.rank(), default=None)
        yield _judge_model_call(ctx, module, call, best)
    for retry in retries:
        if id(retry) in used or retry.function is None or not _MODEL_CONTEXT.search(retry.function):
            continue
        where = {"path": module.path, "line": retry.line}
        if not retry.bounded:
            detail = f"{retry.kind} on `{retry.function}` has no stop condition: retries without a limit can cause a thundering herd"
            yield ctx.partial(TIMEOUTS, detail, **where)
        else:
            detail = f"`{retry.function}` {retry.describe()}, but no HTTP or gRPC call with a timeout was found under it"
            yield ctx.partial(TIMEOUTS, detail, **where)


def _judge_model_call(ctx: DetectorContext, module: _Module, call: _ModelCall, best: _Retry | None) -> Evidence:
    said = f"`{call.label}` in {module.where(call.node)}"
    where = {"path": module.path, "line": call.node.lineno}
    if call.timeout is None:
        reason = f" ({call.missing})" if call.missing else ""
        retried = f"; it {best.describe()}" if best is not None else ""
        return ctx.partial(TIMEOUTS, f"{said} calls the model without a timeout{reason}{retried}", **where)
    if best is None:
        return ctx.partial(TIMEOUTS, f"{said} has {call.timeout} but is never retried", **where)
    if not best.bounded:
        detail = f"{said} has {call.timeout}, but {best.kind} has no stop condition: retries without a limit can cause a thundering herd"
        return ctx.partial(TIMEOUTS, detail, **where)
    if not best.backoff:
        detail = f"{said} has {call.timeout} and {best.describe()}; add exponential backoff with jitter"
        return ctx.partial(TIMEOUTS, detail, **where)
    verb = call.node.func.attr.upper() if isinstance(call.node.func, ast.Attribute) else call.label.split(".")[-1].upper()
    if best.methods is not None and verb in ("POST", "PATCH") and verb not in best.methods:
        detail = (
            f"{said} has {call.timeout}, but {best.kind} retries {verb} only on connection errors: "
            f"add {verb} to `allowed_methods` to retry timeouts and 5xx answers"
        )
        return ctx.partial(TIMEOUTS, detail, **where)
    return ctx.supports(TIMEOUTS, f"{said} has {call.timeout} and {best.describe()}", **where)


# ======================================================================== item 31: mesh and proxies
def _duration_set(value: Any) -> bool:
    if is_templated(value) and value is not None:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value > 0
    return isinstance(value, str) and value.strip() not in ("", "0", "0s", "0ms")


def _route_label(route: dict[str, Any], hosts: list[str]) -> str:
    name = route.get("name")
    if isinstance(name, str) and name:
        return f"route `{display(name)}`"
    for destination in _mappings(route.get("route")):
        host = _mapping(destination.get("destination")).get("host")
        if isinstance(host, str):
            return f"route to `{display(host)}`"
    return f"route for `{display(hosts[0])}`" if hosts else "route"


def _istio_routes(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[Evidence]:
    spec = _mapping(document.get("spec"))
    hosts = [str(host) for host in spec.get("hosts") or [] if isinstance(host, str)]
    label = f"Istio VirtualService `{_name(document)}`"
    where = {"path": file.path, "line": line}
    for route in _mappings(spec.get("http")):
        said = f"{label} {_route_label(route, hosts)}"
        timeout = route.get("timeout")
        has_timeout = "timeout" in route and _duration_set(timeout)
        retries = route.get("retries")
        attempts = _number(_mapping(retries).get("attempts")) if isinstance(retries, dict) else None
        has_retry = isinstance(retries, dict) and (attempts is None and "attempts" not in retries or (attempts or 0) > 0)
        if "mirror" in route and not has_timeout and "retries" not in route:
            continue
        if has_timeout and has_retry:
            count = f"{_count(attempts)} retries" if attempts else "retries"
            per_try = _mapping(retries).get("perTryTimeout")
            per = f" (perTryTimeout {per_try})" if isinstance(per_try, str) else ""
            shown = timeout if isinstance(timeout, str) and not is_templated(timeout) else "a Helm value"
            detail = f"{said} has timeout {shown} and {count}{per}; Istio backs off with jitter between retries"
            yield ctx.supports(TIMEOUTS, detail, **where)
        elif has_timeout:
            yield ctx.partial(TIMEOUTS, f"{said} has a timeout but no retry policy (`retries` with attempts)", **where)
        elif has_retry:
            yield ctx.partial(TIMEOUTS, f"{said} retries but sets no timeout (Istio sets none by default)", **where)
        elif isinstance(retries, dict):
            yield ctx.partial(TIMEOUTS, f"{said} disables retries (attempts: 0) and sets no timeout", **where)


def _linkerd_profile(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[Evidence]:
    spec = _mapping(document.get("spec"))
    label = f"Linkerd ServiceProfile `{_name(document)}`"
    budget = _mapping(spec.get("retryBudget"))
    ratio = _number(budget.get("retryRatio"))
    bound = f"a retry budget of {_count(ratio * 100)}%" if ratio is not None else "the default 20% retry budget"
    where = {"path": file.path, "line": line}
    for route in _mappings(spec.get("routes")):
        name = route.get("name", "?")
        timeout = _duration_set(route.get("timeout")) if "timeout" in route else False
        retryable = route.get("isRetryable") is True
        said = f"{label} route `{name}`"
        if timeout and retryable:
            yield ctx.supports(TIMEOUTS, f"{said} has timeout {route.get('timeout')} and is retried within {bound}", **where)
        elif timeout:
            yield ctx.partial(TIMEOUTS, f"{said} has a timeout but is not retryable (isRetryable)", **where)
        elif retryable:
            yield ctx.partial(TIMEOUTS, f"{said} is retried but sets no timeout", **where)


def _linkerd_annotations(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Evidence | None:
    annotations = _annotations(document.get("metadata"))
    retry = any(key.startswith("retry.linkerd.io/") and key != "retry.linkerd.io/limit" for key in annotations)
    timeout = any(key.startswith("timeout.linkerd.io/") for key in annotations)
    if not retry and not timeout:
        return None
    label = f"{document.get('kind')} `{_name(document)}`"
    limit = annotations.get("retry.linkerd.io/limit")
    where = {"path": file.path, "line": line}
    if retry and timeout:
        bound = f"up to {limit} retries" if limit is not None else "1 retry (Linkerd's default limit)"
        return ctx.supports(TIMEOUTS, f"{label} has Linkerd timeout and retry annotations ({bound})", **where)
    missing = "no retry.linkerd.io annotations" if timeout else "no timeout.linkerd.io annotation"
    return ctx.partial(TIMEOUTS, f"{label} has Linkerd {'timeout' if timeout else 'retry'} annotations but {missing}", **where)


def _gateway_route(ctx: DetectorContext, file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[Evidence]:
    label = f"{document.get('kind')} `{_name(document)}`"
    where = {"path": file.path, "line": line}
    for position, rule in enumerate(_mappings(_mapping(document.get("spec")).get("rules")), start=1):
        timeouts = _mapping(rule.get("timeouts"))
        timeout = next((str(timeouts[key]) for key in ("request", "backendRequest") if _duration_set(timeouts.get(key))), None)
        retry = _mapping(rule.get("retry"))
        attempts = _number(retry.get("attempts"))
        said = f"{label} rule {position}"
        if timeout and attempts:
            backoff = f", backoff {retry['backoff']}" if "backoff" in retry else ""
            yield ctx.supports(TIMEOUTS, f"{said} has timeout {timeout} and {_count(attempts)} retry attempts{backoff}", **where)
        elif timeout:
            yield ctx.partial(TIMEOUTS, f"{said} has timeout {timeout} but no retry", **where)
        elif attempts:
            yield ctx.partial(TIMEOUTS, f"{said} retries but sets no timeout", **where)


def _envoy_routes(ctx: DetectorContext, file: _YamlFile, document: Any) -> Iterator[Evidence]:
    for node in iter_nodes(document):
        if not isinstance(node, dict) or not isinstance(node.get("retry_policy"), dict):
            continue
        policy = node["retry_policy"]
        retries = _number(policy.get("num_retries", 1)) or 0
        if retries <= 0:
            continue
        timeouts = [node.get("timeout")] + [
            _mapping(route.get("route")).get("timeout") for route in _mappings(node.get("routes"))
        ]
        set_timeouts = [value for value in timeouts if value is not None]
        target = node.get("cluster") or (node.get("name") if isinstance(node.get("name"), str) else None) or "route"
        said = f"Envoy {'route to' if node.get('cluster') else 'virtual host'} `{target}`"
        line = line_of(file.text, r"^\s*retry_policy:")
        where = {"path": file.path, "line": line}
        if set_timeouts and all(_duration_set(value) for value in set_timeouts):
            detail = f"{said} has timeout {set_timeouts[0]} and {_count(retries)} retries (Envoy backs off with jitter)"
            yield ctx.supports(TIMEOUTS, detail, **where)
        elif set_timeouts:
            yield ctx.partial(TIMEOUTS, f"{said} retries but disables its timeout (timeout: 0s)", **where)
        else:
            yield ctx.partial(TIMEOUTS, f"{said} retries but relies on Envoy's default 15 s route timeout", **where)


def _grpc_config_files(ctx: DetectorContext) -> Iterator[Evidence]:
    chosen = [path for path in ctx.index.with_suffix(".json") if _text_hint(ctx, path, re.compile(r"retryPolicy"))]
    for path in ctx.candidates(TIMEOUTS, chosen):
        if not path.endswith(".json"):
            continue
        data = ctx.index.json_data(path)
        if data is None:
            yield ctx.unreadable(TIMEOUTS, path)
            continue
        if not isinstance(data, dict) or not isinstance(data.get("methodConfig"), list):
            continue
        retry, timeout = _grpc_policy(data, 1)
        line = line_of(ctx.index.read_text(path), r'"retryPolicy"')
        if retry is not None and timeout is not None:
            detail = f"gRPC service config has {timeout} and {retry.describe()}"
            yield ctx.supports(TIMEOUTS, detail, path=path, line=line)
        elif retry is not None or timeout is not None:
            missing = "no timeout" if timeout is None else "no retryPolicy with maxAttempts above 1"
            yield ctx.partial(TIMEOUTS, f"gRPC service config has {missing}", path=path, line=line)


_MESH_HINT = re.compile(
    r"VirtualService|ServiceProfile|retry_policy|HTTPRoute|GRPCRoute|retry\.linkerd\.io|timeout\.linkerd\.io"
)


@detector(
    name="mesh-timeouts-retries",
    items=(TIMEOUTS,),
    looks_for=(
        "a route with both a timeout and bounded retries in the service mesh or proxy: Istio VirtualService, Linkerd "
        "ServiceProfile or annotations, Gateway API HTTPRoute, Envoy route, gRPC service config JSON"
    ),
)
def mesh_timeouts_retries(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 31 from service mesh and proxy configuration (see the module docstring)."""
    files, problems = _load_yaml(ctx, TIMEOUTS, _MESH_HINT)
    yield from problems
    for file in files:
        lines = _KindLines(file.text)
        for document in file.documents:
            kind = document.get("kind")
            line = lines.next(kind) if isinstance(kind, str) else None
            if kind == "VirtualService" and _api(document, "networking.istio.io/"):
                yield from _istio_routes(ctx, file, document, line)
            elif kind == "ServiceProfile" and _api(document, "linkerd.io/"):
                yield from _linkerd_profile(ctx, file, document, line)
            elif kind in ("HTTPRoute", "GRPCRoute") and _api(document, "gateway.networking.k8s.io/"):
                annotated = _linkerd_annotations(ctx, file, document, line)
                if annotated is not None:
                    yield annotated
                else:
                    yield from _gateway_route(ctx, file, document, line)
            elif kind == "Service":
                annotated = _linkerd_annotations(ctx, file, document, line)
                if annotated is not None:
                    yield annotated
            elif kind is None and "retry_policy" in file.text:
                yield from _envoy_routes(ctx, file, document)
    yield from _grpc_config_files(ctx)



# ======================================================================== item 32: fallback code
#: Words naming a fallback answer: a rule, a cached or default value, a simpler model.
_FALLBACK_WORDS = re.compile(
    r"fall[_\s-]?back|rules?\b|rules?_|heuristic|baseline|cache|default|backup|secondary|last_known|previous|degrad|stale",
    re.IGNORECASE,
)
#: Calls that run a model.
_MODEL_METHODS = frozenset(
    {
        "predict", "predict_proba", "predict_one", "predict_batch", "infer", "inference", "score", "score_one",
        "classify", "generate", "run_inference", "invoke_endpoint", "invoke_endpoint_async", "invoke_model",
    }
)
_BREAKERS = {
    "pybreaker.CircuitBreaker": "pybreaker",
    "aiobreaker.CircuitBreaker": "aiobreaker",
    "circuitbreaker.CircuitBreaker": "circuitbreaker",
    "purgatory.CircuitBreakerFactory": "purgatory",
    "purgatory.AsyncCircuitBreakerFactory": "purgatory",
    "purgatory.SyncCircuitBreakerFactory": "purgatory",
}
_BREAKER_ERRORS = re.compile(r"CircuitBreaker(?:Error|Open\w*)|OpenedState|CircuitOpen\w*|BrokenCircuit\w*")
_ERROR_RESPONSE = re.compile(r"HTTPException|abort|Error|Exception")


@dataclass(frozen=True)
class _Finding:
    """A fallback, a breaker, or a problem with one, found in code or config."""

    kind: str  # "fallback", "breaker", "unapplied"
    path: str
    line: int
    text: str


@dataclass
class _Breaker:
    """A circuit breaker object and where it is applied."""

    key: str
    library: str
    line: int
    applied: list[int] = field(default_factory=list)
    protected: set[str] = field(default_factory=set)


def _exception_names(handler: ast.ExceptHandler) -> list[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type] if handler.type is not None else []
    return [dotted_name(kind) or "?" for kind in kinds]


def _handler_answers(handler: ast.ExceptHandler) -> list[ast.AST]:
    """What an except block answers with (returned or assigned values), empty when it re-raises
    or answers with an error."""
    if handler.body and isinstance(handler.body[-1], ast.Raise):
        return []
    answers: list[ast.AST] = []
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Return) and node.value is not None:
            answers.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            answers.append(node.value)
    return [answer for answer in answers if not _is_error_answer(answer)]


def _is_error_answer(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = (dotted_name(child.func) or "").split(".")[-1]
            status = _constant(_keyword(child, "status_code", "status"))
            if isinstance(status, int) and status >= 400:
                return True
            if _ERROR_RESPONSE.search(name) and not _FALLBACK_WORDS.search(name):
                return True
    return False


def _fallback_source(answers: list[ast.AST], model_receivers: set[str]) -> str | None:
    """The name of the fallback an except block answers from, if it is one."""
    for answer in answers:
        for child in ast.walk(answer):
            if isinstance(child, ast.Call):
                name = dotted_name(child.func) or ""
                last = name.split(".")[-1]
                receiver = name.rsplit(".", 1)[0] if "." in name else ""
                if _FALLBACK_WORDS.search(name):
                    return name
                if last in _MODEL_METHODS and receiver and receiver not in model_receivers:
                    return name
            elif isinstance(child, (ast.Name, ast.Attribute)):
                name = dotted_name(child) or ""
                if _FALLBACK_WORDS.search(name):
                    return name
            elif isinstance(child, ast.Constant) and isinstance(child.value, str) and _FALLBACK_WORDS.search(child.value):
                if len(child.value) <= 40:
                    return f'"{child.value}"'
    return None


#: A function name that says it runs the model (``predict_fraud``, ``call_model``, ``get_scores``);
#: a bare "model" (``load_model``, ``model_name``) is not enough.
_MODEL_CALL_NAME = re.compile(
    r"predict|infer(?:ence)?\b|infer_|scor(?:e|es|ing)\b|score_|classif|recommend|(?:call|query|invoke|run|ask)_(?:the_)?model",
    re.IGNORECASE,
)


def _model_calls_in(nodes: list[ast.stmt], protected: set[str]) -> list[ast.Call]:
    """Calls that run the model: a model method (``predict``...), a breaker-protected function, a
    name about the model, an HTTP call whose URL is about the model, or a gRPC stub method."""
    found: list[ast.Call] = []
    for node in ast.walk(ast.Module(body=nodes, type_ignores=[])):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func) or ""
        last = name.split(".")[-1]
        url = node.args[0] if node.args else _keyword(node, "url")
        if last in _MODEL_METHODS or last in protected or _MODEL_CALL_NAME.search(last):
            found.append(node)
        elif last in _HTTP_VERBS and url is not None and _MODEL_CONTEXT.search(_short(ast.unparse(url))):
            found.append(node)
        elif last[:1].isupper() and "stub" in name.lower():
            found.append(node)
    return found


def _breakers(module: _Module) -> dict[str, _Breaker]:
    """Breaker objects created in the module, with where they are applied."""
    breakers: dict[str, _Breaker] = {}
    if not any(library in module.text for library in ("pybreaker", "aiobreaker", "circuitbreaker", "purgatory")):
        return breakers
    for key, values in module.assigned.items():
        for value in values:
            if isinstance(value, ast.Call) and (module.resolve(value) or "") in _BREAKERS:
                breakers[key] = _Breaker(key, _BREAKERS[module.resolve(value) or ""], value.lineno)
    if not breakers:
        return breakers
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                key = (dotted_name(target) or "").split(".")[-1]
                if key in breakers:
                    breakers[key].applied.append(decorator.lineno)
                    breakers[key].protected.add(node.name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            key = (dotted_name(node.func.value) or "").split(".")[-1]
            if key in breakers and node.func.attr in ("call", "call_async", "calling", "get_breaker"):
                breakers[key].applied.append(node.lineno)
                if node.func.attr in ("call", "call_async") and node.args:
                    breakers[key].protected.add((dotted_name(node.args[0]) or "").split(".")[-1])
    return breakers


def _circuit_decorators(module: _Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.expr, str | None]]:
    """Functions decorated with ``circuitbreaker.circuit``, and the fallback they name."""
    if "circuitbreaker" not in module.text:
        return
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if (module.resolve(decorator) or "") in ("circuitbreaker.circuit", "circuitbreaker.CircuitBreaker"):
                fallback = _keyword(decorator, "fallback_function") if isinstance(decorator, ast.Call) else None
                yield node, decorator, dotted_name(fallback) if fallback is not None else None


def _code_fallbacks(module: _Module) -> Iterator[_Finding]:
    """Breakers, breaker fallbacks and except-block fallbacks of one module."""
    breakers = _breakers(module)
    protected = {name for breaker in breakers.values() for name in breaker.protected}
    with_fallback: set[str] = set()
    for function, decorator, fallback in _circuit_decorators(module):
        protected.add(function.name)
        if fallback:
            yield _Finding("fallback", module.path, decorator.lineno, f"`@circuit` on `{function.name}` falls back to `{fallback}`")
        else:
            yield _Finding("breaker", module.path, decorator.lineno, f"`@circuit` on `{function.name}` has no fallback_function")
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "with_fallbacks" and node.args:
            yield _Finding("fallback", module.path, node.lineno, f"`{dotted_name(node.func) or 'with_fallbacks'}` in {module.where(node)} chains fallbacks")
        if not isinstance(node, ast.Try):
            continue
        calls = _model_calls_in(node.body, protected)
        for handler in node.handlers:
            names = _exception_names(handler)
            breaker_error = any(_BREAKER_ERRORS.search(name) for name in names)
            if not calls and not breaker_error:
                continue
            answers = _handler_answers(handler)
            receivers = {(dotted_name(call.func) or "").rsplit(".", 1)[0] for call in calls}
            source = _fallback_source(answers, receivers)
            if source is None:
                continue
            failing = f"`{dotted_name(calls[0].func)}`" if calls else "the breaker"
            caught = f"`except {', '.join(names)}`" if names else "a bare `except`"
            text = f"{caught} in {module.where(handler)} answers from `{source.strip('`')}` when {failing} fails"
            for breaker in breakers.values():
                if breaker_error or any((dotted_name(call.func) or "").split(".")[-1] in breaker.protected for call in calls) or any(
                    breaker.key in (dotted_name(call.func) or "") for call in calls
                ):
                    with_fallback.add(breaker.key)
            yield _Finding("fallback", module.path, handler.lineno, text)
    for breaker in breakers.values():
        label = f"{breaker.library} breaker `{breaker.key}`"
        if not breaker.applied:
            yield _Finding("unapplied", module.path, breaker.line, f"{label} is defined but wraps no call")
        elif breaker.key not in with_fallback:
            yield _Finding("breaker", module.path, breaker.line, f"{label} has no fallback: an open breaker raises to the caller")


def _mesh_fallbacks(ctx: DetectorContext) -> tuple[list[_Finding], list[Evidence]]:
    """Istio ``outlierDetection`` (a breaker) and a failover or fallback route."""
    files, problems = _load_yaml(ctx, FALLBACK, re.compile(r"outlierDetection"))
    findings: list[_Finding] = []
    routes: list[tuple[str, str]] = []
    rules: list[tuple[str, int | None, str, bool]] = []
    for file in files:
        lines = _KindLines(file.text)
        for document in file.documents:
            kind = document.get("kind")
            line = lines.next(kind) if isinstance(kind, str) else None
            if not _api(document, "networking.istio.io/"):
                continue
            spec = _mapping(document.get("spec"))
            if kind == "DestinationRule":
                policies = [_mapping(spec.get("trafficPolicy"))] + [
                    _mapping(subset.get("trafficPolicy")) for subset in _mappings(spec.get("subsets"))
                ]
                if any(_mapping(policy.get("outlierDetection")) for policy in policies):
                    failover = any(
                        _mapping(_mapping(policy.get("loadBalancer")).get("localityLbSetting")).get("failover")
                        or _mapping(policy.get("loadBalancer")).get("failoverPriority")
                        for policy in policies
                    )
                    rules.append((file.path, line, f"Istio DestinationRule `{_name(document)}`", bool(failover)))
            elif kind == "VirtualService":
                for route in _mappings(spec.get("http")):
                    for destination in _mappings(route.get("route")):
                        target = _mapping(destination.get("destination"))
                        text = f"{target.get('host', '')} {target.get('subset', '')}"
                        if _FALLBACK_WORDS.search(text):
                            routes.append((file.path, text.strip()))
    for path, line, label, failover in rules:
        if failover:
            findings.append(_Finding("fallback", path, line or 1, f"{label} ejects failing endpoints (outlierDetection) and fails over to another locality"))
        elif routes:
            findings.append(_Finding("fallback", path, line or 1, f"{label} ejects failing endpoints (outlierDetection); fallback route to `{routes[0][1]}` ({routes[0][0]})"))
        else:
            findings.append(_Finding("breaker", path, line or 1, f"{label} has outlierDetection but no fallback route or failover"))
    return findings, problems


# ======================================================================== item 32: tests
_EXCEPTION_NAME = re.compile(r"(?:Error|Exception|Timeout|Unavailable|Failure|Fault|Refused|Exhausted)$")
#: Text that a test injecting a model failure contains (only selects the test modules to read).
_INJECTION_HINT = re.compile(
    r"side_effect|monkeypatch|patch|Timeout|ConnectionError|Unavailable|breaker|fall[_\s-]?back|Failing|Broken|"
    r"status(?:_code)?\s*=\s*5\d\d|add_exception|Response\(\s*5\d\d",
    re.IGNORECASE,
)
_ERROR_ASSERT = re.compile(r"status(?:_code)?\s*==\s*[45]\d\d|[45]\d\d\s*==\s*\S*status|\berror\b|\braises\b", re.IGNORECASE)


def _exception_like(node: ast.AST | None) -> str | None:
    """The exception an expression stands for (``TimeoutError``, ``requests.Timeout(...)``)."""
    if node is None:
        return None
    if isinstance(node, (ast.List, ast.Tuple)):
        return next((found for found in map(_exception_like, node.elts) if found), None)
    target = node.func if isinstance(node, ast.Call) else node
    name = dotted_name(target) or ""
    return name if name and _EXCEPTION_NAME.search(name.split(".")[-1]) else None


def _raises(function: ast.AST) -> bool:
    """True when a function (or a class's methods) raises or sleeps (a failing or slow stand-in)."""
    for child in ast.walk(function):
        if isinstance(child, ast.Raise) and child.exc is not None:
            return True
        if isinstance(child, ast.Call) and (dotted_name(child.func) or "").split(".")[-1] == "sleep":
            return True
    return False


class _TestScopes:
    """Function and class definitions a test can use: its module's and its conftests'."""

    def __init__(self, ctx: DetectorContext) -> None:
        self._ctx = ctx
        self._cache: dict[str, dict[str, ast.AST]] = {}

    def definitions(self, path: str) -> dict[str, ast.AST]:
        """Top-level functions and classes of the test module and the conftest files above it."""
        if path not in self._cache:
            found: dict[str, ast.AST] = {}
            parts = path.split("/")[:-1]
            sources = [path] + ["/".join([*parts[:depth], "conftest.py"]) for depth in range(len(parts), -1, -1)]
            for source in sources:
                tree = self._ctx.index.python_ast(source) if source in self._ctx.index else None
                for node in tree.body if tree is not None else []:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        found.setdefault(node.name, node)
            self._cache[path] = found
        return self._cache[path]

    def scopes(self, path: str, test: ast.AST) -> list[ast.AST]:
        """The test, the fixtures it requests (and theirs), and the module helpers it calls."""
        definitions = self.definitions(path)
        scopes: list[ast.AST] = [test]
        pending = [test]
        seen = {id(test)}
        while pending and len(scopes) < 20:
            current = pending.pop()
            names: set[str] = set()
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.update(arg.arg for arg in current.args.args)
            names.update(child.id for child in ast.walk(current) if isinstance(child, ast.Name))
            for name in sorted(names):
                node = definitions.get(name)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) not in seen:
                    seen.add(id(node))
                    scopes.append(node)
                    pending.append(node)
        return scopes


def _injection(scopes: list[ast.AST], definitions: dict[str, ast.AST]) -> str | None:
    """How a test makes the model fail, if it does."""
    for scope in scopes:
        local = {node.name: node for node in ast.walk(scope) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Attribute) and target.attr == "side_effect" for target in node.targets
            ):
                exception = _exception_like(node.value)
                if exception:
                    return f"makes a mock raise `{exception}`"
            if not isinstance(node, ast.Call):
                continue
            found = _call_injection(node, local, definitions)
            if found:
                return found
    return None


def _call_injection(node: ast.Call, local: Mapping[str, ast.AST], definitions: Mapping[str, ast.AST]) -> str | None:
    name = dotted_name(node.func) or ""
    last = name.split(".")[-1]
    for key in ("side_effect", "exc", "exception", "body"):
        exception = _exception_like(_keyword(node, key))
        if exception:
            target = _constant(node.args[0]) if node.args else ...
            on = f" `{target}`" if isinstance(target, str) and len(target) <= 60 and key == "side_effect" else ""
            return f"makes{on or ' the model call'} raise `{exception}`"
    status = _constant(_keyword(node, "status", "status_code"))
    if last == "Response" and node.args:
        status = _constant(node.args[0])
    if isinstance(status, int) and not isinstance(status, bool) and 500 <= status <= 599:
        return f"mocks the model endpoint answering HTTP {status}"
    if last == "add_exception":
        return "mocks the model endpoint raising"
    if last in ("open", "force_open") and "breaker" in name.lower():
        return "opens the circuit breaker"
    if last in ("setattr", "patch", "object", "setitem") or name.endswith(("patch.object", "patch")):
        for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
            stand_in = dotted_name(argument.func if isinstance(argument, ast.Call) else argument) or ""
            definition = local.get(stand_in) or definitions.get(stand_in)
            if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _raises(definition):
                return f"replaces the model with `{stand_in}`, which raises"
            if isinstance(argument, ast.Lambda) and any(
                isinstance(child, ast.Call) and re.search(r"raise|throw|fail", dotted_name(child.func) or "", re.I)
                for child in ast.walk(argument)
            ):
                return "replaces the model with a lambda that raises"
    definition = definitions.get(last) or local.get(last)
    if isinstance(definition, ast.ClassDef) and not any(
        _EXCEPTION_NAME.search(dotted_name(base) or "") for base in definition.bases
    ) and _raises(definition) and re.search(r"fail|broken|down|slow|timeout|flaky|error|raising", last, re.I):
        return f"uses `{last}`, which raises"
    return None


@dataclass(frozen=True)
class _FallbackTest:
    """A test that makes the model fail and asserts the fallback answers."""

    nodeid: str
    path: str
    line: int
    name: str
    injection: str
    modules: frozenset[str]


def _fallback_tests(ctx: DetectorContext, fallback_modules: set[str]) -> tuple[list[_FallbackTest], list[Evidence]]:
    """Tests that inject a model failure, run the repository's code and assert a (fallback) answer;
    and the test modules about fallbacks that do not parse."""
    suite = repository_tests(ctx.index)
    scopes = _TestScopes(ctx)
    found: list[_FallbackTest] = []
    problems: list[Evidence] = []
    for path in ctx.candidates(FALLBACK, suite.candidates(_INJECTION_HINT)):
        module = suite.module(path) if path.endswith(".py") else None
        if module is None:
            if path.endswith(".py") and _text_hint(ctx, path, re.compile(r"(?i)fall[_\s-]?back|breaker")):
                problems.append(ctx.unreadable(FALLBACK, path))
            continue
        for function in module.functions:
            test = _fallback_test(suite, scopes, function, fallback_modules)
            if test is not None:
                found.append(test)
    return found, problems


def _fallback_test(suite: TestSuite, scopes: _TestScopes, function: TestFunction, fallback_modules: set[str]) -> _FallbackTest | None:
    """The test as a fallback test, when it makes the model fail and asserts an answer."""
    if function.skipped:
        return None
    exercised = [call for call in function.calls if call.exercises_repo]
    if not exercised:
        return None
    answers = [
        assertion for assertion in function.assertions
        if assertion.kind in ("assert", "check") and not _ERROR_ASSERT.search(ast.unparse(assertion.node))
    ]
    if not answers:
        return None
    modules = frozenset(
        module for call in exercised
        for module in [suite.repo_module_of(call.target or (call.http.app if call.http else None))] if module
    )
    worded = any(_FALLBACK_WORDS.search(ast.unparse(assertion.node)) for assertion in answers)
    named = _FALLBACK_WORDS.search(f"{function.name} {function.docstring}") is not None
    reaches = any(_related(module, fallback) for module in modules for fallback in fallback_modules)
    if not (worded or named or reaches):
        return None
    injection = _injection(scopes.scopes(function.path, function.node), scopes.definitions(function.path))
    if injection is None:
        return None
    return _FallbackTest(function.nodeid, function.path, function.line, function.name, injection, modules)


def _related(first: str, second: str) -> bool:
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


#: Modules worth parsing for item 32: they name a fallback or a breaker, or they have an ``except``,
#: a model call and a fallback word (one anchored pass over the text; decisions come from the ast).
_FALLBACK_HINT = re.compile(
    r"(?is)\A(?:(?=.*?(?:fall[_\s-]?back|breaker|circuit))|"
    r"(?=.*?\bexcept\b)(?=.*?(?:predict|infer|scor|classif|recommend|rank|invoke_|model|stub))"
    r"(?=.*?(?:rules?\b|rules?_|heuristic|baseline|cache|default|backup|secondary|last_known|previous|degrad|stale)))"
)


@detector(
    name="circuit-breaker-fallback",
    items=(FALLBACK,),
    looks_for=(
        "a circuit breaker (pybreaker, aiobreaker, purgatory, circuitbreaker, Istio outlierDetection) or an except "
        "block around the model call that answers from a fallback (rule, cache, default, simpler model), and a test "
        "that makes the model fail or time out and asserts the fallback answers"
    ),
)
def circuit_breaker_fallback(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 32 (see the module docstring)."""
    modules, problems = _modules(ctx, FALLBACK, _FALLBACK_HINT, re.compile(r"(?i)fall[_\s-]?back|breaker|circuit"))
    yield from problems
    findings = [finding for module in modules for finding in _code_fallbacks(module)]
    mesh, mesh_problems = _mesh_fallbacks(ctx)
    yield from mesh_problems
    findings.extend(mesh)
    answering = [finding for finding in findings if finding.kind in ("fallback", "breaker")]
    fallback_modules = {module_name(finding.path) for finding in answering if finding.path.endswith(".py")}
    tests, test_problems = _fallback_tests(ctx, fallback_modules)
    yield from test_problems
    for test in tests:
        where = {"path": test.path, "line": test.line, "nodeid": test.nodeid}
        said = f"test `{test.name}` {test.injection} and asserts the fallback answer"
        if not answering:
            yield ctx.partial(FALLBACK, f"{said}, but no breaker or fallback path was found in the serving code", **where)
            continue
        chosen = next(
            (finding for finding in answering if finding.kind == "fallback" and any(_related(module_name(finding.path), module) for module in test.modules)),
            next((finding for finding in answering if finding.kind == "fallback"), answering[0]),
        )
        yield ctx.supports(FALLBACK, f"{said} ({chosen.path}:{chosen.line})", **where)
    for finding in findings:
        where = {"path": finding.path, "line": finding.line}
        if finding.kind == "fallback" and not tests:
            yield ctx.partial(FALLBACK, f"{finding.text}; it is never exercised by a test", **where)
        elif finding.kind in ("breaker", "unapplied"):
            yield ctx.partial(FALLBACK, finding.text, **where)


# ======================================================================== item 33: mirroring
@dataclass(frozen=True)
class _Mirror:
    """Traffic copied to a shadow model."""

    path: str
    line: int | None
    text: str
    off: bool = False


def _percent(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    return _number(value)


def _istio_mirrors(file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[_Mirror]:
    label = f"Istio VirtualService `{_name(document)}`"
    for route in _mappings(_mapping(document.get("spec")).get("http")):
        targets: list[tuple[str, float | None]] = []
        mirror = _mapping(route.get("mirror"))
        if mirror.get("host"):
            share = _percent(route.get("mirrorPercentage"))
            if share is None:
                share = _number(route.get("mirrorPercent", route.get("mirror_percent")))
            targets.append((str(mirror["host"]), share))
        for entry in _mappings(route.get("mirrors")):
            host = _mapping(entry.get("destination")).get("host")
            if host:
                targets.append((str(host), _percent(entry.get("percentage"))))
        for host, share in targets:
            shown = display(host)
            if share is not None and share <= 0:
                yield _Mirror(file.path, line, f"{label} mirrors 0% of traffic to `{shown}`", off=True)
            else:
                amount = f"{_count(share)}%" if share is not None else "all"
                yield _Mirror(file.path, line, f"{label} mirrors {amount} of traffic to `{shown}`")


def _yaml_mirrors(file: _YamlFile, document: dict[str, Any], line: int | None) -> Iterator[_Mirror]:
    kind = document.get("kind")
    spec = _mapping(document.get("spec"))
    name = _name(document)
    if kind == "VirtualService" and _api(document, "networking.istio.io/"):
        yield from _istio_mirrors(file, document, line)
    elif kind == "SeldonDeployment":
        for predictor in _mappings(spec.get("predictors")):
            if predictor.get("shadow") is True:
                yield _Mirror(file.path, line, f"SeldonDeployment `{name}` runs predictor `{predictor.get('name', '?')}` as a shadow")
    elif kind in ("Service", "Route") and _api(document, "serving.knative.dev/") or kind == "InferenceService":
        for entry in _mappings(spec.get("traffic")):
            tag = entry.get("tag")
            if isinstance(tag, str) and "shadow" in tag.lower():
                yield _Mirror(file.path, line, f"{kind} `{name}` exposes revision tag `{tag}` for shadow traffic")
    elif kind == "Rollout" and _api(document, "argoproj.io/"):
        steps = _mappings(_mapping(_mapping(spec.get("strategy")).get("canary")).get("steps"))
        for step in steps:
            route = _mapping(step.get("setMirrorRoute"))
            share = _number(route.get("percentage"))
            if route.get("match"):
                amount = f"{_count(share)}%" if share is not None else "all"
                yield _Mirror(file.path, line, f"Argo Rollout `{name}` mirrors {amount} of matched traffic (setMirrorRoute `{route.get('name', '?')}`)", off=share == 0)
    elif kind == "HTTPRoute" and _api(document, "gateway.networking.k8s.io/"):
        for rule in _mappings(spec.get("rules")):
            for entry in _mappings(rule.get("filters")):
                backend = _mapping(_mapping(entry.get("requestMirror")).get("backendRef")).get("name")
                if entry.get("type") == "RequestMirror" and backend:
                    yield _Mirror(file.path, line, f"HTTPRoute `{name}` mirrors requests to `{display(str(backend))}`")
    elif kind is None:
        for node in iter_nodes(document):
            if not isinstance(node, dict):
                continue
            policies = _mappings(node.get("request_mirror_policies")) + _mappings([node.get("request_mirror_policy")])
            for policy in policies:
                if policy.get("cluster"):
                    mirror_line = line_of(file.text, r"request_mirror_polic")
                    yield _Mirror(file.path, mirror_line, f"Envoy route mirrors requests to cluster `{policy['cluster']}`")


def _terraform_mirrors(ctx: DetectorContext) -> tuple[list[_Mirror], list[Evidence]]:
    folders, problems = _tf_folders(
        ctx, SHADOW, frozenset({"aws_sagemaker_endpoint_configuration"}), re.compile(r"shadow_production_variants")
    )
    mirrors: list[_Mirror] = []
    for folder in folders.values():
        for path, block in folder.blocks:
            try:
                variants = nested_blocks(block, "shadow_production_variants")
            except HclError:
                continue
            for variant in variants:
                named = attribute(variant, "variant_name")
                shown = string_value(named[0]) if named else None
                text = f"{_tf_label(block)} sends a copy of traffic to shadow variant `{shown or '?'}`"
                mirrors.append(_Mirror(path, variant.line, text))
    return mirrors, problems


def _code_shadows(module: _Module) -> Iterator[_Mirror]:
    """Functions named ``*shadow*`` that run a model and that the serving code calls or schedules."""
    functions = [
        node for node in ast.walk(module.tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "shadow" in node.name.lower()
    ]
    for function in functions:
        if not _model_calls_in(function.body, set()):
            continue
        inside = {id(child) for child in ast.walk(function)}
        users = [
            node for node in ast.walk(module.tree)
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load) and id(node) not in inside
            and (dotted_name(node) or "").split(".")[-1] == function.name
        ]
        if users:
            text = f"serving code sends requests to the shadow model (`{function.name}`, used in {module.where(users[0])})"
            yield _Mirror(module.path, function.lineno, text)


# ======================================================================== item 33: comparisons
@dataclass(frozen=True)
class _Comparison:
    """A recorded comparison of shadow and production predictions."""

    path: str
    line: int | None
    text: str
    dated: bool
    job: bool = False


_SHADOW_WORDS = re.compile(r"shadow|mirror(?:ed|ing|s)?\b|dark[\s-]launch", re.IGNORECASE)
_PRODUCTION_WORDS = re.compile(r"production|\bprod\b|champion|incumbent|\blive\b|current model|primary|control|baseline", re.IGNORECASE)
_COMPARISON_HEADING = re.compile(r"shadow|mirror|compar|agreement|versus|\bvs\.?\b|results?|findings|metrics|summary|analysis|outcome", re.IGNORECASE)
_COMPARISON_WORDS = re.compile(
    r"agree|disagree|differ|diff\b|delta|match|compar|correlat|\bmae\b|\brmse\b|\bauc\b|precision|recall|accuracy|"
    r"\bf1\b|\bpsi\b|\bks\b|divergence|latency|p99|p95|error rate|uplift|lift\b",
    re.IGNORECASE,
)
_PLAN_WORDS = re.compile(r"\b(?:must|should|will|would|plan(?:ned)?|target)\b", re.IGNORECASE)
_FIGURE = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)?\s*(?:%|ms\b|s\b|pp\b)|(?<![\w.-])\d*\.\d+(?![\w.-])")
_ISO = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
_MONTH_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:\s*[-–]\s*\d{1,2})?,?\s+)?(20\d\d)\b",
    re.IGNORECASE,
)
_SKIPPED_MARKDOWN = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing)\.(?:md|markdown)$",
    re.IGNORECASE,
)


def _valid_dates(text: str, today: dt.date) -> list[str]:
    found: list[str] = []
    for match in _ISO.finditer(text):
        try:
            value = dt.date.fromisoformat(match.group(0))
        except ValueError:
            continue
        if value <= today:
            found.append(match.group(0))
    for match in _MONTH_DATE.finditer(text):
        if int(match.group(1)) <= today.year:
            found.append(" ".join(match.group(0).split()))
    return found


def _figures(text: str) -> list[str]:
    """Numbers that are measurements, with dates taken out."""
    cleaned = _MONTH_DATE.sub(" ", _ISO.sub(" ", text))
    return [match.group(0) for match in _FIGURE.finditer(cleaned)]


def _without_code(text: str) -> str:
    """Prose without its inline code spans: a value in backticks is an example, not a measurement."""
    return re.sub(r"(`+).*?\1", " ", text)


def _markdown_comparison(ctx: DetectorContext, path: str) -> _Comparison | None:
    document = ctx.index.markdown(path)
    if document is None:
        return None
    titles = " ".join(_without_code(section.title) for section in document.sections)
    prose = " ".join(_without_code(text) for _, text in document.text_lines())
    if not _SHADOW_WORDS.search(f"{titles} {prose}") or not _PRODUCTION_WORDS.search(f"{titles} {prose}"):
        return None
    by_line: dict[int, list[str]] = {}
    first_line: int | None = None
    seen: set[int] = set()
    for section in document.sections:
        if id(section) in seen or not _COMPARISON_HEADING.search(_without_code(section.title)):
            continue
        for sub in document.subtree(section):
            seen.add(id(sub))
            for line, text in sub.text_lines():
                by_line.setdefault(line, []).append(_without_code(text))
        first_line = first_line or section.line
    figures = [
        line for line, parts in sorted(by_line.items())
        for text in [" | ".join(parts)]
        if _COMPARISON_WORDS.search(text) and not _PLAN_WORDS.search(text) and _figures(text)
    ]
    if not figures:
        return None
    dates = _valid_dates(f"{titles} {prose}", ctx.today)
    count = len(figures)
    noun = "figure" if count == 1 else "figures"
    if dates:
        return _Comparison(path, first_line, f"{path} ({count} compared {noun}, dated {dates[0]})", True)
    return _Comparison(path, first_line, f"{path} ({count} compared {noun})", False)


def _json_tokens(key: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return {token for token in re.split(r"[^a-z0-9]+", spaced.lower()) if token}


_METRIC_TOKENS = frozenset(
    {
        "agreement", "agree", "disagreement", "diff", "difference", "delta", "mae", "rmse", "mse", "corr",
        "correlation", "mismatch", "mismatches", "psi", "ks", "kl", "divergence", "auc", "accuracy", "precision",
        "recall", "f1", "jaccard", "overlap",
    }
)


def _json_comparison(ctx: DetectorContext, path: str, data: Any) -> _Comparison | None:
    shadow = False
    metrics: list[str] = []
    dates: list[str] = []
    for node in iter_nodes(data):
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            key_text = str(key)
            if "shadow" in key_text.lower() or (isinstance(value, str) and "shadow" in value.lower()):
                shadow = True
            if isinstance(value, (int, float)) and not isinstance(value, bool) and _json_tokens(key_text) & _METRIC_TOKENS:
                metrics.append(key_text)
            if isinstance(value, str):
                dates.extend(_valid_dates(value[:32], ctx.today))
    if not shadow or not metrics:
        return None
    shown = ", ".join(sorted(set(metrics))[:3])
    if dates:
        return _Comparison(path, None, f"{path} (shadow metrics {shown}, dated {dates[0]})", True)
    return _Comparison(path, None, f"{path} (shadow metrics {shown})", False)


_PRODUCTION_NAME = re.compile(r"prod|champion|primary|live|control|baseline|incumbent|current", re.IGNORECASE)
_COMPARE_CALLS = frozenset(
    {
        "mean_absolute_error", "mean_squared_error", "accuracy_score", "cohen_kappa_score", "f1_score", "roc_auc_score",
        "ks_2samp", "wasserstein_distance", "pearsonr", "spearmanr", "corrcoef", "corr", "corrwith", "allclose",
        "isclose", "compare", "agreement", "jensenshannon", "entropy",
    }
)


def _mentions_word(node: ast.AST, pattern: re.Pattern[str]) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and pattern.search(child.id):
            return True
        if isinstance(child, ast.Attribute) and pattern.search(child.attr):
            return True
        if isinstance(child, ast.Constant) and isinstance(child.value, str) and len(child.value) <= 60 and pattern.search(child.value):
            return True
    return False


def _compares(node: ast.AST) -> bool:
    """True when ``node`` sets shadow predictions against production ones."""
    shadow = re.compile("shadow", re.IGNORECASE)
    if isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        sides = (node.left, node.comparators[0])
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        sides = (node.left, node.right)
    elif isinstance(node, ast.Call) and (dotted_name(node.func) or "").split(".")[-1] in _COMPARE_CALLS:
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        sides_list: list[ast.AST] = [*node.args, *(keyword.value for keyword in node.keywords)]
        if receiver is not None:
            sides_list.insert(0, receiver)
        if len(sides_list) < 2:
            return False
        return any(_mentions_word(side, shadow) for side in sides_list) and any(
            _mentions_word(side, _PRODUCTION_NAME) and not _mentions_word(side, shadow) for side in sides_list
        )
    else:
        return False
    first, second = sides
    return (_mentions_word(first, shadow) and _mentions_word(second, _PRODUCTION_NAME) and not _mentions_word(second, shadow)) or (
        _mentions_word(second, shadow) and _mentions_word(first, _PRODUCTION_NAME) and not _mentions_word(first, shadow)
    )


def _code_comparisons(module: _Module) -> Iterator[_Comparison]:
    for function in ast.walk(module.tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if _compares(node):
                text = f"`{function.name}` ({module.path}:{function.lineno})"
                yield _Comparison(module.path, function.lineno, text, True, job=True)
                break


def _comparisons(ctx: DetectorContext, modules: list[_Module]) -> tuple[list[_Comparison], list[Evidence]]:
    found: list[_Comparison] = []
    problems: list[Evidence] = []
    markdown = [
        path for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_MARKDOWN.match(posixpath.basename(path)) and _text_hint(ctx, path, _SHADOW_WORDS)
    ]
    for path in ctx.candidates(SHADOW, markdown):
        if path.lower().endswith((".md", ".markdown")):
            comparison = _markdown_comparison(ctx, path)
            if comparison is not None:
                found.append(comparison)
    reports = [path for path in ctx.index.with_suffix(".json") if _text_hint(ctx, path, re.compile("shadow", re.IGNORECASE))]
    for path in ctx.candidates(SHADOW, reports):
        if not path.lower().endswith(".json"):
            continue
        data = ctx.index.json_data(path)
        if data is None:
            problems.append(ctx.unreadable(SHADOW, path))
            continue
        comparison = _json_comparison(ctx, path, data)
        if comparison is not None:
            found.append(comparison)
    for module in modules:
        found.extend(_code_comparisons(module))
    return found, problems


_SHADOW_HINT = re.compile(r"(?i)mirror|shadow|request_mirror")


@detector(
    name="shadow-traffic",
    items=(SHADOW,),
    looks_for=(
        "traffic mirrored to the candidate model (Istio mirror, Seldon shadow predictor, Argo Rollouts setMirrorRoute, "
        "Gateway API RequestMirror, Envoy request mirroring, SageMaker shadow variants, serving code calling a shadow "
        "model) and a dated comparison of shadow and production predictions (a report, metrics JSON or comparison job)"
    ),
)
def shadow_traffic(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 33 (see the module docstring)."""
    files, problems = _load_yaml(ctx, SHADOW, _SHADOW_HINT)
    yield from problems
    mirrors: list[_Mirror] = []
    for file in files:
        lines = _KindLines(file.text)
        for document in file.documents:
            kind = document.get("kind")
            line = lines.next(kind) if isinstance(kind, str) else None
            mirrors.extend(_yaml_mirrors(file, document, line))
    terraform, tf_problems = _terraform_mirrors(ctx)
    yield from tf_problems
    mirrors.extend(terraform)
    modules, module_problems = _modules(ctx, SHADOW, re.compile(r"(?i)shadow"), re.compile(r"(?i)shadow"))
    yield from module_problems
    for module in modules:
        mirrors.extend(_code_shadows(module))
    comparisons, comparison_problems = _comparisons(ctx, modules)
    yield from comparison_problems
    dated = [comparison for comparison in comparisons if comparison.dated]
    undated = [comparison for comparison in comparisons if not comparison.dated]
    active = [mirror for mirror in mirrors if not mirror.off]
    for mirror in mirrors:
        where = {"path": mirror.path, "line": mirror.line}
        if mirror.off:
            yield ctx.partial(SHADOW, f"{mirror.text}: nothing reaches the shadow", **where)
        elif dated:
            yield ctx.supports(SHADOW, f"{mirror.text}; compared with production in {dated[0].text}", **where)
        elif undated:
            detail = f"{mirror.text}; the comparison {undated[0].text} has no date or period"
            yield ctx.partial(SHADOW, detail, **where)
        else:
            detail = f"{mirror.text}, but no comparison with production predictions is recorded"
            yield ctx.partial(SHADOW, detail, **where)
    if not active:
        for comparison in comparisons:
            what = "comparison job" if comparison.job else "shadow comparison report"
            detail = (
                f"{what} {comparison.text}, but no mirroring was found (Istio mirror, Seldon shadow, "
                "SageMaker shadow variant, or serving code calling a shadow model)"
            )
            yield ctx.partial(SHADOW, detail, path=comparison.path, line=comparison.line)


DETECTORS: tuple[Detector, ...] = (
    kubernetes_autoscaling,
    cloud_autoscaling,
    client_timeouts_retries,
    mesh_timeouts_retries,
    circuit_breaker_fallback,
    shadow_traffic,
)

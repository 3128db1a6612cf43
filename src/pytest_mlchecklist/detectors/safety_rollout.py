"""Safety-nets items about releasing a model: gradual rollout, the served model version, the
criteria that trigger a rollback and the person who owns it during the launch.

Every decision comes from parsed content (YAML/JSON structures, Markdown sections, Python
``ast``); words in a file name only choose what to read.

``traffic-split-rollout`` (gradual-rollout)
    Kubernetes YAML (Helm templates included). A release that reaches part of the traffic
    before all of it **supports** the item: an Argo Rollouts ``Rollout`` whose canary steps set
    a weight between 0 and 100 (``setWeight``), a Flagger ``Canary`` with ``stepWeight`` /
    ``stepWeights`` below ``maxWeight``, an Istio ``VirtualService`` or Gateway API ``HTTPRoute``
    whose route splits traffic with a share strictly between 0 and 100, an SMI ``TrafficSplit``
    likewise, a KServe ``InferenceService`` with ``canaryTrafficPercent`` between 0 and 100, or
    a ``SeldonDeployment`` whose predictors share traffic. **Partial**: a blue-green Rollout
    (everything switches at once), a canary without weights, a split that sends 100% to one
    destination, ``canaryTrafficPercent`` of 0 or 100. A single route is not evidence.

``flag-rollout`` (gradual-rollout)
    Feature-flag files: LaunchDarkly exports (``rollout.variations[].weight``, in thousandths of
    a percent), Unleash exports (``flexibleRollout`` / ``gradualRollout*`` strategies with a
    ``rollout`` / ``percentage`` parameter), flagd / OpenFeature JSON (``fractional`` targeting),
    GO Feature Flag (``percentage`` maps, ``progressiveRollout``) and in-house flag YAML with a
    ``rollout_percentage`` (or similar) key or a list of rollout stages. A percentage strictly
    between 0 and 100 on a flag about a model (its key, its variations or its file name mention
    a model, ranker, scorer, classifier, recommender, predictor, inference or version)
    **supports**; on another flag it is **partial**. Flags that are only on/off give nothing.

``model-version-config`` (model-version-metadata)
    YAML/JSON/TOML configuration: a ``model_version`` (``modelVersion``, ``model-version``) key,
    Kubernetes label or annotation with a real value; a ``model`` block with a ``version`` and a
    name or registry URI; an MLflow registry URI pinned to a version (``models:/fraud/7``); a
    KServe ``storageUri`` or Seldon ``modelUri`` holding a version segment (``v3``, a date, a
    number, a hash, ``?versionId=``). **Partial**: a version that is ``latest``, a placeholder
    or a Helm value; a registry URI by stage or alias (resolved at load time); a storage URI
    with no version in it; a model path whose only version is in the file name
    (``fraud_v3.pkl``).

``model-version-api`` (model-version-metadata)
    Non-test Python: a pydantic model / dataclass with a ``model_version`` field, or a route
    handler (decorated as a route, or named like an endpoint: predict, score, health, metadata...)
    that returns a dict with a ``"model_version"`` key or passes one to a response: **supports**.

``rollback-criteria-document`` (rollback-triggers)
    Markdown sections about rollback criteria (rollback criteria / triggers / conditions /
    thresholds, abort criteria, when to roll back, or a *Triggers* section under a rollback
    heading). A *measurable condition* is a line (list item, paragraph or table row) with a
    number and a comparison (``>``, ``<``, above, below, exceeds, drops...). At least 2:
    **supports**; 1, or conditions without numbers: **partial**; a heading with nothing
    under it: **partial**.

``rollout-abort-thresholds`` (rollback-triggers)
    Argo Rollouts ``AnalysisTemplate`` / ``ClusterAnalysisTemplate`` metrics with a
    ``successCondition`` or ``failureCondition`` that compares with a number, and Flagger
    ``Canary`` metrics with a ``thresholdRange``: **supports**; metrics without such
    conditions: **partial**.

``rollback-owner-document`` (rollback-owner)
    Markdown: a line or table row naming the rollback owner (*rollback owner*, *owner of the
    rollback*, *rollback DRI / lead / decision*, or a row labelled rollback in a roles table)
    with an @handle, an e-mail address or a person's name (placeholders such as TBD or
    ``<name>`` do not count), and in the same document a launch window (a line or section
    about the launch / release / rollout window or date, or the on-call period, with an ISO
    date not older than ``review_max_days``; lines naming the window preferred, follow-up dates
    never counted) or a link to an on-call schedule (PagerDuty,
    Opsgenie...), or, when the document says the owner is on call, an on-call rotation config
    with members in the repository (as the ``on-call`` detectors read it). Both: **supports**;
    owner without window: **partial**; an owner field without a named owner: **partial**; a
    launch window that ended long ago: **partial**.

``rollback-owner-config`` (rollback-owner)
    YAML/JSON launch configs: a ``rollback_owner`` (``rollback_dri``, ``rollbackOwner``) key, or
    ``owner`` inside a ``rollback:`` block, naming someone, plus a dated launch window key
    (``launch_window``, ``launch_date``, ``go_live``, ``start``/``end``...) or an on-call
    schedule key (``oncall_schedule``, ``pagerduty_schedule_url``...). Verdicts as for the
    documents.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.kubernetes import as_mapping, as_mappings, display
from pytest_mlchecklist.detectors.model_docs import unit_lines
from pytest_mlchecklist.detectors.monitoring import Responders, on_call_schedule, on_call_terraform
from pytest_mlchecklist.detectors.org_documents import joined_rows
from pytest_mlchecklist.detectors.prometheus import HELM_PLACEHOLDER, line_of_mapping, structured_with_lines
from pytest_mlchecklist.detectors.python_code import repository_modules
from pytest_mlchecklist.detectors.runbooks import iso_dates, plain_title
from pytest_mlchecklist.detectors.safety_documents import candidate_documents, without_follow_ups
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

ROLLOUT = "gradual-rollout"
VERSION = "model-version-metadata"
TRIGGERS = "rollback-triggers"
OWNER = "rollback-owner"

_STRUCTURED = (".yaml", ".yml", ".json")
_MODEL_WORDS = re.compile(
    r"model|ranker|ranking|scorer|scoring|classifier|recommend|predict|inference|\bml\b|[-_]ml[-_]|version|\bv\d+\b",
    re.IGNORECASE,
)


# ====================================================================== small shared helpers
def _number(value: Any) -> float | None:
    """A number given as a number or a numeric string (``"10"``, ``"10%"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*", value)
        if match:
            return float(match.group(1))
    return None


def _name(document: dict[str, Any]) -> str:
    name = as_mapping(document.get("metadata")).get("name")
    if not isinstance(name, str) or not name.strip():
        return "(unnamed)"
    return display(name)


def _pct(value: float) -> str:
    return f"{value:g}%"


def _documents(ctx: DetectorContext, item: str, hint: re.Pattern[str]) -> Iterator[tuple[str, list[Any] | None]]:
    """YAML/JSON files whose text matches ``hint``, parsed (``None`` when they do not parse)."""
    for path in ctx.candidates(item, ctx.index.with_suffix(*_STRUCTURED)):
        if not path.lower().endswith(_STRUCTURED):
            continue
        text = ctx.index.read_text(path)
        if text is None or not hint.search(text):
            continue
        yield path, structured_with_lines(ctx.index, path)


def _yaml_manifests(ctx: DetectorContext, item: str, hint: re.Pattern[str]) -> Iterator[tuple[str, list[dict[str, Any]] | None]]:
    """The mapping documents of YAML manifests whose text matches ``hint`` (``None`` when they do not parse)."""
    for path, documents in _documents(ctx, item, hint):
        if path.lower().endswith(".json"):
            continue
        yield path, None if documents is None else [document for document in documents if isinstance(document, dict)]


# ====================================================================== gradual-rollout: traffic splits
_SPLIT_HINT = re.compile(r"argoproj\.io|flagger\.app|networking\.istio\.io|gateway\.networking\.k8s\.io|"
                         r"split\.smi-spec\.io|canaryTrafficPercent|SeldonDeployment")


@dataclass(frozen=True)
class _Split:
    verdict: str  # "supports" or "partial"
    detail: str


def _argo_rollout(document: dict[str, Any]) -> _Split | None:
    strategy = as_mapping(as_mapping(document.get("spec")).get("strategy"))
    name = _name(document)
    canary = strategy.get("canary")
    if isinstance(canary, dict):
        weights = [_number(step.get("setWeight")) for step in as_mappings(canary.get("steps"))]
        stages = [weight for weight in weights if weight is not None and 0 < weight < 100]
        if stages:
            path = " → ".join(_pct(weight) for weight in dict.fromkeys(stages)) + " → 100%"
            return _Split("supports", f"Argo Rollout `{name}` shifts traffic in steps {path}")
        return _Split("partial", f"Argo Rollout `{name}` has a canary strategy but no `setWeight` step below 100%; "
                      "add traffic steps (for example 5%, 25%, 50%)")
    if isinstance(strategy.get("blueGreen"), dict):
        return _Split("partial", f"Argo Rollout `{name}` is blue-green: all traffic switches at once; use a canary "
                      "strategy with traffic steps")
    return None


def _flagger_canary(document: dict[str, Any]) -> _Split:
    spec = as_mapping(document.get("spec"))
    analysis = as_mapping(spec.get("analysis") or spec.get("canaryAnalysis"))
    name = _name(document)
    step_weights = [_number(value) for value in analysis.get("stepWeights") or []] if isinstance(analysis.get("stepWeights"), list) else []
    stages = [value for value in step_weights if value is not None and 0 < value < 100]
    step = _number(analysis.get("stepWeight"))
    maximum = _number(analysis.get("maxWeight")) or 100.0
    if not stages and step is not None and 0 < step < 100:
        current = step
        while current <= min(maximum, 99.999) and len(stages) < 100:
            stages.append(current)
            current += step
    if stages:
        shown = " → ".join(_pct(value) for value in stages[:4]) + (" → …" if len(stages) > 4 else "") + " → 100%"
        return _Split("supports", f"Flagger Canary `{name}` shifts traffic in steps {shown}")
    if analysis.get("iterations") is not None:
        return _Split("partial", f"Flagger Canary `{name}` runs iterations without traffic weights (A/B or blue-green); "
                      "add `stepWeight` and `maxWeight`")
    return _Split("partial", f"Flagger Canary `{name}` sets no traffic weights; add `stepWeight` and `maxWeight`")


def _weighted(name: str, what: str, weights: list[tuple[str, float | None]]) -> _Split | None:
    """A split between destinations ``(label, weight)``; ``None`` when there is a single one."""
    if len(weights) < 2:
        return None
    values = [weight for _, weight in weights]
    if any(value is None for value in values):
        if all(value is None for value in values):
            return None
    shares = [value or 0.0 for value in values]
    labels = ", ".join(f"`{label}` {_pct(share)}" for (label, _), share in zip(weights, shares))
    if any(0 < share < 100 for share in shares) and sum(1 for share in shares if share > 0) >= 2:
        return _Split("supports", f"{what} `{name}` splits traffic: {labels}")
    return _Split("partial", f"{what} `{name}` has a traffic switch but sends all traffic to one destination ({labels})")


def _istio(document: dict[str, Any]) -> Iterator[_Split]:
    for route in as_mappings(as_mapping(document.get("spec")).get("http")):
        destinations = []
        for entry in as_mappings(route.get("route")):
            destination = as_mapping(entry.get("destination"))
            label = str(destination.get("subset") or destination.get("host") or "?")
            destinations.append((label, _number(entry.get("weight"))))
        found = _weighted(_name(document), "Istio VirtualService", destinations)
        if found is not None:
            yield found


def _http_route(document: dict[str, Any]) -> Iterator[_Split]:
    for rule in as_mappings(as_mapping(document.get("spec")).get("rules")):
        refs = [(str(ref.get("name") or "?"), _number(ref.get("weight"))) for ref in as_mappings(rule.get("backendRefs"))]
        found = _weighted(_name(document), "HTTPRoute", refs)
        if found is not None:
            yield found


def _smi(document: dict[str, Any]) -> _Split | None:
    backends = [(str(entry.get("service") or "?"), _number(entry.get("weight")))
                for entry in as_mappings(as_mapping(document.get("spec")).get("backends"))]
    return _weighted(_name(document), "TrafficSplit", backends)


def _kserve(document: dict[str, Any]) -> _Split | None:
    predictor = as_mapping(as_mapping(document.get("spec")).get("predictor"))
    if "canaryTrafficPercent" not in predictor:
        return None
    value = _number(predictor.get("canaryTrafficPercent"))
    name = _name(document)
    if value is not None and 0 < value < 100:
        return _Split("supports", f"KServe InferenceService `{name}` sends {_pct(value)} of traffic to the new revision")
    shown = "a Helm value" if value is None else _pct(value)
    return _Split("partial", f"KServe InferenceService `{name}` has `canaryTrafficPercent` {shown}: no canary share "
                  "is set in the repository")


def _seldon(document: dict[str, Any]) -> _Split | None:
    predictors = [entry for entry in as_mappings(as_mapping(document.get("spec")).get("predictors")) if not entry.get("shadow")]
    weights = [(str(entry.get("name") or "?"), _number(entry.get("traffic"))) for entry in predictors]
    return _weighted(_name(document), "SeldonDeployment", weights)


def _splits(document: dict[str, Any]) -> Iterator[_Split]:
    api = str(document.get("apiVersion") or "")
    kind = document.get("kind")
    found: _Split | None = None
    if kind == "Rollout" and api.startswith("argoproj.io/"):
        found = _argo_rollout(document)
    elif kind == "Canary" and api.startswith("flagger.app/"):
        found = _flagger_canary(document)
    elif kind == "VirtualService" and api.startswith("networking.istio.io/"):
        yield from _istio(document)
    elif kind == "HTTPRoute" and api.startswith("gateway.networking.k8s.io/"):
        yield from _http_route(document)
    elif kind == "TrafficSplit" and api.startswith("split.smi-spec.io/"):
        found = _smi(document)
    elif kind == "InferenceService" and api.startswith("serving.kserve.io/"):
        found = _kserve(document)
    elif kind == "SeldonDeployment":
        found = _seldon(document)
    if found is not None:
        yield found


@detector(
    name="traffic-split-rollout",
    items=(ROLLOUT,),
    looks_for="Kubernetes traffic steps for a new model version: Argo Rollouts canary `setWeight` steps, Flagger "
    "`stepWeight`, Istio/Gateway API/SMI weighted routes, KServe `canaryTrafficPercent`, Seldon predictor `traffic`",
)
def traffic_split_rollout(ctx: DetectorContext) -> Iterator[Evidence]:
    """Gradual rollout declared in Kubernetes manifests (see the module docstring)."""
    for path, documents in _yaml_manifests(ctx, ROLLOUT, _SPLIT_HINT):
        if documents is None:
            yield ctx.unreadable(ROLLOUT, path)
            continue
        for document in documents:
            for split in _splits(document):
                yield ctx.evidence(ROLLOUT, split.detail, verdict=split.verdict,  # type: ignore[arg-type]
                                   path=path, line=line_of_mapping(document))


# ====================================================================== gradual-rollout: feature flags
_FLAG_HINT = re.compile(r"rollout|fractional|percentage|percent|gradualRollout|flexibleRollout", re.IGNORECASE)
_UNLEASH_STRATEGIES = frozenset({"flexibleRollout", "gradualRolloutRandom", "gradualRolloutUserId", "gradualRolloutSessionId"})
_PERCENT_KEYS = re.compile(r"^(?:rollout|traffic|exposure|canary)[_-]?(?:percent(?:age)?|pct|share|fraction)$|^percentage_rollout$",
                           re.IGNORECASE)
_FLAG_PATH = re.compile(r"flag|toggle|unleash|launchdarkly|flagd|rollout", re.IGNORECASE)
_FLAG_CONTAINERS = frozenset({"flags", "features", "featureFlags", "feature_flags", "toggles", "experiments"})
_STRUCTURAL_KEYS = frozenset({"rollout", "parameters", "fractional", "percentage", "variants", "variations", "targeting",
                              "rules", "strategies", "fallthrough", "environments", "defaultRule", "progressiveRollout",
                              "metadata", "spec", "if", "targets", "segments", "constraints"})
_STAGE_KEYS = re.compile(r"^(?:rollout[_-]?)?(?:stages|steps|schedule|percentages)$", re.IGNORECASE)


@dataclass(frozen=True)
class _FlagRollout:
    flag: str
    shares: tuple[float, ...]
    system: str
    line: int | None
    context: str


def _fractional_shares(node: Any) -> list[float]:
    """Weights of a flagd ``fractional`` list (``[["on", 10], ["off", 90]]``, bucketing expression allowed first)."""
    weights: list[float] = []
    for entry in node if isinstance(node, list) else []:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
            value = _number(entry[1])
            if value is not None:
                weights.append(value)
    total = sum(weights)
    return [100.0 * value / total for value in weights] if total else []


def _flag_rollouts(data: Any) -> Iterator[_FlagRollout]:
    """Percentage rollouts in a parsed flag file, each under the key of the flag that holds it."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, flag = stack.pop()
        if isinstance(node, list):
            stack.extend((item, flag) for item in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        line = line_of_mapping(node)
        own = node.get("key") or node.get("name")
        current = own if isinstance(own, str) and own.strip() and own not in _UNLEASH_STRATEGIES else flag
        context = " ".join(str(value) for value in as_mapping(node.get("variants") or node.get("variations")).values()
                           if isinstance(value, (str, int, float)))
        rollout = node.get("rollout")
        if isinstance(rollout, dict) and isinstance(rollout.get("variations"), list):  # LaunchDarkly
            weights = [_number(entry.get("weight")) for entry in as_mappings(rollout["variations"])]
            shares = tuple(value / 1000.0 for value in weights if value is not None)
            if shares:
                yield _FlagRollout(current, shares, "LaunchDarkly rollout", line_of_mapping(rollout) or line, context)
        if isinstance(node.get("name"), str) and node["name"] in _UNLEASH_STRATEGIES:  # Unleash
            parameters = as_mapping(node.get("parameters"))
            value = _number(parameters.get("rollout", parameters.get("percentage")))
            if value is not None:
                yield _FlagRollout(flag, (value,), f"Unleash `{node['name']}` strategy", line, context)
        if "fractional" in node:  # flagd / OpenFeature
            shares_list = _fractional_shares(node["fractional"])
            if shares_list:
                yield _FlagRollout(flag, tuple(shares_list), "flagd `fractional` targeting", line, context)
        percentage = node.get("percentage")
        if isinstance(percentage, dict):  # GO Feature Flag
            values = [_number(value) for value in percentage.values()]
            shares = tuple(value for value in values if value is not None)
            if shares:
                yield _FlagRollout(flag, shares, "percentage split", line, " ".join(map(str, percentage)))
        for key, value in node.items():
            key_text = str(key)
            if _PERCENT_KEYS.match(key_text) and _number(value) is not None:
                yield _FlagRollout(current, (_number(value) or 0.0,), f"`{key_text}`", line, context)
            elif _STAGE_KEYS.match(key_text) and isinstance(value, list) and len(value) >= 2:
                stages = [_number(entry) for entry in value]
                if all(stage is not None for stage in stages):
                    numbers = [stage or 0.0 for stage in stages]
                    if numbers == sorted(numbers) and numbers[-1] <= 100:
                        yield _FlagRollout(current, tuple(numbers), f"rollout stages `{key_text}`", line, context)
        for key, value in node.items():
            if not isinstance(value, (dict, list)):
                continue
            child_flag = current
            if isinstance(value, dict) and str(key) not in _STRUCTURAL_KEYS and (
                node is data or flag in _FLAG_CONTAINERS or not flag
            ):
                child_flag = str(key)
            stack.append((value, str(key) if str(key) in _FLAG_CONTAINERS else child_flag))


@detector(
    name="flag-rollout",
    items=(ROLLOUT,),
    looks_for="a feature flag for the model with a percentage rollout (LaunchDarkly rollout weights, Unleash "
    "flexibleRollout, flagd `fractional`, GO Feature Flag percentages, or in-house `rollout_percentage` / stages)",
)
def flag_rollout(ctx: DetectorContext) -> Iterator[Evidence]:
    """Percentage rollouts in feature-flag files (see the module docstring)."""
    for path, documents in _documents(ctx, ROLLOUT, _FLAG_HINT):
        if documents is None:
            # Any YAML/JSON may mention "rollout"; only a file kept as flag configuration is worth an "unreadable".
            if _FLAG_PATH.search(path):
                yield ctx.unreadable(ROLLOUT, path)
            continue
        if any(isinstance(doc, dict) and isinstance(doc.get("kind"), str) and isinstance(doc.get("apiVersion"), str)
               for doc in documents):
            continue  # Kubernetes resources belong to traffic-split-rollout
        best: tuple[int, Evidence] | None = None
        for document in documents:
            for found in _flag_rollouts(document):
                partial_shares = [share for share in found.shares if 0 < share < 100]
                if not partial_shares:
                    continue
                shown = " / ".join(_pct(round(share, 3)) for share in found.shares[:5])
                flag = found.flag or "(unnamed flag)"
                is_model = bool(_MODEL_WORDS.search(f"{flag} {found.context} {path}"))
                if is_model:
                    evidence = ctx.supports(ROLLOUT, f"flag `{flag}` rolls out by percentage ({found.system}: {shown})",
                                            path=path, line=found.line)
                    rank = 2
                else:
                    evidence = ctx.partial(ROLLOUT, f"flag `{flag}` rolls out by percentage ({found.system}: {shown}), "
                                           "but nothing says it switches the model; name the flag after the model",
                                           path=path, line=found.line)
                    rank = 1
                if best is None or rank > best[0]:
                    best = (rank, evidence)
        if best is not None:
            yield best[1]


# ====================================================================== model-version-metadata: config
_STRONG_VERSION_HINT = re.compile(r"model[_-]?version|modelVersion|models:/|storageUri|modelUri", re.IGNORECASE)
_WEAK_VERSION_HINT = re.compile(r"\bversion\b|model[_-]?(?:uri|path|file)", re.IGNORECASE)
_MODEL_MENTION = re.compile(r"\bmodel", re.IGNORECASE)
_VERSION_KEY = re.compile(r"^(?:[\w.-]*/)?(?:registered[_-])?model[_.-]?version(?:[_-]?(?:id|number))?$", re.IGNORECASE)
_MODEL_BLOCK = re.compile(r"^(?:model|serving[_-]?model|registered[_-]?model|champion|production[_-]?model)$", re.IGNORECASE)
_REGISTRY_KEYS = frozenset({"name", "model_name", "registry", "registry_uri", "uri", "model_uri", "tracking_uri", "registered_model"})
_MLFLOW_URI = re.compile(r"^models:/([^/@\s]+)(?:/([^/\s]+)|@(\S+))/?$")
_UNPINNED = re.compile(r"^(?:latest|current|stable|main|master|head|newest|todo|tbd|tba|x+|changeme|none|null|\?+|-|\.\.\.|<[^>]*>|\$\{[^}]*\}|\{\{.*\}\})$",
                       re.IGNORECASE)
_PINNED_SEGMENT = re.compile(r"(?:^|[/@=:_-])(?:v\d+(?:\.\d+)*|\d+(?:\.\d+)+|\d{1,6}|\d{4}-?\d{2}-?\d{2}(?:T?\d+)?|[0-9a-f]{7,64})(?:$|[/?#])"
                             r"|[?&]versionId=|[?&]generation=|@sha256:", re.IGNORECASE)
_MODEL_FILE = re.compile(r"\.(?:pkl|pickle|joblib|pt|pth|onnx|h5|keras|bin|cbm|ubj|sav|model|safetensors)$", re.IGNORECASE)
_FILE_VERSION = re.compile(r"(?:^|[_.-])(?:v\d+|\d+\.\d+(?:\.\d+)?|\d{8}|\d{4}-\d{2}-\d{2})(?:[_.-]|$)", re.IGNORECASE)
_PATH_KEYS = re.compile(r"model[_-]?(?:path|file|uri|location|artifact)|artifact[_-]?path|^path$|^file$", re.IGNORECASE)


def _real_version(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    text = str(value).strip()
    return bool(text) and HELM_PLACEHOLDER not in text and not _UNPINNED.match(text)


def _version_findings(document: Any) -> Iterator[tuple[str, str, int | None]]:
    """``(verdict, detail, line)`` for the version facts of one parsed document."""
    stack: list[tuple[Any, str, int | None]] = [(document, "", None)]
    while stack:
        node, key, line = stack.pop()
        if isinstance(node, list):
            stack.extend((item, key, line) for item in reversed(node))
            continue
        if isinstance(node, str):
            yield from _uri_findings(key, node, line)
            continue
        if not isinstance(node, dict):
            continue
        line = line_of_mapping(node) or line
        for name, value in node.items():
            name_text = str(name)
            if _VERSION_KEY.match(name_text) and not isinstance(value, (dict, list)):
                if _real_version(value):
                    yield "supports", f"`{name_text}` records the model version", line
                else:
                    yield "partial", f"`{name_text}` is `{_shown(value)}`, not a pinned version", line
        if _MODEL_BLOCK.match(key) and "version" in node and set(map(str, node)) & _REGISTRY_KEYS:
            value = node.get("version")
            if _real_version(value):
                yield "supports", f"`{key}` block names the model and its `version`", line
            else:
                yield "partial", f"`{key}` block has `version: {_shown(value)}`, not a pinned version", line
        for name, value in node.items():
            if isinstance(value, (dict, list, str)):
                stack.append((value, str(name), line))


def _shown(value: Any) -> str:
    text = display(str(value)) if value is not None else "empty"
    return text if len(text) <= 30 else text[:27] + "..."


def _uri_findings(key: str, value: str, line: int | None) -> Iterator[tuple[str, str, int | None]]:
    text = value.strip()
    match = _MLFLOW_URI.match(text)
    if match:
        if match.group(2) and match.group(2).isdigit():
            yield "supports", f"MLflow registry URI pins `{match.group(1)}` to version {match.group(2)}", line
        else:
            ref = match.group(2) or f"@{match.group(3)}"
            yield "partial", (f"MLflow registry URI points at `{match.group(1)}` by stage or alias `{ref}`, resolved "
                              "when the model loads; record the version number it serves"), line
        return
    if key in ("storageUri", "modelUri", "storage_uri", "model_uri") and "://" in text and HELM_PLACEHOLDER not in text:
        if _PINNED_SEGMENT.search(text.split("://", 1)[1]):
            yield "supports", f"`{key}` points at a versioned model location", line
        else:
            yield "partial", f"`{key}` has no version in its location; point it at a versioned path", line
        return
    if _PATH_KEYS.search(key) and _MODEL_FILE.search(text) and _FILE_VERSION.search(text.rsplit("/", 1)[-1]):
        yield "filename", f"`{key}` names a model file whose version is only in the file name", line


@detector(
    name="model-version-config",
    items=(VERSION,),
    looks_for="the served model version in configuration: a `model_version` key or label, a model block with "
    "`version` and registry name, an MLflow `models:/name/<n>` URI, a KServe/Seldon storage URI pinned to a version",
)
def model_version_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """The model version recorded in YAML/JSON/TOML configuration (see the module docstring)."""
    paths = ctx.candidates(VERSION, ctx.index.with_suffix(*_STRUCTURED, ".toml"))
    for path in paths:
        lowered = path.lower()
        if not lowered.endswith((*_STRUCTURED, ".toml")) or lowered.rsplit("/", 1)[-1] in (
            "package.json", "package-lock.json", "pyproject.toml", "poetry.lock", "composer.json", "chart.yaml"
        ):
            continue
        text = ctx.index.read_text(path)
        if text is None or not (_STRONG_VERSION_HINT.search(text) or (_MODEL_MENTION.search(text) and _WEAK_VERSION_HINT.search(text))):
            continue
        documents = structured_with_lines(ctx.index, path)
        if documents is None:
            if _STRONG_VERSION_HINT.search(text):
                yield ctx.unreadable(VERSION, path)
            continue
        findings = [finding for document in documents for finding in _version_findings(document)]
        supported = [finding for finding in findings if finding[0] == "supports"]
        partial = [finding for finding in findings if finding[0] == "partial"]
        in_name = [finding for finding in findings if finding[0] == "filename"]
        if supported:
            _, detail, line = supported[0]
            more = f" ({len(supported)} places)" if len(supported) > 1 else ""
            yield ctx.supports(VERSION, detail + more, path=path, line=line)
        elif partial:
            _, detail, line = partial[0]
            yield ctx.partial(VERSION, detail, path=path, line=line)
        elif in_name:
            _, detail, line = in_name[0]
            yield ctx.partial(VERSION, f"{detail}; record the version as a field (`model_version`) or a registry URI",
                              path=path, line=line)


# ====================================================================== model-version-metadata: API
_API_KEYS = frozenset({"model_version", "modelVersion", "model_version_id"})


def _class_has_field(node: ast.ClassDef) -> int | None:
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.target.id in _API_KEYS:
            return statement.lineno
    return None


def _is_schema_class(node: ast.ClassDef) -> bool:
    bases = {(base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")) for base in node.bases}
    decorators = {(item.attr if isinstance(item, ast.Attribute) else getattr(item, "id", "")) for item in node.decorator_list}
    decorators |= {(item.func.attr if isinstance(item.func, ast.Attribute) else getattr(item.func, "id", ""))
                   for item in node.decorator_list if isinstance(item, ast.Call)}
    return bool(bases & {"BaseModel", "TypedDict", "Schema", "Struct", "SQLModel"} or decorators & {"dataclass", "define", "frozen"})


_ROUTE_DECORATORS = frozenset({"get", "post", "put", "route", "api_route", "api", "websocket", "endpoint"})
_HANDLER_NAME = re.compile(r"predict|score|infer|rank|recommend|classify|health|ready|metadata|version|info|status",
                           re.IGNORECASE)


def _is_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A route handler (decorated as one) or a function named like a serving endpoint."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in _ROUTE_DECORATORS:
            return True
    return bool(_HANDLER_NAME.search(function.name))


def _returned_dict_key(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """The line of a ``"model_version"`` key in a dict the function returns or hands to a response."""
    for node in ast.walk(function):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Return) and node.value is not None:
            candidates.append(node.value)
        elif isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if callee and ("Response" in callee or callee in ("jsonify", "dict")):
                candidates.extend(node.args)
                candidates.extend(keyword.value for keyword in node.keywords)
                if callee in ("dict", "jsonify") or "Response" in callee:
                    for keyword in node.keywords:
                        if keyword.arg in _API_KEYS:
                            return node.lineno
        for candidate in candidates:
            for inner in ast.walk(candidate):
                if isinstance(inner, ast.Dict):
                    for key in inner.keys:
                        if isinstance(key, ast.Constant) and key.value in _API_KEYS:
                            return key.lineno
    return None


@detector(
    name="model-version-api",
    items=(VERSION,),
    looks_for="serving code that returns the model version: a response model (pydantic/dataclass) with a "
    "`model_version` field, or a `\"model_version\"` key in the returned response",
)
def model_version_api(ctx: DetectorContext) -> Iterator[Evidence]:
    """A ``model_version`` field in what the serving code returns (see the module docstring)."""
    for module in repository_modules(ctx, VERSION):
        if not module.mentions(*_API_KEYS) or not module.parses:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and _is_schema_class(node):
                line = _class_has_field(node)
                if line is not None:
                    yield ctx.supports(VERSION, f"response model `{node.name}` has a `model_version` field",
                                       path=module.path, line=line)
                    break
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_handler(node):
                line = _returned_dict_key(node)
                if line is not None:
                    yield ctx.supports(VERSION, f"`{node.name}` returns the model version with its response",
                                       path=module.path, line=line)
                    break


# ====================================================================== rollback-triggers: documents
_ROLLBACK_WORD = r"roll(?:ing)?[\s_-]?backs?|abort(?:ing)?|revert(?:ing)?|kill[\s_-]?switch"
_TRIGGER_WORD = r"criteria|criterion|triggers?|conditions?|thresholds?|signals?|rules?"
_TRIGGER_HEADING = re.compile(
    rf"(?:{_ROLLBACK_WORD})\s+(?:{_TRIGGER_WORD})|(?:{_TRIGGER_WORD})\s+(?:for|to)\s+(?:a\s+)?(?:{_ROLLBACK_WORD})"
    rf"|when\s+to\s+(?:{_ROLLBACK_WORD})",
    re.IGNORECASE,
)
_ROLLBACK_HEADING = re.compile(_ROLLBACK_WORD, re.IGNORECASE)
_BARE_TRIGGER = re.compile(rf"^\s*(?:{_TRIGGER_WORD})\s*$", re.IGNORECASE)
_TRIGGERS_HINT = re.compile(rf"(?:{_ROLLBACK_WORD})", re.IGNORECASE)
_COMPARISON = re.compile(
    r"[<>≤≥]|\b(?:above|below|exceeds?|exceeding|over|under|drops?|dropping|falls?|rises?|increases?|decreases?|"
    r"more\s+than|less\s+than|greater\s+than|higher\s+than|lower\s+than|at\s+least|at\s+most|worse\s+than)\b",
    re.IGNORECASE,
)
_MEASURE = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|sec|seconds?|minutes?|min\b|pp\b|x\b|bps|points?)?")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}\b")
_KINDS = (
    ("latency", re.compile(r"latenc|p50|p9\d|p99|response\s+time", re.IGNORECASE)),
    ("errors", re.compile(r"error|5xx|failure|timeout|exception", re.IGNORECASE)),
    ("model quality", re.compile(r"accuracy|auc|precision|recall|f1|calibration|drift|psi|loss|score|quality", re.IGNORECASE)),
    ("business", re.compile(r"ctr|click|conversion|revenue|retention|engagement|order|booking|gmv|churn|sales|complaint",
                            re.IGNORECASE)),
)


def _measurable(text: str) -> bool:
    cleaned = _DATE_LIKE.sub(" ", text.replace("`", " "))
    return bool(_COMPARISON.search(cleaned)) and any(match.group(0).strip() for match in _MEASURE.finditer(cleaned))


def _trigger_sections(document: MarkdownDocument) -> list[MarkdownSection]:
    """Trigger sections: headed as such, or a bare *Triggers* heading under a rollback heading."""
    chosen: list[MarkdownSection] = []
    covered: set[int] = set()
    parents: list[MarkdownSection] = []
    for section in document.sections:
        while parents and parents[-1].level >= section.level:
            parents.pop()
        title = plain_title(section.title)
        if id(section) not in covered:
            under_rollback = any(_ROLLBACK_HEADING.search(plain_title(parent.title)) for parent in parents)
            if _TRIGGER_HEADING.search(title) or (under_rollback and _BARE_TRIGGER.match(title)):
                chosen.append(section)
                covered.update(id(nested) for nested in document.subtree(section))
        parents.append(section)
    return chosen


def _section_rows(document: MarkdownDocument, section: MarkdownSection) -> list[tuple[int, str]]:
    """Prose lines and table rows of a section and its nested sections."""
    return joined_rows(unit_lines(document, section))  # table cells are prose lines of their row, joined here


@detector(
    name="rollback-criteria-document",
    items=(TRIGGERS,),
    looks_for="a Markdown section of rollback criteria / triggers / abort conditions listing at least 2 measurable "
    "conditions (a metric, a comparison and a number: `p99 latency > 250 ms`, `CTR drops more than 5%`)",
)
def rollback_criteria_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Written rollback criteria with thresholds (see the module docstring)."""
    for path, document in candidate_documents(ctx, TRIGGERS, _TRIGGERS_HINT):
        if document is None:
            yield ctx.unreadable(TRIGGERS, path)
            continue
        sections = _trigger_sections(document)
        if not sections:
            continue
        best: tuple[int, MarkdownSection, list[tuple[int, str]], list[tuple[int, str]]] | None = None
        for section in sections:
            rows = [(line, text) for line, text in _section_rows(document, section) if is_substantive(text)]
            measurable = [(line, text) for line, text in rows if _measurable(text)]
            score = len(measurable) * 10 + len(rows)
            if best is None or score > best[0]:
                best = (score, section, rows, measurable)
        assert best is not None
        _, section, rows, measurable = best
        kinds = [name for name, pattern in _KINDS if any(pattern.search(text) for _, text in measurable)]
        about = f" on {', '.join(kinds)}" if kinds else ""
        values = {"conditions": float(len(measurable))}
        if len(measurable) >= 2:
            yield ctx.supports(TRIGGERS, f"rollback criteria with {len(measurable)} measurable conditions{about}",
                               path=path, line=section.line, values=values)
        elif measurable:
            yield ctx.partial(TRIGGERS, f"rollback criteria with only 1 measurable condition{about}; add thresholds "
                              "for latency, model quality and a business metric", path=path, line=section.line, values=values)
        elif rows:
            yield ctx.partial(TRIGGERS, f"rollback criteria section has {len(rows)} lines but no measurable condition "
                              "(a metric compared with a number, such as `p99 > 250 ms`)", path=path, line=section.line)
        else:
            yield ctx.partial(TRIGGERS, "rollback criteria heading with nothing under it", path=path, line=section.line)


# ====================================================================== rollback-triggers: analysis templates
_ANALYSIS_HINT = re.compile(r"AnalysisTemplate|flagger\.app")
_CONDITION_NUMBER = re.compile(r"(?:[<>]=?|==|!=)\s*-?\d|\d\s*(?:[<>]=?|==|!=)")


@detector(
    name="rollout-abort-thresholds",
    items=(TRIGGERS,),
    looks_for="Argo Rollouts AnalysisTemplate metrics with a numeric `successCondition`/`failureCondition`, or "
    "Flagger Canary metrics with a `thresholdRange`",
)
def rollout_abort_thresholds(ctx: DetectorContext) -> Iterator[Evidence]:
    """Rollback thresholds that a progressive-delivery controller enforces (see the module docstring)."""
    for path, documents in _yaml_manifests(ctx, TRIGGERS, _ANALYSIS_HINT):
        if documents is None:
            yield ctx.unreadable(TRIGGERS, path)
            continue
        for document in documents:
            api = str(document.get("apiVersion") or "")
            kind = document.get("kind")
            spec = as_mapping(document.get("spec"))
            line = line_of_mapping(document)
            if kind in ("AnalysisTemplate", "ClusterAnalysisTemplate") and api.startswith("argoproj.io/"):
                metrics = as_mappings(spec.get("metrics"))
                with_threshold = [
                    str(metric.get("name") or "?") for metric in metrics
                    if any(isinstance(metric.get(key), str) and _CONDITION_NUMBER.search(metric[key])
                           for key in ("successCondition", "failureCondition"))
                ]
                what = f"{kind} `{_name(document)}`"
            elif kind == "Canary" and api.startswith("flagger.app/"):
                metrics = as_mappings(as_mapping(spec.get("analysis") or spec.get("canaryAnalysis")).get("metrics"))
                with_threshold = [
                    str(metric.get("name") or "?") for metric in metrics
                    if any(_number(value) is not None for value in as_mapping(metric.get("thresholdRange")).values())
                ]
                what = f"Flagger Canary `{_name(document)}`"
            else:
                continue
            if not metrics:
                continue
            listed = ", ".join(f"`{name}`" for name in with_threshold[:3]) + (
                f" and {len(with_threshold) - 3} more" if len(with_threshold) > 3 else "")
            values = {"metrics": float(len(metrics)), "with_threshold": float(len(with_threshold))}
            if with_threshold:
                yield ctx.supports(TRIGGERS, f"{what} aborts the rollout on thresholds of {listed}", path=path, line=line,
                                   values=values)
            else:
                yield ctx.partial(TRIGGERS, f"{what} has {len(metrics)} metrics but no numeric success or failure "
                                  "condition", path=path, line=line, values=values)


# ====================================================================== rollback-owner
_OWNER_LABEL = re.compile(
    r"\broll[\s_-]?back\s+(?:owner|dri|lead|captain|decision[\s-]?maker|responsible|approver|commander)s?\b"
    r"|\bowner\s+of\s+(?:the\s+)?roll[\s_-]?backs?\b|\b(?:owns?|owned\s+by)\s+(?:the\s+)?roll[\s_-]?backs?\b",
    re.IGNORECASE,
)
#: What follows a label that is a field to fill in: ``Rollback owner: ...``, ``| Rollback owner | ... |``, ``... is ...``.
_FIELD_AFTER = re.compile(r"^\s*\**\s*(?:[:=|–—-]|is\b|\()")
_OWNER_HINT = re.compile(r"roll[\s_-]?back", re.IGNORECASE)
_ROLE_ROW = re.compile(r"^\s*\**\s*roll[\s_-]?back\b", re.IGNORECASE)
_PERSON = re.compile(r"(?:^|[:|,]\s*|\bis\s+|\bby\s+)([A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_NOT_PERSON = frozenset("rollback roll back owner launch window team lead release on call primary secondary product "
                        "manager engineer platform model the ml data science ops".split())
_WINDOW = re.compile(r"launch|release|roll[\s_-]?out|go[\s-]?live|on[\s_-]?call|window|cut[\s-]?over|ramp", re.IGNORECASE)
#: A line that names the window itself (``Launch window:``, ``release date``, ``go-live``, the on-call week).
_WINDOW_NAMED = re.compile(
    r"(?:launch|release|roll[\s_-]?out|deploy(?:ment)?|cut[\s-]?over|ramp)[\s_-]+(?:window|date|period|day|week)s?\b"
    r"|go[\s-]?live|on[\s_-]?call|\bwindow\b",
    re.IGNORECASE,
)


def _names_someone(text: str) -> bool:
    responders = Responders()
    responders.add_text(text)
    if responders.handles or responders.emails:
        return True
    for match in _PERSON.finditer(text):
        words = {word.lower().rstrip(".") for word in re.split(r"[\s-]+", match.group(1))}
        if not words & _NOT_PERSON:
            return True
    return False


def _owner_lines(ctx: DetectorContext, path: str, document: MarkdownDocument) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Lines naming the rollback owner, and owner lines that only hold a placeholder."""
    named: list[tuple[int, str]] = []
    placeholders: list[tuple[int, str]] = []
    rows: list[tuple[int, str, bool]] = []
    for section in document.all_sections():
        title = plain_title(section.title)
        heading_owner = bool(_OWNER_LABEL.search(title))
        rows.extend((line, text, heading_owner) for line, text in section.text_lines())
        if heading_owner:
            rows.append((section.line, title, True))
    for table in ctx.index.markdown_tables(path):
        header = " ".join(table.header)
        for row in table.rows:
            joined = " | ".join(row.cells)
            role_row = bool(row.cells and _ROLE_ROW.match(row.cells[0]) and re.search(r"owner|role|who", header, re.I))
            rows.append((row.line, joined, role_row or bool(_OWNER_LABEL.search(header))))
    for line, text, is_owner_field in sorted(set(rows)):
        label = _OWNER_LABEL.search(text)
        if not is_owner_field and label is None:
            continue
        if _names_someone(text):
            named.append((line, text))
        elif is_owner_field or (label is not None and _FIELD_AFTER.match(text[label.end():])):
            placeholders.append((line, text))
    return named, placeholders


def _window_dates(ctx: DetectorContext, path: str, document: MarkdownDocument) -> list[tuple[int, Any]]:
    """Valid ISO dates on lines (or under headings) about the launch window or on-call period.

    Dates on lines that name the window (``Launch window: ...``, a ``launch date`` table row, the
    on-call week) are preferred to dates merely written near a launch word; dates after a follow-up
    (``follow-up on ...``, ``Next review: ...``) are a later event and never the window.
    """
    found: list[tuple[int, Any, bool]] = []

    def add(line: int, text: str, named: bool) -> None:
        kept = without_follow_ups(text)
        found.extend((line, mention.value, named or bool(_WINDOW_NAMED.search(kept)))
                     for mention in iso_dates(kept, line) if mention.value is not None)

    for section in document.all_sections():
        title = plain_title(section.title) if section.level else ""
        heading_window = bool(_WINDOW.search(title))
        heading_named = bool(_WINDOW_NAMED.search(title))
        lines = list(section.text_lines())
        if section.level:
            lines.append((section.line, section.title))
        for line, text in lines:
            if heading_window or _WINDOW.search(text):
                add(line, text, heading_named)
    for table in ctx.index.markdown_tables(path):
        header = " ".join(table.header)
        for row in table.rows:
            joined = " | ".join(row.cells)
            if _WINDOW.search(joined) or _WINDOW.search(header):
                add(row.line, joined, bool(_WINDOW_NAMED.search(header)))
    named = [(line, value) for line, value, is_named in found if is_named]
    return named or [(line, value) for line, value, _ in found]


_ON_CALL_TEXT = re.compile(r"\bon[\s_-]?call\b|\bpag(?:er|ing)\b|\brotation\b", re.IGNORECASE)


def _rotation_files(ctx: DetectorContext) -> list[str]:
    """Files holding an on-call rotation with members (the on-call detectors' own reading)."""

    def compute() -> list[str]:
        found: list[str] = []
        for reader in (on_call_schedule, on_call_terraform):
            context = DetectorContext(ctx.index, ctx.config, reader.name)
            found.extend(piece.path for piece in reader.run(context) if piece.verdict == "supports" and piece.path)
        return sorted(set(found))

    return ctx.index.memo(("safety-rollout", "on-call-rotations"), compute)


@detector(
    name="rollback-owner-document",
    items=(OWNER,),
    looks_for="a launch or runbook document naming the rollback owner (@handle, e-mail or name) and the launch "
    "window (dated) or the on-call schedule (PagerDuty/Opsgenie link) during which they respond",
)
def rollback_owner_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """A named rollback owner on call during the launch window (see the module docstring)."""
    for path, document in candidate_documents(ctx, OWNER, _OWNER_HINT):
        if document is None:
            yield ctx.unreadable(OWNER, path)
            continue
        named, unnamed = _owner_lines(ctx, path, document)
        if not named and not unnamed:
            continue
        schedules = Responders()
        for _, text in document.text_lines():
            schedules.add_text(text)
        dates = _window_dates(ctx, path, document)
        recent = [value for _, value in dates if (ctx.today - value).days <= ctx.settings.review_max_days]
        if not named:
            line = unnamed[0][0]
            yield ctx.partial(OWNER, "rollback owner is mentioned but nobody is named (an @handle, e-mail or name; "
                              "placeholders such as TBD do not count)", path=path, line=line)
            continue
        line = named[0][0]
        if schedules.schedules:
            service = sorted(schedules.schedules)[0]
            yield ctx.supports(OWNER, f"rollback owner named, with a {service} on-call schedule link", path=path, line=line)
        elif recent:
            latest = max(recent)
            yield ctx.supports(OWNER, f"rollback owner named for a launch window dated {latest.isoformat()}",
                               path=path, line=line)
        elif dates:
            latest = max(value for _, value in dates)
            age = (ctx.today - latest).days
            yield ctx.partial(OWNER, f"rollback owner named, but the launch window ({latest.isoformat()}) ended {age} days "
                              f"ago, over the {ctx.settings.review_max_days}-day limit (`review_max_days`); name the owner "
                              "for the next launch", path=path, line=line)
        elif _ON_CALL_TEXT.search(" ".join(text for _, text in document.text_lines())) and _rotation_files(ctx):
            yield ctx.supports(OWNER, f"rollback owner named and on call; the rotation is in {_rotation_files(ctx)[0]}",
                               path=path, line=line)
        else:
            yield ctx.partial(OWNER, "rollback owner named, but no launch window (dated) or on-call schedule says when "
                              "they are on call; add `Launch window: YYYY-MM-DD to YYYY-MM-DD`", path=path, line=line)


_OWNER_KEY = re.compile(r"^rollback[_-]?(?:owner|dri|lead|captain|decision[_-]?maker)s?$", re.IGNORECASE)
_WINDOW_KEY = re.compile(
    r"launch[_-]?(?:window|date|start|end)|^window$|go[_-]?live|rollout[_-]?(?:start|end|window|date)|^(?:start|end)[_-]?date$"
    r"|on[_-]?call[_-]?(?:from|until|start|end|window)|^(?:start|end|from|until)$",
    re.IGNORECASE,
)
_SCHEDULE_KEY = re.compile(r"(?:on[_-]?call|pagerduty|opsgenie|escalation)[_-]?(?:schedule|rotation|policy)(?:[_-]?(?:url|id))?$",
                           re.IGNORECASE)
_OWNER_CONFIG_HINT = re.compile(r"rollback[_-]?(?:owner|dri|lead)|rollbackOwner|^\s*rollback\s*:", re.IGNORECASE | re.MULTILINE)


def _date_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        mentions = [mention.value for mention in iso_dates(value, 0) if mention.value is not None]
        return max(mentions) if mentions else None
    return None


def _owner_config_facts(documents: list[Any]) -> tuple[list[tuple[bool, int | None]], list[Any], bool]:
    """Owner fields ``(names someone, line)``, window dates and whether a schedule is referenced."""
    owners: list[tuple[bool, int | None]] = []
    dates: list[Any] = []
    schedule = False
    for document in documents:
        for node in iter_nodes(document):
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                name = str(key)
                if _OWNER_KEY.match(name) or (name.lower() in ("owner", "dri") and _is_rollback_block(document, node)):
                    values = value if isinstance(value, list) else [value]
                    named = any(isinstance(entry, str) and _names_someone(entry) for entry in values)
                    owners.append((named, line_of_mapping(node)))
                elif _SCHEDULE_KEY.search(name) and isinstance(value, str) and is_substantive(value):
                    schedule = True
                elif _WINDOW_KEY.search(name):
                    for entry in value.values() if isinstance(value, dict) else (value if isinstance(value, list) else [value]):
                        found = _date_value(entry)
                        if found is not None:
                            dates.append(found)
    return owners, dates, schedule


def _is_rollback_block(document: Any, node: dict[str, Any]) -> bool:
    """True when ``node`` is the value of a ``rollback:`` key somewhere in ``document``."""
    return any(isinstance(parent, dict) and any(str(key).lower() == "rollback" and value is node for key, value in parent.items())
               for parent in iter_nodes(document))


@detector(
    name="rollback-owner-config",
    items=(OWNER,),
    looks_for="a launch config (YAML/JSON) with a `rollback_owner` (or `rollback: {owner}`) naming someone, and a "
    "dated launch window or an on-call schedule reference",
)
def rollback_owner_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """A rollback owner kept as a field of a launch or release config (see the module docstring)."""
    for path in ctx.candidates(OWNER, ctx.index.with_suffix(*_STRUCTURED)):
        if not path.lower().endswith(_STRUCTURED):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _OWNER_CONFIG_HINT.search(text):
            continue
        documents = structured_with_lines(ctx.index, path)
        if documents is None:
            yield ctx.unreadable(OWNER, path)
            continue
        owners, dates, schedule = _owner_config_facts(documents)
        if not owners:
            continue
        named = [line for is_named, line in owners if is_named]
        if not named:
            yield ctx.partial(OWNER, "rollback owner field names nobody (an @handle, e-mail or name; placeholders such "
                              "as TBD do not count)", path=path, line=owners[0][1])
            continue
        recent = [value for value in dates if (ctx.today - value).days <= ctx.settings.review_max_days]
        if schedule:
            yield ctx.supports(OWNER, "rollback owner named, with an on-call schedule reference", path=path, line=named[0])
        elif recent:
            yield ctx.supports(OWNER, f"rollback owner named for a launch window dated {max(recent).isoformat()}",
                               path=path, line=named[0])
        elif dates:
            yield ctx.partial(OWNER, f"rollback owner named, but the launch window ({max(dates).isoformat()}) is over "
                              f"{ctx.settings.review_max_days} days old (`review_max_days`)", path=path, line=named[0])
        else:
            yield ctx.partial(OWNER, "rollback owner named, but no launch window (dated) or on-call schedule says when "
                              "they are on call", path=path, line=named[0])


DETECTORS: tuple[Detector, ...] = (
    traffic_split_rollout,
    flag_rollout,
    model_version_config,
    model_version_api,
    rollback_criteria_document,
    rollout_abort_thresholds,
    rollback_owner_document,
    rollback_owner_config,
)

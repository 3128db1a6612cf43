"""Reading Kubernetes manifests: workloads and their containers, probes, Helm charts, Kustomize.

These helpers turn the parsed YAML documents of a repository (through the index, never by
grepping) into the facts the serving detectors need:

* which YAML files are manifest candidates: files under a ``deploy/``, ``k8s/``,
  ``kubernetes/``, ``manifests/``, ``helm/``, ``chart(s)/`` or ``kustomize/`` folder, files of a
  Helm chart (a folder holding ``Chart.yaml``), and any YAML file with a top-level-looking
  ``kind:`` line (the text only selects; the decision comes from the parsed documents);
* the workloads in a file and their containers, for Deployment, StatefulSet, DaemonSet,
  ReplicaSet, Job, CronJob, Pod, Argo ``Rollout``, KServe ``InferenceService`` (the
  ``containers`` of each component and the framework blocks such as ``predictor.sklearn``),
  ``SeldonDeployment`` (``predictors[].componentSpecs[].spec.containers``) and Knative
  ``Service``/``Configuration`` (``spec.template.spec.containers``); a ``kind: List`` is opened;
* the probes of a container (``httpGet`` with its path, ``grpc``, ``exec``, ``tcpSocket``);
* the Helm chart a template belongs to and that chart's ``values*.yaml`` files;
* the files Kustomize applies as patches (``patches``, ``patchesStrategicMerge``), and the
  inline strategic-merge patches written in a ``kustomization.yaml``.

The index reads Helm templates with every ``{{ ... }}`` expression replaced by
:data:`HELM_PLACEHOLDER` (and lines holding only an expression dropped), so a value that came
from a template is either that placeholder or ``None``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from pytest_mlchecklist.repo import RepoIndex

#: What the index puts in place of a Helm ``{{ ... }}`` expression.
HELM_PLACEHOLDER = "HELM_TEMPLATE_VALUE"

#: Folder names that hold deployment manifests.
MANIFEST_DIR_NAMES = frozenset(
    {"deploy", "k8s", "kubernetes", "manifests", "helm", "charts", "chart", "kustomize"}
)

#: Kinds whose pod template is at ``spec.template.spec``.
POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})

#: Kinds that run to completion: they need limits, but no readiness or liveness probes.
BATCH_KINDS = frozenset({"Job", "CronJob"})

#: The framework blocks of a KServe component that are themselves container specs.
KSERVE_FRAMEWORKS = frozenset(
    {
        "sklearn", "xgboost", "lightgbm", "tensorflow", "pytorch", "triton", "onnx", "pmml",
        "paddle", "huggingface", "model", "alibi", "art", "lgbserver",
    }
)
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")

PROBE_KINDS = ("readinessProbe", "livenessProbe", "startupProbe")
_PROBE_HANDLERS = ("httpGet", "grpc", "exec", "tcpSocket")
_KIND_LINE = re.compile(r"^kind:\s*\S", re.MULTILINE)
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(frozen=True)
class Container:
    """One container of a workload: its name (or a position) and its spec mapping."""

    name: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class Workload:
    """A manifest object that runs containers."""

    kind: str
    name: str
    path: str
    namespace: str | None
    containers: tuple[Container, ...]

    @property
    def label(self) -> str:
        """``Deployment `fraud-scorer``` for details."""
        return f"{self.kind} `{self.name}`"

    @property
    def long_running(self) -> bool:
        """True for serving-style workloads (everything but Jobs and CronJobs)."""
        return self.kind not in BATCH_KINDS


@dataclass(frozen=True)
class Probe:
    """A probe with a handler: its kind (``readinessProbe``), handler and, for httpGet, the path."""

    kind: str
    handler: str
    path: str | None = None


# ---------------------------------------------------------------- small value helpers
def is_templated(value: Any) -> bool:
    """True when a value came from a Helm expression (the placeholder, or ``None`` after the
    index dropped a line holding only an expression)."""
    return value is None or (isinstance(value, str) and HELM_PLACEHOLDER in value)


def display(text: str) -> str:
    """A name for details, with Helm placeholders shown as ``{{…}}``."""
    return text.replace(HELM_PLACEHOLDER, "{{…}}")


def as_mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (parsed YAML/JSON is untrusted)."""
    return value if isinstance(value, dict) else {}


def as_mappings(value: Any) -> list[dict[str, Any]]:
    """The mappings of ``value`` when it is a list, else none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# ---------------------------------------------------------------- candidates
def chart_roots(index: RepoIndex) -> list[str]:
    """Folders holding a ``Chart.yaml`` (Helm chart roots), deepest first."""
    roots = {posixpath.dirname(path) for path in index.files if posixpath.basename(path) == "Chart.yaml"}
    return sorted(roots, key=lambda root: (-root.count("/"), root))


def chart_root_of(path: str, roots: Iterable[str]) -> str | None:
    """The Helm chart root that ``path`` belongs to, if any (``roots`` deepest first)."""
    for root in roots:
        if root == "" or path.startswith(root + "/"):
            return root
    return None


def manifest_candidates(index: RepoIndex) -> list[str]:
    """YAML files that may hold Kubernetes manifests (see the module docstring)."""
    roots = chart_roots(index)
    found: list[str] = []
    for path in index.with_suffix(".yaml", ".yml"):
        folders = {part.lower() for part in path.split("/")[:-1]}
        if folders & MANIFEST_DIR_NAMES or (roots and chart_root_of(path, roots) is not None):
            found.append(path)
            continue
        text = index.read_text(path)
        if text is not None and _KIND_LINE.search(text):
            found.append(path)
    return found


def chart_values_files(index: RepoIndex, root: str) -> list[str]:
    """The chart's ``values.yaml`` first, then its other ``values*.yaml`` files."""
    prefix = f"{root}/" if root else ""
    files = [
        path
        for path in index.files
        if path.startswith(prefix)
        and "/" not in path[len(prefix) :]
        and posixpath.basename(path).startswith("values")
        and path.endswith((".yaml", ".yml"))
    ]
    return sorted(files, key=lambda path: (posixpath.basename(path) not in ("values.yaml", "values.yml"), path))


# ---------------------------------------------------------------- workloads
def iter_workloads(path: str, documents: Iterable[Any]) -> Iterator[Workload]:
    """The workloads among the parsed documents of ``path`` (``kind: List`` items included)."""
    for document in documents:
        if not isinstance(document, dict):
            continue
        if document.get("kind") == "List":
            yield from iter_workloads(path, as_mappings(document.get("items")))
            continue
        workload = workload_from(path, document)
        if workload is not None:
            yield workload


def workload_from(path: str, document: dict[str, Any]) -> Workload | None:
    """The workload a document describes, or ``None`` when it runs no containers."""
    kind = document.get("kind")
    if not isinstance(kind, str):
        return None
    api_version = str(document.get("apiVersion") or "")
    spec = as_mapping(document.get("spec"))
    containers: list[Container]
    if kind == "Pod":
        containers = pod_containers(spec)
    elif kind in POD_TEMPLATE_KINDS or (kind == "Rollout" and api_version.startswith("argoproj.io")):
        containers = pod_containers(as_mapping(as_mapping(spec.get("template")).get("spec")))
    elif kind == "CronJob":
        job = as_mapping(as_mapping(spec.get("jobTemplate")).get("spec"))
        containers = pod_containers(as_mapping(as_mapping(job.get("template")).get("spec")))
    elif kind in ("Service", "Configuration") and api_version.startswith("serving.knative.dev"):
        containers = pod_containers(as_mapping(as_mapping(spec.get("template")).get("spec")))
    elif kind == "InferenceService" and api_version.startswith("serving.kserve.io"):
        containers = kserve_containers(spec)
    elif kind == "SeldonDeployment":
        containers = seldon_containers(spec)
    else:
        return None
    metadata = as_mapping(document.get("metadata"))
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    return Workload(
        kind=str(kind),
        name=display(str(name)) if isinstance(name, str) else "(unnamed)",
        path=path,
        namespace=namespace if isinstance(namespace, str) and not is_templated(namespace) else None,
        containers=tuple(containers),
    )


def pod_containers(pod_spec: dict[str, Any]) -> list[Container]:
    """The ``containers`` of a pod spec (init containers are not serving containers)."""
    found = []
    for position, item in enumerate(as_mappings(pod_spec.get("containers")), start=1):
        name = item.get("name")
        found.append(Container(display(str(name)) if isinstance(name, str) else f"#{position}", item))
    return found


def kserve_containers(spec: dict[str, Any]) -> list[Container]:
    """Containers of a KServe InferenceService: each component's ``containers`` and framework blocks."""
    found: list[Container] = []
    for component_name in KSERVE_COMPONENTS:
        component = as_mapping(spec.get(component_name))
        found.extend(pod_containers(component))
        for key in sorted(component):
            if key in KSERVE_FRAMEWORKS and isinstance(component[key], dict):
                found.append(Container(f"{component_name}.{key}", component[key]))
    return found


def seldon_containers(spec: dict[str, Any]) -> list[Container]:
    """Containers of a SeldonDeployment: ``predictors[].componentSpecs[].spec.containers``."""
    found: list[Container] = []
    for predictor in as_mappings(spec.get("predictors")):
        for component in as_mappings(predictor.get("componentSpecs")):
            found.extend(pod_containers(as_mapping(component.get("spec"))))
    return found


def container_probes(container: Container) -> tuple[list[Probe], list[str]]:
    """The container's probes that have a handler, and the probe kinds left to a Helm template.

    A probe without a handler (``readinessProbe: {}``) is neither: it probes nothing.
    """
    probes: list[Probe] = []
    templated: list[str] = []
    for kind in PROBE_KINDS:
        if kind not in container.spec:
            continue
        value = container.spec[kind]
        if isinstance(value, dict):
            probe = probe_from(kind, value)
            if probe is not None:
                probes.append(probe)
        elif is_templated(value):
            templated.append(kind)
    return probes, templated


def probe_from(kind: str, value: dict[str, Any]) -> Probe | None:
    """A :class:`Probe` from a probe mapping, or ``None`` when it has no usable handler."""
    http = value.get("httpGet")
    if isinstance(http, dict):
        path = http.get("path")
        return Probe(kind, "httpGet", str(path) if isinstance(path, (str, int)) else "/")
    if isinstance(value.get("grpc"), dict):
        return Probe(kind, "grpc")
    command = as_mapping(value.get("exec")).get("command")
    if (isinstance(command, list) and command) or (isinstance(command, str) and command.strip()):
        return Probe(kind, "exec")
    if isinstance(value.get("tcpSocket"), dict):
        return Probe(kind, "tcpSocket")
    return None


# ---------------------------------------------------------------- LimitRange and Kustomize
@dataclass(frozen=True)
class LimitRangeDefault:
    """A LimitRange giving containers default cpu and memory limits."""

    name: str
    path: str
    namespace: str | None

    def covers(self, workload: Workload) -> bool:
        """True when the LimitRange applies in the workload's namespace (unset matches any)."""
        return self.namespace is None or workload.namespace is None or self.namespace == workload.namespace


def limit_range_defaults(path: str, documents: Iterable[Any]) -> list[LimitRangeDefault]:
    """LimitRanges in ``documents`` whose ``type: Container`` entry sets default cpu and memory."""
    found = []
    for document in documents:
        if not isinstance(document, dict) or document.get("kind") != "LimitRange":
            continue
        for entry in as_mappings(as_mapping(document.get("spec")).get("limits")):
            default = as_mapping(entry.get("default"))
            if entry.get("type", "Container") == "Container" and has_value(default, "cpu") and has_value(default, "memory"):
                metadata = as_mapping(document.get("metadata"))
                namespace = metadata.get("namespace")
                found.append(
                    LimitRangeDefault(
                        name=str(metadata.get("name") or "(unnamed)"),
                        path=path,
                        namespace=namespace if isinstance(namespace, str) else None,
                    )
                )
                break
    return found


def has_value(mapping: dict[str, Any], key: str) -> bool:
    """True when ``mapping[key]`` is a real value (not missing, empty or a placeholder)."""
    value = mapping.get(key)
    return value not in (None, "") and not is_templated(value)


def kustomizations(index: RepoIndex) -> list[str]:
    """Paths of Kustomize files (``kustomization.yaml``)."""
    return [path for path in index.files if posixpath.basename(path) in _KUSTOMIZATION_NAMES]


def kustomize_patches(index: RepoIndex) -> tuple[set[str], list[tuple[str, list[Any]]]]:
    """Files Kustomize applies as patches, and inline strategic-merge patches as
    ``(kustomization path, documents)``.

    A patch only changes what it names, so a patch without limits says nothing about limits;
    a patch that sets them covers the workload it patches.
    """
    patch_files: set[str] = set()
    inline: list[tuple[str, list[Any]]] = []
    for path in kustomizations(index):
        documents = index.yaml_documents(path) or []
        folder = posixpath.dirname(path)
        for document in documents:
            if not isinstance(document, dict):
                continue
            entries: list[Any] = []
            for key in ("patches", "patchesStrategicMerge"):
                value = document.get(key)
                if isinstance(value, list):
                    entries.extend(value)
            for entry in entries:
                target = entry if isinstance(entry, str) else as_mapping(entry).get("path")
                if isinstance(target, str) and "\n" not in target:
                    patch_files.add(posixpath.normpath(posixpath.join(folder, target)))
                patch_text = as_mapping(entry).get("patch")
                if isinstance(entry, str) and "\n" in entry:
                    patch_text = entry
                if isinstance(patch_text, str):
                    parsed = _parse_inline_patch(patch_text)
                    if parsed:
                        inline.append((path, parsed))
    return patch_files, inline


def _parse_inline_patch(text: str) -> list[Any]:
    try:
        return [document for document in yaml.safe_load_all(text) if isinstance(document, dict)]
    except yaml.YAMLError:
        return []


# ---------------------------------------------------------------- lines
def line_of(text: str | None, pattern: str, start: int = 1) -> int | None:
    """The first line (1-based, from ``start``) matching the regex ``pattern``, or ``None``."""
    if text is None:
        return None
    compiled = re.compile(pattern)
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and compiled.search(line):
            return number
    return None


def container_line(text: str | None, workload: Workload, container: Container) -> int | None:
    """The line naming ``container`` after the workload's ``kind:`` line, found cheaply
    (``name: scorer``, or ``sklearn:`` for a KServe framework block); else the ``kind:`` line."""
    kind_line = line_of(text, rf"^\s*kind:\s*{re.escape(workload.kind)}\s*$")
    start = kind_line or 1
    if "." in container.name:
        key = re.escape(container.name.rsplit(".", 1)[1])
        found = line_of(text, rf"^\s*{key}:\s*$", start)
    else:
        name = re.escape(container.name)
        found = line_of(text, rf"^\s*(-\s*)?name:\s*[\"']?{name}[\"']?\s*(#.*)?$", start)
    return found or kind_line

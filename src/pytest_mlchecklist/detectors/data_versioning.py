"""Item 11 (training-data-versioned): the exact training data of every run can be retrieved.

Four detectors, each deciding from parsed content (file names only choose what to read):

``dvc-files``
    ``*.dvc`` files (outside test, vendored and generated folders). An entry of ``outs`` pins
    its data when it carries a content hash: ``md5``/``sha256``/``checksum`` (hexadecimal), or
    a cloud ``etag``/``version_id``. Outs that are model artifacts (``.pkl``, ``.pt``, ``.onnx``,
    a ``models/`` folder...) are not training data and are left out. All data outs pinned:
    ``supports`` (one evidence for all such files, naming the first); an out without a hash, or
    a file with no outs: ``partial``.
``dvc-pipeline``
    ``dvc.yaml`` with the ``dvc.lock`` next to it. The training stage is a stage named or
    running ``train``/``training``/``fit``/``finetune`` (stages named for preparation or
    evaluation are not); ``foreach``/``matrix`` stages are followed into their ``name@key``
    lock entries. Its data dependencies are the ``deps`` that are not code, configuration,
    schemas or model files. ``supports`` when the lock records a hash for every data dependency
    of the training stage ("training stage `train` depends on `data/prepared` pinned by md5 in
    dvc.lock"); ``partial`` when there is no ``dvc.lock``, no lock entry for the stage, a data
    dependency without a hash, a data dependency of ``dvc.yaml`` missing from the lock (stale
    lock), a training stage that depends on no data, or no training stage at all.
``pinned-data-config``
    YAML, TOML and configuration JSON (not tests, not ``dvc.yaml``/``dvc.lock``/``.dvc``). A data
    location (a string under a location key such as ``path``, ``uri``, ``table``, ``dataset``,
    ``train_data``, or any ``s3://``, ``gs://``, ``abfss://``, ``hdfs://``, ``hf://``,
    ``lakefs://`` URI; never under output, model, artifact, log, schema or image keys) is pinned by:
    a ``lakefs://repo/<commit or tag>/`` ref, ``versionId=``/``version=``/``revision=`` in its
    query, ``@sha256:<hex>``, a GCS ``#generation``, an ``hf://datasets/org/name@rev`` revision,
    or a sibling key holding a content hash (``md5``, ``sha256``, ``checksum``, ``etag``), an
    object version (``version_id``), a table snapshot (``versionAsOf``, ``timestampAsOf``,
    ``snapshot_id``) or a revision (``revision``, ``commit``, ``tag``, and ``version`` for a remote
    location). Pinned: ``supports``. Refs that move (``main``, ``latest``, a branch-like lakeFS
    ref), a local path with only a version label, and, in a training configuration (``train`` in
    its path or key), a remote URI with no version: ``partial`` ("configs/train.yaml reads
    s3://bucket/latest/ with no version").
``data-version-code``
    Non-test Python (parsed, never imported): ``mlflow.log_input`` (MLflow records the dataset's
    digest with the run), ``mlflow.log_param``/``set_tag`` of a data version or hash key,
    ``datasets.load_dataset(..., revision=<commit or tag>)``, Delta/Iceberg time travel
    (``.option("versionAsOf", ...)``, ``DeltaTable(..., version=)``, ``load_as_version``,
    ``snapshot_id=``, ``VERSION AS OF`` in SQL strings), ``dvc.api`` reads with ``rev=``, W&B
    ``use_artifact("name:v3")`` and pinned URIs in string constants: ``supports``. An MLflow
    dataset that is built but never logged, a Hub dataset loaded without ``revision=`` or at a
    branch, a W&B artifact at ``:latest``: ``partial``.

A candidate file that does not parse is ``unreadable``.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    is_test_path,
    iter_calls,
    repository_modules,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "training-data-versioned"

# ====================================================================== shared value helpers
_HEX = re.compile(r"^(?:(?:md5|sha1|sha256|sha512):)?[0-9a-fA-F]{8,}(?:\.dir)?$")
_PLACEHOLDER = re.compile(
    r"^(?:todo|tbd|tba|fixme|xxx+|none|null|nil|n/?a|changeme|change_me|placeholder|unknown|\?+|\.\.\.|-+|<[^>]*>)$",
    re.IGNORECASE,
)
#: Refs, versions and aliases that move over time: naming one does not pin anything.
MUTABLE_REFS = frozenset(
    {"latest", "current", "main", "master", "head", "dev", "develop", "development", "staging", "stage",
     "production", "prod", "trunk", "newest", "live", "default", "*"}
)
_MODEL_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".onnx", ".h5", ".keras", ".safetensors", ".ckpt",
    ".tflite", ".pb", ".mlmodel", ".cbm", ".xgb", ".lgb",
)
_MODEL_DIRS = frozenset({"model", "models", "checkpoints", "checkpoint", "weights"})
_CODE_SUFFIXES = (
    ".py", ".ipynb", ".sh", ".bash", ".r", ".jl", ".scala", ".java", ".go", ".js", ".ts", ".sql", ".rs", ".c", ".cpp",
)
_CONFIG_SUFFIXES = (
    ".yaml", ".yml", ".toml", ".cfg", ".ini", ".conf", ".env", ".lock", ".avsc", ".proto", ".schema.json", ".md",
)
_CODE_DIRS = frozenset({"src", "lib", "scripts", "code", "notebooks", "configs", "config", "conf", "schemas", "schema"})
_CODE_FILES = frozenset({"requirements.txt", "dockerfile", "makefile", "setup.py", "pyproject.toml", "setup.cfg"})


def is_placeholder(value: str) -> bool:
    """True for empty text and placeholders such as ``TODO``, ``TBD``, ``...`` or ``<hash>``."""
    stripped = value.strip()
    return not stripped or bool(_PLACEHOLDER.match(stripped))


def is_mutable_ref(value: Any) -> bool:
    """True for a ref or version that moves (``main``, ``latest``, ``HEAD``...)."""
    return isinstance(value, str) and value.strip().lower() in MUTABLE_REFS


def is_hash(value: Any) -> bool:
    """A hexadecimal digest of at least 8 characters (``f6e4...``, ``sha256:ab12...``, ``....dir``)."""
    return isinstance(value, str) and bool(_HEX.match(value.strip()))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 file``, ``3 files``."""
    return f"{count} {noun}" if count == 1 else f"{count} {many or noun + 's'}"


def listed(names: list[str], limit: int = 3) -> str:
    """Names in backticks, the first ``limit`` of them: `` `a`, `b` and 2 more``."""
    unique = list(dict.fromkeys(names))
    shown = ", ".join(f"`{name}`" for name in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _line_containing(text: str | None, needle: str) -> int | None:
    """The first line holding ``needle`` (only used to point at what the parser found)."""
    if not text or not needle:
        return None
    position = text.find(needle)
    return None if position < 0 else text.count("\n", 0, position) + 1


def setting_line(text: str | None, key: str) -> int | None:
    """The first line that sets ``key`` (YAML ``key:``, JSON ``"key":``, TOML ``key =``)."""
    if not text:
        return None
    pattern = re.compile(rf"^\s*(?:-\s+)?[\"']?{re.escape(key)}[\"']?\s*[:=]", re.MULTILINE)
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def name_words(text: str) -> set[str]:
    """Lower-case words of a name: ``trainDataPath`` and ``train_data_path`` give train, data, path."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {token for token in re.split(r"[^a-z0-9]+", spaced.lower()) if token}


# ====================================================================== DVC paths
def is_model_path(path: str) -> bool:
    """A model artifact rather than data: a model file suffix, or a model/checkpoint folder."""
    lowered = path.lower().rstrip("/")
    parts = lowered.split("/")
    stem = parts[-1].split(".", 1)[0]
    if lowered.endswith(_MODEL_SUFFIXES) or stem in ("model", "models"):
        return True
    return any(part in _MODEL_DIRS for part in parts)


def is_data_path(path: str) -> bool:
    """A DVC dependency that is data: not code, configuration, schema or model files."""
    lowered = path.strip().lower().rstrip("/")
    if lowered.startswith("./"):
        lowered = lowered[2:]
    if not lowered:
        return False
    parts = lowered.split("/")
    if lowered.endswith(_CODE_SUFFIXES) or lowered.endswith(_CONFIG_SUFFIXES) or parts[-1] in _CODE_FILES:
        return False
    if parts[0] in ("src", "lib") or any(part in _CODE_DIRS for part in parts):
        return False
    return not is_model_path(lowered)


def pin_of(entry: dict[str, Any]) -> str | None:
    """How a DVC ``outs``/``deps`` entry is pinned (``md5``, ``etag``...), or ``None``."""
    for key in ("md5", "sha256", "checksum"):
        if is_hash(entry.get(key)):
            return key
    for key in ("etag", "version_id"):
        value = entry.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and not is_placeholder(str(value)):
            return "S3 object version" if key == "version_id" else key
    return None


def _normal(path: str) -> str:
    cleaned = path.strip()
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return cleaned.rstrip("/")


def _join(folder: str, path: str) -> str:
    if not folder or "://" in path or path.startswith("/"):
        return _normal(path)
    return _normal(posixpath.normpath(posixpath.join(folder, path)))


# ====================================================================== dvc-files
def _dvc_files(ctx: DetectorContext) -> list[str]:
    declared = set(ctx.declared(ITEM))
    found = [
        path for path in ctx.index.with_suffix(".dvc")
        if path.rsplit("/", 1)[-1] != ".dvc" and (path in declared or not is_test_path(path))
    ]
    return [path for path in ctx.candidates(ITEM, found) if path.lower().endswith(".dvc")]


@dataclass(frozen=True)
class _Out:
    path: str
    pin: str | None
    files: int | None


def _outs(path: str, document: Any) -> list[_Out] | None:
    """The data outs of a parsed ``.dvc`` file (``None`` when it has no ``outs`` list)."""
    outs = document.get("outs") if isinstance(document, dict) else None
    if not isinstance(outs, list):
        return None
    folder = posixpath.dirname(path)
    found: list[_Out] = []
    for out in outs:
        if not isinstance(out, dict) or not isinstance(out.get("path"), str) or is_placeholder(out["path"]):
            continue
        target = _join(folder, out["path"])
        if is_model_path(target):
            continue
        files = out.get("nfiles")
        count = files if isinstance(files, int) and not isinstance(files, bool) else None
        found.append(_Out(target, pin_of(out), count))
    return found


@detector(
    name="dvc-files",
    items=(ITEM,),
    looks_for="`.dvc` files whose `outs` carry a content hash (md5, etag, version_id) for the data they track",
)
def dvc_files(ctx: DetectorContext) -> Iterator[Evidence]:
    """Data tracked by ``.dvc`` files (see the module docstring)."""
    pinned: list[tuple[str, _Out, int | None]] = []
    for path in _dvc_files(ctx):
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        text = ctx.index.read_text(path)
        document = documents[0] if documents else None
        outs = _outs(path, document)
        if outs is None:
            yield ctx.partial(ITEM, f"{path} tracks nothing: it has no `outs` list", path=path)
            continue
        if not outs:
            continue  # only model artifacts: not training data
        missing = [out for out in outs if out.pin is None]
        if missing:
            detail = (f"{path} tracks `{missing[0].path}` without a hash; run `dvc add` or `dvc commit` "
                      "and commit the .dvc file")
            yield ctx.partial(ITEM, detail, path=path, line=setting_line(text, "outs"))
            continue
        pinned.append((path, outs[0], setting_line(text, outs[0].pin or "md5") or setting_line(text, "outs")))
    if pinned:
        path, out, line = pinned[0]
        size = f" ({plural(out.files, 'file')})" if out.files else ""
        more = f" (and {plural(len(pinned) - 1, 'more .dvc file')} with hashes)" if len(pinned) > 1 else ""
        yield ctx.supports(ITEM, f"{path} pins `{out.path}`{size} by {out.pin}{more}", path=path, line=line)


# ====================================================================== dvc-pipeline
_TRAIN_WORDS = frozenset({"train", "training", "trainer", "fit", "finetune", "retrain", "retraining"})
_NOT_TRAINING_WORDS = frozenset(
    {"prepare", "prep", "preprocess", "preprocessing", "featurize", "featurise", "features", "feature", "split",
     "download", "ingest", "extract", "clean", "fetch", "load", "evaluate", "eval", "evaluation", "test", "score",
     "scoring", "predict", "inference", "serve", "deploy", "export", "report", "metrics", "plot", "plots"}
)


def _command_text(stage: dict[str, Any]) -> str:
    cmd = stage.get("cmd")
    if isinstance(cmd, str):
        return cmd
    if isinstance(cmd, list):
        return " ".join(part for part in cmd if isinstance(part, str))
    return ""


def _stage_body(stage: Any) -> dict[str, Any] | None:
    """The stage definition, looking inside ``foreach``/``do`` stages."""
    if not isinstance(stage, dict):
        return None
    body = stage.get("do")
    return body if isinstance(body, dict) else stage


def is_training_stage(name: str, stage: dict[str, Any]) -> bool:
    """A stage named for training, or whose command runs training, unless named for data preparation
    or evaluation (``prepare_training_data`` is not a training stage)."""
    words = name_words(name)
    if words & _NOT_TRAINING_WORDS:
        return False
    return bool(words & _TRAIN_WORDS) or bool(name_words(_command_text(stage)) & _TRAIN_WORDS)


def _string_deps(stage: dict[str, Any]) -> list[str]:
    deps = stage.get("deps")
    if not isinstance(deps, list):
        return []
    return [dep for dep in deps if isinstance(dep, str) and not is_placeholder(dep)]


def _lock_stages(lock: Any) -> dict[str, Any]:
    if not isinstance(lock, dict):
        return {}
    stages = lock.get("stages")
    if isinstance(stages, dict):
        return stages
    return {key: value for key, value in lock.items() if isinstance(value, dict) and "cmd" in value}


def _lock_entries(stages: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The lock entries of a stage: ``name`` itself, or ``name@key`` for foreach/matrix stages."""
    return [
        entry for key, entry in stages.items()
        if isinstance(entry, dict) and (key == name or str(key).startswith(name + "@"))
    ]


def _lock_deps(entries: list[dict[str, Any]], folder: str) -> list[tuple[str, str | None]]:
    found: dict[str, str | None] = {}
    for entry in entries:
        deps = entry.get("deps")
        for dep in deps if isinstance(deps, list) else []:
            if isinstance(dep, dict) and isinstance(dep.get("path"), str):
                found.setdefault(_join(folder, dep["path"]), pin_of(dep))
    return list(found.items())


@detector(
    name="dvc-pipeline",
    items=(ITEM,),
    looks_for="a `dvc.yaml` training stage whose data dependencies are pinned by hash in the `dvc.lock` next to it",
)
def dvc_pipeline(ctx: DetectorContext) -> Iterator[Evidence]:
    """Training stages of DVC pipelines and the hashes their lock files record (see the module docstring)."""
    pipelines = [path for path in ctx.index.files if path.rsplit("/", 1)[-1] == "dvc.yaml"]
    declared = set(ctx.declared(ITEM))
    for path in ctx.candidates(ITEM, pipelines):
        if path.rsplit("/", 1)[-1] != "dvc.yaml" or (is_test_path(path) and path not in declared):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        document = documents[0] if documents else None
        stages = document.get("stages") if isinstance(document, dict) else None
        if not isinstance(stages, dict) or not stages:
            continue
        folder = posixpath.dirname(path)
        lock_path = posixpath.join(folder, "dvc.lock") if folder else "dvc.lock"
        lock: Any = None
        if lock_path in ctx.index:
            lock_documents = ctx.index.yaml_documents(lock_path)
            if lock_documents is None:
                yield ctx.unreadable(ITEM, lock_path)
                continue
            lock = lock_documents[0] if lock_documents else {}
        yield from _judge_pipeline(ctx, path, stages, lock_path, lock)


def _judge_pipeline(
    ctx: DetectorContext, path: str, stages: dict[str, Any], lock_path: str, lock: Any
) -> Iterator[Evidence]:
    text = ctx.index.read_text(path)
    bodies = {str(name): body for name, stage in stages.items() if (body := _stage_body(stage)) is not None}
    training = [name for name, body in bodies.items() if is_training_stage(name, body)]
    if not training:
        with_deps = [name for name, body in bodies.items() if _string_deps(body)]
        if with_deps:
            detail = (f"{path} has {plural(len(bodies), 'stage')} ({listed(list(bodies))}) but none trains a model; "
                      "the training data is not pinned by this pipeline")
            yield ctx.partial(ITEM, detail, path=path)
        return
    folder = posixpath.dirname(path)
    lock_stages = _lock_stages(lock) if lock is not None else {}
    for name in training:
        line = setting_line(text, name)
        yaml_deps = [_join(folder, dep) for dep in _string_deps(bodies[name])]
        yaml_data = [dep for dep in yaml_deps if "${" in dep or is_data_path(dep)]
        where = f"training stage `{name}`"
        if lock is None:
            if yaml_data:
                detail = (f"{where} depends on {listed(yaml_data)} but there is no {lock_path} recording their hashes; "
                          "run `dvc repro` and commit dvc.lock")
            else:
                detail = f"{where} in {path} has no data dependency and there is no {lock_path}"
            yield ctx.partial(ITEM, detail, path=path, line=line)
            continue
        entries = _lock_entries(lock_stages, name)
        if not entries:
            detail = f"{lock_path} has no entry for {where}; run `dvc repro` and commit dvc.lock"
            yield ctx.partial(ITEM, detail, path=path, line=line)
            continue
        locked = [(dep, pin) for dep, pin in _lock_deps(entries, folder) if is_data_path(dep)]
        locked_paths = {dep for dep, _ in locked}
        stale = [dep for dep in yaml_data if "${" not in dep and dep not in locked_paths]
        unpinned = [dep for dep, pin in locked if pin is None]
        lock_line = setting_line(ctx.index.read_text(lock_path), name)
        if stale:
            detail = (f"{lock_path} is out of date: {where} depends on {listed(stale)}, which the lock does not "
                      "record; run `dvc repro` and commit dvc.lock")
            yield ctx.partial(ITEM, detail, path=lock_path, line=lock_line)
        elif not locked:
            detail = (f"{where} depends on no data in {lock_path} (only code and configuration); "
                      "add the training data to its deps")
            yield ctx.partial(ITEM, detail, path=path, line=line)
        elif unpinned:
            detail = f"{lock_path} records {listed(unpinned)} of {where} without a hash"
            yield ctx.partial(ITEM, detail, path=lock_path, line=lock_line)
        else:
            pins = sorted({pin for _, pin in locked if pin is not None})
            data = listed([dep for dep, _ in locked])
            detail = f"{where} depends on {data} pinned by {', '.join(pins)} in {lock_path}"
            yield ctx.supports(ITEM, detail, path=lock_path, line=lock_line)


# ====================================================================== pinned-data-config
_DATA_SCHEMES = frozenset(
    {"s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "az", "wasb", "wasbs", "adl", "hdfs", "dbfs", "lakefs", "hf",
     "oss", "r2", "delta", "iceberg"}
)
_LOCATION_KEYS = frozenset(
    {"path", "uri", "url", "location", "table", "tablename", "dataset", "datasetname", "datasetpath", "datasetid",
     "data", "datapath", "datauri", "dataurl", "source", "input", "inputs", "inputpath", "inputuri", "train",
     "trainpath", "trainuri", "traindata", "trainingdata", "trainfile", "trainset", "file", "files", "glob", "prefix"}
)
_LOCATION_SUFFIXES = ("path", "uri", "url", "table", "dataset", "data", "file", "location", "prefix")
#: Keys naming a Hub or registry dataset: a location only when a version sits next to them.
_NAME_KEYS = frozenset({"name", "id", "repoid", "hfdataset", "hubid"})
_NOT_INPUT_WORDS = frozenset(
    {"output", "outputs", "out", "save", "saved", "export", "model", "models", "artifact", "artifacts", "checkpoint",
     "checkpoints", "log", "logs", "logging", "dest", "destination", "sink", "write", "registry", "mlruns", "tracking",
     "cache", "report", "reports", "schema", "schemas", "image", "images", "docker", "container",
     "code", "script", "scripts", "module", "package", "requirements", "tokenizer", "vocab", "pretrained", "weights",
     "plot", "plots", "metrics", "prediction", "predictions", "results"}
)
_HASH_KEYS = frozenset(
    {"md5", "sha256", "sha1", "sha512", "checksum", "hash", "digest", "contenthash", "md5sum", "sha256sum"}
)
_OBJECT_VERSION_KEYS = frozenset({"versionid", "generation", "objectversion"})
_SNAPSHOT_KEYS = frozenset(
    {"versionasof", "timestampasof", "asof", "snapshotid", "snapshot", "asoftimestamp", "deltaversion", "tableversion"}
)
_REVISION_KEYS = frozenset({"revision", "rev", "commit", "commitid", "ref", "tag"})
_LABEL_KEYS = frozenset({"version", "dataversion", "datasetversion"})
_QUERY_VERSION_KEYS = frozenset(
    {"version", "ref", "rev", "revision", "commit", "snapshot", "snapshotid", "versionasof"}
)
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "params", "hparams", "settings", "pipelines", "experiments"})
_CONFIG_NAME_WORDS = ("config", "param", "settings", "hparams", "train", "dataset", "data")
_CONFIG_HINTS = (
    "lakefs://", "versionid", "@sha256:", "version", "revision", "snapshot", "asof", "md5", "sha256", "checksum",
    "etag", "s3://", "s3a://", "gs://", "abfss://", "abfs://", "az://", "wasbs://", "hdfs://", "hf://", "dbfs:",
    "commit",
)
_TRAINING_WORDS = frozenset({"train", "training", "trainer", "fit", "finetune", "finetuning", "retrain"})
_DATASET_CONTEXT = frozenset({"data", "dataset", "datasets", "corpus", "train", "training"})
#: Words that make an http(s) URL a data download rather than a web page or a service.
_WEB_DATA_WORDS = frozenset({"input", "inputs", "source", "file", "files", "table", "download"})
#: Files that are configuration of tools, packages or deployments, never of training data.
_TOOL_FILES = frozenset(
    {"pyproject.toml", "package.json", "package-lock.json", "chart.yaml", "mkdocs.yml", "mkdocs.yaml",
     ".pre-commit-config.yaml", "environment.yml", "environment.yaml", "conda.yaml", "codecov.yml", "renovate.json",
     ".gitlab-ci.yml", "docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml", "tsconfig.json"}
)
_LAKEFS_COMMIT = re.compile(r"^[0-9a-f]{12,64}$")
_SHA256_DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{12,}")


def _norm_key(key: Any) -> str:
    return re.sub(r"[-_.\s]", "", str(key).lower())


def _scheme(value: str) -> str | None:
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?://|/)", value.strip())
    return match.group(1).lower() if match else None


def _display(value: str) -> str:
    """A data location for a detail: without its query string, shortened."""
    base = value.strip().split("?", 1)[0].split("#", 1)[0]
    return _short(base)


@dataclass(frozen=True)
class Pin:
    """How a data location is pinned (``pinned``), or why it is not (``pinned`` false)."""

    pinned: bool
    how: str


def lakefs_pin(uri: str) -> Pin | None:
    """The ref of a ``lakefs://repo/ref/path`` URI: a commit or tag pins, a branch does not."""
    try:
        split = urlsplit(uri.strip())
    except ValueError:
        return None
    parts = split.path.lstrip("/").split("/")
    ref = parts[0] if parts and parts[0] else ""
    if not split.netloc or not ref:
        return None  # a repository (or only the scheme) names no data yet
    if _LAKEFS_COMMIT.match(ref.lower()):
        return Pin(True, f"lakeFS commit `{ref[:12]}`")
    if "~" in ref or "^" in ref or is_mutable_ref(ref):
        return Pin(False, f"lakeFS branch `{ref}`, which moves")
    if any(character.isdigit() for character in ref):
        return Pin(True, f"lakeFS tag `{ref}`")
    return Pin(False, f"lakeFS ref `{ref}`, which looks like a branch and moves; pin a commit or tag")


def uri_pin(value: str) -> Pin | None:
    """A pin written into a location string itself, or ``None`` when the string pins nothing."""
    stripped = value.strip()
    scheme = _scheme(stripped)
    if scheme == "lakefs":
        return lakefs_pin(stripped)
    if _SHA256_DIGEST.search(stripped):
        return Pin(True, "sha256 digest")
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return None
    for key, query_value in parse_qsl(parts.query, keep_blank_values=True):
        normal = _norm_key(key)
        if normal in ("versionid", "generation") and not is_placeholder(query_value):
            return Pin(True, "object version (`versionId`)" if normal == "versionid" else "GCS generation")
        if normal in _QUERY_VERSION_KEYS and not is_placeholder(query_value):
            if is_mutable_ref(query_value):
                return Pin(False, f"`{key}={query_value}`, which moves")
            return Pin(True, f"`{key}={_short(query_value, 20)}`")
    if scheme in ("gs", "gcs") and parts.fragment.isdigit():
        return Pin(True, "GCS generation")
    if scheme == "hf":
        segments = parts.path.lstrip("/").split("/")
        for segment in segments[:2]:
            if "@" in segment:
                revision = segment.split("@", 1)[1]
                if is_mutable_ref(revision):
                    return Pin(False, f"Hub revision `{revision}`, which moves")
                if revision and not is_placeholder(revision):
                    return Pin(True, f"Hub revision `{_short(revision, 12)}`")
    return None


def sibling_pin(block: dict[str, Any], location_key: str, versioned_store: bool) -> Pin | None:
    """A pin written next to a location, in the same mapping (``md5:``, ``version_id:``...).

    A plain ``version:`` label pins only a store that keeps versions itself (a Delta or Iceberg
    table, a Hub dataset); next to a file path or a bucket prefix it is only a name.
    """
    found: Pin | None = None
    for key, value in block.items():
        if key == location_key or value is None or isinstance(value, (dict, list, bool)):
            continue
        normal = _norm_key(key)
        text = str(value).strip()
        if is_placeholder(text) or "${" in text or "{{" in text:
            continue
        if normal in _HASH_KEYS:
            if is_hash(text):
                return Pin(True, str(key))
            continue
        if normal in _OBJECT_VERSION_KEYS or normal in _SNAPSHOT_KEYS:
            kind = "object version" if normal in _OBJECT_VERSION_KEYS else "snapshot"
            found = found or Pin(True, f"{kind} `{key}: {_short(text, 24)}`")
        elif normal in _REVISION_KEYS or normal in _LABEL_KEYS:
            if is_mutable_ref(text):
                found = found or Pin(False, f"`{key}: {text}`, which moves")
            elif normal in _REVISION_KEYS:
                found = found or Pin(True, f"revision `{_short(text, 24)}`")
            elif versioned_store:
                found = found or Pin(True, f"version `{_short(text, 24)}`")
            else:
                found = found or Pin(False, f"a version label (`{key}: {_short(text, 24)}`) but no content hash")
    return found


def _is_location_key(normal: str) -> bool:
    return normal in _LOCATION_KEYS or normal.endswith(_LOCATION_SUFFIXES)


def _is_config_json(path: str) -> bool:
    parts = path.lower().split("/")
    return any(part in _CONFIG_DIRS for part in parts[:-1]) or any(word in parts[-1] for word in _CONFIG_NAME_WORDS)


def _is_training_config(path: str) -> bool:
    return bool(name_words(path) & _TRAINING_WORDS) or path.rsplit("/", 1)[-1] in ("params.yaml", "params.yml")


def config_candidates(ctx: DetectorContext, item: str, hints: tuple[str, ...]) -> list[str]:
    """YAML/TOML/config-JSON files outside tests (declared ones always) whose lower-cased text holds a hint."""
    declared = set(ctx.declared(item))
    chosen: list[str] = []
    for path in ctx.candidates(item, ctx.index.with_suffix(".yaml", ".yml", ".toml", ".json")):
        lowered = path.lower()
        name = lowered.rsplit("/", 1)[-1]
        if not lowered.endswith((".yaml", ".yml", ".toml", ".json")):
            continue
        if path not in declared:
            if is_test_path(path) or name in ("dvc.yaml", "dvc.lock") or name in _TOOL_FILES:
                continue
            if lowered.startswith(".github/"):
                continue
            if lowered.endswith(".json") and not _is_config_json(path):
                continue
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared:
                chosen.append(path)
            continue
        lowered_text = text.lower()
        if path in declared or any(hint in lowered_text for hint in hints):
            chosen.append(path)
    return chosen


@dataclass(frozen=True)
class Location:
    """A data location found in a configuration file, and how it is pinned."""

    keypath: str
    value: str
    remote: bool
    pin: Pin | None
    training: bool


def _is_kubernetes(document: Any) -> bool:
    return isinstance(document, dict) and "apiVersion" in document and "kind" in document


def find_locations(documents: list[Any], *, training_file: bool) -> list[Location]:
    """Data locations in parsed configuration documents (see the module docstring)."""
    found: list[Location] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [
        (document, ()) for document in reversed(documents) if not _is_kubernetes(document)
    ]
    while stack:
        node, keys = stack.pop()
        if isinstance(node, list):
            stack.extend((child, keys) for child in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        ancestors = set().union(*(name_words(key) for key in keys)) if keys else set()
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                stack.append((value, (*keys, str(key))))
                continue
            if not isinstance(value, str) or is_placeholder(value):
                continue
            location = _location(node, str(key), value, keys, ancestors, training_file)
            if location is not None:
                found.append(location)
    return found


def _location(
    block: dict[str, Any], key: str, value: str, keys: tuple[str, ...], ancestors: set[str], training_file: bool
) -> Location | None:
    """The data location ``key: value`` of ``block`` stands for, with its pin, or ``None``."""
    normal = _norm_key(key)
    if (name_words(key) | ancestors) & _NOT_INPUT_WORDS:
        return None
    scheme = _scheme(value)
    location_key = _is_location_key(normal)
    hub_name = normal in _NAME_KEYS and bool(ancestors & _DATASET_CONTEXT)
    web_data = location_key and bool((name_words(key) | ancestors) & (_DATASET_CONTEXT | _WEB_DATA_WORDS))
    remote = scheme in _DATA_SCHEMES or (scheme in ("http", "https") and web_data)
    if scheme is not None and not remote:
        return None  # a URL that is not a data store (a web page, a tracking server)
    if not remote and not location_key and not hub_name:
        return None
    pin = uri_pin(value) if remote else None
    if pin is None or not pin.pinned:
        store_format = str(block.get("format", "")).lower()
        versioned_store = (
            scheme in ("hf", "delta", "iceberg") or hub_name or normal.endswith("table")
            or store_format in ("delta", "iceberg", "hudi")
        )
        sibling = sibling_pin(block, key, versioned_store)
        if sibling is not None and (pin is None or sibling.pinned):
            pin = sibling
    if not remote and pin is None:
        return None  # a local path with no pin: git or DVC may track it, the DVC detectors judge that
    training = training_file or bool((ancestors | name_words(key)) & _TRAINING_WORDS)
    return Location(".".join((*keys, key)), value, remote, pin, training)


@detector(
    name="pinned-data-config",
    items=(ITEM,),
    looks_for="training data locations in YAML/TOML/JSON configs pinned by a lakeFS commit or tag, an object "
    "version (`versionId=`), a digest (`@sha256:`), a table snapshot (`versionAsOf`) or a hash next to the path",
)
def pinned_data_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Data locations in configuration files and how they are pinned (see the module docstring)."""
    for path in config_candidates(ctx, ITEM, _CONFIG_HINTS):
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        text = ctx.index.read_text(path)
        locations = find_locations(documents, training_file=_is_training_config(path))
        pinned = [location for location in locations if location.pin is not None and location.pin.pinned]
        if pinned:
            first = pinned[0]
            more = f" (and {plural(len(pinned) - 1, 'more pinned location')})" if len(pinned) > 1 else ""
            how = first.pin.how if first.pin else ""
            detail = f"{path} pins `{first.keypath}` ({_display(first.value)}) by {how}{more}"
            yield ctx.supports(ITEM, detail, path=path, line=_line_containing(text, first.value))
        for location in locations:
            if location in pinned:
                continue
            line = _line_containing(text, location.value)
            if location.pin is not None:
                detail = f"{path} reads {_display(location.value)} (`{location.keypath}`) at {location.pin.how}"
                yield ctx.partial(ITEM, detail, path=path, line=line)
            elif location.training and location.remote and "${" not in location.value and "{{" not in location.value:
                detail = (f"{path} reads {_display(location.value)} with no version (`{location.keypath}`); pin an "
                          "object version, snapshot, commit or hash")
                yield ctx.partial(ITEM, detail, path=path, line=line)


# ====================================================================== data-version-code
_CODE_HINTS = (
    "mlflow", "load_dataset", "versionAsOf", "timestampAsOf", "VERSION AS OF", "TIMESTAMP AS OF", "lakefs://",
    "versionId=", "@sha256:", "dvc.api", "dvc import", "load_as_version", "load_version", "snapshot_id",
    "snapshot-id", "use_artifact", "DeltaTable",
)
#: ``datasets.load_dataset`` builders that read local or given files, not a Hub dataset.
_HF_BUILDERS = frozenset(
    {"csv", "json", "parquet", "text", "arrow", "imagefolder", "audiofolder", "webdataset", "pandas", "sql",
     "generator", "videofolder", "xml"}
)
_SQL_TIME_TRAVEL = re.compile(r"\bFROM\b.*\b(?:VERSION|TIMESTAMP)\s+AS\s+OF\b", re.IGNORECASE | re.DOTALL)
_FULL_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s]+/\S+$")
_VERSION_WORDS = frozenset({"version", "hash", "md5", "sha", "sha256", "digest", "commit", "rev", "revision",
                            "snapshot", "checksum", "fingerprint"})
_DATA_WORDS = frozenset({"data", "dataset", "datasets"})
_TIME_TRAVEL_OPTIONS = frozenset({"versionasof", "timestampasof", "snapshotid", "asoftimestamp"})


@dataclass(frozen=True)
class CodeFinding:
    """One thing found in a module: a pin (``pinned``) or a read that is not pinned."""

    pinned: bool
    detail: str
    line: int


def source_modules(ctx: DetectorContext, item: str) -> list[PythonModule]:
    """Readable non-test Python modules outside vendored folders (declared paths always)."""
    return repository_modules(ctx, item)


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _is_none(node: ast.AST | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _data_version_key(value: object) -> bool:
    if not isinstance(value, str):
        return False
    words = name_words(value)
    return bool(words & _DATA_WORDS) and bool(words & _VERSION_WORDS)


def _docstring_ids(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    ids.add(id(statement.value))
    return ids


def module_findings(module: PythonModule) -> list[CodeFinding]:
    """Data pins and unpinned data reads in one parsed module (see the module docstring)."""
    found: list[CodeFinding] = []
    logged = False
    built: list[tuple[str, int]] = []
    for call in iter_calls(module.tree, module.aliases):
        name = call.name
        if name == "mlflow.log_input":
            logged = True
            context = constant_value(_keyword(call.node, "context"))
            suffix = f" (context `{context}`)" if isinstance(context, str) else ""
            detail = f"`mlflow.log_input` records the dataset and its digest with each run{suffix}"
            found.append(CodeFinding(True, detail, call.line))
        elif name.startswith("mlflow.data.from_") or name in ("mlflow.data.Dataset", "mlflow.data.dataset"):
            built.append((name, call.line))
        elif name in ("mlflow.log_param", "mlflow.set_tag") and call.node.args:
            key = constant_value(call.node.args[0])
            if _data_version_key(key):
                found.append(CodeFinding(True, f"`{name}` records `{key}` with each run", call.line))
        elif name in ("mlflow.log_params", "mlflow.set_tags") and call.node.args and isinstance(
            call.node.args[0], ast.Dict
        ):
            keys = [constant_value(key) for key in call.node.args[0].keys if key is not None]
            data_keys = [key for key in keys if _data_version_key(key)]
            if data_keys:
                found.append(CodeFinding(True, f"`{name}` records `{data_keys[0]}` with each run", call.line))
        elif name == "datasets.load_dataset":
            found.extend(_hub_dataset(call.node, call.line))
        elif name.startswith("dvc.api.") and name.rsplit(".", 1)[-1] in ("open", "read", "get_url", "DVCFileSystem"):
            revision = _keyword(call.node, "rev")
            if not _is_none(revision):
                shown = constant_value(revision)
                what = f"at revision `{shown}`" if isinstance(shown, str) else "at a given revision (`rev=`)"
                found.append(CodeFinding(True, f"`{name}` reads tracked data {what}", call.line))
        elif name.rsplit(".", 1)[-1] == "DeltaTable" and not _is_none(_keyword(call.node, "version")):
            found.append(CodeFinding(True, "`DeltaTable(..., version=...)` reads a fixed table version", call.line))
    found.extend(_method_findings(module))
    found.extend(_string_findings(module))
    if built and not logged:
        name, line = built[0]
        detail = f"`{name}` builds an MLflow dataset but nothing logs it with `mlflow.log_input`"
        found.append(CodeFinding(False, detail, line))
    return found


def _hub_dataset(call: ast.Call, line: int) -> list[CodeFinding]:
    dataset = constant_value(call.args[0]) if call.args else constant_value(_keyword(call, "path"))
    if not isinstance(dataset, str) or dataset.lower() in _HF_BUILDERS or dataset.startswith((".", "/")):
        return []
    loaded = f"`load_dataset(\"{_short(dataset, 40)}\")`"
    revision = _keyword(call, "revision")
    if _is_none(revision):
        return [CodeFinding(False, f"{loaded} reads the Hub without `revision=`, so the data can change", line)]
    shown = constant_value(revision)
    if is_mutable_ref(shown):
        return [CodeFinding(False, f"{loaded} reads revision `{shown}`, which moves", line)]
    what = f"revision `{_short(shown, 12)}`" if isinstance(shown, str) else "a given `revision=`"
    return [CodeFinding(True, f"{loaded} is pinned to {what}", line)]


def _method_findings(module: PythonModule) -> Iterator[CodeFinding]:
    """Time travel and artifact versions called as methods (``spark.read.option(...)``)."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method == "option" and len(node.args) >= 2:
            option = constant_value(node.args[0])
            if isinstance(option, str) and _norm_key(option) in _TIME_TRAVEL_OPTIONS:
                detail = f"reads a table at a fixed snapshot (`.option(\"{option}\", ...)`)"
                yield CodeFinding(True, detail, node.lineno)
        elif method == "options":
            for keyword in node.keywords:
                if keyword.arg and _norm_key(keyword.arg) in ("versionasof", "timestampasof"):
                    yield CodeFinding(True, f"reads a table at a fixed snapshot (`{keyword.arg}=`)", node.lineno)
        elif method in ("load_as_version", "load_version") and node.args:
            yield CodeFinding(True, f"reads a Delta table at a fixed version (`{method}`)", node.lineno)
        elif method == "scan" and not _is_none(_keyword(node, "snapshot_id")):
            yield CodeFinding(True, "scans an Iceberg table at a fixed snapshot (`snapshot_id=`)", node.lineno)
        elif method == "use_artifact" and node.args:
            reference = constant_value(node.args[0])
            if isinstance(reference, str) and ":" in reference:
                alias = reference.rsplit(":", 1)[1]
                used = f"`use_artifact(\"{_short(reference, 40)}\")`"
                if is_mutable_ref(alias):
                    yield CodeFinding(False, f"{used} takes the `{alias}` alias, which moves", node.lineno)
                else:
                    yield CodeFinding(True, f"{used} takes a fixed artifact version", node.lineno)


def _string_findings(module: PythonModule) -> Iterator[CodeFinding]:
    """Pinned data URIs and SQL time travel written as string constants (docstrings excluded)."""
    docstrings = _docstring_ids(module.tree)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in docstrings:
            continue
        value = node.value
        if _SQL_TIME_TRAVEL.search(value):
            yield CodeFinding(True, "queries a table with `VERSION AS OF` / `TIMESTAMP AS OF`", node.lineno)
            continue
        if _scheme(value) in _DATA_SCHEMES and _FULL_URI.match(value.strip()):
            pin = uri_pin(value)
            if pin is not None and pin.pinned:
                yield CodeFinding(True, f"reads {_display(value)} pinned by {pin.how}", node.lineno)
            elif pin is not None:
                yield CodeFinding(False, f"reads {_display(value)} at {pin.how}", node.lineno)


@detector(
    name="data-version-code",
    items=(ITEM,),
    looks_for="training code that records or pins its data: `mlflow.log_input`, a data version logged to MLflow, "
    "`load_dataset(..., revision=)`, Delta/Iceberg time travel, `dvc.api` reads with `rev=`, versioned W&B artifacts",
)
def data_version_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Data versions recorded or pinned by non-test Python (see the module docstring)."""
    for module in source_modules(ctx, ITEM):
        if not module.mentions(*_CODE_HINTS):
            continue
        if not module.parses:
            yield ctx.unreadable(ITEM, module.path)
            continue
        findings = sorted(module_findings(module), key=lambda finding: finding.line)
        pinned = [finding for finding in findings if finding.pinned]
        if pinned:
            more = f" (and {plural(len(pinned) - 1, 'more pin')})" if len(pinned) > 1 else ""
            detail = f"{pinned[0].detail} in `{module.path}:{pinned[0].line}`{more}"
            yield ctx.supports(ITEM, detail, path=module.path, line=pinned[0].line)
        for finding in findings:
            if not finding.pinned:
                detail = f"{finding.detail} (`{module.path}:{finding.line}`)"
                yield ctx.partial(ITEM, detail, path=module.path, line=finding.line)


DETECTORS: tuple[Detector, ...] = (dvc_files, dvc_pipeline, pinned_data_config, data_version_code)

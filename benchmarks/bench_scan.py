#!/usr/bin/env python3
"""Benchmark ``ml-checklist scan`` on synthetic repositories of a given number of files.

For each size the script

1. builds a deterministic synthetic monorepo (Python modules, YAML/JSON configs, Markdown docs,
   a few binary files, a ``.gitignore``-d ``build/`` folder, a symlink leaving the tree and a
   symlink loop) with real readiness evidence scattered in it;
2. commits it with git and times ``git ls-files`` on the same tree (a floor: listing the files
   and nothing else);
3. runs ``python -m pytest_mlchecklist scan PATH --profile mature --format json --output FILE``
   as a child process ``--repeat`` times, measuring wall seconds and the child's peak memory
   (``ru_maxrss`` from ``os.wait4``);
4. prints the figures, and the score read from the JSON report.

Standard library only; no network. Run ``python benchmarks/bench_scan.py --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_SEED = 20240607
DEFAULT_REPEAT = 3
DEFAULT_TIMEOUT = 1800.0
GIT_LS_FILES_RUNS = 3
MIN_FILES = 100

#: Shape of the filler tree: services/svc_NNN/src/pkg_J/module_K.py and friends.
PKGS_PER_SERVICE = 8
MODULES_PER_PKG = 24
#: The .gitignore-d folder, holding this fraction of the counted files on top of them.
IGNORED_DIR = "build"
IGNORED_FRACTION = 0.1
#: A file symlink whose target is outside any repository tree (it may or may not exist).
OUTSIDE_TARGET = "/etc/hosts"

EXIT_OK = 0
EXIT_SCAN_FAILED = 1
EXIT_USAGE = 2

#: Fixed commit identity and dates, passed per command: the global git config is never touched.
GIT_FLAGS = (
    "-c", "user.name=mlchecklist-bench",
    "-c", "user.email=bench@example.invalid",
    "-c", "commit.gpgsign=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.excludesFile=/dev/null",
    "-c", "init.defaultBranch=main",
)
GIT_DATE = "2024-01-01T00:00:00+00:00"

NOUNS = ("feature", "score", "window", "batch", "record", "event", "merchant", "account",
         "session", "label", "sample", "metric", "embedding", "token", "segment", "signal")
VERBS = ("normalize", "aggregate", "filter", "encode", "clip", "bucket", "merge", "rank",
         "smooth", "validate", "split", "project")
SUFFIXES = ("Config", "Spec", "Settings", "Params", "Options")
LEVELS = ("DEBUG", "INFO", "WARNING")
OWNERS = ("@ml-platform", "@risk-ml", "@search-ranking", "@data-eng", "@mlops")


# --------------------------------------------------------------------------- data


@dataclass
class TreeStats:
    """What the generator wrote."""

    counted: int = 0  # files outside the ignored folder, symlinks included (what git tracks)
    ignored: int = 0  # files under the .gitignore-d folder
    binary: int = 0
    symlinks: int = 0
    bytes_written: int = 0
    evidence: list[str] = field(default_factory=list)


@dataclass
class ScanRun:
    """One run of the scan command."""

    seconds: float
    peak_mib: float
    exit_code: int
    timed_out: bool
    stderr: str


@dataclass
class SizeResult:
    """The figures for one repository size."""

    files_requested: int
    files_generated: int
    ignored_files: int
    generation_seconds: float
    git_commit_seconds: float
    git_ls_files: int
    git_ls_files_seconds: float
    git_ls_files_runs: list[float]
    scan_runs: list[float]
    scan_median: float
    scan_min: float
    peak_mib: float
    peak_mib_runs: list[float]
    exit_codes: list[int]
    ratio_scan_git: float
    score: dict[str, Any] | None
    counts: dict[str, Any] | None
    met_items: list[str]
    problems: int | None
    report_error: str | None
    repo_path: str | None


# --------------------------------------------------------------------------- content


def python_module(rng: random.Random, service: str, pkg: str) -> str:
    """A small, realistic Python module (dataclass, a few typed functions)."""
    noun = rng.choice(NOUNS)
    cls = noun.title() + rng.choice(SUFFIXES)
    window = rng.randint(3, 64)
    threshold = round(rng.uniform(0.05, 0.95), 3)
    lines = [
        f'"""{noun.title()} helpers for the {service} {pkg} package."""',
        "",
        "from __future__ import annotations",
        "",
        "import logging",
        "import math",
        "from collections.abc import Iterable, Sequence",
        "from dataclasses import dataclass",
        "",
        "logger = logging.getLogger(__name__)",
        "",
        f"DEFAULT_WINDOW = {window}",
        "",
        "",
        "@dataclass(frozen=True)",
        f"class {cls}:",
        f'    """Settings of the {noun} step."""',
        "",
        "    name: str",
        "    window: int = DEFAULT_WINDOW",
        f"    threshold: float = {threshold}",
        "",
    ]
    for _ in range(rng.randint(2, 4)):
        verb = rng.choice(VERBS)
        target = rng.choice(NOUNS)
        lines += ["", *rng.choice(_FUNCTION_BODIES)(verb, target, cls)]
    return "\n".join(lines) + "\n"


def _rolling(verb: str, target: str, cls: str) -> list[str]:
    return [
        f"def {verb}_{target}s(values: Iterable[float], config: {cls}) -> list[float]:",
        f'    """{verb.title()} {target} values over a rolling window."""',
        "    out: list[float] = []",
        "    window: list[float] = []",
        "    for value in values:",
        "        window.append(value)",
        "        if len(window) > config.window:",
        "            window.pop(0)",
        "        out.append(sum(window) / len(window))",
        "    return out",
        "",
    ]


def _threshold(verb: str, target: str, cls: str) -> list[str]:
    return [
        f"def {verb}_{target}(scores: Sequence[float], config: {cls}) -> list[int]:",
        f'    """Indices of the {target} scores above the threshold."""',
        "    picked = [i for i, score in enumerate(scores) if score >= config.threshold]",
        f'    logger.debug("%s: %d of %d above %.3f", config.name, len(picked), len(scores), config.threshold)',
        "    return picked",
        "",
    ]


def _zscore(verb: str, target: str, cls: str) -> list[str]:
    return [
        f"def {verb}_{target}_zscores(values: Sequence[float]) -> list[float]:",
        f'    """Standardize {target} values; a constant series maps to zeros."""',
        "    if not values:",
        "        return []",
        "    mean = sum(values) / len(values)",
        "    var = sum((v - mean) ** 2 for v in values) / len(values)",
        "    std = math.sqrt(var)",
        "    return [0.0 if std == 0 else (v - mean) / std for v in values]",
        "",
    ]


def _buckets(verb: str, target: str, cls: str) -> list[str]:
    return [
        f"def {verb}_{target}_buckets(values: Iterable[float], edges: Sequence[float]) -> dict[int, int]:",
        f'    """Count {target} values per bucket given sorted edges."""',
        "    counts: dict[int, int] = {}",
        "    for value in values:",
        "        bucket = sum(1 for edge in edges if value >= edge)",
        "        counts[bucket] = counts.get(bucket, 0) + 1",
        "    return counts",
        "",
    ]


_FUNCTION_BODIES = (_rolling, _threshold, _zscore, _buckets)


def test_module(rng: random.Random, service: str, pkg: str) -> str:
    """A small pytest module for one package."""
    cases = "\n\n".join(
        f"def test_{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{i}() -> None:\n"
        f"    values = [{', '.join(str(rng.randint(0, 99)) for _ in range(5))}]\n"
        f"    assert sorted(values) == sorted(values, reverse=True)[::-1]\n"
        for i in range(rng.randint(2, 5))
    )
    return f'"""Tests of {service}.{pkg}."""\n\nfrom __future__ import annotations\n\n\n{cases}'


def service_yaml(rng: random.Random, service: str) -> str:
    """A service configuration file."""
    features = "\n".join(f"  - {rng.choice(NOUNS)}_{rng.choice(NOUNS)}_{i}" for i in range(rng.randint(3, 8)))
    return (
        f"service: {service}\n"
        f"owner: \"{rng.choice(OWNERS)}\"\n"
        f"replicas: {rng.randint(1, 6)}\n"
        f"batch_size: {rng.choice((32, 64, 128, 256))}\n"
        f"timeout_ms: {rng.randint(50, 2000)}\n"
        f"features:\n{features}\n"
        "storage:\n"
        f"  bucket: {service.replace('_', '-')}-artifacts\n"
        f"  prefix: v{rng.randint(1, 9)}/\n"
    )


def logging_yaml(rng: random.Random) -> str:
    """A logging configuration (dictConfig style)."""
    level = rng.choice(LEVELS)
    return (
        "version: 1\n"
        "disable_existing_loggers: false\n"
        "formatters:\n"
        "  json:\n"
        "    format: \"%(asctime)s %(levelname)s %(name)s %(message)s\"\n"
        "handlers:\n"
        "  console:\n"
        "    class: logging.StreamHandler\n"
        "    formatter: json\n"
        f"    level: {level}\n"
        "root:\n"
        f"  level: {level}\n"
        "  handlers: [console]\n"
    )


def package_yaml(rng: random.Random, pkg: str) -> str:
    """Package defaults."""
    return (
        f"package: {pkg}\n"
        f"window: {rng.randint(3, 64)}\n"
        f"threshold: {round(rng.uniform(0.05, 0.95), 3)}\n"
        f"clip: [{rng.randint(-10, 0)}, {rng.randint(1, 10)}]\n"
        f"enabled: {rng.choice(('true', 'false'))}\n"
    )


def features_json(rng: random.Random, service: str) -> str:
    """A feature list in JSON (not a JSON Schema)."""
    features = [
        {"name": f"{rng.choice(NOUNS)}_{i}", "dtype": rng.choice(("float32", "int64", "category")),
         "default": rng.randint(0, 10)}
        for i in range(rng.randint(3, 8))
    ]
    return json.dumps({"service": service, "version": rng.randint(1, 20), "features": features}, indent=2) + "\n"


def fixture_json(rng: random.Random) -> str:
    """A small sample-data fixture."""
    rows = [{"id": rng.randint(1, 10**6), "value": round(rng.uniform(-5, 5), 4), "label": rng.randint(0, 1)}
            for _ in range(rng.randint(2, 6))]
    return json.dumps({"rows": rows}, indent=2) + "\n"


def markdown_doc(rng: random.Random, title: str) -> str:
    """A short Markdown document with a few sections."""
    sections = []
    for heading in rng.sample(("Overview", "Usage", "Design", "Inputs", "Outputs", "Limitations"), 3):
        words = " ".join(rng.choice(NOUNS + VERBS) for _ in range(rng.randint(20, 40)))
        sections.append(f"## {heading}\n\n{words.capitalize()}.\n")
    return f"# {title}\n\n" + "\n".join(sections)


# --------------------------------------------------------------------------- evidence


def evidence_files(today: dt.date, serving: str, training: str) -> dict[str, str]:
    """The real evidence files, by path relative to the root.

    Only ``Last rehearsed`` and the benchmark ``datetime`` depend on ``today`` (both must be
    recent to count); everything else is fixed.
    """
    rehearsed = today - dt.timedelta(days=9)
    bench_time = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(14, 3, 27))
    return {
        "schemas/request.schema.json": json.dumps(_request_schema(), indent=2) + "\n",
        f"services/{training}/configs/train.yaml": _TRAIN_YAML,
        f"services/{training}/src/training/train.py": _TRAIN_PY,
        ".benchmarks/Linux-CPython-3.11-64bit/0001_baseline.json":
            json.dumps(_pytest_benchmark(bench_time), indent=4) + "\n",
        "docs/runbooks/rollback.md": _ROLLBACK_MD.format(rehearsed=rehearsed.isoformat(), serving=serving),
        f"deploy/k8s/{serving}/deployment.yaml": _DEPLOYMENT_YAML.format(name=serving.replace("_", "-")),
        f"services/{serving}/src/app/main.py": _FASTAPI_PY,
        "docs/oncall.md": _ONCALL_MD,
    }


def _request_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/schemas/request.schema.json",
        "title": "ScoringRequest",
        "type": "object",
        "required": ["transaction_id", "amount", "currency", "merchant_category", "timestamp"],
        "additionalProperties": False,
        "properties": {
            "transaction_id": {"type": "string", "minLength": 1},
            "amount": {"type": "number", "minimum": 0},
            "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
            "merchant_category": {"type": "integer", "minimum": 0, "maximum": 9999},
            "timestamp": {"type": "string", "format": "date-time"},
            "card_present": {"type": "boolean"},
            "features": {"type": "array", "items": {"type": "number"}, "maxItems": 256},
        },
    }


def _pytest_benchmark(when: dt.datetime) -> dict[str, Any]:
    """A results file in the format written by ``pytest --benchmark-autosave`` (seconds)."""

    def entry(name: str, mean: float, spread: float, rounds: int) -> dict[str, Any]:
        stats = {
            "min": round(mean - spread, 9), "max": round(mean + 3 * spread, 9), "mean": mean,
            "stddev": round(spread / 2, 9), "rounds": rounds, "median": round(mean - spread / 10, 9),
            "iqr": round(spread / 1.5, 9), "q1": round(mean - spread / 3, 9), "q3": round(mean + spread / 3, 9),
            "iqr_outliers": 3, "stddev_outliers": 11, "outliers": "11;3",
            "ld15iqr": round(mean - spread, 9), "hd15iqr": round(mean + 1.5 * spread, 9),
            "ops": round(1 / mean, 6), "total": round(mean * rounds, 6), "iterations": 1,
        }
        return {
            "group": None, "name": name, "fullname": f"tests/test_latency.py::{name}",
            "params": None, "param": None, "extra_info": {},
            "options": {"disable_gc": False, "timer": "perf_counter", "min_rounds": 5,
                        "max_time": 1.0, "min_time": 5e-06, "warmup": False},
            "stats": stats,
        }

    return {
        "machine_info": {
            "node": "ci-runner-7", "processor": "x86_64", "machine": "x86_64",
            "python_compiler": "GCC 11.4.0", "python_implementation": "CPython",
            "python_implementation_version": "3.11.7", "python_version": "3.11.7",
            "python_build": ["main", "Dec  8 2023 14:22:46"], "release": "6.5.0-1016-azure",
            "system": "Linux", "cpu": {"arch": "X86_64", "bits": 64, "count": 4,
                                       "brand_raw": "AMD EPYC 7763 64-Core Processor"},
        },
        "commit_info": {"id": "3f2c9a1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", "time": when.isoformat() + "+00:00",
                        "author_time": when.isoformat() + "+00:00", "dirty": False,
                        "project": "fraud-scoring", "branch": "main"},
        "benchmarks": [
            entry("test_predict_latency_single", 0.004213, 0.0008, 231),
            entry("test_predict_latency_batch_64", 0.018734, 0.0031, 54),
            entry("test_feature_pipeline", 0.001127, 0.0002, 812),
        ],
        "datetime": when.isoformat(),
        "version": "4.0.0",
    }


_TRAIN_YAML = """\
experiment: fraud-ranker
seed: 42
data:
  train: data/processed/train.parquet
  validation: data/processed/validation.parquet
  label: is_fraud
model:
  type: mlp
  hidden_sizes: [256, 128]
  dropout: 0.1
trainer:
  epochs: 20
  batch_size: 512
  learning_rate: 0.001
  deterministic: true
"""

_TRAIN_PY = '''\
"""Train the fraud ranker; every source of randomness is seeded from the config."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
import yaml


def set_seeds(seed: int) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be reproduced."""
    random.seed(seed)
    np.random.seed(42)
    torch.manual_seed(42)
    torch.use_deterministic_algorithms(True)


def main(config_path: Path = Path(__file__).parents[2] / "configs" / "train.yaml") -> None:
    config = yaml.safe_load(config_path.read_text())
    set_seeds(config["seed"])
    model = torch.nn.Sequential(torch.nn.Linear(32, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=config["trainer"]["learning_rate"])
    for _epoch in range(config["trainer"]["epochs"]):
        optimizer.zero_grad()


if __name__ == "__main__":
    main()
'''

_ROLLBACK_MD = """\
# Fraud scoring service runbook

Owner: @ml-platform. Service: `{serving}`.

Last rehearsed: {rehearsed}

## When to roll back

Roll back when the p99 latency exceeds the SLA for 10 minutes, when the error rate exceeds 1%,
or when the score distribution drifts past the alert threshold after a model release.

## Rollback

1. Announce the rollback in #fraud-scoring-incidents and freeze model promotions.
2. Run `kubectl rollout undo deployment/fraud-scorer -n scoring` to return to the previous revision.
3. Point the model registry alias `production` back to the previous model version.
4. Check `/health` on every pod and watch latency and error-rate dashboards for 15 minutes.
5. Open an incident ticket with the model version, the time and the reason for the rollback.
"""

_DEPLOYMENT_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: scoring
  labels:
    app: {name}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: scorer
          image: registry.example.invalid/{name}:1.14.2
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: "500m"
              memory: "512Mi"
            limits:
              cpu: "2"
              memory: "2Gi"
          readinessProbe:
            httpGet:
              path: /health
              port: 8080
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /health
              port: 8080
            initialDelaySeconds: 15
            periodSeconds: 20
"""

_FASTAPI_PY = '''\
"""HTTP API of the fraud scorer."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from fastapi import FastAPI, HTTPException

SCHEMA = json.loads((Path(__file__).parents[4] / "schemas" / "request.schema.json").read_text())

app = FastAPI(title="fraud-scorer")


@app.get("/health")
def health() -> dict[str, str]:
    """Readiness and liveness probe."""
    return {"status": "ok"}


@app.post("/score")
def score(payload: dict) -> dict[str, float]:
    """Validate the request against the schema, then score it."""
    try:
        jsonschema.validate(payload, SCHEMA)
    except jsonschema.ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.message) from exc
    return {"score": 0.5}
'''

_ONCALL_MD = """\
# On-call

The fraud scoring service is covered around the clock by a weekly rotation. Pages come from
the alerting rules in `deploy/alerts/`; acknowledge within 15 minutes.

## Rotation

| Week | Primary | Secondary |
|---|---|---|
| 1 | Amira Haddad (@ahaddad) | Jonas Berg (@jberg) |
| 2 | Lucia Ferreira (@lferreira) | Kenji Watanabe (@kwatanabe) |
| 3 | Jonas Berg (@jberg) | Amira Haddad (@ahaddad) |
| 4 | Kenji Watanabe (@kwatanabe) | Lucia Ferreira (@lferreira) |

## Escalation

1. Primary on-call.
2. Secondary on-call after 15 minutes.
3. Engineering manager, Sofia Novak (@snovak), after 30 minutes.
"""

_GITIGNORE = f"""\
# Generated by the build; never committed.
/{IGNORED_DIR}/
__pycache__/
*.pyc
.venv/
.pytest_cache/
"""


# --------------------------------------------------------------------------- generation


class TreeWriter:
    """Writes files under a root, creating folders once, and counts what it wrote."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stats = TreeStats()
        self._dirs: set[str] = set()

    def _parent(self, rel: str) -> str:
        parent = os.path.dirname(rel)
        if parent and parent not in self._dirs:
            os.makedirs(os.path.join(self.root, parent), exist_ok=True)
            self._dirs.add(parent)
        return os.path.join(self.root, rel)

    def _count(self, rel: str, size: int) -> None:
        self.stats.bytes_written += size
        if rel.startswith(IGNORED_DIR + "/"):
            self.stats.ignored += 1
        else:
            self.stats.counted += 1

    def text(self, rel: str, content: str) -> None:
        """Write a UTF-8 text file."""
        data = content.encode("utf-8")
        with open(self._parent(rel), "wb") as handle:
            handle.write(data)
        self._count(rel, len(data))

    def binary(self, rel: str, data: bytes) -> None:
        """Write a binary file."""
        with open(self._parent(rel), "wb") as handle:
            handle.write(data)
        self._count(rel, len(data))
        if not rel.startswith(IGNORED_DIR + "/"):
            self.stats.binary += 1

    def symlink(self, rel: str, target: str) -> None:
        """Create a symlink (git tracks it as one file)."""
        os.symlink(target, self._parent(rel))
        self._count(rel, 0)
        self.stats.symlinks += 1


def files_per_service() -> int:
    """How many filler files one service folder holds."""
    per_pkg = 1 + MODULES_PER_PKG + 2 + 2 + 1 + 1  # init, modules, 2 yaml, 2 json, README, test
    return 3 + 2 + PKGS_PER_SERVICE * per_pkg  # 2 md + 2 yaml + 1 json per service


def filler_plan(width: int) -> Iterator[tuple[str, str, str, str]]:
    """Yield (path, kind, service, package) of filler files, service after service, without end."""
    service_index = 0
    while True:
        service = f"svc_{service_index:0{width}d}"
        base = f"services/{service}"
        yield f"{base}/README.md", "readme", service, ""
        yield f"{base}/docs/design.md", "design", service, ""
        yield f"{base}/config/service.yaml", "service_yaml", service, ""
        yield f"{base}/config/logging.yaml", "logging_yaml", service, ""
        yield f"{base}/config/features.json", "features_json", service, ""
        for pkg_index in range(PKGS_PER_SERVICE):
            pkg = f"pkg_{pkg_index}"
            src = f"{base}/src/{pkg}"
            yield f"{src}/__init__.py", "init", service, pkg
            for module in range(MODULES_PER_PKG):
                yield f"{src}/module_{module}.py", "module", service, pkg
            yield f"{src}/defaults.yaml", "pkg_yaml", service, pkg
            yield f"{src}/thresholds.yaml", "pkg_yaml", service, pkg
            yield f"{src}/fixtures/sample_0.json", "fixture", service, pkg
            yield f"{src}/fixtures/sample_1.json", "fixture", service, pkg
            yield f"{src}/README.md", "pkg_readme", service, pkg
            yield f"{base}/tests/test_{pkg}.py", "test", service, pkg
        service_index += 1


def filler_content(rng: random.Random, kind: str, service: str, pkg: str) -> str:
    """The text of one filler file."""
    if kind == "module":
        return python_module(rng, service, pkg)
    if kind == "init":
        return f'"""The {pkg} package of {service}."""\n'
    if kind == "test":
        return test_module(rng, service, pkg)
    if kind == "service_yaml":
        return service_yaml(rng, service)
    if kind == "logging_yaml":
        return logging_yaml(rng)
    if kind == "pkg_yaml":
        return package_yaml(rng, pkg)
    if kind == "features_json":
        return features_json(rng, service)
    if kind == "fixture":
        return fixture_json(rng)
    if kind == "readme":
        return markdown_doc(rng, service)
    if kind == "design":
        return markdown_doc(rng, f"{service} design")
    if kind == "pkg_readme":
        return markdown_doc(rng, f"{service}.{pkg}")
    raise ValueError(f"unknown filler kind {kind!r}")


def random_binary(rng: random.Random, size: int) -> bytes:
    """Random bytes that certainly contain a NUL byte (how binary files are sniffed)."""
    data = bytearray(rng.randbytes(size))
    data[rng.randrange(min(size, 512))] = 0
    return bytes(data)


def generate_tree(root: Path, files: int, seed: int, today: dt.date) -> TreeStats:
    """Build the synthetic repository: exactly ``files`` files outside the ignored folder.

    The counted files are what ``git ls-files`` lists: the ``.gitignore``, the evidence, the
    binaries, the two symlinks and the filler. On top of them ``IGNORED_FRACTION * files`` files
    are written under ``build/``, which the ``.gitignore`` excludes.
    """
    rng = random.Random(seed)
    writer = TreeWriter(root)
    services = max(1, math.ceil(files / files_per_service()))
    width = max(3, len(str(services - 1)))
    serving = f"svc_{services // 2:0{width}d}"
    training = f"svc_{services // 3:0{width}d}"

    writer.text(".gitignore", _GITIGNORE)
    for rel, content in evidence_files(today, serving, training).items():
        writer.text(rel, content)
        writer.stats.evidence.append(rel)
    for index in range(max(3, files // 5000)):
        writer.binary(f"data/blobs/blob_{index:04d}.bin", random_binary(rng, rng.randint(1024, 16384)))
    writer.binary("models/ranker.pt", random_binary(rng, 64 * 1024))
    writer.symlink("configs/shared/cluster.yaml", OUTSIDE_TARGET)  # leaves the tree
    writer.symlink(f"services/svc_{0:0{width}d}/src/pkg_0/up", "..")  # directory loop: .../pkg_0/up/pkg_0/up/...

    plan = filler_plan(width)
    while writer.stats.counted < files:
        rel, kind, service, pkg = next(plan)
        writer.text(rel, filler_content(rng, kind, service, pkg))

    write_ignored(writer, rng, max(1, int(files * IGNORED_FRACTION)))
    return writer.stats


def write_ignored(writer: TreeWriter, rng: random.Random, count: int) -> None:
    """Fill the .gitignore-d build folder: copies of modules, wheels' metadata, object files."""
    pool = [python_module(rng, "build", "lib") for _ in range(64)]
    for index in range(count):
        folder = f"{IGNORED_DIR}/lib/svc_{index // 500:04d}/pkg_{(index // 50) % 10}"
        if index % 10 == 9:
            writer.binary(f"{folder}/_ext_{index}.so", random_binary(rng, 512))
        else:
            writer.text(f"{folder}/module_{index}.py", pool[index % len(pool)])


# --------------------------------------------------------------------------- git


def git_env() -> dict[str, str]:
    """The environment for child processes, without variables that would redirect git."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                          "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE"}}
    env.update({"GIT_AUTHOR_DATE": GIT_DATE, "GIT_COMMITTER_DATE": GIT_DATE, "GIT_TERMINAL_PROMPT": "0"})
    return env


def git(repo: Path, *args: str, capture: bool = False) -> bytes:
    """Run one git command in ``repo``; raises CalledProcessError on failure."""
    result = subprocess.run(["git", *GIT_FLAGS, *args], cwd=repo, env=git_env(), check=True,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    return result.stdout if capture else b""


def git_commit_all(repo: Path) -> float:
    """``git init``, ``git add -A``, ``git commit``; returns the seconds taken."""
    start = time.perf_counter()
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "Synthetic repository for the scan benchmark")
    return time.perf_counter() - start


def time_git_ls_files(repo: Path, runs: int = GIT_LS_FILES_RUNS) -> tuple[int, list[float]]:
    """The number of files ``git ls-files`` lists, and the wall seconds of each run."""
    seconds: list[float] = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        output = git(repo, "ls-files", "-z", capture=True)
        seconds.append(time.perf_counter() - start)
        count = output.count(b"\0")
    return count, seconds


# --------------------------------------------------------------------------- scan


def scan_command(repo: Path, output: Path) -> list[str]:
    """The command line of one scan."""
    return [sys.executable, "-m", "pytest_mlchecklist", "scan", str(repo), "--profile", "mature",
            "--format", "json", "--output", str(output)]


def maxrss_mib(ru_maxrss: int) -> float:
    """``ru_maxrss`` in MiB: KiB on Linux, bytes on macOS."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def run_scan(command: Sequence[str], timeout: float) -> ScanRun:
    """Run the scan once; wall seconds and peak RSS of the child from ``os.wait4``."""
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=stderr, env=git_env())

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        text = stderr.read().decode("utf-8", errors="replace")
    return ScanRun(seconds=seconds, peak_mib=maxrss_mib(usage.ru_maxrss), exit_code=process.returncode,
                   timed_out=timed_out.is_set(), stderr=text)


def read_report(path: Path) -> tuple[dict[str, Any], str | None]:
    """The JSON report, or an empty dict and the reason it could not be read."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, f"{path}: {exc}"
    if not isinstance(report, dict) or not isinstance(report.get("score"), dict):
        return {}, f"{path}: no 'score' object in the report"
    return report, None


# --------------------------------------------------------------------------- output


def fmt_seconds(value: float) -> str:
    """Seconds with three significant decimals."""
    return f"{value:.3f}"


def print_size(result: SizeResult) -> None:
    """The table of one size."""
    score = result.score or {}
    if result.report_error:
        items = f"report unreadable: {result.report_error}"
    else:
        items = f"{score.get('met')}/{score.get('applicable')} applicable ({score.get('percent')}%)"
    rows = [
        ("files generated", f"{result.files_generated:,} (+{result.ignored_files:,} ignored under {IGNORED_DIR}/)"),
        ("files in git ls-files", f"{result.git_ls_files:,}"),
        ("scan seconds", f"median {fmt_seconds(result.scan_median)}, min {fmt_seconds(result.scan_min)}"
                         f" (runs: {', '.join(fmt_seconds(s) for s in result.scan_runs)})"),
        ("scan peak memory", f"{result.peak_mib:.1f} MiB"),
        ("git ls-files seconds", f"{result.git_ls_files_seconds:.4f} (median of {len(result.git_ls_files_runs)})"),
        ("ratio scan/git", f"{result.ratio_scan_git:.1f}x"),
        ("items met", items),
    ]
    if result.met_items:
        rows.append(("met", ", ".join(result.met_items)))
    if result.problems is not None:
        rows.append(("problems reported", str(result.problems)))
    if result.repo_path:
        rows.append(("tree kept in", result.repo_path))
    print(f"\n== {result.files_requested:,} files ==")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def print_summary(results: Sequence[SizeResult]) -> None:
    """One row per size, for comparing sizes at a glance."""
    header = ("files", "ls-files", "scan med s", "scan min s", "peak MiB", "git s", "scan/git", "met")
    rows = [
        (f"{r.files_generated:,}", f"{r.git_ls_files:,}", fmt_seconds(r.scan_median), fmt_seconds(r.scan_min),
         f"{r.peak_mib:.1f}", f"{r.git_ls_files_seconds:.4f}", f"{r.ratio_scan_git:.1f}x",
         f"{(r.score or {}).get('met', '?')}/{(r.score or {}).get('applicable', '?')}")
        for r in results
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    print("\n== summary ==")
    for row in (header, *rows):
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


def write_json(path: Path, arguments: argparse.Namespace, results: Sequence[SizeResult]) -> None:
    """The figures as JSON."""
    document = {
        "benchmark": "ml-checklist scan",
        "command": scan_command(Path("PATH"), Path("FILE")),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": arguments.seed,
        "repeat": arguments.repeat,
        "sizes": [asdict(result) for result in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def log(message: str) -> None:
    """Progress, on standard error so that standard output holds only the figures."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- driver


def bench_size(files: int, root: Path, arguments: argparse.Namespace, keep: bool) -> SizeResult | None:
    """Generate, commit, time git and the scan for one size; None if the scan failed."""
    log(f"[{files:,}] generating into {root}")
    start = time.perf_counter()
    stats = generate_tree(root, files, arguments.seed, dt.date.today())
    generation = time.perf_counter() - start
    log(f"[{files:,}] generated {stats.counted:,} files (+{stats.ignored:,} ignored, "
        f"{stats.bytes_written / 2**20:.1f} MiB) in {generation:.2f} s")
    commit = git_commit_all(root)
    ls_count, ls_runs = time_git_ls_files(root)
    log(f"[{files:,}] git add+commit {commit:.2f} s; git ls-files lists {ls_count:,} files")
    if ls_count != stats.counted:
        log(f"[{files:,}] warning: git ls-files lists {ls_count:,} files, the generator counted {stats.counted:,}")

    with tempfile.TemporaryDirectory(prefix="mlchecklist-bench-report-") as report_dir:
        output = Path(report_dir) / "report.json"
        command = scan_command(root, output)
        runs: list[ScanRun] = []
        for index in range(arguments.repeat):
            output.unlink(missing_ok=True)
            run = run_scan(command, arguments.timeout)
            log(f"[{files:,}] scan {index + 1}/{arguments.repeat}: {run.seconds:.3f} s, "
                f"{run.peak_mib:.1f} MiB, exit {run.exit_code}")
            if run.timed_out or run.exit_code not in (0, 1):
                report_failure(command, run, arguments.timeout)
                return None
            runs.append(run)
        report, report_error = read_report(output)

    seconds = [run.seconds for run in runs]
    ls_median = statistics.median(ls_runs)
    items = report.get("items") if isinstance(report.get("items"), list) else []
    problems = report.get("problems")
    return SizeResult(
        files_requested=files, files_generated=stats.counted, ignored_files=stats.ignored,
        generation_seconds=round(generation, 4), git_commit_seconds=round(commit, 4),
        git_ls_files=ls_count, git_ls_files_seconds=ls_median, git_ls_files_runs=ls_runs,
        scan_runs=seconds, scan_median=statistics.median(seconds), scan_min=min(seconds),
        peak_mib=max(run.peak_mib for run in runs), peak_mib_runs=[run.peak_mib for run in runs],
        exit_codes=[run.exit_code for run in runs],
        ratio_scan_git=statistics.median(seconds) / ls_median if ls_median > 0 else float("inf"),
        score=report.get("score"), counts=report.get("counts"),
        met_items=[str(item.get("id")) for item in items if isinstance(item, dict) and item.get("status") == "met"],
        problems=len(problems) if isinstance(problems, list) else None,
        report_error=report_error, repo_path=str(root) if keep else None,
    )


def report_failure(command: Sequence[str], run: ScanRun, timeout: float) -> None:
    """Explain a crashed or timed-out scan, with the child's standard error."""
    if run.timed_out:
        reason = f"timed out after {timeout:g} s (see --timeout)"
    else:
        reason = f"exited with code {run.exit_code} (only 0 and 1 count as success)"
    print(f"bench_scan: the scan {reason}", file=sys.stderr)
    print(f"bench_scan: command: {' '.join(command)}", file=sys.stderr)
    print("---- child stderr ----", file=sys.stderr)
    print(run.stderr.rstrip() or "(empty)", file=sys.stderr)
    print("----------------------", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, action="append", metavar="N",
                        help=f"repository size in tracked files; repeatable (default: "
                             f"{' '.join(str(n) for n in DEFAULT_SIZES)})")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="scan runs per size (default: %(default)s)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build each tree into DIR/files-N and leave it there (default: a temporary folder, removed)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="kill a scan after this many seconds and fail (default: %(default)s)")
    parser.add_argument("--generate-only", action="store_true",
                        help="only build (and commit) the trees and time git; do not run the scan")
    return parser


def check_arguments(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> list[int]:
    """Validated sizes; exits with code 2 (through ``parser.error``) on a bad command line."""
    sizes = arguments.files or list(DEFAULT_SIZES)
    if any(size < MIN_FILES for size in sizes):
        parser.error(f"--files must be at least {MIN_FILES}")
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not hasattr(os, "wait4"):
        parser.error("os.wait4 is not available on this platform (Linux or macOS needed)")
    if shutil.which("git") is None:
        parser.error("git is not on PATH")
    if arguments.keep is not None:
        for size in sizes:
            target = arguments.keep / f"files-{size}"
            if target.exists() and any(target.iterdir()):
                parser.error(f"{target} exists and is not empty; remove it or choose another --keep folder")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (0 ok, 1 a scan failed, 2 usage error)."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    sizes = check_arguments(parser, arguments)
    results: list[SizeResult] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="mlchecklist-bench-") as scratch:
            keep = arguments.keep is not None
            root = (arguments.keep / f"files-{size}") if keep else Path(scratch) / "repo"
            root.mkdir(parents=True, exist_ok=True)
            try:
                if arguments.generate_only:
                    generate_and_commit_only(size, root, arguments.seed)
                    continue
                result = bench_size(size, root, arguments, keep)
            except subprocess.CalledProcessError as exc:
                print(f"bench_scan: git failed: {' '.join(map(str, exc.cmd))}\n"
                      f"{(exc.stderr or b'').decode(errors='replace')}", file=sys.stderr)
                return EXIT_USAGE
        if result is None:
            return EXIT_SCAN_FAILED
        print_size(result)
        results.append(result)
    if len(results) > 1:
        print_summary(results)
    if arguments.json is not None and results:
        write_json(arguments.json, arguments, results)
        log(f"figures written to {arguments.json}")
    return EXIT_SCAN_FAILED if any(result.report_error for result in results) else EXIT_OK


def generate_and_commit_only(size: int, root: Path, seed: int) -> None:
    """``--generate-only``: build and commit one tree, print its counts and timings."""
    start = time.perf_counter()
    stats = generate_tree(root, size, seed, dt.date.today())
    generation = time.perf_counter() - start
    commit = git_commit_all(root)
    ls_count, ls_runs = time_git_ls_files(root)
    print(f"{size:,} files: generated {stats.counted:,} (+{stats.ignored:,} ignored, {stats.binary} binary, "
          f"{stats.symlinks} symlinks, {stats.bytes_written / 2**20:.1f} MiB) in {generation:.2f} s; "
          f"git add+commit {commit:.2f} s; git ls-files {ls_count:,} files in "
          f"{statistics.median(ls_runs):.4f} s")


if __name__ == "__main__":
    raise SystemExit(main())

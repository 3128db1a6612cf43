"""Detectors for the model development section: item 17, random seeds fixed and documented.

``seed-config``
    Keys ``seed``, ``random_seed``, ``random_state``, ``global_seed`` and ``seed_value`` at any
    depth of a YAML or TOML file, or of a JSON file kept as configuration (in a ``config``/
    ``configs``/``conf``/``params`` folder or with ``config``/``params``/``settings`` in its
    name; JSON elsewhere is usually an output such as a metrics report or a model artifact).
    Test folders and vendored/generated folders are skipped. Only a non-negative integer fixes
    a seed: ``null``, booleans, placeholders (``TBD``), interpolations, lists and negative
    numbers (``-1`` means "random" to several tools) are ``partial``.
    An integer seed is ``supports`` when non-test Python reads that key: a subscript
    (``cfg["seed"]``), ``.get("seed")``/``getattr(x, "seed")``, an attribute (``cfg.seed``), a
    ``seed=`` keyword fed from a subscript or attribute, or a field of that name in a config
    class; otherwise it is ``partial``: a seed nobody reads fixes nothing.
``seeding-calls``
    Calls in non-test Python that seed a generator: ``random.seed``, ``random.Random``,
    ``numpy.random.seed``/``default_rng``/``RandomState``, ``torch.manual_seed`` (and the CUDA
    variants), ``tensorflow.random.set_seed``, ``keras.utils.set_random_seed``, Lightning's
    ``seed_everything``, ``transformers.set_seed``, ``accelerate.utils.set_seed``,
    ``jax.random.PRNGKey``; and ``random_state=`` keyword arguments (scikit-learn style). A
    call given a value (constant or variable) is ``supports``, one evidence per module; a call
    without a value or with ``None`` seeds from the clock or OS entropy and is ``partial``.
    Tests that seed themselves do not make training reproducible, so test modules never count.

Python is only parsed (``ast``); comments, and so commented-out seeding, are never seen.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    dotted_name,
    is_test_path,
    iter_calls,
    mentioning,
    repository_modules,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "fixed-seeds"

SEED_KEYS = frozenset({"seed", "random_seed", "random_state", "global_seed", "seed_value"})

# --------------------------------------------------------------------------- Python sources


def source_modules(ctx: DetectorContext) -> list[PythonModule]:
    """Readable non-test, non-vendored Python modules (declared paths included, even in tests)."""
    return repository_modules(ctx, ITEM)


# --------------------------------------------------------------------------- seed-config

_CONFIG_DIRS = frozenset({"config", "configs", "conf", "params", "hparams", "settings"})
_CONFIG_NAME_WORDS = ("config", "param", "settings", "hparams")


def _is_config_json(path: str) -> bool:
    parts = path.lower().split("/")
    return any(part in _CONFIG_DIRS for part in parts[:-1]) or any(word in parts[-1] for word in _CONFIG_NAME_WORDS)


def config_candidates(ctx: DetectorContext) -> list[str]:
    """Config files (see the module docstring) whose text mentions a seed key."""
    declared = set(ctx.declared(ITEM))
    chosen: list[str] = []
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(".yaml", ".yml", ".toml", ".json")):
        lowered = path.lower()
        if not lowered.endswith((".yaml", ".yml", ".toml", ".json")):
            continue
        if path not in declared:
            if is_test_path(path) or (lowered.endswith(".json") and not _is_config_json(path)):
                continue
        text = ctx.index.read_text(path)
        if text is not None and any(key in text.lower() for key in SEED_KEYS):
            chosen.append(path)
    return chosen


@dataclass(frozen=True)
class SeedSetting:
    """A seed key found in a config file, with its value."""

    key: str
    value: Any


def seed_settings(documents: list[Any]) -> list[SeedSetting]:
    """Every seed key at any depth of parsed documents, in document order."""
    found: list[SeedSetting] = []
    stack: list[Any] = list(reversed(documents))
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.lower() in SEED_KEYS:
                    found.append(SeedSetting(key, value))
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def is_fixed_seed(value: Any) -> bool:
    """Only a non-negative integer (not a boolean) fixes a seed: several tools read a negative
    seed such as ``-1`` as "pick one at random"."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def describe_value(value: Any) -> str:
    """Why a value is not a fixed seed, in a few words."""
    if value is None:
        return "is empty (null)"
    if isinstance(value, bool):
        return "is a boolean, not a number"
    if isinstance(value, str):
        stripped = value.strip()
        if "${" in stripped or stripped.startswith("{{"):
            return "is interpolated, not a fixed number"
        return "is text, not an integer" if stripped else "is empty"
    if isinstance(value, (list, dict)):
        return "is a list or mapping, not a single integer"
    if isinstance(value, int):
        return f"is negative ({value}), which several tools read as a random seed"
    return "is not an integer"


def key_line(text: str, key: str, occurrence: int = 0) -> int | None:
    """The line of the ``occurrence``-th setting of ``key`` (``key:``, ``"key":`` or ``key =``).

    Only used to point at a key the parser already found, never to decide.
    """
    pattern = re.compile(rf"^\s*(-\s+)?[\"']?{re.escape(key)}[\"']?\s*[:=]")
    matches = [number for number, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]
    return matches[occurrence] if occurrence < len(matches) else None


@dataclass(frozen=True)
class KeyRead:
    """A place where Python code reads a config key; ``rank`` orders how direct the read is
    (0: by the key string, 1: a config-class field, 2: an attribute such as ``args.seed``)."""

    path: str
    line: int
    rank: int = 0


_GETTERS = frozenset({"get", "pop", "getattr", "select", "getint", "setdefault"})


def _string_names_key(node: ast.AST, key: str) -> bool:
    value = constant_value(node)
    return isinstance(value, str) and (value == key or value.endswith("." + key))


def key_reads(module: PythonModule, key: str) -> Iterator[KeyRead]:
    """Places in a module that read the config key ``key`` (see the module docstring)."""
    called = {id(node.func) for node in ast.walk(module.tree) if isinstance(node, ast.Call)}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Subscript) and _string_names_key(node.slice, key):
            yield KeyRead(module.path, node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == key and isinstance(node.ctx, ast.Load):
            if id(node) not in called:
                yield KeyRead(module.path, node.lineno, rank=2)
        elif isinstance(node, ast.Call):
            name = dotted_name(node.func) or ""
            getter = name.rsplit(".", 1)[-1] in _GETTERS
            if getter and any(_string_names_key(argument, key) for argument in node.args[:2]):
                yield KeyRead(module.path, node.lineno)
            for keyword in node.keywords:
                if keyword.arg == key and isinstance(keyword.value, (ast.Attribute, ast.Subscript)):
                    yield KeyRead(module.path, node.lineno)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                target = statement.target if isinstance(statement, ast.AnnAssign) else None
                if isinstance(target, ast.Name) and target.id == key:
                    yield KeyRead(module.path, statement.lineno, rank=1)


def first_key_read(modules: list[PythonModule], key: str) -> KeyRead | None:
    """The most direct place where non-test code reads ``key`` (then by path and line)."""
    reads = [read for module in mentioning(modules, key) for read in key_reads(module, key)]
    return min(reads, key=lambda read: (read.rank, read.path, read.line)) if reads else None


@detector(
    name="seed-config",
    items=(ITEM,),
    looks_for="a seed/random_seed/random_state key with an integer value in a YAML/TOML/JSON config, "
    "read by the training code",
)
def seed_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Seeds kept in configuration, ``supports`` when the code reads them."""
    candidates = config_candidates(ctx)
    if not candidates:
        return
    modules = source_modules(ctx)
    reads: dict[str, KeyRead | None] = {}
    for path in candidates:
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        text = ctx.index.read_text(path) or ""
        occurrences: dict[str, int] = {}
        for setting in seed_settings(documents):
            line = key_line(text, setting.key, occurrences.get(setting.key, 0))
            occurrences[setting.key] = occurrences.get(setting.key, 0) + 1
            if not is_fixed_seed(setting.value):
                detail = f"`{setting.key}` in {path} {describe_value(setting.value)}: no seed is fixed"
                yield ctx.partial(ITEM, detail, path=path, line=line)
                continue
            if setting.key not in reads:
                reads[setting.key] = first_key_read(modules, setting.key)
            read = reads[setting.key]
            described = f"`{setting.key}: {setting.value}` in {path}"
            if read is None:
                yield ctx.partial(ITEM, f"{described} but no training code reads it", path=path, line=line)
            else:
                yield ctx.supports(ITEM, f"{described}, read in `{read.path}:{read.line}`", path=path, line=line)


# --------------------------------------------------------------------------- seeding-calls

#: Seeding functions and the keyword names their seed may be passed as.
SEEDING_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "random.seed": ("a",),
    "random.Random": ("x",),
    "numpy.random.seed": ("seed",),
    "numpy.random.default_rng": ("seed",),
    "numpy.random.RandomState": ("seed",),
    "torch.manual_seed": ("seed",),
    "torch.random.manual_seed": ("seed",),
    "torch.cuda.manual_seed": ("seed",),
    "torch.cuda.manual_seed_all": ("seed",),
    "tensorflow.random.set_seed": ("seed",),
    "tensorflow.set_random_seed": ("seed",),
    "tensorflow.compat.v1.set_random_seed": ("seed",),
    "tensorflow.keras.utils.set_random_seed": ("seed",),
    "keras.utils.set_random_seed": ("seed",),
    "pytorch_lightning.seed_everything": ("seed",),
    "pytorch_lightning.utilities.seed.seed_everything": ("seed",),
    "lightning.seed_everything": ("seed",),
    "lightning.pytorch.seed_everything": ("seed",),
    "lightning.fabric.seed_everything": ("seed",),
    "lightning.fabric.utilities.seed.seed_everything": ("seed",),
    "transformers.set_seed": ("seed",),
    "transformers.trainer_utils.set_seed": ("seed",),
    "accelerate.utils.set_seed": ("seed",),
    "jax.random.PRNGKey": ("seed",),
    "jax.random.key": ("seed",),
}

#: Text that a module must contain to hold a seeding call (chooses what to parse), and the
#: smaller set for which a module that does not parse is reported as unreadable.
_SEEDING_WORDS = ("seed", "random_state", "Random", "default_rng", "PRNGKey", "jax")
_SEEDING_HINTS = ("seed", "random_state")


def seed_argument(call: ast.Call, keywords: tuple[str, ...]) -> ast.AST | None:
    """The expression given as the seed: the first positional argument or a seed keyword."""
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    return None


def _is_unset(node: ast.AST | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


@dataclass(frozen=True)
class SeedingCall:
    """A seeding call in a module: what, where, and whether it fixes a value."""

    name: str
    path: str
    line: int
    fixed: bool


def seeding_calls(module: PythonModule) -> list[SeedingCall]:
    """Seeding calls and ``random_state=`` arguments of a module, in line order."""
    found: list[SeedingCall] = []
    for call in iter_calls(module.tree, module.aliases):
        head = (dotted_name(call.node.func) or "").split(".", 1)[0]
        if call.name in SEEDING_FUNCTIONS and head in module.aliases:
            argument = seed_argument(call.node, SEEDING_FUNCTIONS[call.name])
            found.append(SeedingCall(call.name, module.path, call.line, not _is_unset(argument)))
        for keyword in call.node.keywords:
            if keyword.arg == "random_state":
                fixed = not _is_unset(keyword.value)
                name = f"random_state= of {call.name.rsplit('.', 1)[-1]}"
                found.append(SeedingCall(name, module.path, call.line, fixed))
    return sorted(found, key=lambda seeding: seeding.line)


def _names(calls: list[SeedingCall]) -> str:
    names = list(dict.fromkeys(call.name for call in calls))
    shown = ", ".join(f"`{name}`" for name in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


@detector(
    name="seeding-calls",
    items=(ITEM,),
    looks_for="seeding calls with a value in non-test code (random.seed, numpy, torch.manual_seed, "
    "tf.random.set_seed, seed_everything, set_seed) or random_state= arguments",
)
def seeding_calls_detector(ctx: DetectorContext) -> Iterator[Evidence]:
    """Seeding calls in training code: ``supports`` with a value, ``partial`` without one."""
    modules = source_modules(ctx)
    for module in modules:
        if module.mentions(*_SEEDING_HINTS) and not module.parses:
            yield ctx.unreadable(ITEM, module.path)
    for module in mentioning(modules, *_SEEDING_WORDS):
        calls = seeding_calls(module)
        fixed = [call for call in calls if call.fixed]
        if fixed:
            count = f"{len(fixed)} call{'s' if len(fixed) != 1 else ''}"
            detail = f"{_names(fixed)} seeded with a value in `{module.path}` ({count})"
            if is_ml_code(module):
                yield ctx.supports(ITEM, detail, path=module.path, line=fixed[0].line)
            else:
                yield ctx.partial(ITEM, f"{detail}, which is not training or data code (no ML library, no `fit`, "
                                  "not named for training)", path=module.path, line=fixed[0].line)
        for call in calls:
            if call.fixed:
                continue
            if call.name.startswith("random_state="):
                detail = f"`{call.name.split(' of ', 1)[1]}(random_state=None)` draws a new seed on every run"
            else:
                detail = f"`{call.name}()` without a value seeds from the clock or OS entropy"
            yield ctx.partial(ITEM, detail, path=module.path, line=call.line)


#: Libraries whose presence makes a module machine-learning code (NumPy and pandas alone do not).
_ML_LIBRARIES = frozenset({
    "torch", "tensorflow", "keras", "sklearn", "lightning", "pytorch_lightning", "xgboost", "lightgbm", "catboost",
    "jax", "flax", "transformers", "datasets", "accelerate", "statsmodels", "optuna", "mlflow", "prophet",
})
_ML_NAME = re.compile(r"train|fit|experiment|model|learn|tune|sample|dataset|split|feature|pipeline", re.IGNORECASE)


def is_ml_code(module: PythonModule) -> bool:
    """True when a module trains, prepares data or experiments: it imports an ML library, calls
    ``fit``, or its path says so (``train.py``, ``make_sample_data.py``, ``pipelines/``). A test
    runner or a benchmark that seeds ``random`` is not what item 17 is about."""
    if _ML_NAME.search(module.path):
        return True
    if any(target.split(".")[0] in _ML_LIBRARIES for target in module.aliases.values()):
        return True
    return any(call.name.rsplit(".", 1)[-1] in ("fit", "fit_transform", "train") for call in iter_calls(module.tree, module.aliases))


DETECTORS: tuple[Detector, ...] = (seed_config, seeding_calls_detector)

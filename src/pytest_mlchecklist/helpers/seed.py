"""The ``ml_seed`` helper: fix the seeds and prove that a run repeats (item 17, ``fixed-seeds``).

What it seeds
    ``ml_seed(seed)`` seeds Python's :mod:`random` (``random.seed``), and, when they are
    installed, NumPy's global generator (``numpy.random.seed``), PyTorch (``torch.manual_seed``,
    which also seeds every CUDA device) and TensorFlow (``tensorflow.random.set_seed``). JAX has
    no global state: a ``jax.random.PRNGKey(seed)`` is made and returned as ``jax_key`` for the
    test to pass on. A library that is not installed is skipped and named as such; one is
    imported only when installed (importing it the first time may take a moment). The seed is
    an integer from 0 to 2**32 - 1 (NumPy's range). ``PYTHONHASHSEED`` cannot be changed inside
    a running interpreter and is left alone.

What it proves
    ``ml_seed.same_output(func, *args)`` seeds, calls ``func(*args)``, seeds again with the same
    seed, calls it again, and compares the two outputs by value: numbers (NaN equals NaN),
    strings, lists, tuples, dicts, sets, and array-likes (NumPy, PyTorch, TensorFlow, JAX arrays,
    pandas objects), which are compared through their shape and their values as plain lists.
    The first difference fails the test with where it is and both values.

What it records (``fixed-seeds``, value ``seed``)
    Each ``ml_seed(seed)`` call records which libraries it seeded; each ``same_output`` records
    whether the two runs were identical, and fails the test when they were not.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "fixed-seeds"
DEFAULT_SEED = 42
MAX_SEED = 2**32 - 1
LIBRARIES = ("random", "numpy", "torch", "tensorflow", "jax")


@dataclass(frozen=True)
class SeedResult:
    """What ``ml_seed(seed)`` seeded: the seed, the libraries seeded, those not installed, and a
    ``jax.random.PRNGKey(seed)`` when JAX is installed (``None`` otherwise)."""

    seed: int
    seeded: tuple[str, ...]
    missing: tuple[str, ...]
    jax_key: Any = field(default=None, repr=False)

    def detail(self) -> str:
        """One line: ``seed 42 set for random, numpy; not installed: torch, tensorflow, jax``."""
        text = f"seed {self.seed} set for {', '.join(self.seeded)}"
        if self.missing:
            text += f"; not installed: {', '.join(self.missing)}"
        return text


def seed_everything(seed: int) -> SeedResult:
    """Seed ``random`` and every installed library among NumPy, PyTorch, TensorFlow and JAX."""
    seed = check_seed(seed)
    random.seed(seed)
    seeded = ["random"]
    missing: list[str] = []
    jax_key: Any = None
    for name in LIBRARIES[1:]:
        module = _installed(name)
        if module is None:
            missing.append(name)
            continue
        if name == "numpy":
            module.random.seed(seed)
        elif name == "torch":
            module.manual_seed(seed)
        elif name == "tensorflow":
            module.random.set_seed(seed)
        else:
            jax_key = module.random.PRNGKey(seed)
        seeded.append(name)
    return SeedResult(seed=seed, seeded=tuple(seeded), missing=tuple(missing), jax_key=jax_key)


def check_seed(seed: Any) -> int:
    """``seed`` when it is an integer from 0 to 2**32 - 1; a clear TypeError/ValueError otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"ml_seed: the seed must be an integer, got {type(seed).__name__} {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"ml_seed: the seed must be between 0 and 2**32 - 1 (NumPy's range), got {seed}")
    return seed


def _installed(name: str) -> Any:
    """The module ``name`` when it is installed (importing it), else ``None``."""
    if name not in sys.modules:
        try:
            if importlib.util.find_spec(name) is None:
                return None
        except (ImportError, ValueError):
            return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# ---------------------------------------------------------------------- comparing outputs
def first_difference(first: Any, second: Any, where: str = "output") -> str | None:
    """Where two outputs first differ and how (``output[2]['score']: 0.81 != 0.83``), or ``None``
    when they are identical by value. Raises TypeError for objects that only compare by identity."""
    first, second = _plain(first), _plain(second)
    if first is second:  # None, or the very same object
        return None
    if type(first) is not type(second) and not (_is_number(first) and _is_number(second)):
        return f"{where}: {_type_name(first)} then {_type_name(second)}"
    if _is_number(first):
        same = first == second or (_is_nan(first) and _is_nan(second))
        return None if same else f"{where}: {_short(first)} != {_short(second)}"
    if isinstance(first, Mapping):
        if set(first) != set(second):
            only_first = sorted(map(repr, set(first) - set(second)))
            only_second = sorted(map(repr, set(second) - set(first)))
            return f"{where}: keys differ (first run only: {_names(only_first)}; second run only: {_names(only_second)})"
        for key in first:
            found = first_difference(first[key], second[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(first, (list, tuple)):
        if len(first) != len(second):
            return f"{where}: length {len(first)} then {len(second)}"
        for index, (one, other) in enumerate(zip(first, second)):
            found = first_difference(one, other, f"{where}[{index}]")
            if found:
                return found
        return None
    if type(first).__eq__ is object.__eq__:
        raise TypeError(
            f"ml_seed.same_output: cannot compare two {_type_name(first)} objects by value (they compare "
            "by identity); return plain data: predictions or parameters as lists, dicts or arrays"
        )
    same = first == second
    if not isinstance(same, bool):
        raise TypeError(f"ml_seed.same_output: comparing two {_type_name(first)} objects did not give True or False")
    return None if same else f"{where}: {_short(first)} != {_short(second)}"


def _plain(value: Any) -> Any:
    """Array-likes as ``{"shape": ..., "values": [...]}``; pandas frames by their split dict;
    everything else unchanged. No library is imported."""
    if isinstance(value, (str, bytes, bool, int, float, list, tuple, dict, set, frozenset)) or value is None:
        return value
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # pandas DataFrame
        return {"dataframe": value.to_dict(orient="split")}
    if hasattr(value, "numpy") and hasattr(value, "shape") and not hasattr(value, "tolist"):  # TensorFlow
        value = value.numpy()
    if hasattr(value, "tolist") and hasattr(value, "shape"):  # NumPy, PyTorch, JAX, pandas Series
        plain = value.tolist()
        shape = value.shape
        return {"shape": list(shape() if callable(shape) else shape), "values": plain}
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


# ---------------------------------------------------------------------- the fixture's value
class Seeder:
    """The value of the ``ml_seed`` fixture: ``ml_seed(seed)`` seeds every installed library;
    ``ml_seed.same_output(func, *args)`` proves two seeded runs give the same output."""

    def __init__(self, recorder: MeasurementRecorder) -> None:
        self._recorder = recorder
        self.seed: int | None = None

    def __call__(self, seed: int = DEFAULT_SEED) -> SeedResult:
        """Seed ``random`` and the installed libraries with ``seed`` and record it for ``fixed-seeds``."""
        result = seed_everything(seed)
        self.seed = result.seed
        self._recorder.record(ITEM, result.detail(), {"seed": result.seed}, passed=True)
        return result

    def same_output(self, func: Callable[..., Any], *args: Any, seed: int | None = None) -> Any:
        """Seed, run ``func(*args)``, seed again, run it again, and fail the test when the two
        outputs differ by value. ``seed`` defaults to the last ``ml_seed(seed)``, else 42.
        Returns the first run's output."""
        __tracebackhide__ = True
        if not callable(func):
            raise TypeError(f"ml_seed.same_output: expected a callable to run twice, got {type(func).__name__}")
        chosen = check_seed(self._default if seed is None else seed)
        name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__name__
        seed_everything(chosen)
        first = func(*args)
        seed_everything(chosen)
        second = func(*args)
        difference = first_difference(first, second)
        if difference is None:
            detail = f"seed {chosen}: two runs of `{name}` gave identical output"
        else:
            detail = f"seed {chosen}: two runs of `{name}` differ at {difference}"
        self._recorder.record(ITEM, detail, {"seed": chosen}, passed=difference is None)
        if difference is not None:
            pytest.fail(f"ml_seed: {detail}; something in `{name}` is not seeded (another library, "
                        "a generator created without a seed, threads, or the clock)")
        return first

    @property
    def _default(self) -> int:
        """The seed ``same_output`` uses when none is given: the last one set, else 42."""
        return DEFAULT_SEED if self.seed is None else self.seed


@pytest.fixture
def ml_seed(ml_record: Recordings) -> Seeder:
    """Seed random/NumPy/PyTorch/TensorFlow/JAX and check that a seeded run repeats (item 17, ``fixed-seeds``).

    ``ml_seed(seed=42)`` seeds and records; ``ml_seed.same_output(func, *args, seed=None)`` runs
    ``func`` twice with the same seed and fails when the outputs differ; see docs/helpers/seed.md.
    """
    return Seeder(ml_record.recorder("ml_seed"))

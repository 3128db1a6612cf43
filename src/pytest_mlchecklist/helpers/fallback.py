"""The ``ml_fallback`` helper: with the model broken, the fallback answers in time (item 32).

How the model is broken
    Either ``patch=`` names the model dependency (``"fraud.service.model"`` or
    ``(service, "model")``) and the helper replaces it, for the duration of the check only,
    with a broken stand-in: calling it, or calling any of its methods (``model.predict(x)``),
    raises ``failure`` (default ``ConnectionError``), or, with ``failure="timeout"``, sleeps
    ``hang_ms`` (default twice the budget, at least budget + 100 ms) and then raises
    ``TimeoutError``, like a model server that stops answering. The stand-in counts its calls:
    when the call never reached it, the patch missed the prediction path and the check fails.

    Or ``break_model=`` is the team's own way to break it: a context manager (entered around
    the calls), or a callable that breaks it (with ``monkeypatch`` for example) and may return
    a context manager.

How it is judged
    ``call()`` is run ``calls`` times (more than one exercises a circuit breaker that opens
    after a few failures); each call is timed with :func:`time.perf_counter_ns`. Every call must
    return, within ``budget_ms`` milliseconds, an answer that is not ``None`` and holds no NaN;
    with ``expect=`` the answer must also equal it (or, for a callable, ``expect(answer)`` must
    be true). A call that raises means no fallback answered. The slowest answer is recorded for
    ``fallback`` (values ``answer_ms``, ``budget_ms``, ``calls`` and, with ``patch=``,
    ``model_calls``) whether it passed or not; a failure fails the test with the numbers.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlchecklist.helpers.graceful import contains_nan

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "fallback"
TIMEOUT = "timeout"


def format_ms(value: float) -> str:
    """Milliseconds for messages, as ``ml_latency`` writes them."""
    return f"{value:.1f}" if value >= 1 else f"{value:.3g}"


class BrokenModel:
    """A stand-in for a model dependency that fails every time it is used: called directly or
    through any method (``predict``, ``score``...), it raises ``failure`` or, for a timeout,
    sleeps ``hang_s`` first and raises :class:`TimeoutError`."""

    def __init__(self, failure: BaseException | None, hang_s: float) -> None:
        self._failure = failure
        self._hang_s = hang_s
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self._failure is None:
            time.sleep(self._hang_s)
            raise TimeoutError(f"model did not answer within {self._hang_s * 1000:g} ms (made to hang by ml_fallback)")
        raise self._failure

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self


@dataclass(frozen=True)
class FallbackResult:
    """What ``ml_fallback`` measured: the time of each answer with the model broken."""

    budget_ms: float
    broken_by: str
    answer_times_ms: tuple[float, ...]
    answer: Any = field(repr=False)
    problem: str | None
    model_calls: int | None

    @property
    def passed(self) -> bool:
        """True when every call answered in time with an acceptable answer."""
        return self.problem is None

    @property
    def answer_ms(self) -> float:
        """The slowest answer (milliseconds)."""
        return max(self.answer_times_ms) if self.answer_times_ms else 0.0

    def values(self) -> dict[str, float]:
        """The values recorded as evidence: ``answer_ms``, ``budget_ms``, ``calls``, ``model_calls``."""
        values = {"answer_ms": round(self.answer_ms, 6), "budget_ms": self.budget_ms,
                  "calls": float(len(self.answer_times_ms))}
        if self.model_calls is not None:
            values["model_calls"] = float(self.model_calls)
        return values

    def detail(self) -> str:
        """One line: ``fallback answered in 3.1 ms <= 200 ms budget with the model raising ConnectionError; 1 call``."""
        calls = len(self.answer_times_ms)
        counted = f"{calls} call{'s' if calls != 1 else ''}"
        if self.problem is not None:
            return f"{self.problem} with {self.broken_by}; {counted}"
        slowest = "slowest of " if calls > 1 else ""
        return (f"fallback answered in {slowest}{format_ms(self.answer_ms)} ms <= {self.budget_ms:g} ms budget "
                f"with {self.broken_by}; {counted}")


class FallbackChecker:
    """The value of the ``ml_fallback`` fixture: call it to break the model and time the fallback."""

    def __init__(self, recorder: MeasurementRecorder) -> None:
        self._recorder = recorder

    def __call__(
        self,
        call: Callable[[], Any],
        *,
        budget_ms: float,
        patch: str | tuple[Any, str] | None = None,
        failure: BaseException | type[BaseException] | str | None = None,
        hang_ms: float | None = None,
        break_model: Any = None,
        calls: int = 1,
        expect: Any = None,
    ) -> FallbackResult:
        """Run ``call()`` ``calls`` times with the model broken (``patch=`` the dependency to
        replace, or the team's own ``break_model``), and fail unless each call answers within
        ``budget_ms`` milliseconds with a fallback answer (not ``None``, no NaN, ``expect``)."""
        __tracebackhide__ = True
        if not callable(call):
            raise TypeError(f"ml_fallback: expected a callable to run with the model broken, got {type(call).__name__}")
        budget = _check_positive("budget_ms", budget_ms)
        if isinstance(calls, bool) or not isinstance(calls, int) or calls < 1:
            raise ValueError(f"ml_fallback: calls must be an integer >= 1, got {calls!r}")
        if (patch is None) == (break_model is None):
            raise ValueError("ml_fallback: give either patch= (the model dependency to replace, for example "
                             "'fraud.service.model') or break_model= (a context manager that breaks it), not both")
        stand_in: BrokenModel | None = None
        if patch is not None:
            stand_in, broken_by = _stand_in(failure, hang_ms, budget)
            breaker: contextlib.AbstractContextManager[Any] = _patched(patch, stand_in)
        else:
            if failure is not None or hang_ms is not None:
                raise ValueError("ml_fallback: failure= and hang_ms= shape the stand-in of patch=; "
                                 "with break_model= your context manager decides how the model fails")
            breaker, broken_by = _breaker(break_model)
        result = self._run(call, breaker, budget, calls, expect, broken_by, stand_in)
        self._recorder.record(ITEM, result.detail(), result.values(), passed=result.passed)
        if not result.passed:
            pytest.fail(f"ml_fallback: {result.detail()}", pytrace=False)
        return result

    def _run(self, call: Callable[[], Any], breaker: contextlib.AbstractContextManager[Any], budget: float,
             calls: int, expect: Any, broken_by: str, stand_in: BrokenModel | None) -> FallbackResult:
        times: list[float] = []
        answer: Any = None
        problem: str | None = None
        with breaker:
            for _ in range(calls):
                start = time.perf_counter_ns()
                try:
                    answer = call()
                except Exception as exc:  # noqa: BLE001 - the exception is what the check reports
                    elapsed = (time.perf_counter_ns() - start) / 1_000_000
                    times.append(elapsed)
                    problem = f"no fallback: the call raised {_error(exc)} after {format_ms(elapsed)} ms"
                    break
                elapsed = (time.perf_counter_ns() - start) / 1_000_000
                times.append(elapsed)
                problem = _judge(answer, elapsed, budget, expect)
                if problem is not None:
                    break
        model_calls = stand_in.calls if stand_in is not None else None
        if problem is None and model_calls == 0:
            problem = ("the broken model was never called, so the fallback was not exercised "
                       "(patch= does not reach the prediction path)")
        return FallbackResult(budget_ms=budget, broken_by=broken_by, answer_times_ms=tuple(times), answer=answer,
                              problem=problem, model_calls=model_calls)


def _judge(answer: Any, elapsed: float, budget: float, expect: Any) -> str | None:
    if answer is None:
        return f"no fallback answer: the call returned None after {format_ms(elapsed)} ms"
    if contains_nan(answer):
        return f"the fallback answered NaN ({_short(answer)}) after {format_ms(elapsed)} ms"
    if elapsed > budget:
        return f"fallback answered in {format_ms(elapsed)} ms > {budget:g} ms budget"
    if expect is None:
        return None
    if callable(expect):
        try:
            accepted = bool(expect(answer))
        except AssertionError as exc:
            accepted, why = False, f": {exc}" if str(exc) else ""
        else:
            why = ""
        return None if accepted else f"the fallback answered {_short(answer)}, which expect= rejected{why}"
    return None if answer == expect else f"the fallback answered {_short(answer)}, expected {_short(expect)}"


def _stand_in(failure: Any, hang_ms: float | None, budget: float) -> tuple[BrokenModel, str]:
    if failure == TIMEOUT:
        hang = _check_positive("hang_ms", hang_ms) if hang_ms is not None else max(2 * budget, budget + 100)
        return BrokenModel(None, hang / 1000), f"the model timing out (hangs {hang:g} ms)"
    if hang_ms is not None:
        raise ValueError("ml_fallback: hang_ms= applies to failure='timeout' only")
    if failure is None:
        failure = ConnectionError("model unavailable (broken by ml_fallback)")
    elif isinstance(failure, type) and issubclass(failure, BaseException):
        failure = failure("model unavailable (broken by ml_fallback)")
    elif not isinstance(failure, BaseException):
        raise TypeError(f"ml_fallback: failure must be an exception (class or instance) or 'timeout', got {failure!r}")
    return BrokenModel(failure, 0.0), f"the model raising {type(failure).__name__}"


@contextlib.contextmanager
def _patched(patch: str | tuple[Any, str], stand_in: BrokenModel) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        if isinstance(patch, str):
            if "." not in patch:
                raise ValueError(f"ml_fallback: patch must be a dotted path such as 'fraud.service.model', got {patch!r}")
            try:
                monkeypatch.setattr(patch, stand_in)
            except (AttributeError, ImportError) as exc:
                raise ValueError(f"ml_fallback: cannot patch {patch!r}: {exc}") from None
        elif isinstance(patch, tuple) and len(patch) == 2 and isinstance(patch[1], str):
            owner, name = patch
            if not hasattr(owner, name):
                raise ValueError(f"ml_fallback: cannot patch {name!r}: {type(owner).__name__} has no such attribute")
            monkeypatch.setattr(owner, name, stand_in)
        else:
            raise TypeError(f"ml_fallback: patch must be 'module.attribute' or (object, 'attribute'), got {patch!r}")
        yield


def _breaker(break_model: Any) -> tuple[contextlib.AbstractContextManager[Any], str]:
    name = getattr(break_model, "__name__", None) or getattr(getattr(break_model, "func", None), "__name__", None) \
        or type(break_model).__name__
    if not isinstance(break_model, type) and hasattr(break_model, "__enter__") and hasattr(break_model, "__exit__"):
        return break_model, f"the model broken by {name}"
    if callable(break_model):
        return _calling(break_model), f"the model broken by {name}"
    raise TypeError("ml_fallback: break_model must be a context manager or a callable that breaks the model, "
                    f"got {type(break_model).__name__}")


@contextlib.contextmanager
def _calling(break_model: Callable[[], Any]) -> Iterator[None]:
    outcome = break_model()
    if hasattr(outcome, "__enter__") and hasattr(outcome, "__exit__"):
        with outcome:
            yield
    else:
        yield


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"ml_fallback: {name} must be a positive number of milliseconds, got {value!r}")
    return float(value)


def _error(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message[:100]}" if message else type(exc).__name__


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@pytest.fixture
def ml_fallback(ml_record: Recordings) -> FallbackChecker:
    """Break the model dependency and check that the fallback answers within a time budget
    (item 32, ``fallback``).

    ``ml_fallback(call, budget_ms=200, patch="fraud.service.model")`` or
    ``ml_fallback(call, budget_ms=200, break_model=my_context_manager)``; see docs/helpers/fallback.md.
    """
    return FallbackChecker(ml_record.recorder("ml_fallback"))

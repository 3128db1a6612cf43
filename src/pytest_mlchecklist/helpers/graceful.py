"""The ``ml_graceful`` helper: every bad input gets a clear error (item 25).

What it sends
    ``ml_graceful(target, bad_inputs, ...)`` gives each bad input to ``target``, which is either
    a predict callable (called as ``target(payload)``) or an HTTP test client: anything with a
    ``post`` method returning a response with ``status_code`` and a JSON or text body
    (Starlette/FastAPI ``TestClient``, Flask and Django test clients, a fake of your own). The
    payload is posted to ``path`` as JSON; NaN and infinities are written as ``NaN``/``Infinity``
    and lone surrogates escaped, so that every edge case reaches the server. ``send=`` replaces
    the way a payload is posted.

    ``bad_inputs`` is a list of payloads, a dict ``{name: payload}``, or the cases of
    :func:`pytest_mlchecklist.helpers.edge_cases.edge_cases` (named by their case id).

How each answer is judged
    A **clear error** is, from a callable, an exception of one of the ``expect`` types
    (default ``ValueError``, ``TypeError``; pydantic's ``ValidationError`` is a ``ValueError``)
    with a non-empty message; from a client, a status in ``statuses`` (default every 4xx) with a
    non-empty body (a JSON ``detail``/``error``/``message``/``errors`` or any text).

    Anything else fails: another exception (a crash), an expected exception without a message,
    a 5xx, a 4xx with an empty body, and any answer (a 2xx, or a callable returning): a
    **silent answer**, reported as ``NaN`` when the answer holds one.

How it records
    One measurement for ``graceful-failure`` per call, values ``bad_inputs``, ``clear_errors``
    and ``failures`` (and ``crashes``, ``silent_answers``, ``nan_answers``); the test fails
    listing each bad input that was not handled and what happened.
"""

from __future__ import annotations

import inspect
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "graceful-failure"
CLIENT_ERRORS = range(400, 500)
_MESSAGE_KEYS = ("detail", "error", "errors", "message", "msg", "title", "description")
_MAX_SHOWN = 20

# how an input was answered
CLEAR = "clear error"
CRASH = "crash"
SILENT = "silent answer"
NAN = "NaN answer"
UNCLEAR = "unclear error"


@dataclass(frozen=True)
class Answer:
    """How ``target`` answered one bad input."""

    name: str
    kind: str  # CLEAR, CRASH, SILENT, NAN or UNCLEAR
    what: str  # "422 with a message", "raised KeyError: 'amount'", ...

    @property
    def clear(self) -> bool:
        """True for a clear error."""
        return self.kind == CLEAR


@dataclass(frozen=True)
class GracefulReport:
    """Every bad input and its answer."""

    answers: tuple[Answer, ...]

    @property
    def failures(self) -> list[Answer]:
        """The answers that were not clear errors."""
        return [answer for answer in self.answers if not answer.clear]

    @property
    def passed(self) -> bool:
        """True when every bad input got a clear error."""
        return not self.failures

    def values(self) -> dict[str, float]:
        """The values recorded as evidence."""
        kinds = Counter(answer.kind for answer in self.answers)
        return {"bad_inputs": len(self.answers), "clear_errors": kinds[CLEAR], "failures": len(self.failures),
                "crashes": kinds[CRASH], "silent_answers": kinds[SILENT], "nan_answers": kinds[NAN]}

    def detail(self) -> str:
        """One line: ``12 bad inputs, each answered with a clear error (422 x10, ValueError x2)``."""
        total = len(self.answers)
        if self.passed:
            forms = Counter(answer.what.split(" ", 1)[0] for answer in self.answers)
            listed = ", ".join(f"{form} x{count}" for form, count in forms.most_common())
            return f"{total} bad inputs, each answered with a clear error ({listed})"
        kinds = Counter(answer.kind for answer in self.failures)
        listed = ", ".join(f"{count} {kind}{'s' if count > 1 and kind != NAN else ''}" for kind, count in kinds.most_common())
        shown = "; ".join(f"{answer.name}: {answer.what}" for answer in self.failures[:3])
        more = f"; and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
        return f"{len(self.failures)} of {total} bad inputs not handled ({listed}): {shown}{more}"


Sender = Callable[[Any, str, Any], Any]


class GracefulChecker:
    """The value of the ``ml_graceful`` fixture: call it with a target and bad inputs."""

    def __init__(self, recorder: MeasurementRecorder) -> None:
        self._recorder = recorder

    def __call__(
        self,
        target: Any,
        bad_inputs: Any,
        *,
        path: str | None = None,
        expect: type[BaseException] | tuple[type[BaseException], ...] = (ValueError, TypeError),
        statuses: Iterable[int] = CLIENT_ERRORS,
        send: Sender | None = None,
    ) -> GracefulReport:
        """Give every bad input to ``target`` (a predict callable, or a test client with
        ``path``) and fail unless each is answered with a clear error: an exception of the
        ``expect`` types with a message, or a status in ``statuses`` (every 4xx) with a message."""
        __tracebackhide__ = True
        inputs = named_inputs(bad_inputs)
        expected = _check_expect(expect)
        allowed = _check_statuses(statuses)
        if send is not None and not callable(send):
            raise TypeError(f"ml_graceful: send must be a callable (client, path, payload) -> response, got {send!r}")
        if is_client(target):
            if not isinstance(path, str) or not path:
                raise ValueError("ml_graceful: a test client needs the route to post to, for example path='/predict'")
            sender = send or post_json
            answers = [judge_response(name, _post(sender, target, path, payload), allowed) for name, payload in inputs]
        elif callable(target):
            if path is not None:
                raise ValueError("ml_graceful: path= is for a test client; this target is a plain callable")
            answers = [judge_call(name, target, payload, expected) for name, payload in inputs]
        else:
            raise TypeError("ml_graceful: expected a predict callable or a test client with a post method, "
                            f"got {type(target).__name__}")
        report = GracefulReport(tuple(answers))
        self._recorder.record(ITEM, report.detail(), report.values(), passed=report.passed)
        if not report.passed:
            lines = [f"  {answer.name}: {answer.kind}: {answer.what}" for answer in report.failures[:_MAX_SHOWN]]
            if len(report.failures) > _MAX_SHOWN:
                lines.append(f"  ... and {len(report.failures) - _MAX_SHOWN} more")
            pytest.fail(f"ml_graceful: {report.detail()}\n" + "\n".join(lines), pytrace=False)
        return report


def named_inputs(bad_inputs: Any) -> list[tuple[str, Any]]:
    """``(name, payload)`` pairs: dict keys, edge-case ids, or ``input[i]`` for a plain list."""
    if isinstance(bad_inputs, Mapping):
        pairs = [(str(name), payload) for name, payload in bad_inputs.items()]
    elif isinstance(bad_inputs, Sequence) and not isinstance(bad_inputs, (str, bytes)):
        pairs = [_named(index, entry) for index, entry in enumerate(bad_inputs)]
    else:
        raise TypeError("ml_graceful: bad_inputs must be a list of payloads, a dict {name: payload} or "
                        f"edge_cases(...), got {type(bad_inputs).__name__}")
    if not pairs:
        raise ValueError("ml_graceful: bad_inputs is empty: give at least one bad input")
    return pairs


def _named(index: int, entry: Any) -> tuple[str, Any]:
    if hasattr(entry, "case_id") and hasattr(entry, "payload"):  # an EdgeCase
        return str(entry.case_id), entry.payload
    is_param = isinstance(entry, tuple) and hasattr(entry, "marks") and hasattr(entry, "values")
    values = entry.values if is_param else entry
    if isinstance(values, tuple) and len(values) == 3 and isinstance(values[1], str):  # pytest.param(category, id, payload)
        return values[1], values[2]
    return f"input[{index}] {_short(entry, 40)}", entry


def is_client(target: Any) -> bool:
    """Whether ``target`` is an HTTP test client (it has a callable ``post``)."""
    return callable(getattr(target, "post", None)) and not inspect.isfunction(target)


def post_json(client: Any, path: str, payload: Any) -> Any:
    """Post ``payload`` as JSON the way ``client`` takes a body: ``content=`` (httpx, Starlette
    TestClient), ``content_type=`` (Django), ``json=`` (requests, simple fakes), ``data=`` with a
    content type (Flask/werkzeug). NaN/Infinity are written as such and lone surrogates escaped."""
    body = json.dumps(payload, allow_nan=True, default=str)
    headers = {"Content-Type": "application/json"}
    try:
        parameters = inspect.signature(client.post).parameters
    except (TypeError, ValueError):
        parameters = {}
    if "content" in parameters:
        return client.post(path, content=body, headers=headers)
    if "content_type" in parameters:
        return client.post(path, data=body, content_type="application/json")
    if "json" in parameters:
        return client.post(path, json=payload)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return client.post(path, data=body, content_type="application/json")
    return client.post(path, payload)


def _post(sender: Sender, client: Any, path: str, payload: Any) -> Any:
    try:
        return sender(client, path, payload)
    except Exception as exc:  # noqa: BLE001 - a server exception re-raised by the test client is a crash
        return exc


def judge_call(name: str, target: Callable[[Any], Any], payload: Any, expected: tuple[type[BaseException], ...]) -> Answer:
    """Call ``target(payload)`` and judge what happened."""
    try:
        answer = target(payload)
    except expected as exc:
        message = str(exc).strip()
        if not message:
            return Answer(name, UNCLEAR, f"raised {type(exc).__name__} without a message")
        return Answer(name, CLEAR, f"{type(exc).__name__} {_short(message.splitlines()[0], 80)}")
    except Exception as exc:  # noqa: BLE001 - any other exception is the crash this helper looks for
        wanted = " or ".join(kind.__name__ for kind in expected)
        return Answer(name, CRASH, f"raised {_error(exc)} (not {wanted})")
    if contains_nan(answer):
        return Answer(name, NAN, f"answered {_short(answer)} instead of an error")
    return Answer(name, SILENT, f"answered {_short(answer)} instead of an error")


def judge_response(name: str, response: Any, allowed: frozenset[int]) -> Answer:
    """Judge a test client's response (or the exception posting raised)."""
    if isinstance(response, BaseException):
        return Answer(name, CRASH, f"raised {_error(response)} (the request did not get a response)")
    status = getattr(response, "status_code", None)
    if isinstance(status, bool) or not isinstance(status, int):
        return Answer(name, CRASH, f"gave {type(response).__name__} without an integer status_code")
    body, text = response_body(response)
    if status >= 500:
        return Answer(name, CRASH, f"answered {status} (server error){_body_hint(text)}")
    if status in allowed:
        message = error_message(body, text)
        if not message:
            return Answer(name, UNCLEAR, f"answered {status} with an empty body")
        return Answer(name, CLEAR, f"{status} {_short(message, 80)}")
    if 400 <= status < 500:
        return Answer(name, UNCLEAR, f"answered {status}, not one of the expected statuses")
    kind = NAN if contains_nan(body) or (body is None and "nan" in text.lower()) else SILENT
    return Answer(name, kind, f"answered {status} with {_short(body if body is not None else text)} instead of an error")


def response_body(response: Any) -> tuple[Any, str]:
    """The response's parsed JSON (``None`` when it has none) and its text."""
    text = ""
    raw = getattr(response, "text", None)
    if callable(raw):
        raw = None
    if isinstance(raw, str):
        text = raw
    else:
        content = getattr(response, "content", None) or getattr(response, "data", None)
        if isinstance(content, (bytes, bytearray)):
            text = bytes(content).decode("utf-8", "replace")
    body: Any = None
    reader = getattr(response, "json", None)
    try:
        body = reader() if callable(reader) else reader
    except Exception:  # noqa: BLE001 - not JSON: judge the text
        body = None
    if body is None and text:
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    return body, text


def error_message(body: Any, text: str) -> str:
    """The error message of a response body: a JSON ``detail``/``error``/``message``... or the text."""
    if isinstance(body, Mapping):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if value not in (None, "", [], {}):
                return value if isinstance(value, str) else json.dumps(value, default=str)
        return json.dumps(body, default=str) if body else ""
    if isinstance(body, str):
        return body.strip()
    if body not in (None, [], {}):
        return json.dumps(body, default=str)
    return text.strip()


def contains_nan(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is or holds a NaN (floats, containers, and arrays/tensors through ``tolist()``)."""
    if depth > 20:
        return False
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, bool, int)) or value is None:
        return False
    if isinstance(value, Mapping):
        return any(contains_nan(item, depth + 1) for item in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(contains_nan(item, depth + 1) for item in value)
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, torch tensors, pandas series
    if callable(tolist):
        try:
            return contains_nan(tolist(), depth + 1)
        except Exception:  # noqa: BLE001 - not convertible: no NaN seen
            return False
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def _check_expect(expect: Any) -> tuple[type[BaseException], ...]:
    kinds = expect if isinstance(expect, tuple) else (expect,)
    if not kinds or not all(isinstance(kind, type) and issubclass(kind, BaseException) for kind in kinds):
        raise TypeError(f"ml_graceful: expect must be an exception class or a tuple of them, got {expect!r}")
    return kinds


def _check_statuses(statuses: Iterable[int]) -> frozenset[int]:
    try:
        allowed = frozenset(statuses)
    except TypeError:
        raise TypeError(f"ml_graceful: statuses must be status codes such as (400, 422), got {statuses!r}") from None
    bad = sorted((code for code in allowed if isinstance(code, bool) or not isinstance(code, int)
                  or not 400 <= code < 500), key=str)
    if bad or not allowed:
        raise ValueError(f"ml_graceful: statuses must be 4xx codes (a clear client error), got {bad or 'none'}")
    return allowed


def _error(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {_short(message, 100, quote=False)}" if message else type(exc).__name__


def _body_hint(text: str) -> str:
    return f": {_short(text.strip(), 60, quote=False)}" if text.strip() else ""


def _short(value: Any, limit: int = 60, *, quote: bool = True) -> str:
    text = value if isinstance(value, str) and not quote else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@pytest.fixture
def ml_graceful(ml_record: Recordings) -> GracefulChecker:
    """Check that bad inputs get a clear error, never a crash, a NaN or a silent answer (item 25,
    ``graceful-failure``).

    ``ml_graceful(predict, bad_inputs)`` or ``ml_graceful(client, bad_inputs, path="/predict")``;
    see docs/helpers/graceful.md.
    """
    return GracefulChecker(ml_record.recorder("ml_graceful"))

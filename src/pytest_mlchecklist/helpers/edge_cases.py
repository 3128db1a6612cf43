"""The ``ml_edge_cases`` helper: edge-case inputs generated from a schema (item 24).

What it generates
    :func:`edge_cases` reads a JSON Schema (a dict, a ``.json``/``.yaml`` file) or a pydantic
    model class (through ``model_json_schema()``) describing one record, builds a valid baseline
    record from it, and returns the edge cases item 24 names, each a mutation of that baseline
    (one field at a time, so a failure points at the field):

    ``empty``
        the empty payload ``{}``; each required field missing; ``""`` and a blank string for
        each string field; ``[]`` and ``{}`` for arrays and objects.
    ``all-null``
        every field ``None`` at once; then each field ``None`` on its own.
    ``max-length``
        strings and arrays at ``maxLength``/``maxItems`` and one over; without a limit, a long
        one (``long_length`` characters, ``long_items`` items).
    ``extreme-numbers``
        each number at its bounds and just past them (``math.nextafter`` for floats, +-1 for
        integers), zero, negative zero, the smallest subnormal, the largest floats, NaN and
        infinities (``nonfinite=False`` drops those three), 64-bit integer limits and 10**30.
    ``unicode``
        each string field as emoji, combining marks, a right-to-left override, zero-width
        characters, a NUL byte, terminal control characters and a lone surrogate.
    ``wrong-types``
        each field as a value of another JSON type (a number for a string, a numeric string and
        a boolean for a number, ...); the whole payload as a list and as a string.

    Only the top-level fields are mutated; nested objects keep their valid baseline. Local
    ``$ref`` (``#/$defs/...``, ``#/definitions/...``), ``anyOf``/``oneOf`` (the first non-null
    option), ``allOf`` with one member, ``default``, ``examples``, ``enum`` and ``const`` are
    understood. A ``pattern`` is not: the baseline string may not match it.

    Whether a case must be accepted or rejected is the test's to say (``at-max`` is valid,
    ``over-max`` is not); item 24 asks that each has a test that does not crash.

How it records
    ``ml_edge_cases(schema_or_cases, check)`` calls ``check(payload)`` for every case, records
    one measurement for ``edge-case-tests`` (values ``cases``, ``failed``, ``categories`` and
    ``cases_<category>``) and fails the test listing each case whose check raised. In a
    parametrised test, ``ml_edge_cases.cover(category, case_id)`` notes the case, and one
    measurement naming the categories the test covered is recorded when the test ends.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "edge-case-tests"
CATEGORIES = ("empty", "all-null", "max-length", "extreme-numbers", "unicode", "wrong-types")

UNICODE_VARIANTS: dict[str, str] = {
    "emoji": "\U0001f642\U0001f680\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "combining": "e\u0301\u0301\u0301\u0301\u0301",
    "rtl-override": "\u202etxt.exe",
    "zero-width": "a\u200bb\u200dc\ufeff",
    "nul": "a\x00b",
    "control": "\x1b[31mred\x1b[0m\r\n\t\x7f\x08",
    "lone-surrogate": "\ud800",
}
_MAX_FAILURES_SHOWN = 20


class EdgeCase(NamedTuple):
    """One generated case: ``(category, case_id, payload)``; unpacks into three parametrize arguments."""

    category: str
    case_id: str
    payload: Any


def edge_cases(
    schema: Any,
    *,
    categories: Iterable[str] | None = None,
    long_length: int = 10_000,
    long_items: int = 1_000,
    nonfinite: bool = True,
) -> list[EdgeCase]:
    """The edge cases of ``schema`` (a JSON Schema dict, a path to a JSON/YAML schema file, or a
    pydantic model class), as ``(category, case_id, payload)`` tuples for ``pytest.mark.parametrize``.

    ``categories`` keeps only some of :data:`CATEGORIES`; ``long_length``/``long_items`` size the
    long string/array used where the schema sets no limit; ``nonfinite=False`` leaves out NaN and
    infinities (for a transport that cannot carry them)."""
    wanted = _check_categories(categories)
    _check_size("long_length", long_length)
    _check_size("long_items", long_items)
    root = load_schema(schema)
    record = _Schema(root, root)
    if record.kind != "object" or not record.properties:
        raise ValueError("edge_cases: the schema must describe an object with properties (one record), "
                         f"got {record.describe()}")
    builder = _CaseBuilder(record, long_length=long_length, long_items=long_items, nonfinite=nonfinite)
    cases: list[EdgeCase] = []
    seen: set[str] = set()
    for case in builder.all():
        if case.category in wanted and case.case_id not in seen:
            seen.add(case.case_id)
            cases.append(case)
    return cases


def valid_record(schema: Any) -> dict[str, Any]:
    """The valid baseline record every edge case of ``schema`` changes one field of."""
    root = load_schema(schema)
    record = _Schema(root, root)
    return {name: _valid_value(sub, 1) for name, sub in record.properties.items()}


def edge_case_params(schema: Any, **options: Any) -> list[Any]:
    """:func:`edge_cases` as ``pytest.param(category, case_id, payload, id=case_id)``, so that the
    test ids read ``test_x[extreme-numbers.amount.nan]``."""
    return [pytest.param(*case, id=case.case_id) for case in edge_cases(schema, **options)]


def load_schema(schema: Any) -> dict[str, Any]:
    """The JSON Schema dict of ``schema``: a dict as is, a file read as JSON (or YAML), a pydantic
    model class through ``model_json_schema()``."""
    if isinstance(schema, Mapping):
        return dict(schema)
    if isinstance(schema, (str, Path)):
        return _read_schema_file(Path(schema))
    read = getattr(schema, "model_json_schema", None)
    if isinstance(schema, type) and callable(read):
        data = read()
        if isinstance(data, Mapping):
            return dict(data)
    raise TypeError("edge_cases: expected a JSON Schema dict, a path to a schema file or a pydantic model "
                    f"class, got {type(schema).__name__}")


def _read_schema_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"edge_cases: cannot read the schema file {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:  # noqa: BLE001 - json.JSONDecodeError or yaml.YAMLError
        raise ValueError(f"edge_cases: the schema file {path} does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"edge_cases: the schema file {path} does not hold a JSON Schema object")
    return data


class _Schema:
    """A (sub)schema with ``$ref``/``anyOf`` resolved: its kind, nullability and constraints."""

    def __init__(self, node: Any, root: Mapping[str, Any]) -> None:
        self.root = root
        self.nullable = False
        node = self._resolve(node if isinstance(node, Mapping) else {})
        self.node: Mapping[str, Any] = node
        self.kind = self._kind(node)

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(32):  # bounded: a recursive $ref chain ends here
            ref = node.get("$ref")
            if isinstance(ref, str):
                node = {**_lookup(self.root, ref), **{k: v for k, v in node.items() if k != "$ref"}}
                continue
            options = node.get("anyOf") or node.get("oneOf")
            if isinstance(options, list) and options:
                chosen = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
                self.nullable = self.nullable or len(chosen) < len(options)
                rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
                node = {**(chosen[0] if chosen and isinstance(chosen[0], Mapping) else {}), **rest}
                continue
            members = node.get("allOf")
            if isinstance(members, list) and len(members) == 1 and isinstance(members[0], Mapping):
                node = {**members[0], **{k: v for k, v in node.items() if k != "allOf"}}
                continue
            break
        return node

    def _kind(self, node: Mapping[str, Any]) -> str:
        declared = node.get("type")
        if isinstance(declared, list):
            self.nullable = self.nullable or "null" in declared
            declared = next((kind for kind in declared if kind != "null"), "null")
        if isinstance(declared, str):
            return declared
        if "const" in node:
            return _json_kind(node["const"])
        if isinstance(node.get("enum"), list) and node["enum"]:
            return _json_kind(node["enum"][0])
        if "properties" in node:
            return "object"
        if "items" in node:
            return "array"
        return "any"

    @property
    def properties(self) -> dict[str, _Schema]:
        """The object's fields, in schema order."""
        props = self.node.get("properties")
        if not isinstance(props, Mapping):
            return {}
        return {str(name): _Schema(sub, self.root) for name, sub in props.items()}

    @property
    def required(self) -> list[str]:
        """The required field names."""
        names = self.node.get("required")
        return [str(name) for name in names] if isinstance(names, list) else []

    def number(self, key: str) -> float | None:
        """A numeric constraint (``maximum``, ``maxLength``...) or ``None``."""
        value = self.node.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return value

    def items(self) -> _Schema:
        """The schema of an array's items."""
        return _Schema(self.node.get("items", {}), self.root)

    def describe(self) -> str:
        """A few words for error messages."""
        return f"a schema of type {self.kind!r}" + ("" if self.kind != "object" else " without properties")


def _lookup(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"edge_cases: only local $ref such as '#/$defs/Name' are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise ValueError(f"edge_cases: $ref {ref!r} does not point into the schema")
        node = node[part]
    if not isinstance(node, Mapping):
        raise ValueError(f"edge_cases: $ref {ref!r} does not point at a schema object")
    return node


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _valid_value(schema: _Schema, depth: int = 0) -> Any:
    """A value the schema accepts (examples, default, const, enum, or built from the constraints)."""
    node = schema.node
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if "default" in node and node["default"] is not None:
        return node["default"]
    if "const" in node:
        return node["const"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    kind = schema.kind
    if kind == "string":
        return _valid_string(schema)
    if kind in ("integer", "number"):
        return _valid_number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "array":
        count = max(int(schema.number("minItems") or 1), 1)
        return [] if depth > 8 else [_valid_value(schema.items(), depth + 1) for _ in range(count)]
    if kind == "object":
        if depth > 8:
            return {}
        return {name: _valid_value(sub, depth + 1) for name, sub in schema.properties.items()}
    if kind == "null":
        return None
    return "value"


_FORMATS = {"date-time": "2026-01-15T10:30:00Z", "date": "2026-01-15", "time": "10:30:00", "email": "user@example.com",
            "uri": "https://example.com/item", "uuid": "123e4567-e89b-12d3-a456-426614174000", "ipv4": "192.0.2.1"}


def _valid_string(schema: _Schema) -> str:
    fmt = schema.node.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    length = max(6, int(schema.number("minLength") or 0))
    high = schema.number("maxLength")
    if high is not None:
        length = min(length, int(high))
    return ("sample" * (length // 6 + 1))[:length]


def _valid_number(schema: _Schema, *, integer: bool) -> float | int:
    low = _bound(schema, "minimum", "exclusiveMinimum", integer=integer, upper=False)
    high = _bound(schema, "maximum", "exclusiveMaximum", integer=integer, upper=True)
    value: float = 1
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return int(value) if integer else float(value)


def _bound(schema: _Schema, inclusive: str, exclusive: str, *, integer: bool, upper: bool) -> float | None:
    """The valid value closest to the bound on one side (``maximum``/``exclusiveMaximum`` when
    ``upper``, else the minimums), or ``None`` without a bound."""
    candidates: list[float] = []
    direct = schema.number(inclusive)
    if direct is not None:
        candidates.append((math.floor(direct) if upper else math.ceil(direct)) if integer else float(direct))
    strict = schema.number(exclusive)
    if strict is not None:
        if integer:
            nearest = math.floor(strict) if upper else math.ceil(strict)
            candidates.append(nearest - 1 if upper and nearest == strict else nearest + 1 if nearest == strict else nearest)
        else:
            candidates.append(math.nextafter(float(strict), -math.inf if upper else math.inf))
    if not candidates:
        return None
    return min(candidates) if upper else max(candidates)


@dataclass
class _CaseBuilder:
    record: _Schema
    long_length: int
    long_items: int
    nonfinite: bool

    def all(self) -> Iterator[EdgeCase]:
        self.fields = self.record.properties
        self.baseline = {name: _valid_value(sub, 1) for name, sub in self.fields.items()}
        yield from self.empty()
        yield from self.all_null()
        yield from self.max_length()
        yield from self.extreme_numbers()
        yield from self.unicode()
        yield from self.wrong_types()

    def _with(self, name: str, value: Any) -> dict[str, Any]:
        return {**self.baseline, name: value}

    def empty(self) -> Iterator[EdgeCase]:
        yield EdgeCase("empty", "empty.payload", {})
        for name in self.record.required:
            if name in self.baseline:
                yield EdgeCase("empty", f"empty.{name}.missing", {k: v for k, v in self.baseline.items() if k != name})
        for name, sub in self.fields.items():
            if sub.kind == "string":
                yield EdgeCase("empty", f"empty.{name}", self._with(name, ""))
                yield EdgeCase("empty", f"empty.{name}.blank", self._with(name, "   "))
            elif sub.kind == "array":
                yield EdgeCase("empty", f"empty.{name}", self._with(name, []))
            elif sub.kind == "object":
                yield EdgeCase("empty", f"empty.{name}", self._with(name, {}))

    def all_null(self) -> Iterator[EdgeCase]:
        yield EdgeCase("all-null", "all-null.payload", {name: None for name in self.fields})
        for name in self.fields:
            yield EdgeCase("all-null", f"all-null.{name}", self._with(name, None))

    def max_length(self) -> Iterator[EdgeCase]:
        for name, sub in self.fields.items():
            if sub.kind == "string":
                limit = sub.number("maxLength")
                if limit is not None:
                    yield EdgeCase("max-length", f"max-length.{name}.at-max", self._with(name, _text(int(limit))))
                    yield EdgeCase("max-length", f"max-length.{name}.over-max", self._with(name, _text(int(limit) + 1)))
                else:
                    yield EdgeCase("max-length", f"max-length.{name}.long", self._with(name, _text(self.long_length)))
            elif sub.kind == "array":
                item = _valid_value(sub.items(), 2)
                limit = sub.number("maxItems")
                if limit is not None:
                    yield EdgeCase("max-length", f"max-length.{name}.at-max", self._with(name, [item] * int(limit)))
                    yield EdgeCase("max-length", f"max-length.{name}.over-max", self._with(name, [item] * (int(limit) + 1)))
                else:
                    yield EdgeCase("max-length", f"max-length.{name}.long", self._with(name, [item] * self.long_items))

    def extreme_numbers(self) -> Iterator[EdgeCase]:
        for name, sub in self.fields.items():
            if sub.kind in ("integer", "number"):
                for variant, value in _extreme_values(sub, integer=sub.kind == "integer", nonfinite=self.nonfinite):
                    yield EdgeCase("extreme-numbers", f"extreme-numbers.{name}.{variant}", self._with(name, value))

    def unicode(self) -> Iterator[EdgeCase]:
        for name, sub in self.fields.items():
            if sub.kind == "string":
                for variant, text in UNICODE_VARIANTS.items():
                    yield EdgeCase("unicode", f"unicode.{name}.{variant}", self._with(name, text))

    def wrong_types(self) -> Iterator[EdgeCase]:
        yield EdgeCase("wrong-types", "wrong-types.payload.list", [dict(self.baseline)])
        yield EdgeCase("wrong-types", "wrong-types.payload.string", json.dumps(self.baseline, default=str))
        for name, sub in self.fields.items():
            for variant, value in _WRONG_TYPES.get(sub.kind, _WRONG_TYPES["any"]):
                if variant == "numeric-string":
                    value = str(self.baseline[name])  # the valid number, as text
                yield EdgeCase("wrong-types", f"wrong-types.{name}.{variant}", self._with(name, value))


_WRONG_TYPES: dict[str, tuple[tuple[str, Any], ...]] = {
    "string": (("number", 12345), ("list", ["text"]), ("object", {"value": "text"})),
    "number": (("numeric-string", "12.5"), ("string", "twelve"), ("boolean", True), ("list", [1.0])),
    "integer": (("fraction", 1.5), ("numeric-string", "12"), ("boolean", True), ("list", [1])),
    "boolean": (("string", "yes"), ("number", 2)),
    "array": (("string", "a,b"), ("object", {"0": "a"})),
    "object": (("string", "{}"), ("list", [])),
    "null": (("string", "null"),),
    "any": (("object", {"unexpected": ["nested"]}),),
}


def _extreme_values(schema: _Schema, *, integer: bool, nonfinite: bool = True) -> list[tuple[str, Any]]:
    """``(variant, value)`` pairs of extreme numbers for one numeric field: its bounds and just
    past them, then the usual suspects."""
    found: list[tuple[str, Any]] = []
    high = _bound(schema, "maximum", "exclusiveMaximum", integer=integer, upper=True)
    low = _bound(schema, "minimum", "exclusiveMinimum", integer=integer, upper=False)
    if high is not None:
        found.append(("max", int(high) if integer else float(high)))
        found.append(("over-max", int(high) + 1 if integer else math.nextafter(float(high), math.inf)))
    if low is not None:
        found.append(("min", int(low) if integer else float(low)))
        found.append(("under-min", int(low) - 1 if integer else math.nextafter(float(low), -math.inf)))
    if integer:
        found += [("zero", 0), ("negative", -1), ("int64-max", 2**63 - 1), ("int64-min", -(2**63)), ("huge", 10**30)]
    else:
        found += [("zero", 0.0), ("negative-zero", -0.0), ("negative", -1.0), ("tiny", 5e-324),
                  ("float-max", 1.7976931348623157e308), ("float-lowest", -1.7976931348623157e308)]
        if nonfinite:
            found += [("nan", math.nan), ("inf", math.inf), ("neg-inf", -math.inf)]
    return found


def _text(length: int) -> str:
    return ("abcdefghij" * (length // 10 + 1))[:length]


def _check_categories(categories: Iterable[str] | None) -> set[str]:
    if categories is None:
        return set(CATEGORIES)
    if isinstance(categories, str):
        categories = [categories]
    wanted = set(categories)
    unknown = sorted(wanted - set(CATEGORIES))
    if unknown or not wanted:
        raise ValueError(f"edge_cases: unknown categories {unknown}; use {', '.join(CATEGORIES)}")
    return wanted


def _check_size(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"edge_cases: {name} must be an integer >= 1, got {value!r}")


# ---------------------------------------------------------------------- the fixture
@dataclass(frozen=True)
class EdgeCaseFailure:
    """A case whose check raised."""

    case_id: str
    error: str


@dataclass(frozen=True)
class EdgeCaseReport:
    """What ``ml_edge_cases(...)`` ran: the cases per category and the ones whose check failed."""

    counts: dict[str, int]
    failures: tuple[EdgeCaseFailure, ...]

    @property
    def cases(self) -> int:
        """How many cases were checked."""
        return sum(self.counts.values())

    @property
    def passed(self) -> bool:
        """True when every case's check returned without raising."""
        return not self.failures

    @property
    def categories(self) -> list[str]:
        """The categories with at least one case, in :data:`CATEGORIES` order."""
        return [name for name in CATEGORIES if self.counts.get(name)]

    def values(self) -> dict[str, float]:
        """The values recorded as evidence."""
        values: dict[str, float] = {"cases": self.cases, "failed": len(self.failures), "categories": len(self.categories)}
        values.update({f"cases_{name}": count for name, count in self.counts.items() if count})
        return values

    def detail(self) -> str:
        """One line: ``70 edge cases in 6 categories (empty 9, ...): all handled``, or
        ``3 of 70 edge cases failed: extreme-numbers.amount.nan, ...; 6 categories (...)``."""
        counts = ", ".join(f"{name} {self.counts[name]}" for name in self.categories)
        plural = "category" if len(self.categories) == 1 else "categories"
        spread = f"{len(self.categories)} {plural} ({counts})"
        missing = [name for name in CATEGORIES if not self.counts.get(name)]
        gaps = f"; none for {', '.join(missing)}" if missing else ""
        if self.passed:
            return f"{self.cases} edge cases in {spread}: all handled{gaps}"
        shown = ", ".join(failure.case_id for failure in self.failures[:5])
        more = f" and {len(self.failures) - 5} more" if len(self.failures) > 5 else ""
        return f"{len(self.failures)} of {self.cases} edge cases failed: {shown}{more}; {spread}{gaps}"


class EdgeCaseRunner:
    """The value of the ``ml_edge_cases`` fixture."""

    def __init__(self, recorder: MeasurementRecorder) -> None:
        self._recorder = recorder
        self._covered: dict[str, list[str]] = {}

    def cases(self, schema: Any, **options: Any) -> list[EdgeCase]:
        """Same as :func:`edge_cases`."""
        return edge_cases(schema, **options)

    def __call__(self, schema_or_cases: Any, check: Callable[[Any], Any], **options: Any) -> EdgeCaseReport:
        """Call ``check(payload)`` on every edge case of ``schema_or_cases`` (a schema as for
        :func:`edge_cases`, or a list of its cases), record how many cases of each category
        were handled, and fail the test listing every case whose check raised."""
        __tracebackhide__ = True
        if not callable(check):
            raise TypeError(f"ml_edge_cases: expected a check callable taking the payload, got {type(check).__name__}")
        cases = self._cases(schema_or_cases, options)
        counts = {name: 0 for name in CATEGORIES}
        failures: list[EdgeCaseFailure] = []
        for case in cases:
            counts[case.category] = counts.get(case.category, 0) + 1
            try:
                check(case.payload)
            except Exception as exc:  # noqa: BLE001 - every failure of the check is reported per case
                failures.append(EdgeCaseFailure(case.case_id, _describe_error(exc)))
        report = EdgeCaseReport(counts=counts, failures=tuple(failures))
        self._recorder.record(ITEM, report.detail(), report.values(), passed=report.passed)
        if not report.passed:
            lines = [f"  {failure.case_id}: {failure.error}" for failure in failures[:_MAX_FAILURES_SHOWN]]
            if len(failures) > _MAX_FAILURES_SHOWN:
                lines.append(f"  ... and {len(failures) - _MAX_FAILURES_SHOWN} more")
            pytest.fail(f"ml_edge_cases: {report.detail()}\n" + "\n".join(lines), pytrace=False)
        return report

    def cover(self, category: str, case_id: str | None = None) -> None:
        """Note that this test checks a case of ``category`` (in a parametrised test); one
        measurement naming the covered categories is recorded when the test ends."""
        if category not in CATEGORIES:
            raise ValueError(f"ml_edge_cases: unknown category {category!r}; use {', '.join(CATEGORIES)}")
        if case_id is not None and not isinstance(case_id, str):
            raise TypeError(f"ml_edge_cases: case_id must be a string, got {type(case_id).__name__}")
        self._covered.setdefault(category, []).append(case_id or category)

    def finish(self) -> None:
        """Record the categories :meth:`cover` noted (called when the test ends)."""
        if not self._covered:
            return
        names = [name for name in CATEGORIES if name in self._covered]
        cases = [case for name in names for case in self._covered[name]]
        shown = cases[0] if len(cases) == 1 else f"{len(cases)} edge cases"
        detail = f"edge case {shown} covers {', '.join(names)}" if len(cases) == 1 else \
            f"{shown} cover {', '.join(names)}"
        values: dict[str, float] = {"cases": len(cases), "categories": len(names)}
        values.update({f"cases_{name}": len(self._covered[name]) for name in names})
        self._recorder.record(ITEM, detail, values, passed=True)
        self._covered.clear()

    def _cases(self, schema_or_cases: Any, options: Mapping[str, Any]) -> list[EdgeCase]:
        if isinstance(schema_or_cases, Sequence) and not isinstance(schema_or_cases, (str, bytes)):
            cases = [_as_case(entry) for entry in schema_or_cases]
            if options:
                raise TypeError("ml_edge_cases: options such as categories= apply to a schema, not to a list of cases")
            if not cases:
                raise ValueError("ml_edge_cases: the list of cases is empty")
            return cases
        return edge_cases(schema_or_cases, **options)


def _as_case(entry: Any) -> EdgeCase:
    values = getattr(entry, "values", entry)  # a pytest.param carries its values
    if isinstance(values, tuple) and len(values) == 3 and values[0] in CATEGORIES and isinstance(values[1], str):
        return EdgeCase(*values)
    raise TypeError(f"ml_edge_cases: expected (category, case_id, payload) cases from edge_cases(), got {entry!r:.80}")


def _describe_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@pytest.fixture
def ml_edge_cases(ml_record: Recordings) -> Iterator[EdgeCaseRunner]:
    """Edge-case inputs from a JSON Schema or a pydantic model, checked and recorded (item 24,
    ``edge-case-tests``).

    ``ml_edge_cases(schema, check)`` runs ``check(payload)`` on every case;
    ``ml_edge_cases.cover(category, case_id)`` in a test parametrised with
    ``edge_cases(schema)``; see docs/helpers/edge-cases.md.
    """
    runner = EdgeCaseRunner(ml_record.recorder("ml_edge_cases"))
    yield runner
    runner.finish()

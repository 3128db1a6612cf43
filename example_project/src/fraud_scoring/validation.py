"""A small JSON Schema (draft 2020-12) validator for flat records.

It covers the keywords our data contracts use: ``type`` (one or a list), ``enum``,
``required``, ``properties``, ``additionalProperties: false``, ``minimum``/``maximum``,
``exclusiveMinimum``/``exclusiveMaximum``, ``minLength``/``maxLength``, ``pattern`` and
``format: date-time``. Unknown keywords fail loudly in :func:`check_schema` instead of being
ignored, so the contract can never silently stop being enforced.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

SUPPORTED_KEYWORDS = frozenset({
    "$schema", "$id", "title", "description", "type", "enum", "required", "properties",
    "additionalProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "format",
})


class SchemaError(ValueError):
    """The schema itself uses keywords this validator does not implement."""


def check_schema(schema: Mapping[str, Any]) -> None:
    """Raise :class:`SchemaError` if the schema (or a property) uses an unsupported keyword."""
    parts = [("<root>", schema), *schema.get("properties", {}).items()]
    for name, part in parts:
        unknown = set(part) - SUPPORTED_KEYWORDS
        if unknown:
            raise SchemaError(f"{name}: unsupported JSON Schema keywords {sorted(unknown)}")


def validate(record: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Every violation of ``schema`` by ``record``, as readable messages (empty when valid)."""
    errors = [f"{name}: required field is missing" for name in schema.get("required", []) if name not in record]
    properties: Mapping[str, Any] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        errors.extend(f"{name}: unexpected field" for name in record if name not in properties)
    for name, rules in properties.items():
        if name in record:
            errors.extend(f"{name}: {problem}" for problem in _check_value(record[name], rules))
    return errors


def _check_value(value: Any, rules: Mapping[str, Any]) -> list[str]:
    allowed = rules.get("type")
    if allowed is not None:
        types = [allowed] if isinstance(allowed, str) else list(allowed)
        if not any(_has_type(value, kind) for kind in types):
            return [f"expected {' or '.join(types)}, got {_describe(value)}"]
    if value is None:
        return []
    problems: list[str] = []
    if "enum" in rules and value not in rules["enum"]:
        problems.append(f"{value!r} is not one of {rules['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problems.extend(_check_number(value, rules))
    if isinstance(value, str):
        problems.extend(_check_string(value, rules))
    return problems


def _check_number(value: float, rules: Mapping[str, Any]) -> list[str]:
    problems = []
    if "minimum" in rules and value < rules["minimum"]:
        problems.append(f"{value} is below the minimum {rules['minimum']}")
    if "maximum" in rules and value > rules["maximum"]:
        problems.append(f"{value} is above the maximum {rules['maximum']}")
    if "exclusiveMinimum" in rules and value <= rules["exclusiveMinimum"]:
        problems.append(f"{value} must be greater than {rules['exclusiveMinimum']}")
    if "exclusiveMaximum" in rules and value >= rules["exclusiveMaximum"]:
        problems.append(f"{value} must be less than {rules['exclusiveMaximum']}")
    return problems


def _check_string(value: str, rules: Mapping[str, Any]) -> list[str]:
    problems = []
    if "minLength" in rules and len(value) < rules["minLength"]:
        problems.append(f"shorter than {rules['minLength']} characters")
    if "maxLength" in rules and len(value) > rules["maxLength"]:
        problems.append(f"longer than {rules['maxLength']} characters")
    if "pattern" in rules and re.search(rules["pattern"], value) is None:
        problems.append(f"does not match the pattern {rules['pattern']}")
    if rules.get("format") == "date-time" and not _is_aware_timestamp(value):
        problems.append("is not an ISO 8601 date-time with a UTC offset")
    return problems


def _has_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, Mapping)
    return False


def _is_aware_timestamp(value: str) -> bool:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return f"non-finite number {value}"
    return type(value).__name__

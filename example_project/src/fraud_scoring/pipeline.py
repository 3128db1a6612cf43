"""Batch pipeline: raw transaction export -> validated records -> point-in-time features.

Every raw row is validated against ``schemas/transaction.schema.json`` before any feature is
computed; rows that violate the contract go to ``rejects.csv`` with the reasons and never
reach training. The step is idempotent: outputs are a pure function of the input file (rows
sorted, no timestamps, files replaced atomically), so a re-run overwrites them with the same
bytes. ``dvc.yaml`` runs it as the ``prepare`` stage.

Usage: python -m fraud_scoring.pipeline INPUT_CSV OUT_DIR [--quality-report PATH] [--metrics-textfile PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fraud_scoring.features import FEATURE_NAMES, PastTransaction, build_features, parse_event_time
from fraud_scoring.metrics import gauge
from fraud_scoring.validation import check_schema, validate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(os.environ.get("FRAUD_SCORING_SCHEMA", PROJECT_ROOT / "schemas" / "transaction.schema.json"))
LABEL = "is_fraud"
PASSTHROUGH = ("transaction_id", "account_id", "event_time", "channel")


@dataclass(frozen=True)
class Reject:
    """A raw row that violates the data contract, with every reason."""

    line: int
    transaction_id: str
    errors: tuple[str, ...]


@dataclass(frozen=True)
class PipelineResult:
    """Counts and output paths of one run."""

    rows_in: int
    rows_valid: int
    rows_rejected: int
    features_path: Path
    rejects_path: Path
    quality_path: Path


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """Read the transaction contract and make sure the validator implements all its keywords."""
    schema: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    check_schema(schema)
    return schema


def read_raw(path: str | Path) -> list[dict[str, str]]:
    """The rows of a raw CSV export, as strings, in file order."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def coerce_raw_row(row: Mapping[str, str], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Turn CSV strings into JSON types using the schema: '' is null, numbers, booleans.

    Values that cannot be converted are kept as strings, so validation reports them.
    """
    properties = schema.get("properties", {})
    record: dict[str, Any] = {}
    for name, text in row.items():
        rules = properties.get(name, {})
        kinds = rules.get("type", "string")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        record[name] = _coerce(text, kinds)
    return record


def _coerce(text: str | None, kinds: list[str]) -> Any:
    if text is None or (text.strip() == "" and "null" in kinds):
        return None
    value = text.strip()
    try:
        if "integer" in kinds:
            return int(value)
        if "number" in kinds:
            return float(value)
    except ValueError:
        return value
    if "boolean" in kinds and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def split_valid(raw_rows: Sequence[Mapping[str, str]], schema: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Validated, typed records and the rejects (schema violations and duplicate ids)."""
    valid: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    seen: set[str] = set()
    for line, row in enumerate(raw_rows, start=2):  # line 1 is the CSV header
        record = coerce_raw_row(row, schema)
        errors = validate(record, schema)
        transaction_id = str(row.get("transaction_id", ""))
        if not errors and transaction_id in seen:
            errors = ["transaction_id: duplicate of an earlier row"]
        if errors:
            rejects.append(Reject(line, transaction_id, tuple(errors)))
            continue
        seen.add(transaction_id)
        record["event_time"] = parse_event_time(record["event_time"])
        valid.append(record)
    return valid, rejects


def build_feature_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Point-in-time features for validated records, in (event_time, transaction_id) order.

    Each record only sees the same account's records strictly earlier than itself: exactly
    what the online history store holds when that transaction is scored.
    """
    ordered = sorted(records, key=lambda record: (record["event_time"], record["transaction_id"]))
    history: dict[str, list[PastTransaction]] = defaultdict(list)
    rows = []
    for record in ordered:
        features = build_features(record, history[record["account_id"]])
        row: dict[str, Any] = {name: record[name] for name in PASSTHROUGH}
        row.update(features)
        if LABEL in record:
            row[LABEL] = record[LABEL]
        rows.append(row)
        history[record["account_id"]].append(PastTransaction(record["event_time"], float(record["amount"])))
    return rows


def data_quality(raw_rows: Sequence[Mapping[str, str]], valid: Sequence[Mapping[str, Any]], rejects: Sequence[Reject]) -> dict[str, Any]:
    """Null rates, cardinality and ranges per column, and the reject rate (no timestamps)."""
    columns: dict[str, Any] = {}
    for name in sorted(raw_rows[0]) if raw_rows else []:
        values = [row[name] for row in raw_rows]
        present = [value for value in values if value not in ("", None)]
        stats: dict[str, Any] = {
            "null_rate": round(1 - len(present) / len(values), 4),
            "distinct": len(set(present)),
        }
        numbers = _numbers(present)
        if numbers:
            stats.update(min=min(numbers), max=max(numbers), mean=round(sum(numbers) / len(numbers), 4))
        columns[name] = stats
    total = len(raw_rows)
    return {
        "rows": total,
        "valid_rows": len(valid),
        "rejected_rows": len(rejects),
        "reject_rate": round(len(rejects) / total, 4) if total else 0.0,
        "columns": columns,
    }


def _numbers(values: Iterable[str]) -> list[float]:
    result = []
    for value in values:
        try:
            result.append(float(value))
        except ValueError:
            return []
    return result


def run(input_path: str | Path, out_dir: str | Path, quality_path: str | Path | None = None) -> PipelineResult:
    """Validate and featurise one raw export into ``out_dir`` (overwriting earlier outputs)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    schema = load_schema()
    raw_rows = read_raw(input_path)
    valid, rejects = split_valid(raw_rows, schema)
    feature_rows = build_feature_rows(valid)
    features_path, rejects_path = out / "features.csv", out / "rejects.csv"
    quality = Path(quality_path) if quality_path else out / "data_quality.json"
    header = [*PASSTHROUGH, *FEATURE_NAMES, LABEL]
    _write_atomic(features_path, _csv_text(header, [_format_row(row) for row in feature_rows]))
    reject_rows = [{"line": r.line, "transaction_id": r.transaction_id, "errors": "; ".join(r.errors)} for r in rejects]
    _write_atomic(rejects_path, _csv_text(["line", "transaction_id", "errors"], reject_rows))
    report = data_quality(raw_rows, valid, rejects)
    _write_atomic(quality, json.dumps(report, indent=2, sort_keys=True) + "\n")
    return PipelineResult(len(raw_rows), len(valid), len(rejects), features_path, rejects_path, quality)


def _format_row(row: Mapping[str, Any]) -> dict[str, Any]:
    formatted = dict(row)
    formatted["event_time"] = row["event_time"].isoformat()
    for name in FEATURE_NAMES:
        formatted[name] = repr(float(row[name]))
    return formatted


def _csv_text(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(_csv_cell(row.get(name)) for name in header))
    return "\n".join(lines) + "\n"


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if any(char in text for char in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_success_metric(textfile: Path, result: PipelineResult) -> None:
    """Prometheus metrics of the run, read by the freshness, reject-rate and null-rate panels and alerts."""
    quality = json.loads(result.quality_path.read_text(encoding="utf-8"))
    step = {"step": "prepare"}
    lines = [
        *gauge("fraud_scoring_pipeline_last_success_timestamp_seconds", "Last successful run of the step.",
               [(step, round(time.time()))]),
        *gauge("fraud_scoring_pipeline_rows", "Rows read from the export in the last run.", [(step, result.rows_in)]),
        *gauge("fraud_scoring_pipeline_rejected_rows", "Rows rejected by the transaction contract in the last run.",
               [(step, result.rows_rejected)]),
        *gauge("fraud_scoring_pipeline_null_rate", "Share of empty values per column of the export.",
               [({"column": name}, stats["null_rate"]) for name, stats in sorted(quality["columns"].items())]),
    ]
    textfile.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(textfile, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (the DVC ``prepare`` stage)."""
    parser = argparse.ArgumentParser(description="Validate a raw transaction export and compute features.")
    parser.add_argument("input", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--quality-report", type=Path, default=None)
    parser.add_argument("--metrics-textfile", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(args.input, args.out_dir, args.quality_report)
    if args.metrics_textfile:
        write_success_metric(args.metrics_textfile, result)
    print(f"prepare: {result.rows_in} rows, {result.rows_valid} valid, {result.rows_rejected} rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

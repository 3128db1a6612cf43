"""The ``ml_idempotence`` helper: re-running a pipeline step changes nothing (item 6, ``idempotent-pipeline``).

How it runs
    A fresh temporary working directory is made and the ``inputs`` are copied into it (files
    or folders, or ``bytes`` written as a file). ``step(workdir)`` runs once; the directory is
    copied aside; ``step(workdir)`` runs a second time **in the same directory**, on top of what
    the first run left, as a re-run in production would. An idempotent step leaves the
    directory as it was after the first run: no appended rows, no extra files, no timestamps.

How it compares (every file in the directory, inputs included, except ``ignore`` patterns)
    Files are compared by SHA-256 of their content. When the bytes differ, tables are compared
    by value: ``.json`` files as parsed values (key order and spacing do not matter); ``.csv``
    and ``.tsv`` files by header and as a multiset of rows, columns matched by name and numeric
    cells compared as numbers (``1.0`` equals ``1``; row order does not matter); ``.jsonl``
    files as a multiset of parsed lines (``1`` equals ``1.0``). Anything else that differs in bytes has changed.

How it is judged
    Any file changed, added or removed by the second run fails the test, naming each file and
    what changed (rows added and removed, the first differing JSON value, the two hashes). A
    step that writes nothing in the working directory fails too: there is nothing to compare.
    The comparison is recorded for ``idempotent-pipeline`` (values ``files``, ``changed``).
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlchecklist.helpers.seed import first_difference

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "idempotent-pipeline"
TABLE_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv")
SHOWN_CHANGES = 5


@dataclass(frozen=True)
class IdempotenceResult:
    """What ``ml_idempotence`` compared: the files after each run and what the second run changed."""

    workdir: Path
    first_run: Path
    files: dict[str, str]  # relative path -> SHA-256 after the second run
    changes: tuple[str, ...]
    same_by_value: tuple[str, ...]
    compared: int  # files present after either run

    @property
    def passed(self) -> bool:
        """True when the second run left every file as the first run did."""
        return not self.changes

    def values(self) -> dict[str, float]:
        """Recorded values: ``files`` compared and ``changed`` by the second run."""
        return {"files": float(self.compared), "changed": float(len(self.changes))}

    def detail(self) -> str:
        """One line: ``two runs in the same directory left 3 files identical (1 table by value)``."""
        if self.passed:
            by_value = f" ({len(self.same_by_value)} by value, bytes differ)" if self.same_by_value else ""
            return f"two runs in the same directory left {_files(len(self.files))} identical{by_value}"
        shown = "; ".join(self.changes[:SHOWN_CHANGES])
        more = f"; and {len(self.changes) - SHOWN_CHANGES} more" if len(self.changes) > SHOWN_CHANGES else ""
        return f"the second run changed {len(self.changes)} of {_files(self.compared)}: {shown}{more}"


class IdempotenceChecker:
    """The value of the ``ml_idempotence`` fixture: call it with a step to run it twice and compare."""

    def __init__(self, recorder: MeasurementRecorder, make_dir: Callable[[], Path], rootdir: Path) -> None:
        self._recorder = recorder
        self._make_dir = make_dir
        self._rootdir = rootdir

    def __call__(
        self,
        step: Callable[[Path], Any],
        *,
        inputs: Mapping[str, str | os.PathLike[str] | bytes] | None = None,
        ignore: Sequence[str] = (),
        chdir: bool = False,
    ) -> IdempotenceResult:
        """Copy ``inputs`` into a temporary directory, run ``step(workdir)`` twice there, compare
        the files after each run, record the comparison for ``idempotent-pipeline`` and fail the
        test with what the second run changed."""
        __tracebackhide__ = True
        if not callable(step):
            raise TypeError(f"ml_idempotence: expected a callable step(workdir), got {type(step).__name__}")
        patterns = _check_ignore(ignore)
        sources = self._check_inputs(inputs or {})
        base = self._make_dir()
        workdir, first_run = base / "workdir", base / "after-first-run"
        workdir.mkdir()
        for name, source in sources.items():
            _place(workdir / name, source)
        before = snapshot(workdir, patterns)
        _run(step, workdir, chdir)
        after_first = snapshot(workdir, patterns)
        if after_first == before:
            pytest.fail("ml_idempotence: the step wrote nothing in the working directory it was given "
                        "(step(workdir) must write its outputs under workdir), so there is nothing to compare",
                        pytrace=False)
        shutil.copytree(workdir, first_run, symlinks=True)
        _run(step, workdir, chdir)
        after_second = snapshot(workdir, patterns)
        changes, by_value = compare_runs(first_run, workdir, after_first, after_second)
        result = IdempotenceResult(workdir=workdir, first_run=first_run, files=after_second,
                                   changes=tuple(changes), same_by_value=tuple(by_value),
                                   compared=len(set(after_first) | set(after_second)))
        self._recorder.record(ITEM, result.detail(), result.values(), passed=result.passed)
        if not result.passed:
            pytest.fail(f"ml_idempotence: {result.detail()}")
        return result

    def _check_inputs(self, inputs: Mapping[str, Any]) -> dict[str, Path | bytes]:
        if not isinstance(inputs, Mapping):
            raise TypeError("ml_idempotence: inputs must be a mapping of names in the working directory to "
                            "paths (copied) or bytes (written), such as {'raw/transactions.csv': 'tests/data/tx.csv'}")
        checked: dict[str, Path | bytes] = {}
        for name, source in inputs.items():
            relative = Path(str(name))
            if not str(name) or relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"ml_idempotence: input name {name!r} must be a relative path inside the working directory")
            if isinstance(source, bytes):
                checked[str(name)] = source
                continue
            if not isinstance(source, (str, os.PathLike)):
                raise TypeError(f"ml_idempotence: input {name!r} must be a path (str or Path) or bytes, "
                                f"got {type(source).__name__}")
            path = Path(source)
            if not path.is_absolute():
                path = self._rootdir / path
            if not path.exists():
                raise ValueError(f"ml_idempotence: input {name!r}: {source} does not exist "
                                 "(relative paths start at pytest's rootdir)")
            checked[str(name)] = path
        return checked


def snapshot(directory: Path, ignore: Sequence[str] = ()) -> dict[str, str]:
    """Every file under ``directory`` (relative POSIX path -> SHA-256), minus ``ignore`` patterns."""
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(directory).as_posix()
        if any(fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(path.name, pattern)
               for pattern in ignore):
            continue
        found[relative] = sha256_file(path)
    return found


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compare_runs(first_dir: Path, second_dir: Path, first: dict[str, str],
                 second: dict[str, str]) -> tuple[list[str], list[str]]:
    """What changed between the two snapshots (one line per file), and the files whose bytes
    differ but whose values are the same (tables)."""
    changes: list[str] = []
    by_value: list[str] = []
    for name in sorted(set(first) | set(second)):
        if name not in second:
            changes.append(f"{name}: removed by the second run")
        elif name not in first:
            changes.append(f"{name}: new after the second run")
        elif first[name] != second[name]:
            difference = table_difference(first_dir / name, second_dir / name, name)
            if difference is None:
                by_value.append(name)
            else:
                changes.append(difference)
    return changes, by_value


def table_difference(first: Path, second: Path, name: str) -> str | None:
    """How two versions of a file differ (``None`` when a table has the same values); a file
    that is not a readable table differs by its hashes."""
    suffix = first.suffix.lower()
    try:
        if suffix == ".json":
            found = first_difference(_read_json(first), _read_json(second), where=name)
            return None if found is None else f"{found}"
        if suffix in (".csv", ".tsv", ".jsonl"):
            return _rows_difference(_read_rows(first), _read_rows(second), name)
    except (ValueError, TypeError, UnicodeDecodeError, csv.Error):
        pass
    return f"{name}: content changed (sha256 {sha256_file(first)[:12]} then {sha256_file(second)[:12]})"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_rows(path: Path) -> tuple[tuple[str, ...], Counter[str]]:
    """A table's columns (sorted) and its rows as a multiset of canonical JSON strings."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        columns = sorted({key for row in rows if isinstance(row, dict) for key in row})
        return tuple(columns), Counter(json.dumps(_numbers_as_floats(row), sort_keys=True) for row in rows)
    reader = csv.reader(io.StringIO(text), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    header = next(reader, [])
    if len(set(header)) != len(header):
        raise ValueError("duplicate column names")
    rows: Counter[str] = Counter()
    for cells in reader:
        if not cells:
            continue
        record = {column: _cell(cell) for column, cell in zip(header, cells)}
        rows[json.dumps(record, sort_keys=True)] += 1
    return tuple(sorted(header)), rows


def _numbers_as_floats(value: Any) -> Any:
    """``value`` with every int as a float, so that ``1`` and ``1.0`` compare equal in a row."""
    if isinstance(value, dict):
        return {key: _numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers_as_floats(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _cell(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    return number if number == number else text  # NaN stays text so that it equals itself


def _rows_difference(first: tuple[tuple[str, ...], Counter[str]], second: tuple[tuple[str, ...], Counter[str]],
                     name: str) -> str | None:
    (columns_first, rows_first), (columns_second, rows_second) = first, second
    if columns_first != columns_second:
        added = sorted(set(columns_second) - set(columns_first))
        removed = sorted(set(columns_first) - set(columns_second))
        return f"{name}: columns changed (added: {', '.join(added) or 'none'}; removed: {', '.join(removed) or 'none'})"
    if rows_first == rows_second:
        return None
    added = sum((rows_second - rows_first).values())
    removed = sum((rows_first - rows_second).values())
    count_first, count_second = sum(rows_first.values()), sum(rows_second.values())
    return f"{name}: {count_first} rows then {count_second} rows ({added} added, {removed} removed)"


def _place(target: Path, source: Path | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        target.write_bytes(source)
    elif source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def _run(step: Callable[[Path], Any], workdir: Path, chdir: bool) -> None:
    if not chdir:
        step(workdir)
        return
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        step(workdir)
    finally:
        os.chdir(previous)


def _check_ignore(ignore: Sequence[str]) -> tuple[str, ...]:
    if isinstance(ignore, str) or not all(isinstance(pattern, str) for pattern in ignore):
        raise TypeError("ml_idempotence: ignore must be a list of glob patterns, such as ['*.log', 'logs/*']")
    return tuple(ignore)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


@pytest.fixture
def ml_idempotence(request: pytest.FixtureRequest, ml_record: Recordings,
                   tmp_path_factory: pytest.TempPathFactory) -> IdempotenceChecker:
    """Run a pipeline step twice in the same temporary directory and fail when the second run
    changes its outputs (item 6, ``idempotent-pipeline``).

    ``ml_idempotence(step, inputs=None, ignore=(), chdir=False)``; see docs/helpers/idempotence.md.
    """
    return IdempotenceChecker(ml_record.recorder("ml_idempotence"),
                              make_dir=lambda: tmp_path_factory.mktemp("idempotence"),
                              rootdir=request.config.rootpath)

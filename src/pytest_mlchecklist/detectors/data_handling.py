"""Data handling detectors: point-in-time correctness (item 4), null handling (item 5), idempotent
pipelines (item 6) and immutable raw data (item 7).

Every decision is made on parsed content (Python with :mod:`ast`, YAML/JSON parsed, SQL with
comments and string literals masked, Terraform with the block reader of :mod:`.terraform`,
Markdown by structure); file names and keywords only choose what to read (a :class:`Hint`:
cheap substring tests on the lowercased text first, so that most files are never parsed). Test
functions are evidence only when they call the repository's own code (a name imported from one of its
packages, directly or through a helper of the test module) and assert something; they are
reported with their node id so that a failing or skipped test does not count.

Point-in-time correctness (``point-in-time-correctness``)
    ``point-in-time-retrieval`` (non-test Python): Feast/Tecton ``get_historical_features`` with
    an entity dataframe (``entity_df``) or spine, Databricks ``FeatureLookup`` with a
    ``timestamp_lookup_key``, ``merge_asof`` (direction backward, the default) and polars
    ``join_asof`` (strategy backward): **supports**. ``merge_asof``/``join_asof`` looking
    forward or to the nearest row, a ``FeatureLookup`` without a timestamp key: **partial**.
    Feast feature views (with or without ``ttl``) or ``get_online_features`` with no historical
    retrieval anywhere: **partial** (a feature store that is not used to build training sets).
    Only when nothing at all was found for the item: a training-set builder that merges on ids
    without a time condition is reported as **partial**, saying so.
    ``point-in-time-sql`` (``.sql`` files and SQL strings in non-test Python): ``ASOF JOIN``,
    a temporal join ``FOR SYSTEM_TIME AS OF <column>``, or a join whose condition bounds one
    table's time column by another's (``f.event_timestamp <= l.label_time``): **supports**; a
    snapshot read ``AS OF`` a fixed time: **partial**.
    ``leakage-tests``: a test whose name, docstring or module docstring is about leakage, the
    future, point-in-time, as-of or what happens after the label/event, that builds timestamps
    and asserts on the repository's code: **supports**; one that asserts nothing or calls none
    of the repository's code: **partial**; one without timestamps is about something else
    (the label column among the features) and is skipped.

Null handling (``null-handling``)
    ``null-rules-spec`` (YAML/JSON): a feature list (``features:``/``columns:``... entries with a
    name) where entries carry a missing-value rule key (``missing``, ``fill_value``,
    ``imputation``, ``on_null``...; ``nullable`` alone and null-rate metrics are not rules):
    every feature covered **supports**, some **partial** (naming up to three without one); a
    spec-level default counts for features without their own rule, but a default alone is
    **partial**. A per-feature imputation mapping under a key that names a set of rules
    (``imputation: {age: median, ...}``, ``fill_values:``, or groups of ``columns`` with a
    ``strategy``) with at least two features **supports**; one rule with no feature names is
    **partial**. A feature merely called ``account_age_missing`` is not a rule.
    ``null-rules-table`` (Markdown): a table with a feature column and a missing/null/fill
    column (under a heading about nulls, a ``strategy``/``rule``/``handling`` column too):
    every row filled **supports**, some **partial**. Placeholders do not count.
    ``null-handling-code`` (non-test Python): ``fillna``, ``fill_null``, imputers... are
    **partial** at most (code fills nulls, no per-feature rule written down), and are only
    reported when no written rule was found.

Idempotent pipeline (``idempotent-pipeline``)
    ``idempotency-tests``: a test that calls the same step of the repository twice with the same
    arguments (or in a ``for _ in range(2)`` loop) and then compares two outputs, or whose
    name says so (idempotent, twice, rerun...) and asserts after the second run: **supports**.
    A test named for it that runs the step once, asserts nothing after the second run or calls
    none of the repository's code: **partial**.
    ``dvc-pipeline-lock``: ``dvc.yaml`` stages with a ``dvc.lock`` that records every stage with
    hashes: **supports**; no lock, or stages missing from it: **partial**.
    ``write-semantics`` (non-test Python, ``.sql``, dbt models): dynamic partition overwrite,
    ``overwritePartitions()``, Delta ``replaceWhere``, ``MERGE INTO``/Delta merge upserts,
    ``INSERT OVERWRITE``, ``ON CONFLICT`` upserts, delete-then-insert of the same table, a full
    overwrite or replace of an unpartitioned output, dbt incremental models with a
    ``unique_key`` or an ``insert_overwrite``/``microbatch`` strategy: **supports**. Appends (``mode("append")``,
    ``to_sql(if_exists="append")``, ``INSERT INTO``, dbt incremental without a key) and a static
    overwrite of a partitioned output: **partial**.

Immutable raw data (``immutable-raw-data``)
    ``dvc-raw-data``: a ``.dvc`` file (or a ``dvc.yaml`` stage output recorded in ``dvc.lock``)
    that versions a raw-data path (``raw``, ``landing``, ``bronze``, ``ingested``...) or a whole
    top-level data folder, with a hash: **supports**; without a hash, only derived data, or a
    raw path that is only a stage dependency: **partial**.
    ``raw-storage-terraform``: S3 versioning ``Enabled``, S3 object lock, GCS ``versioning``
    enabled or a ``retention_policy``, Azure blob versioning or immutability, on a bucket named
    for raw data (any bucket in a file the team declared): **supports**; the same on other
    buckets, versioning ``Suspended``/``Disabled`` or set from an expression: **partial**.
    ``raw-table-format``: raw data written to Delta/Iceberg tables (append, or an append-only
    table property), or kept under ``lakefs://`` paths: **supports**; overwriting a raw Delta
    table in place, or lakeFS with no raw path: **partial**.
    ``raw-data-policy`` (Markdown): a section saying raw data is immutable / write-once /
    read-only: **partial** on its own (a policy that no storage setting enforces).
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal


from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    dotted_name,
    is_test_path,
    iter_calls,
    module_name,
    repository_modules,
    resolve_alias,
)
from pytest_mlchecklist.detectors.terraform import (
    HclBlock,
    HclError,
    attribute,
    bool_value,
    hcl_blocks,
    module_blocks,
    nested_blocks,
    string_value,
)
from pytest_mlchecklist.evidence import Evidence, Verdict
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownTable, is_substantive

PIT = "point-in-time-correctness"
NULLS = "null-handling"
IDEMPOTENT = "idempotent-pipeline"
RAW = "immutable-raw-data"


# ======================================================================== shared: findings
@dataclass(frozen=True)
class Finding:
    """A verdict computed once and shared between detectors (turned into evidence by each)."""

    verdict: Verdict
    detail: str
    path: str
    line: int | None = None
    nodeid: str | None = None


def emit(ctx: DetectorContext, item: str, findings: Iterable[Finding]) -> Iterator[Evidence]:
    """Evidence for ``item`` from shared findings, labelled with the running detector."""
    for found in findings:
        yield ctx.evidence(item, found.detail, verdict=found.verdict, path=found.path, line=found.line,
                           nodeid=found.nodeid)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 feature`` / ``3 features``."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def every(count: int, noun: str) -> str:
    """``all 4 features`` / ``its 1 feature``."""
    return f"{'all' if count > 1 else 'its'} {plural(count, noun)}"


def named(names: Iterable[str], limit: int = 3) -> str:
    """Up to ``limit`` names in backticks, with how many more: ``a``, ``b`` and 2 more."""
    items = sorted(set(names))
    shown = ", ".join(f"`{name}`" for name in items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


# ======================================================================== shared: Python
def python_sources(ctx: DetectorContext, item: str, *, tests: bool) -> list[PythonModule]:
    """Readable Python modules that are candidates for ``item``: test modules when ``tests``,
    else the others (see :func:`repository_modules`)."""
    return repository_modules(ctx, item, tests=tests)


@dataclass(frozen=True)
class Hint:
    """What a file must contain to be worth parsing: one of ``words`` (lowercase substrings of the
    lowercased text, a fast test) and then, when given, a match of ``pattern`` in the original text."""

    words: tuple[str, ...]
    pattern: re.Pattern[str] | None = None

    def matches(self, text: str, lowered: str | None = None) -> bool:
        """True when ``text`` (whose lowercase form may be passed in) holds the hint."""
        low = text.lower() if lowered is None else lowered
        if not any(word in low for word in self.words):
            return False
        return self.pattern is None or self.pattern.search(text) is not None


def lowered_text(module: PythonModule) -> str:
    """The lowercased source of a module, computed once per scan."""
    return module.index.memo(("lowercase-text", module.path), module.text.lower)


def hinted(modules: Iterable[PythonModule], hint: Hint) -> list[PythonModule]:
    """Modules whose text holds ``hint`` and that parse."""
    return [module for module in modules if hint.matches(module.text, lowered_text(module)) and module.parses]


def own_packages(ctx: DetectorContext) -> frozenset[str]:
    """Top-level names of the repository's own importable code (``fraud_scoring``, ``pipeline``)."""

    def compute() -> frozenset[str]:
        heads: set[str] = set()
        for path in ctx.index.with_suffix(".py"):
            if not path.endswith(".py") or is_test_path(path) or ctx.index.is_non_evidence(path):
                continue
            name = module_name(path)
            if name and name.split(".")[0].isidentifier():
                heads.add(name.split(".")[0])
        return frozenset(heads - {"setup", "conftest", "noxfile", "docs"})

    return ctx.index.memo(("own-python-packages",), compute)


def keyword(call: ast.Call, *names: str) -> ast.expr | None:
    """The value of the first of ``names`` passed as a keyword argument."""
    for entry in call.keywords:
        if entry.arg in names:
            return entry.value
    return None


def argument(call: ast.Call, position: int, *names: str) -> ast.expr | None:
    """A call argument by keyword, else by position."""
    found = keyword(call, *names)
    if found is not None:
        return found
    return call.args[position] if len(call.args) > position else None


def constant(node: ast.AST | None) -> object:
    """A literal constant's value, else ``...``."""
    return node.value if isinstance(node, ast.Constant) else ...


def string_constants(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """String constants of a module with their lines, docstrings and bare strings left out."""
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare:
            yield node.value, node.lineno


#: Calls that run SQL, by their last name (``cursor.execute``, ``spark.sql``, ``pd.read_sql``...).
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "sql", "read_sql", "read_sql_query", "query",
                        "text", "exec_driver_sql", "run_query", "raw"})
_SQL_NAME = re.compile(r"sql|query|stmt|statement|ddl|dml", re.IGNORECASE)


def sql_string_constants(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """String constants that are used as SQL: passed to a call that runs SQL, or bound to a name
    that says it holds SQL (``INSERT_SQL = ...``, ``query = ...``). A message or a docstring that
    merely mentions ``INSERT OVERWRITE`` is not SQL."""
    for node in ast.walk(tree):
        values: list[ast.AST] = []
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in _SQL_CALLS:
                values = [*node.args[:1], *(keyword.value for keyword in node.keywords if keyword.arg in ("sql", "query"))]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and _SQL_NAME.search(target.id) for target in targets):
                values = [node.value] if node.value is not None else []
        for value in values:
            for part in ast.walk(value):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield part.value, part.lineno


def call_line(call: ast.Call) -> int:
    """The line of the called method: in a chain written over several lines, the line where the
    last method is named, not where the expression starts."""
    return (call.func.end_lineno or call.lineno) if isinstance(call.func, ast.Attribute) else call.lineno


def method_chain(call: ast.Call) -> list[tuple[str, ast.Call | None]]:
    """The method calls and attributes of a chain, innermost first:
    ``df.write.mode("append").parquet(p)`` gives ``write``, ``mode(...)``, ``parquet(...)``."""
    chain: list[tuple[str, ast.Call | None]] = []
    current: ast.AST = call
    while True:
        if isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            chain.append((current.func.attr, current))
            current = current.func.value
        elif isinstance(current, ast.Attribute):
            chain.append((current.attr, None))
            current = current.value
        else:
            break
    return list(reversed(chain))


# ======================================================================== shared: test functions
@dataclass
class ParsedTest:
    """A test function of a test module, with the calls it makes into the repository's code."""

    module: PythonModule
    node: ast.FunctionDef | ast.AsyncFunctionDef
    nodeid: str
    own_calls: list[tuple[str, ast.Call]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The function's name."""
        return self.node.name

    def docstring(self) -> str:
        """The docstring, or an empty string."""
        return ast.get_docstring(self.node) or ""

    def assertions(self) -> list[ast.AST]:
        """``assert`` statements on something other than a constant, ``assert*`` calls
        (``assert_frame_equal``, ``self.assertEqual``) and ``pytest.raises`` blocks."""
        found: list[ast.AST] = []
        for node in ast.walk(self.node):
            if isinstance(node, ast.Assert) and not isinstance(node.test, ast.Constant):
                found.append(node)
            elif isinstance(node, ast.Call):
                name = (dotted_name(node.func) or "").split(".")[-1]
                if name.lower().startswith("assert") or name == "raises":
                    found.append(node)
        return found


_TIME_CALLS = frozenset(
    {"Timestamp", "datetime", "date", "to_datetime", "timedelta", "Timedelta", "date_range", "datetime64",
     "DateOffset", "fromisoformat", "strptime", "now", "utcnow", "today", "fromtimestamp"}
)
_ISO_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def uses_time_values(node: ast.AST) -> bool:
    """True when the function builds timestamps: datetime/pandas time constructors or ISO date strings."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = (dotted_name(child.func) or "").split(".")[-1]
            if name in _TIME_CALLS:
                return True
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and _ISO_DATE_TEXT.search(child.value):
            return True
    return False


def main_step(test: ParsedTest) -> str:
    """The repository function a test is about: the first one called inside an assertion, else
    the last function (not a class) it calls, else the first call."""
    in_assertions = {id(node) for assertion in test.assertions() for node in ast.walk(assertion)}
    for _, call in test.own_calls:
        if id(call) in in_assertions:
            return written_name(call)
    functions = [written_name(call) for name, call in test.own_calls if not name.split(".")[-1][:1].isupper()]
    return functions[-1] if functions else written_name(test.own_calls[0][1])


def written_name(call: ast.Call) -> str:
    """The called name as the test writes it (``pipeline.run``, ``aggregate_day``)."""
    return dotted_name(call.func) or "?"


def _own_call_name(call: ast.Call, aliases: dict[str, str], own: frozenset[str]) -> str | None:
    name = dotted_name(call.func)
    if name is None:
        return None
    resolved = resolve_alias(name, aliases)
    if resolved.startswith("."):
        return resolved.lstrip(".")  # a relative import inside a test package of the repository
    return resolved if resolved.split(".")[0] in own and name.split(".")[0] in aliases else None


def parse_tests(module: PythonModule, own: frozenset[str]) -> list[ParsedTest]:
    """The test functions of a test module (``test_*`` at module level or in ``Test*`` classes)
    with the calls each makes into the repository's code.

    A call to a helper function of the same module that itself calls the repository's code
    counts as a call into it (one level deep).
    """
    tree = module.tree
    aliases = module.aliases
    helpers: dict[str, bool] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test"):
            helpers[node.name] = any(
                isinstance(child, ast.Call) and _own_call_name(child, aliases, own) for child in ast.walk(node)
            )
    found: list[ParsedTest] = []
    for node, prefix in _test_nodes(tree):
        function = ParsedTest(module, node, f"{module.path}::{prefix}{node.name}")
        for child in ast.walk(node):
            if not isinstance(child, ast.Call):
                continue
            name = _own_call_name(child, aliases, own)
            if name is None and isinstance(child.func, ast.Name) and helpers.get(child.func.id):
                name = child.func.id
            if name is not None:
                function.own_calls.append((name, child))
        found.append(function)
    return found


def _test_nodes(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node, ""
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name.startswith("test"):
                    yield member, f"{node.name}::"


# ======================================================================== shared: SQL
_SQL_NOISE = re.compile(r"--[^\n]*|/\*[\s\S]*?(?:\*/|\Z)|\{#[\s\S]*?(?:#\}|\Z)|'(?:[^']|'')*(?:'|\Z)")


def mask_sql(text: str) -> str:
    """SQL with comments blanked and the insides of string literals replaced by ``_`` (same
    length, newlines kept); Jinja comments (``{# #}``) are blanked too."""

    def blank(match: re.Match[str]) -> str:
        found = match.group(0)
        if not found.startswith("'"):
            return re.sub(r"[^\n]", " ", found)
        closed = len(found) > 1 and found.endswith("'")
        inner = found[1:-1] if closed else found[1:]
        return "'" + re.sub(r"[^\n]", "_", inner) + ("'" if closed else "")

    return _SQL_NOISE.sub(blank, text)


@dataclass(frozen=True)
class SqlText:
    """SQL to analyse: where it comes from, the original and masked text, and the line of its
    first character in the file (for SQL held in a Python string)."""

    path: str
    text: str
    masked: str
    first_line: int = 1

    def line(self, offset: int) -> int:
        """The file line of an offset of the SQL."""
        return self.first_line + self.masked.count("\n", 0, offset)


def sql_texts(ctx: DetectorContext, item: str, hint: Hint) -> list[SqlText]:
    """SQL matching ``hint``: ``.sql`` files and the SQL strings of non-test Python modules."""
    found: list[SqlText] = []
    for path in ctx.candidates(item, ctx.index.with_suffix(".sql")):
        if not path.lower().endswith(".sql") or is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is not None and hint.matches(text):
            found.append(SqlText(path, text, mask_sql(text)))
    for module in hinted(python_sources(ctx, item, tests=False), hint):
        for value, line in sql_string_constants(module.tree):
            if hint.matches(value) and _SQL_STATEMENT.search(value):
                found.append(SqlText(module.path, value, mask_sql(value), line))
    return found


_SQL_STATEMENT = re.compile(r"\b(?:select|insert|merge|create|delete|alter)\s", re.IGNORECASE)


def sql_statements(sql: SqlText) -> Iterator[tuple[int, str]]:
    """The statements of masked SQL (split on ``;``) with their start offsets."""
    start = 0
    for match in re.finditer(r";", sql.masked):
        yield start, sql.masked[start : match.start()]
        start = match.end()
    if sql.masked[start:].strip():
        yield start, sql.masked[start:]


# ======================================================================== shared: structured files
def key_line(text: str | None, key: str, after: int = 0) -> int | None:
    """The first line at or after ``after`` where ``key`` is written as a YAML or JSON key."""
    if text is None:
        return None
    pattern = re.compile(rf"""^\s*(?:-\s*)?["']?{re.escape(key)}["']?\s*:""")
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and pattern.search(line):
            return number
    return None


def is_placeholder(value: Any) -> bool:
    """True for values that say nothing: ``None``, empty strings and containers, TODO/TBD."""
    if value is None:
        return True
    if isinstance(value, str):
        return not is_substantive(value)
    if isinstance(value, (dict, list)):
        return not value
    return False


# ======================================================================== shared: Markdown
def markdown_tables(ctx: DetectorContext, path: str) -> list[MarkdownTable]:
    """The tables of a Markdown file (empty when it does not read), parsed once per scan."""
    return ctx.index.markdown_tables(path)


def plain_cell(text: str) -> str:
    """A table cell without inline code marks, emphasis or links."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.replace("`", "").replace("**", "").replace("__", "").strip().strip("*_").strip()


_SKIPPED_MARKDOWN = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing)"
    r"\.(?:md|markdown)$",
    re.IGNORECASE,
)


def markdown_paths(ctx: DetectorContext, item: str) -> list[str]:
    """Markdown documents that may hold evidence (changelogs and community files left out)."""
    found = [
        path for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_MARKDOWN.match(path.rsplit("/", 1)[-1])
    ]
    declared = [path for path in ctx.declared(item) if path.lower().endswith((".md", ".markdown"))]
    return [path for path in ctx.candidates(item, [*found, *declared]) if path.lower().endswith((".md", ".markdown"))]


# ======================================================================== item 4: Python
_PIT_PY_HINT = Hint(("get_historical_features", "get_online_features", "merge_asof", "join_asof", "featurelookup",
                     "featureview", "feast"))
_FEATURE_STORES = ("feast", "tecton", "hopsworks", "hsfs", "databricks")
_TIME_COLUMN = re.compile(r"(?:^|_)(?:event_)?(?:timestamp|time|ts|datetime|date)(?:_|$)|_at$", re.IGNORECASE)


def _imports_any(module: PythonModule, libraries: Iterable[str]) -> bool:
    return any(target.split(".")[0] in libraries for target in module.aliases.values())


def _historical(module: PythonModule, call: ast.Call, line: int) -> Finding | None:
    store = _imports_any(module, _FEATURE_STORES)
    if not isinstance(call.func, ast.Attribute) or not (store or keyword(call, "entity_df", "spine")):
        return None  # the repository's own function of that name, or no feature store in sight
    entity = argument(call, 0, "entity_df", "spine")
    where = f"`get_historical_features` in {module.path}:{line}"
    if entity is None:
        return Finding("partial", f"{where} is called without an entity dataframe, so no event times are given",
                       module.path, line)
    columns = sorted({value for value, _ in string_constants(module.tree) if _TIME_COLUMN.search(value)
                      and value.isidentifier()})
    said = f" (event times in {named(columns, 2)})" if columns else ""
    return Finding("supports", f"{where} retrieves features as of each entity row's event timestamp{said}",
                   module.path, line)


def _asof(module: PythonModule, call: ast.Call, name: str, line: int) -> Finding:
    pandas = name.endswith("merge_asof")
    setting = "direction" if pandas else "strategy"
    value = constant(keyword(call, setting))
    node = keyword(call, setting)
    label = f"`{name.split('.')[-1]}` in {module.path}:{line}"
    on = constant(keyword(call, "on", "left_on"))
    by_time = f" on `{on}`" if isinstance(on, str) else ""
    if node is None or value == "backward":
        return Finding("supports", f"{label} joins each row to the latest earlier value{by_time} ({setting} backward)",
                       module.path, line)
    if isinstance(value, str):
        return Finding("partial", f"{label} uses {setting}={value!r}, which can take values from after the row's time",
                       module.path, line)
    return Finding("partial", f"{label} sets its {setting} from an expression; it cannot be checked statically",
                   module.path, line)


def _feature_lookup(module: PythonModule, call: ast.Call, line: int) -> Finding | None:
    if keyword(call, "lookup_key") is None and not _imports_any(module, ("databricks",)):
        return None
    table = constant(keyword(call, "table_name"))
    label = f"`FeatureLookup`{f' of `{table}`' if isinstance(table, str) else ''} in {module.path}:{line}"
    stamp = keyword(call, "timestamp_lookup_key")
    if stamp is None or constant(stamp) is None:
        return Finding("partial", f"{label} joins on lookup keys only (no timestamp_lookup_key), "
                       "so training rows can see later feature values", module.path, line)
    return Finding("supports", f"{label} joins features as of `timestamp_lookup_key`", module.path, line)


@dataclass
class _StoreUse:
    """Feature-store definitions and reads that are not historical retrieval."""

    views: list[tuple[str, int, bool]] = field(default_factory=list)  # path, line, has ttl
    online: list[tuple[str, int]] = field(default_factory=list)


def _python_pit(ctx: DetectorContext) -> tuple[list[Finding], _StoreUse]:
    findings: list[Finding] = []
    store = _StoreUse()
    for module in hinted(python_sources(ctx, PIT, tests=False), _PIT_PY_HINT):
        for call in iter_calls(module.tree, module.aliases):
            last = call.name.split(".")[-1]
            found: Finding | None = None
            if last == "get_historical_features":
                found = _historical(module, call.node, call.line)
            elif last in ("merge_asof", "join_asof"):
                found = _asof(module, call.node, call.name, call.line)
            elif last == "FeatureLookup":
                found = _feature_lookup(module, call.node, call.line)
            elif last in ("FeatureView", "BatchFeatureView") and call.name.startswith("feast."):
                ttl = keyword(call.node, "ttl")
                store.views.append((module.path, call.line, ttl is not None and constant(ttl) is not None))
            elif last == "get_online_features" and _imports_any(module, _FEATURE_STORES):
                store.online.append((module.path, call.line))
            if found is not None:
                findings.append(found)
    return findings, store


def _store_without_retrieval(store: _StoreUse) -> list[Finding]:
    if store.views:
        path, line, _ = store.views[0]
        with_ttl = sum(1 for view in store.views if view[2])
        ttl = f", {with_ttl} with a ttl" if with_ttl else ", none with a ttl"
        return [Finding("partial", f"{plural(len(store.views), 'Feast feature view')} defined{ttl}, but no code "
                        "builds training data with `get_historical_features`", path, line)]
    if store.online:
        path, line = store.online[0]
        return [Finding("partial", "the feature store is read with `get_online_features` only; training data is "
                        "not retrieved as of event time", path, line)]
    return []


_TRAINING_PATH = re.compile(r"train|dataset|label|build_?set", re.IGNORECASE)


def _plain_merges(ctx: DetectorContext) -> list[Finding]:
    """Training-set builders that merge on ids with no time condition (reported only when
    nothing else was found for the item)."""
    modules = [module for module in python_sources(ctx, PIT, tests=False)
               if _TRAINING_PATH.search(module.path) or "def build_train" in module.text or "training" in module.text]
    for module in hinted(modules, Hint((".merge(", ".join("))):
        for function in ast.walk(module.tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not (_TRAINING_PATH.search(function.name) or _TRAINING_PATH.search(module.path)):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr in ("merge", "join")):
                    continue
                keys = constant(keyword(call, "on", "left_on"))
                if isinstance(keys, str):
                    keys_list = [keys]
                else:
                    node = keyword(call, "on", "left_on")
                    elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
                    keys_list = [constant(element) for element in elements]
                names = [key for key in keys_list if isinstance(key, str)]
                if not names or any(_TIME_COLUMN.search(key) for key in names):
                    continue
                detail = (f"`{function.name}` in {module.path} joins features on {named(names, 2)} with no time "
                          "condition: training rows can see feature values from after the label; use an as-of join")
                return [Finding("partial", detail, module.path, call.lineno)]
    return []


# ======================================================================== item 4: SQL
#: SQL joins (``JOIN features f``, not Python's ``", ".join(...)``) and as-of reads.
_PIT_SQL_HINT = Hint(("join", "as of", "asof"),
                     re.compile(r"join\s+[A-Za-z_`\"\[]|as\s+of\b|asof\b", re.IGNORECASE))
_SQL_TIME_COLUMN = re.compile(r"time|timestamp|(?:^|_)ts$|_at$|date|(?:^|_)dt$", re.IGNORECASE)
_QUALIFIED = re.compile(r"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b")
_CONDITION_SPLIT = re.compile(
    r"\b(?:and|or|on|where|join|when|then|else|select|from|having|qualify|group|order|by|case|end|using)\b|[,;()]",
    re.IGNORECASE,
)
_COMPARISON = re.compile(r"<=|>=|(?<![<>=!])<(?![>=])|(?<![<>=-])>(?!=)")


def _time_refs(text: str) -> list[tuple[str, str]]:
    return [(table, column) for table, column in _QUALIFIED.findall(text) if _SQL_TIME_COLUMN.search(column)]


#: Words that tie SQL to building training data (its path or its tables), for time-bounded joins.
_TRAINING_SQL = re.compile(r"feature|train|label|target|spine|entit", re.IGNORECASE)


def _time_bounded_join(sql: SqlText) -> tuple[int, str] | None:
    """The first condition comparing time columns of two different tables, in SQL with a join
    that builds training data (its path or text mentions features, training, labels...)."""
    if not re.search(r"\bjoin\b", sql.masked, re.IGNORECASE):
        return None
    if not (_TRAINING_SQL.search(sql.path) or _TRAINING_SQL.search(sql.masked)):
        return None
    position = 0
    for piece in _CONDITION_SPLIT.split(sql.masked):
        offset = sql.masked.find(piece, position)
        position = offset + len(piece) if offset >= 0 else position
        match = _COMPARISON.search(piece)
        if match is None:
            continue
        left, right = _time_refs(piece[: match.start()]), _time_refs(piece[match.end() :])
        if left and right and left[-1][0] != right[0][0]:
            shown = f"{'.'.join(left[-1])} {match.group(0)} {'.'.join(right[0])}"
            return max(offset, 0), shown
    return None


def _judge_pit_sql(sql: SqlText) -> Finding | None:
    where = sql.path if sql.path.lower().endswith(".sql") else f"SQL in {sql.path}"
    asof = re.search(r"\basof\s+(?:left\s+)?join\b", sql.masked, re.IGNORECASE)
    if asof:
        return Finding("supports", f"{where} builds rows with an ASOF JOIN", sql.path, sql.line(asof.start()))
    temporal = re.search(r"\bfor\s+system_time\s+as\s+of\s+([A-Za-z_][\w.]*)?", sql.masked, re.IGNORECASE)
    if temporal and temporal.group(1) and "." in temporal.group(1):
        return Finding("supports", f"{where} joins as of each row's time (`FOR SYSTEM_TIME AS OF {temporal.group(1)}`)",
                       sql.path, sql.line(temporal.start()))
    bounded = _time_bounded_join(sql)
    if bounded is not None:
        offset, shown = bounded
        return Finding("supports", f"{where} bounds a join by event time (`{shown}`)", sql.path, sql.line(offset))
    snapshot = temporal or re.search(r"\b(?:timestamp|version)\s+as\s+of\b", sql.masked, re.IGNORECASE)
    if snapshot:
        return Finding("partial", f"{where} reads a table snapshot as of one fixed time, not as of each row's "
                       "event time", sql.path, sql.line(snapshot.start()))
    return None


# ======================================================================== item 4: tests
_PIT_TEST_NAME = re.compile(
    r"leak|future|point_?in_?time|(?:^|_)pit(?:_|$)|(?:^|_)as_?of(?:_|$)|look_?ahead|time_?travel|cutoff|peek|"
    r"(?:^|_)(?:before|after)_(?:the_)?(?:label|event|prediction|snapshot|cutoff|transaction|observation)|"
    r"(?:^|_)later_(?:events?|transactions?|records?|rows?|data)",
    re.IGNORECASE,
)
_PIT_TEST_PROSE = re.compile(
    r"leak|future|point[- ]in[- ]time|\bas[- ]of\b|look-?ahead|time[- ]travel|cut-?off|"
    r"after the (?:label|event|prediction)",
    re.IGNORECASE,
)
_PIT_TEST_HINT = Hint(("leak", "future", "point_in_time", "pointintime", "point in time", "point-in-time", "as_of",
                      "asof", "as of", "lookahead", "look_ahead", "look-ahead", "time_travel", "timetravel", "cutoff",
                      "cut_off", "cut-off", "_pit", "peek", "before_", "after_", "later_"))


def _test_modules(ctx: DetectorContext, item: str, hint: Hint) -> list[PythonModule]:
    return hinted(python_sources(ctx, item, tests=True), hint)


def _judge_leakage_test(test: ParsedTest) -> Finding | None:
    about_it = _PIT_TEST_NAME.search(test.name) or _PIT_TEST_PROSE.search(test.docstring())
    module_doc = ast.get_docstring(test.module.tree) or ""
    if not (about_it or _PIT_TEST_PROSE.search(module_doc)):
        return None
    if not uses_time_values(test.node):
        return None  # about leakage, but not about time (e.g. the label column among the features)
    path, line, nodeid = test.module.path, test.node.lineno, test.nodeid
    label = f"test `{test.name}`"
    if not test.own_calls:
        return Finding("partial", f"{label} builds timestamped records but calls none of the repository's code",
                       path, line, nodeid)
    if not test.assertions():
        return Finding("partial", f"{label} builds timestamped records but asserts nothing", path, line, nodeid)
    step = main_step(test)
    return Finding("supports", f"{label} plants timestamped records and asserts on `{step}` "
                   "(point-in-time leakage test)", path, line, nodeid)


def _test_pit(ctx: DetectorContext) -> list[Finding]:
    own = own_packages(ctx)
    findings: list[Finding] = []
    for module in _test_modules(ctx, PIT, _PIT_TEST_HINT):
        for test in parse_tests(module, own):
            found = _judge_leakage_test(test)
            if found is not None:
                findings.append(found)
    return findings


@dataclass
class _PitFacts:
    python: list[Finding]
    sql: list[Finding]
    tests: list[Finding]


def _pit_facts(ctx: DetectorContext) -> _PitFacts:
    def compute() -> _PitFacts:
        python, store = _python_pit(ctx)
        sql = [found for text in sql_texts(ctx, PIT, _PIT_SQL_HINT) if (found := _judge_pit_sql(text)) is not None]
        tests = _test_pit(ctx)
        if not any(found.verdict == "supports" for found in python):
            python.extend(_store_without_retrieval(store))
        if not (python or sql or tests):
            python.extend(_plain_merges(ctx))
        return _PitFacts(python, sql, tests)

    return ctx.index.memo(("data-handling", PIT, *ctx.declared(PIT)), compute)


@detector(
    name="point-in-time-retrieval",
    items=(PIT,),
    looks_for="training data built with a feature store's historical retrieval (Feast/Tecton get_historical_features, "
    "Databricks FeatureLookup with timestamp_lookup_key) or an as-of join (pandas merge_asof, polars join_asof)",
)
def point_in_time_retrieval(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 4 from the Python that builds training data (see the module docstring)."""
    yield from emit(ctx, PIT, _pit_facts(ctx).python)


@detector(
    name="point-in-time-sql",
    items=(PIT,),
    looks_for="SQL (.sql files, SQL strings in Python) that joins features as of the event time: ASOF JOIN, "
    "FOR SYSTEM_TIME AS OF a column, or a join bounded by `feature_time <= label_time`",
)
def point_in_time_sql(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 4 from SQL (see the module docstring)."""
    yield from emit(ctx, PIT, _pit_facts(ctx).sql)


@detector(
    name="leakage-tests",
    items=(PIT,),
    looks_for="a test about leakage / future data / point-in-time that plants timestamped records, calls the "
    "repository's training-set code and asserts",
)
def leakage_tests(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 4 from leakage tests (see the module docstring)."""
    yield from emit(ctx, PIT, _pit_facts(ctx).tests)


# ======================================================================== item 5: feature specs
_NULL_SPEC_HINT = Hint(
    ("missing", "imput", "fill", "null", "nan", "absent"),
    re.compile(r"(?i)(?:missing|imput|fill|null|nan|absent)[\w-]*[\"']?\s*:"),
)
_RULE_WORD = re.compile(r"missing|imput|fill|null|(?:^|_)nan(?:_|$)|(?:^|_)nas?(?:_|$)|absent")
#: Nullability alone and null-rate metrics or thresholds (``max_null_rate``), as snake_case words.
_NOT_RULE = re.compile(
    r"^(?:is_)?nullable$|^allow_(?:nulls?|missing|nans?)$|"
    r"(?:^|_)(?:rates?|ratio|fraction|pct|percent(?:age)?|counts?|threshold|max|min|share|tolerance|alerts?|"
    r"metrics?|expect\w*|checks?)(?:_|$)"
)
_CONTAINER_KEY = re.compile(
    r"^(?:features?|feature_specs?|feature_definitions|columns|fields|inputs|variables|attributes|properties)$"
)
_NAME_KEYS = ("name", "feature", "feature_name", "column", "column_name", "field", "id")
_DEFAULT_KEYS = frozenset({"default", "defaults", "global", "feature_defaults", "default_rules"})
#: Keys of one rule (``{strategy: median, fill_value: 0}``) rather than names of features.
_RULE_CONFIG_KEYS = frozenset(
    {"strategy", "method", "value", "values", "fill_value", "default", "enabled", "add_indicator", "columns",
     "features", "column", "feature", "type", "kind", "constant", "missing_values", "copy", "keep_empty_features",
     "fill", "with", "indicator", "params", "parameters", "action", "policy", "rule", "description"}
)
_SKIPPED_STRUCTURED = re.compile(
    r"(?:^|/)(?:package(?:-lock)?\.json|composer\.json|tsconfig\.json|\.pre-commit-config\.ya?ml|"
    r"mlchecklist\.ya?ml|docker-compose[\w.-]*\.ya?ml|[\w.-]*\.lock)$|(?:^|/)\.github/",
    re.IGNORECASE,
)
_SPEC_NAME = re.compile(r"feature|schema|spec|imput|missing|null|column|contract|preprocess", re.IGNORECASE)


#: Keys that hold rules for several features or for all of them (``imputation:``, ``fill_values:``,
#: ``on_missing:``), as opposed to a feature that happens to be called ``account_age_missing``.
_RULE_CONTAINER = re.compile(
    r"^(?:imputations?|imputers?|impute|imputation_(?:rules?|strateg(?:y|ies)|config|groups)|"
    r"missing(?:_values?)?(?:_(?:rules?|strateg(?:y|ies)|polic(?:y|ies)|handling|treatment|fill))?|"
    r"(?:on|if|when)_(?:missing|null|nan|na)|fill(?:_values?|_missing|_nulls?|_nas?|na)?(?:_with)?|fillna|"
    r"nulls?(?:_(?:handling|strateg(?:y|ies)|rules?|polic(?:y|ies)|treatment))|"
    r"(?:na|nan)_(?:fill|values?|strateg(?:y|ies)|handling)|default_fill)$"
)


def is_rule_container(key: Any) -> bool:
    """True for a key naming a set of missing-value rules or one rule for all features."""
    return bool(_RULE_CONTAINER.match(str(key).lower().replace("-", "_")))


def is_rule_key(key: Any) -> bool:
    """True for a key that states what happens to a missing value (``fill_value``, ``on_missing``,
    ``imputation``...), not nullability alone or a null-rate metric."""
    text = str(key).lower().replace("-", "_")
    return bool(_RULE_WORD.search(text)) and not _NOT_RULE.search(text)


def has_rule(entry: dict[Any, Any]) -> bool:
    """True when a feature entry (or a mapping one level inside it) carries a filled-in rule key."""
    for key, value in entry.items():
        if is_rule_key(key) and not is_placeholder(value):
            return True
        if isinstance(value, dict) and any(is_rule_key(k) and not is_placeholder(v) for k, v in value.items()):
            return True
    return False


@dataclass
class _Collection:
    """Features listed in a spec: the key holding them, the mapping around it, and the entries."""

    key: str
    parent: dict[Any, Any] | None
    entries: list[tuple[str, dict[Any, Any]]]


def _entry_name(entry: dict[Any, Any]) -> str | None:
    for key in _NAME_KEYS:
        if isinstance(entry.get(key), str) and entry[key].strip():
            return str(entry[key]).strip()
    return None


def _entries(value: Any) -> list[tuple[str, dict[Any, Any]]]:
    if isinstance(value, list):
        found = [(name, entry) for entry in value if isinstance(entry, dict) and (name := _entry_name(entry))]
        return found if len(found) == len(value) else []
    if isinstance(value, dict) and value and all(isinstance(entry, dict) for entry in value.values()):
        return [(str(name), entry) for name, entry in value.items()]
    return []


def feature_collections(document: Any) -> list[_Collection]:
    """Every list or mapping of named feature entries in a parsed spec."""
    found: list[_Collection] = []
    top = _entries(document) if isinstance(document, list) else []
    if top:
        found.append(_Collection("", None, top))
    for node in iter_nodes(document):
        if isinstance(node, dict):
            for key, value in node.items():
                if _CONTAINER_KEY.match(str(key).lower()) and (entries := _entries(value)):
                    found.append(_Collection(str(key), node, entries))
    return found


def _default_rule(parent: dict[Any, Any] | None) -> bool:
    if parent is None:
        return False
    for key, value in parent.items():
        if _CONTAINER_KEY.match(str(key).lower()):
            continue
        if is_rule_container(key) and not is_placeholder(value):
            return True
        if str(key).lower() in _DEFAULT_KEYS and isinstance(value, dict) and has_rule(value):
            return True
    return False


def _is_strategy(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(key).lower() in _RULE_CONFIG_KEYS and not is_placeholder(item) for key, item in value.items())
    return not is_placeholder(value) and isinstance(value, (str, int, float, bool))


@dataclass
class _Imputation:
    """Features given a rule by imputation mappings, and whether a rule for all features exists."""

    features: set[str] = field(default_factory=set)
    unfilled: set[str] = field(default_factory=set)
    blanket: bool = False


def _columns_of(entry: dict[Any, Any]) -> list[str]:
    for key in ("columns", "features", "column", "feature"):
        value = entry.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(item) for item in value if isinstance(item, (str, int))]
    return []


def imputation_rules(document: Any, skip: set[int]) -> _Imputation:
    """Per-feature rules written as mappings under a rule key (``imputation: {age: median}``) or
    as groups (``imputers: [{columns: [...], strategy: median}]``); nodes in ``skip`` (feature
    entries, already judged) are not read."""
    found = _Imputation()
    for node in iter_nodes(document):
        if not isinstance(node, dict) or id(node) in skip:
            continue
        for key, value in node.items():
            if not is_rule_container(key):
                continue
            if isinstance(value, dict) and value:
                names = [str(name) for name in value if str(name).lower() not in _RULE_CONFIG_KEYS]
                if names:
                    for name in names:
                        (found.features if _is_strategy(value[name]) else found.unfilled).add(name)
                elif _columns_of(value) and _is_strategy(value):
                    found.features.update(_columns_of(value))
                elif _is_strategy(value):
                    found.blanket = True
            elif isinstance(value, list):
                for group in value:
                    if isinstance(group, dict) and _columns_of(group) and _is_strategy(group):
                        found.features.update(_columns_of(group))
    return found


def _judge_spec(ctx: DetectorContext, path: str, documents: list[Any]) -> Finding | None:
    text = ctx.index.read_text(path)
    best: tuple[_Collection, set[str], bool] | None = None
    skip: set[int] = set()
    collections = [collection for document in documents for collection in feature_collections(document)]
    for collection in collections:
        for _, entry in collection.entries:
            skip.update(id(node) for node in iter_nodes(entry))
    imputation = _Imputation()
    for document in documents:
        found = imputation_rules(document, skip)
        imputation.features |= found.features
        imputation.unfilled |= found.unfilled
        imputation.blanket = imputation.blanket or found.blanket
    for collection in collections:
        covered = {name for name, entry in collection.entries if has_rule(entry) or name in imputation.features}
        default = _default_rule(collection.parent) or imputation.blanket
        if not covered and not default:
            continue
        if best is None or len(collection.entries) > len(best[0].entries):
            best = (collection, covered, default)
    if best is not None:
        collection, covered, default = best
        line = key_line(text, collection.key) if collection.key else 1
        total = len(collection.entries)
        missing = [name for name, _ in collection.entries if name not in covered]
        label = f"feature spec {path}"
        if not covered:
            return Finding("partial", f"{label} sets one missing-value rule for {every(total, 'feature')}; "
                           "no feature has a rule of its own", path, line)
        if missing and not default:
            return Finding("partial", f"{label} gives a missing-value rule for {len(covered)} of "
                           f"{plural(total, 'feature')}; {named(missing)} have none", path, line)
        through = f" ({len(missing)} through the spec's default rule)" if missing else ""
        return Finding("supports", f"{label} gives a missing-value rule for {every(total, 'feature')}{through}",
                       path, line)
    if imputation.features:
        line = _first_rule_container_line(text)
        count = len(imputation.features)
        unfilled = f"; {named(imputation.unfilled)} have a placeholder" if imputation.unfilled else ""
        verdict: Verdict = "supports" if count >= 2 and not imputation.unfilled else "partial"
        return Finding(verdict, f"imputation config {path} gives a missing-value rule for "
                       f"{plural(count, 'feature')}{unfilled}", path, line)
    if imputation.blanket:
        return Finding("partial", f"{path} sets one missing-value rule for every feature; no feature has its own",
                       path, None)
    return None


_YAML_OR_JSON_KEY = re.compile(r"""^\s*(?:-\s*)?["']?([\w-]+)["']?\s*:""")


def _first_rule_container_line(text: str | None) -> int | None:
    """The first line of a YAML or JSON text whose key names a set of missing-value rules."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        match = _YAML_OR_JSON_KEY.match(line)
        if match and is_rule_container(match.group(1)):
            return number
    return None


def _null_specs(ctx: DetectorContext) -> list[Finding]:
    findings: list[Finding] = []
    paths = ctx.candidates(NULLS, ctx.index.with_suffix(".yaml", ".yml", ".json"))
    declared = set(ctx.declared(NULLS))
    for path in paths:
        if not path.lower().endswith((".yaml", ".yml", ".json")) or (
            _SKIPPED_STRUCTURED.search(path) and path not in declared
        ):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _NULL_SPEC_HINT.matches(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            if _SPEC_NAME.search(path.rsplit("/", 1)[-1]) or path in declared:
                findings.append(Finding("unreadable", f"could not decide from this file: {ctx.index.problem(path)}",
                                        path))
            continue
        found = _judge_spec(ctx, path, documents)
        if found is not None:
            findings.append(found)
    return findings


# ======================================================================== item 5: Markdown tables
_FEATURE_HEADER = re.compile(
    r"^(?:features?|feature name|columns?|column name|fields?|field name|name|variables?|inputs?|attributes?)$",
    re.IGNORECASE,
)
_NULL_HEADER = re.compile(r"missing|null|\bnan\b|\bna\b|imput|fill|absent|when empty", re.IGNORECASE)
_NOT_NULL_HEADER = re.compile(
    r"\brates?\b|%|\bpct\b|percent|\bratio\b|\bcounts?\b|\bshare\b|fraction|nullable|allowed\??$", re.IGNORECASE
)
_NULL_TABLE_HINT = re.compile(r"missing|null|\bnan\b|imput|fill|absent", re.IGNORECASE)


#: Under a heading about nulls, a rule column may be called simply "strategy", "rule", "handling"...
_NULL_SECTION = re.compile(r"null|missing|imput|\bnan\b|absent", re.IGNORECASE)
_RULE_HEADER_IN_SECTION = re.compile(
    r"strateg|rule|handling|treatment|action|polic|fill|imput|default|behaviou?r", re.IGNORECASE
)
_NOUNS = {"field": "field", "column": "column"}


def _headings_above(document: MarkdownDocument | None, line: int) -> list[str]:
    """The titles of the heading and its parents that a line stands under."""
    chain: list[tuple[int, str]] = []
    for section in document.sections if document is not None else []:
        if section.line > line:
            break
        chain = [entry for entry in chain if entry[0] < section.level] + [(section.level, section.title)]
    return [title for _, title in chain]


def _rule_column(header: list[str], in_null_section: bool) -> int | None:
    for index, cell in enumerate(header):
        if _NULL_HEADER.search(cell) and not _NOT_NULL_HEADER.search(cell):
            return index
    if in_null_section:
        for index, cell in enumerate(header):
            if _RULE_HEADER_IN_SECTION.search(cell) and not _NOT_NULL_HEADER.search(cell):
                return index
    return None


def _judge_table(path: str, table: MarkdownTable, in_null_section: bool = False) -> Finding | None:
    """The verdict on one table: a feature column and a missing-value rule column, every row filled."""
    header = [plain_cell(cell) for cell in table.header]
    feature_column = next((index for index, cell in enumerate(header) if _FEATURE_HEADER.match(cell)), None)
    rule_column = _rule_column(header, in_null_section)
    if feature_column is None or rule_column is None or feature_column == rule_column:
        return None
    noun = _NOUNS.get(header[feature_column].lower().split()[0].rstrip("s"), "feature")
    count = 0
    missing: list[str] = []
    for _, cells in table.rows:
        raw = cells[feature_column] if feature_column < len(cells) else ""
        feature = plain_cell(raw)
        if not is_substantive(feature):
            continue
        names = re.findall(r"`([^`]+)`", raw) or [feature]
        count += len(names)
        rule = plain_cell(cells[rule_column]) if rule_column < len(cells) else ""
        if not is_substantive(rule) or rule in ("?", "—", "–"):
            missing.extend(names)
    if not count:
        return None
    label = f"feature table in {path}"
    column = header[rule_column]
    if missing:
        if len(missing) == count:
            return Finding("partial", f"{label} has a `{column}` column but fills it for none of its "
                           f"{plural(count, noun)}", path, table.line)
        return Finding("partial", f"{label} gives a missing-value rule (`{column}`) for {count - len(missing)} of "
                       f"{plural(count, noun)}; {named(missing)} have none", path, table.line)
    return Finding("supports", f"{label} gives a missing-value rule (`{column}`) for {every(count, noun)}",
                   path, table.line)


def _null_tables(ctx: DetectorContext) -> list[Finding]:
    findings: list[Finding] = []
    for path in markdown_paths(ctx, NULLS):
        text = ctx.index.read_text(path)
        if text is None or "|" not in text or not _NULL_TABLE_HINT.search(text):
            continue
        tables = markdown_tables(ctx, path)
        document = ctx.index.markdown(path) if tables else None
        for table in tables:
            in_section = any(_NULL_SECTION.search(title) for title in _headings_above(document, table.line))
            found = _judge_table(path, table, in_section)
            if found is not None:
                findings.append(found)
    return findings


# ======================================================================== item 5: code
_NULL_CODE_HINT = Hint(("fillna", "fill_null", "fill_nan", "imputer", ".na.", "dropna", "drop_nulls"))
_NULL_CALLS = frozenset(
    {"fillna", "fill_null", "fill_nan", "SimpleImputer", "KNNImputer", "IterativeImputer", "dropna", "drop_nulls"}
)


def _null_code(ctx: DetectorContext) -> list[Finding]:
    sites: list[tuple[str, int, str, int]] = []  # path, line, call, columns filled by name
    for module in hinted(python_sources(ctx, NULLS, tests=False), _NULL_CODE_HINT):
        for call in iter_calls(module.tree, module.aliases):
            parts = call.name.split(".")
            name = parts[-1]
            if name in ("fill", "drop") and len(parts) > 1 and parts[-2] == "na":
                name = f"na.{name}"
            elif name not in _NULL_CALLS:
                continue
            value = call.node.args[0] if call.node.args else keyword(call.node, "value")
            columns = len(value.keys) if isinstance(value, ast.Dict) else 0
            sites.append((module.path, call.line, name, columns))
    if not sites:
        return []
    sites.sort()
    path, line, name, columns = sites[0]
    files = len({site[0] for site in sites})
    where = f"{plural(len(sites), 'place')}" + (f" in {plural(files, 'file')}" if files > 1 else "")
    by_name = max(site[3] for site in sites)
    per_column = f", filling up to {by_name} columns by name" if by_name > 1 else ""
    first = "first: " if len(sites) > 1 else ""
    return [Finding("partial", f"code handles nulls in {where} ({first}`{name}` at {path}:{line}{per_column}) but no "
                    "per-feature missing-value rule is written down in a feature spec or table", path, line)]


@dataclass
class _NullFacts:
    specs: list[Finding]
    tables: list[Finding]
    code: list[Finding]


def _null_facts(ctx: DetectorContext) -> _NullFacts:
    def compute() -> _NullFacts:
        specs, tables = _null_specs(ctx), _null_tables(ctx)
        written = [found for found in specs + tables if found.verdict in ("supports", "partial")]
        return _NullFacts(specs, tables, [] if written else _null_code(ctx))

    return ctx.index.memo(("data-handling", NULLS, *ctx.declared(NULLS)), compute)


@detector(
    name="null-rules-spec",
    items=(NULLS,),
    looks_for="a feature spec (YAML/JSON) whose features each carry a missing-value rule (fill value, imputation, "
    "on_missing...), or a per-feature imputation config",
)
def null_rules_spec(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 5 from feature specs and imputation configs (see the module docstring)."""
    yield from emit(ctx, NULLS, _null_facts(ctx).specs)


@detector(
    name="null-rules-table",
    items=(NULLS,),
    looks_for="a Markdown feature table with a feature column and a missing/null/fill column filled for every feature",
)
def null_rules_table(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 5 from documented feature tables (see the module docstring)."""
    yield from emit(ctx, NULLS, _null_facts(ctx).tables)


@detector(
    name="null-handling-code",
    items=(NULLS,),
    looks_for="null handling in the pipeline code (fillna, imputers), reported as partial when no per-feature rule "
    "is written down",
)
def null_handling_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Partial evidence for item 5 from code that fills nulls (see the module docstring)."""
    yield from emit(ctx, NULLS, _null_facts(ctx).code)


# ======================================================================== item 6: tests
#: Words of a test name or docstring about re-running (``again`` but not ``against``).
_IDEMPOTENT_NAME = re.compile(
    r"idempot|twice|(?:^|[_\s])(?:re[_-]?runs?|re[_-]?running|rerun\w*|again|repeat(?:ed|ing|s)?|second[_\s]run|"
    r"same[_\s](?:output|result)s?|duplicat\w*|deterministic\w*)(?:[_\s.,]|$)",
    re.IGNORECASE,
)
_IDEMPOTENT_HINT = Hint(("idempot", "twice", "rerun", "re_run", "re-run", "again", "repeat", "second", "duplicat",
                        "determinis", "same", "range(2)", "range(3)"))


def _call_key(call: ast.Call) -> str:
    return ast.dump(ast.Tuple(elts=list(call.args), ctx=ast.Load())) + ast.dump(
        ast.Tuple(elts=[entry.value for entry in call.keywords], ctx=ast.Load())
    ) + ",".join(str(entry.arg) for entry in call.keywords)


#: Words that make a function a data pipeline step; running any other function twice (a cache,
#: a parser) says nothing about the pipeline.
_PIPELINE_STEP = re.compile(
    r"pipeline|prepar|preprocess|transform|ingest|etl|job|step|process|featur|export|load|write|materiali|"
    r"aggregat|dataset|partition|backfill|dag|task|stage|flow|clean|sink|merge|upsert|daily|batch|snapshot|sync",
    re.IGNORECASE,
)


def _repeats(test: ParsedTest) -> tuple[str, int] | None:
    """The first pipeline step of the repository the test runs twice on the same arguments (as
    the test writes its name), and the line of the second run (a ``for _ in range(2)`` loop
    counts)."""
    seen: dict[tuple[str, str], int] = {}
    steps = [(name, call) for name, call in test.own_calls if _PIPELINE_STEP.search(name)]
    for name, call in sorted(steps, key=lambda pair: (pair[1].lineno, pair[1].col_offset)):
        key = (name, _call_key(call))
        if key in seen and call.lineno >= seen[key]:
            return written_name(call), call.lineno
        seen.setdefault(key, call.lineno)
    own_ids = {id(call): written_name(call) for _, call in steps}
    for loop in ast.walk(test.node):
        if not (isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call)):
            continue
        if dotted_name(loop.iter.func) != "range":
            continue
        count = constant(loop.iter.args[0]) if len(loop.iter.args) == 1 else ...
        if not isinstance(count, int) or count < 2:
            continue
        for child in ast.walk(loop):
            if id(child) in own_ids:
                return own_ids[id(child)], getattr(child, "lineno", loop.lineno)
    return None


def _is_comparison(node: ast.AST) -> bool:
    """An assertion that compares two computed values (not a value with a constant)."""
    if isinstance(node, ast.Assert):
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
            return not isinstance(test.left, ast.Constant) and not isinstance(test.comparators[0], ast.Constant)
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
            equals = test.func.attr in ("equals", "equal")
            return equals and bool(test.args) and not isinstance(test.args[0], ast.Constant)
        return False
    if isinstance(node, ast.Call):
        name = (dotted_name(node.func) or "").split(".")[-1].lower()
        arguments = [arg for arg in node.args if not isinstance(arg, ast.Constant)]
        return "equal" in name and len(arguments) >= 2
    return False


def _judge_idempotency_test(test: ParsedTest) -> Finding | None:
    named_for_it = bool(_IDEMPOTENT_NAME.search(test.name) or _IDEMPOTENT_NAME.search(test.docstring()))
    path, line, nodeid = test.module.path, test.node.lineno, test.nodeid
    label = f"test `{test.name}`"
    repeated = _repeats(test)
    if repeated is not None:
        short, second = repeated
        after = [node for node in test.assertions() if getattr(node, "lineno", 0) >= second]
        if any(_is_comparison(node) for node in after):
            return Finding("supports", f"{label} runs `{short}` twice on the same input and compares the outputs",
                           path, line, nodeid)
        if named_for_it and after:
            return Finding("supports", f"{label} runs `{short}` twice on the same input and checks the result of "
                           "the second run", path, line, nodeid)
        if named_for_it:
            return Finding("partial", f"{label} runs `{short}` twice but asserts nothing after the second run",
                           path, line, nodeid)
        return None
    if not named_for_it:
        return None
    if not test.own_calls:
        return Finding("partial", f"{label} is about re-running a step but calls none of the repository's code",
                       path, line, nodeid)
    names = {name for name, _ in test.own_calls}
    in_assertions = {id(node) for assertion in test.assertions() for node in ast.walk(assertion)}
    steps = [call for _, call in test.own_calls if id(call) not in in_assertions] or [test.own_calls[0][1]]
    step = written_name(min(steps, key=lambda call: (call.lineno, call.col_offset)))
    counts = [sum(1 for name, _ in test.own_calls if name == each) for each in names]
    if max(counts) > 1:
        return Finding("partial", f"{label} runs `{step}` more than once, but never twice on the same input",
                       path, line, nodeid)
    return Finding("partial", f"{label} runs `{step}` only once; run it a second time on the same input and "
                   "compare", path, line, nodeid)


def _idempotency_tests(ctx: DetectorContext) -> list[Finding]:
    own = own_packages(ctx)
    findings: list[Finding] = []
    for module in _test_modules(ctx, IDEMPOTENT, _IDEMPOTENT_HINT):
        for test in parse_tests(module, own):
            found = _judge_idempotency_test(test)
            if found is not None:
                findings.append(found)
    return findings


@detector(
    name="idempotency-tests",
    items=(IDEMPOTENT,),
    looks_for="a test that runs a pipeline step of the repository twice on the same input and compares the outputs",
)
def idempotency_tests(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 6 from tests (see the module docstring)."""
    yield from emit(ctx, IDEMPOTENT, _idempotency_tests(ctx))


# ======================================================================== item 6: DVC
def _first_mapping(documents: list[Any] | None) -> dict[Any, Any] | None:
    if not documents or not isinstance(documents[0], dict):
        return None
    return documents[0]


def _dvc_stages(document: dict[Any, Any]) -> dict[str, dict[Any, Any]]:
    stages = document.get("stages")
    if not isinstance(stages, dict):
        return {}
    return {str(name): stage for name, stage in stages.items() if isinstance(stage, dict)
            and (stage.get("cmd") or isinstance(stage.get("do"), dict))}


_HASH_KEYS = ("md5", "etag", "checksum", "sha256")


def has_hash(entry: Any) -> bool:
    """True when a DVC deps/outs entry records a content hash (``hash: md5`` only names the algorithm)."""
    return isinstance(entry, dict) and any(not is_placeholder(entry.get(key)) for key in _HASH_KEYS)


def _locked(lock_stages: dict[Any, Any], name: str) -> bool:
    entries = [stage for key, stage in lock_stages.items() if str(key) == name or str(key).startswith(name + "@")]
    return bool(entries) and all(
        isinstance(stage, dict) and any(has_hash(entry) for part in ("deps", "outs") for entry in stage.get(part) or [])
        for stage in entries
    )


@detector(
    name="dvc-pipeline-lock",
    items=(IDEMPOTENT,),
    looks_for="a DVC pipeline (dvc.yaml stages) with a dvc.lock recording the hashes of every stage's inputs and "
    "outputs",
)
def dvc_pipeline_lock(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 6 from DVC pipelines (see the module docstring)."""
    for path in ctx.candidates(IDEMPOTENT, ctx.index.with_suffix("dvc.yaml", "dvc.yml")):
        if path.rsplit("/", 1)[-1] not in ("dvc.yaml", "dvc.yml"):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(IDEMPOTENT, path)
            continue
        stages = _dvc_stages(_first_mapping(documents) or {})
        if not stages:
            continue
        lock_path = posixpath.join(posixpath.dirname(path), "dvc.lock")
        label = f"DVC pipeline {path} ({plural(len(stages), 'stage')})"
        if lock_path not in ctx.index:
            yield ctx.partial(IDEMPOTENT, f"{label} has no dvc.lock: the inputs and outputs of a run are not "
                              "recorded; run `dvc repro` and commit dvc.lock", path=path)
            continue
        lock_documents = ctx.index.yaml_documents(lock_path)
        if lock_documents is None:
            yield ctx.unreadable(IDEMPOTENT, lock_path)
            continue
        lock = _first_mapping(lock_documents) or {}
        lock_stages = lock.get("stages") if isinstance(lock.get("stages"), dict) else {}
        unlocked = [name for name in stages if not _locked(lock_stages, name)]
        if unlocked:
            yield ctx.partial(IDEMPOTENT, f"{label}: dvc.lock records no hashes for {named(unlocked)}; run `dvc repro` "
                              "and commit dvc.lock", path=lock_path)
        else:
            yield ctx.supports(IDEMPOTENT, f"{label}, each stage's inputs and outputs hashed in {lock_path}",
                               path=path)


# ======================================================================== item 6: write semantics
#: A Spark writer (``.write.mode(...)``, over several lines too), pandas/pyarrow writes, Delta merges.
_WRITE_HINT = Hint(
    (".write", "writeto(", "to_sql(", "to_csv(", "write_dataset", "existing_data_behavior", "whenmatched",
     "whennotmatched"),
    re.compile(
        r"\.write\s*\.|writeTo\(|to_sql\(|to_csv\(|write_dataset|existing_data_behavior|whenMatched|whenNotMatched"
    ),
)
_SPARK_TERMINALS = frozenset(
    {"save", "saveAsTable", "insertInto", "parquet", "csv", "json", "orc", "text", "jdbc", "toTable"}
)
_PARTITION_MODE_KEY = "partitionOverwriteMode"
_APPEND_LABEL = "appends: a re-run adds the same rows again unless a key deduplicates them"
_STATIC_LABEL = ("overwrites a partitioned output without dynamic partitionOverwriteMode, replacing every partition "
                 "on each run")


def _string_pair(call: ast.Call) -> tuple[object, object]:
    first = constant(call.args[0]) if call.args else ...
    second = constant(call.args[1]) if len(call.args) > 1 else ...
    return first, second


def dynamic_partition_overwrite(ctx: DetectorContext) -> str | None:
    """Where the repository sets ``spark.sql.sources.partitionOverwriteMode`` to ``dynamic``
    (a Spark session or conf call in Python, a YAML/JSON job config, ``spark-defaults.conf``)."""

    def compute() -> str | None:
        for module in hinted(python_sources(ctx, IDEMPOTENT, tests=False), Hint((_PARTITION_MODE_KEY.lower(),))):
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.Call):
                    continue
                key, value = _string_pair(node)
                if isinstance(key, str) and key.endswith(_PARTITION_MODE_KEY) and str(value).lower() == "dynamic":
                    return f"{module.path}:{call_line(node)}"
        for path in ctx.candidates(IDEMPOTENT, ctx.index.with_suffix(".yaml", ".yml", ".json", ".conf", ".properties")):
            text = ctx.index.read_text(path)
            if text is None or _PARTITION_MODE_KEY not in text:
                continue
            if path.endswith((".conf", ".properties")):
                for number, line in enumerate(text.splitlines(), start=1):
                    parts = re.split(r"[\s=:]+", line.strip(), maxsplit=1)
                    if line.lstrip().startswith("#") or len(parts) != 2:
                        continue
                    if parts[0].endswith(_PARTITION_MODE_KEY) and parts[1].strip().lower() == "dynamic":
                        return f"{path}:{number}"
                continue
            for node in iter_nodes(ctx.index.structured(path) or []):
                if isinstance(node, dict) and any(
                    str(key).endswith(_PARTITION_MODE_KEY) and str(value).lower() == "dynamic"
                    for key, value in node.items()
                ):
                    return path
        return None

    return ctx.index.memo(("data-handling", "dynamic-partition-overwrite", *ctx.declared(IDEMPOTENT)), compute)


@dataclass
class _Write:
    """How one write call treats existing output."""

    verdict: Verdict
    label: str
    line: int


def _options(chain: list[tuple[str, ast.Call | None]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, call in chain:
        if call is None:
            continue
        if name == "option":
            key, value = _string_pair(call)
            if isinstance(key, str):
                found[key] = value
        elif name == "options":
            found.update({str(entry.arg): constant(entry.value) for entry in call.keywords if entry.arg})
    return found


def _spark_write(chain: list[tuple[str, ast.Call | None]], terminal: ast.Call, dynamic: str | None) -> _Write | None:
    names = [name for name, _ in chain]
    calls = {name: call for name, call in chain if call is not None}
    line = call_line(terminal)
    options = _options(chain)
    mode_call = calls.get("mode")
    if mode_call is not None and mode_call.args:
        mode = constant(mode_call.args[0])
    else:
        mode = constant(keyword(terminal, "mode"))
    partitioned = "partitionBy" in names or keyword(terminal, "partitionBy") is not None
    on_writer = str(options.get(_PARTITION_MODE_KEY, "")).lower() == "dynamic"
    is_dynamic = on_writer or dynamic is not None
    if names[-1] == "insertInto":
        overwrite = constant(argument(terminal, 1, "overwrite"))
        if overwrite is True:
            mode = "overwrite"
            partitioned = True
        elif mode is ...:
            mode = "append"
    if not isinstance(mode, str):
        return None
    mode = mode.lower()
    if mode == "append":
        return _Write("partial", f"Spark write {_APPEND_LABEL}", line)
    if mode != "overwrite":
        return None
    if "replaceWhere" in options:
        return _Write("supports", "Spark write overwrites only the rows matching `replaceWhere`", line)
    if partitioned and is_dynamic:
        source = "" if on_writer else f", set in {dynamic}"
        return _Write("supports", f"Spark write replaces only the partitions it writes (dynamic partition overwrite"
                      f"{source})", line)
    if partitioned:
        return _Write("partial", f"Spark write {_STATIC_LABEL}", line)
    return _Write("supports", "Spark write overwrites its whole output on each run", line)


def _python_write(call: ast.Call, dynamic: str | None) -> _Write | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    chain = method_chain(call)
    names = [name for name, _ in chain]
    terminal = names[-1]
    line = call_line(call)
    if "writeTo" in names:
        if terminal == "overwritePartitions":
            return _Write("supports", "Spark write replaces only the partitions it writes (`overwritePartitions()`)",
                          line)
        if terminal in ("createOrReplace", "replace"):
            return _Write("supports", "Spark write replaces the table on each run", line)
        if terminal == "overwrite":
            return _Write("supports", "Spark write overwrites only the rows matching its condition", line)
        if terminal == "append":
            return _Write("partial", f"Spark write {_APPEND_LABEL}", line)
        return None
    if "write" in names and terminal in _SPARK_TERMINALS:
        return _spark_write(chain, call, dynamic)
    upsert = any(name.startswith(("whenMatched", "whenNotMatched")) for name in names)
    if terminal == "execute" and "merge" in names and upsert:
        return _Write("supports", "Delta MERGE upserts on a key", line)
    if terminal == "to_sql":
        behaviour = constant(keyword(call, "if_exists"))
        if behaviour == "append":
            return _Write("partial", f"`to_sql(if_exists=\"append\")` {_APPEND_LABEL}", line)
        if behaviour == "replace":
            return _Write("supports", "`to_sql(if_exists=\"replace\")` replaces the table on each run", line)
        return None
    if terminal in ("to_csv", "to_json") and constant(keyword(call, "mode")) in ("a", "a+", "append"):
        return _Write("partial", f"`{terminal}(mode=\"a\")` {_APPEND_LABEL}", line)
    if terminal in ("write_dataset", "to_parquet", "write_to_dataset"):
        if constant(keyword(call, "existing_data_behavior")) == "delete_matching":
            return _Write("supports", "dataset write replaces the partitions it writes "
                          "(existing_data_behavior=\"delete_matching\")", line)
    return None


_WRITE_SQL_HINT = Hint(
    ("insert", "merge", "create or replace", "replace into"),
    re.compile(r"insert\s+(?:into|overwrite|or\s+replace)\b|merge\s+into\b|create\s+or\s+replace\s+table\b|"
               r"replace\s+into\b", re.IGNORECASE),
)
_INSERT_INTO = re.compile(r"\binsert\s+into\s+(?:table\s+)?([\w.`\"\[\]]+)", re.IGNORECASE)
_DELETE_FROM = re.compile(r"\bdelete\s+from\s+([\w.`\"\[\]]+)", re.IGNORECASE)


def _table_name(text: str) -> str:
    return text.strip("`\"[]").lower()


def _sql_writes(sql: SqlText) -> list[_Write]:
    writes: list[_Write] = []
    deleted: set[str] = set()
    for offset, statement in sql_statements(sql):
        line = sql.line(offset + len(statement) - len(statement.lstrip()))
        for match in _DELETE_FROM.finditer(statement):
            deleted.add(_table_name(match.group(1)))
        if re.search(r"\binsert\s+overwrite\b", statement, re.IGNORECASE):
            writes.append(_Write("supports", "`INSERT OVERWRITE` replaces the partitions it writes", line))
        elif re.search(r"\bmerge\s+into\b", statement, re.IGNORECASE):
            writes.append(_Write("supports", "`MERGE INTO` upserts on a key", line))
        elif re.search(r"\bon\s+conflict\b[\s\S]*\bdo\b|\bon\s+duplicate\s+key\s+update\b", statement, re.IGNORECASE):
            writes.append(_Write("supports", "`INSERT ... ON CONFLICT` upserts on a key", line))
        elif re.search(r"\breplace\s+into\b|\binsert\s+or\s+replace\b", statement, re.IGNORECASE):
            writes.append(_Write("supports", "`REPLACE INTO` upserts on a key", line))
        elif re.search(r"\bcreate\s+or\s+replace\s+table\b", statement, re.IGNORECASE):
            writes.append(_Write("supports", "`CREATE OR REPLACE TABLE` rebuilds the table on each run", line))
        elif insert := _INSERT_INTO.search(statement):
            table = _table_name(insert.group(1))
            if table in deleted:
                writes.append(_Write("supports", f"deletes then re-inserts the rows of `{table}`", line))
            elif re.search(r"\bnot\s+exists\b", statement, re.IGNORECASE):
                writes.append(_Write("supports", "`INSERT ... WHERE NOT EXISTS` adds only rows not already present",
                                     line))
            else:
                writes.append(_Write("partial", f"`INSERT INTO {table}` {_APPEND_LABEL}", line))
    return writes


_DBT_CONFIG = re.compile(r"\{\{-?\s*(config\s*\()")


def dbt_config(text: str) -> tuple[dict[str, object], int] | None:
    """The constant keyword arguments of a dbt model's ``{{ config(...) }}`` and its line."""
    match = _DBT_CONFIG.search(text)
    if match is None or mask_sql(text)[match.start()] != "{":
        return None  # none, or inside a SQL or Jinja comment
    end = text.find("}}", match.end())
    if end < 0:
        return None
    expression = text[match.start(1) : end].strip().rstrip("-").strip()
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(tree.body, ast.Call):
        return None
    values = {str(entry.arg): constant(entry.value) for entry in tree.body.keywords if entry.arg}
    return values, text.count("\n", 0, match.start()) + 1


def _dbt_write(path: str, text: str) -> _Write | None:
    config = dbt_config(text)
    if config is None:
        return None
    values, line = config
    if values.get("materialized") != "incremental":
        return None
    strategy = values.get("incremental_strategy")
    model = posixpath.basename(path).rsplit(".", 1)[0]
    label = f"dbt incremental model `{model}`"
    if strategy == "append":
        return _Write("partial", f"{label} {_APPEND_LABEL}", line)
    if strategy in ("insert_overwrite", "microbatch"):
        return _Write("supports", f"{label} replaces the partitions it rebuilds ({strategy})", line)
    if values.get("unique_key") not in (None, ...):
        return _Write("supports", f"{label} upserts on its `unique_key`", line)
    return _Write("partial", f"{label} has no `unique_key`, so each run {_APPEND_LABEL.replace('appends: ', '')}",
                  line)


def _group_writes(path: str, writes: list[_Write]) -> list[Finding]:
    grouped: dict[tuple[Verdict, str], list[int]] = {}
    for write in writes:
        grouped.setdefault((write.verdict, write.label), []).append(write.line)
    findings: list[Finding] = []
    for (verdict, label), lines in grouped.items():
        more = f" ({len(lines)} writes)" if len(lines) > 1 else ""
        findings.append(Finding(verdict, f"{label}, in {path}:{min(lines)}{more}", path, min(lines)))
    return findings


def _write_findings(ctx: DetectorContext) -> list[Finding]:
    dynamic = dynamic_partition_overwrite(ctx)
    by_path: dict[str, list[_Write]] = {}
    for module in hinted(python_sources(ctx, IDEMPOTENT, tests=False), _WRITE_HINT):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                write = _python_write(node, dynamic)
                if write is not None:
                    by_path.setdefault(module.path, []).append(write)
    for sql in sql_texts(ctx, IDEMPOTENT, _WRITE_SQL_HINT):
        by_path.setdefault(sql.path, []).extend(_sql_writes(sql))
    for path in ctx.candidates(IDEMPOTENT, ctx.index.with_suffix(".sql")):
        text = ctx.index.read_text(path) if path.lower().endswith(".sql") else None
        if text is not None and "incremental" in text:
            write = _dbt_write(path, text)
            if write is not None:
                by_path.setdefault(path, []).append(write)
    return [found for path in sorted(by_path) for found in _group_writes(path, by_path[path])]


@detector(
    name="write-semantics",
    items=(IDEMPOTENT,),
    looks_for="pipeline writes that replace or upsert instead of appending: dynamic partition overwrite, "
    "overwritePartitions, replaceWhere, MERGE INTO / Delta merge, INSERT OVERWRITE, dbt incremental models with a "
    "unique_key",
)
def write_semantics(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 6 from how the pipeline writes its outputs (see the module docstring)."""
    yield from emit(ctx, IDEMPOTENT, _write_findings(ctx))


# ======================================================================== item 7: names of raw data
_RAW_PART = re.compile(
    r"^(?:raw|raw[_-][\w-]+|[\w-]+[_-]raw|landing|landing[_-]zone|bronze|ingest|ingested|ingestion|incoming|"
    r"source[_-]data|original|originals|immutable)$",
    re.IGNORECASE,
)
_DATA_ROOTS = frozenset({"data", "datasets", "dataset"})
_RAW_NAME = re.compile(
    r"(?:^|[^a-z0-9])(?:raw|landing|bronze|ingest\w*|incoming|immutable|source[_-]data|data[_-]?lake|lake)"
    r"(?:[^a-z0-9]|$)",
    re.IGNORECASE,
)


def is_raw_path(path: str) -> bool:
    """True for a path with a raw-data folder or file name (``data/raw``, ``landing/events``)."""
    return any(_RAW_PART.match(part.rsplit(".", 1)[0] if "." in part else part) for part in path.split("/") if part)


def is_raw_name(name: str) -> bool:
    """True for a bucket name that says it holds raw data (``acme-raw-events``, ``acme-landing``,
    ``acme-datalake``)."""
    return bool(_RAW_NAME.search(name))


def is_raw_table(target: str) -> bool:
    """True for a table name or storage path in a raw zone (``bronze.clicks``, ``s3://x/raw/events``)."""
    return is_raw_path(target.replace(".", "/"))


# ======================================================================== item 7: DVC
def _dvc_outs(document: Any) -> list[dict[Any, Any]]:
    outs = document.get("outs") if isinstance(document, dict) else None
    return [out for out in outs or [] if isinstance(out, dict) and isinstance(out.get("path"), str)]


def _join(base: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)


def _stage_paths(entries: Any) -> list[tuple[str, bool]]:
    """Paths of a dvc.yaml ``deps``/``outs`` list, with whether DVC caches them."""
    found: list[tuple[str, bool]] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            found.append((entry, True))
        elif isinstance(entry, dict):
            for path, options in entry.items():
                cached = not (isinstance(options, dict) and options.get("cache") is False)
                found.append((str(path), cached))
    return found


def _dvc_raw_findings(ctx: DetectorContext) -> list[Finding]:
    findings: list[Finding] = []
    derived: list[Finding] = []
    versioned: set[str] = set()
    for path in ctx.candidates(RAW, ctx.index.with_suffix(".dvc")):
        if not path.endswith(".dvc"):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            findings.append(Finding("unreadable", f"could not decide from this file: {ctx.index.problem(path)}", path))
            continue
        base = posixpath.dirname(path)
        for out in _dvc_outs(documents[0] if documents else None):
            target = _join(base, out["path"])
            whole = target in _DATA_ROOTS
            if not (is_raw_path(target) or whole):
                derived.append(Finding("partial", f"DVC versions `{target}` ({path}), which is not raw data", path))
                continue
            what = f"the whole `{target}` folder" if whole else f"raw data `{target}`"
            if out.get("cache") is False:
                findings.append(Finding("partial", f"{path} tracks {what} with `cache: false`: DVC does not keep its "
                                        "versions", path))
            elif has_hash(out):
                versioned.add(target)
                findings.append(Finding("supports", f"DVC versions {what} ({path} records its hash)", path))
            else:
                findings.append(Finding("partial", f"{path} lists {what} but records no hash; run `dvc add` and commit "
                                        "the .dvc file", path))
    findings.extend(_dvc_stage_raw(ctx, versioned))
    if not any(found.verdict == "supports" for found in findings):
        findings.extend(derived[:1])
    return findings


def _dvc_stage_raw(ctx: DetectorContext, versioned: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    for path in ctx.candidates(RAW, ctx.index.with_suffix("dvc.yaml", "dvc.yml")):
        if path.rsplit("/", 1)[-1] not in ("dvc.yaml", "dvc.yml"):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            findings.append(Finding("unreadable", f"could not decide from this file: {ctx.index.problem(path)}", path))
            continue
        stages = _dvc_stages(_first_mapping(documents) or {})
        base = posixpath.dirname(path)
        lock_path = posixpath.join(base, "dvc.lock")
        lock = _first_mapping(ctx.index.yaml_documents(lock_path)) if lock_path in ctx.index else None
        lock_stages = lock.get("stages") if lock and isinstance(lock.get("stages"), dict) else {}
        outputs: set[str] = set()
        raw_inputs: list[tuple[str, str]] = []
        text = ctx.index.read_text(path)
        for name, stage in stages.items():
            wdir = _join(base, str(stage.get("wdir", "."))) if stage.get("wdir") else base
            line = key_line(text, name)
            for out, cached in _stage_paths(stage.get("outs")):
                target = _join(wdir, out)
                outputs.add(target)
                if not is_raw_path(target):
                    continue
                locked = any(has_hash(entry) and _join(wdir, str(entry.get("path", ""))) == target
                             for entry in (lock_stages.get(name) or {}).get("outs") or [] if isinstance(entry, dict))
                if not cached:
                    findings.append(Finding("partial", f"stage `{name}` writes raw data `{target}` with "
                                            "`cache: false`: DVC does not keep its versions", path, line))
                elif locked:
                    versioned.add(target)
                    findings.append(Finding("supports", f"stage `{name}` outputs raw data `{target}`, versioned by DVC "
                                            f"(hash in {lock_path})", path, line))
                else:
                    findings.append(Finding("partial", f"stage `{name}` outputs raw data `{target}` but no dvc.lock "
                                            "records its hash", path, line))
            for dep, _ in _stage_paths(stage.get("deps")):
                target = _join(wdir, dep)
                if is_raw_path(target) and not dep.endswith(".py"):
                    raw_inputs.append((name, target))
        for name, target in raw_inputs:
            if target in outputs or any(target == done or target.startswith(done + "/") for done in versioned):
                continue
            findings.append(Finding("partial", f"stage `{name}` reads raw data `{target}`, which DVC does not version "
                                    "(track it with `dvc add` or `dvc import`)", path, key_line(text, name)))
            break
    return findings


@detector(
    name="dvc-raw-data",
    items=(RAW,),
    looks_for="raw data versioned by DVC: a .dvc file (or a dvc.yaml stage output recorded in dvc.lock) for a raw-data "
    "path such as data/raw, with its hash",
)
def dvc_raw_data(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 7 from DVC (see the module docstring)."""
    yield from emit(ctx, RAW, _dvc_raw_findings(ctx))


# ======================================================================== item 7: Terraform
_BUCKET_TYPES = frozenset(
    {"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_object_lock_configuration", "google_storage_bucket",
     "azurerm_storage_account", "azurerm_storage_container_immutability_policy"}
)
_TERRAFORM_HINT = re.compile(r"versioning|object_lock|retention_policy|immutability")


@dataclass(frozen=True)
class _Protection:
    """One storage setting read from Terraform: what it protects and in which state."""

    what: str  # "versioning", "object lock", "retention policy", "immutability policy"
    state: Literal["on", "off", "unknown", "incomplete"]
    bucket: str  # the names that identify the bucket, for display and the raw test
    raw: bool
    line: int
    note: str = ""


def _bucket_names(ctx: DetectorContext) -> dict[str, str]:
    """``aws_s3_bucket`` resource names mapped to their bucket names, across the repository."""

    def compute() -> dict[str, str]:
        names: dict[str, str] = {}
        for path in ctx.index.with_suffix(".tf"):
            text = ctx.index.read_text(path)
            if text is None or '"aws_s3_bucket"' not in text:
                continue
            try:
                for block in hcl_blocks(text, frozenset({"aws_s3_bucket"})):
                    value = attribute(block, "bucket") or attribute(block, "bucket_prefix")
                    names[block.labels[1]] = string_value(value[0] if value else None) or block.labels[1]
            except HclError:
                continue
        return names

    return ctx.index.memo(("terraform-s3-bucket-names",), compute)


def _referenced_bucket(block: HclBlock, buckets: dict[str, str]) -> str:
    value = attribute(block, "bucket")
    if value is None:
        return block.labels[-1]
    literal = string_value(value[0])
    if literal is not None:
        return literal
    reference = re.match(r"aws_s3_bucket\.([\w-]+)\.", value[0])
    if reference:
        return buckets.get(reference.group(1), reference.group(1))
    return block.labels[-1]


def _state_of(value: tuple[str, int] | None, on: tuple[str, ...]) -> Literal["on", "off", "unknown"] | None:
    if value is None:
        return None
    text = value[0].strip()
    flag = bool_value(text)
    literal = string_value(text)
    if flag is True or (literal is not None and literal in on):
        return "on"
    if flag is False or literal is not None:
        return "off"
    return "unknown"


def _aws_bucket(block: HclBlock, raw: bool, name: str) -> Iterator[_Protection]:
    for versioning in nested_blocks(block, "versioning"):
        state = _state_of(attribute(versioning, "enabled"), ("true",))
        if state is not None:
            yield _Protection("versioning", state, name, raw, versioning.line)
    enabled = attribute(block, "object_lock_enabled")
    state = _state_of(enabled, ("Enabled",))
    if state is not None and enabled is not None:
        yield _Protection("object lock", state, name, raw, enabled[1])
    for lock in nested_blocks(block, "object_lock_configuration"):
        state = _state_of(attribute(lock, "object_lock_enabled"), ("Enabled",)) or "on"
        yield _Protection("object lock", state, name, raw, lock.line)


def _protections(ctx: DetectorContext, block: HclBlock, declared: bool) -> Iterator[_Protection]:
    kind, label = block.labels[0], block.labels[-1]
    if kind == "aws_s3_bucket":
        value = attribute(block, "bucket")
        name = string_value(value[0] if value else None) or label
        yield from _aws_bucket(block, declared or is_raw_name(f"{label} {name}"), name)
    elif kind == "aws_s3_bucket_versioning":
        name = _referenced_bucket(block, _bucket_names(ctx))
        raw = declared or is_raw_name(f"{label} {name}")
        for configuration in nested_blocks(block, "versioning_configuration"):
            state = _state_of(attribute(configuration, "status"), ("Enabled",))
            status = attribute(configuration, "status")
            note = f"status {status[0].strip(chr(34))}" if status else ""
            yield _Protection("versioning", state or "unknown", name, raw, configuration.line, note)
    elif kind == "aws_s3_bucket_object_lock_configuration":
        name = _referenced_bucket(block, _bucket_names(ctx))
        raw = declared or is_raw_name(f"{label} {name}")
        rules = nested_blocks(block, "rule")
        retention = [inner for rule in rules for inner in nested_blocks(rule, "default_retention")]
        mode = string_value((attribute(retention[0], "mode") or ("", 0))[0]) if retention else None
        if retention:
            yield _Protection("object lock", "on", name, raw, block.line, f"{mode or 'default'} retention")
        else:
            yield _Protection("object lock", "incomplete", name, raw, block.line)
    elif kind == "google_storage_bucket":
        value = attribute(block, "name")
        name = string_value(value[0] if value else None) or label
        raw = declared or is_raw_name(f"{label} {name}")
        for versioning in nested_blocks(block, "versioning"):
            state = _state_of(attribute(versioning, "enabled"), ("true",))
            if state is not None:
                yield _Protection("versioning", state, name, raw, versioning.line)
        for policy in nested_blocks(block, "retention_policy"):
            locked = bool_value((attribute(policy, "is_locked") or ("", 0))[0])
            period = attribute(policy, "retention_period")
            state = "on" if period is not None else "unknown"
            yield _Protection("retention policy", state, name, raw, policy.line, "locked" if locked else "")
    elif kind == "azurerm_storage_account":
        value = attribute(block, "name")
        name = string_value(value[0] if value else None) or label
        raw = declared or is_raw_name(f"{label} {name}")
        for properties in nested_blocks(block, "blob_properties"):
            state = _state_of(attribute(properties, "versioning_enabled"), ("true",))
            if state is not None:
                yield _Protection("versioning", state, name, raw, properties.line)
        for policy in nested_blocks(block, "immutability_policy"):
            yield _Protection("immutability policy", "on", name, raw, policy.line)
    elif kind == "azurerm_storage_container_immutability_policy":
        yield _Protection("immutability policy", "on", label, declared or is_raw_name(label), block.line)


def _module_protections(block: HclBlock, declared: bool) -> Iterator[_Protection]:
    source = string_value((attribute(block, "source") or ("", 0))[0]) or ""
    if not re.search(r"s3|bucket|storage|gcs", source, re.IGNORECASE):
        return
    value = attribute(block, "bucket") or attribute(block, "name")
    name = string_value(value[0] if value else None) or block.labels[0]
    raw = declared or is_raw_name(f"{block.labels[0]} {name}")
    for versioning in nested_blocks(block, "versioning"):
        state = _state_of(attribute(versioning, "enabled") or attribute(versioning, "status"), ("true", "Enabled"))
        if state is not None:
            yield _Protection("versioning", state, name, raw, versioning.line)
    flag = attribute(block, "versioning")
    if flag is not None and bool_value(flag[0]) is not None:
        yield _Protection("versioning", "on" if bool_value(flag[0]) else "off", name, raw, flag[1])
    lock = attribute(block, "object_lock_enabled")
    state = _state_of(lock, ("Enabled",))
    if state is not None and lock is not None:
        yield _Protection("object lock", state, name, raw, lock[1])


def _judge_protection(path: str, protection: _Protection) -> Finding | None:
    note = f", {protection.note}" if protection.note else ""
    where = f"{protection.what} on bucket `{protection.bucket}`{note}"
    if not protection.raw:
        if protection.state == "on":
            return Finding("partial", f"{where}, which is not named as raw data; declare the file under `evidence:` "
                           "if it holds the raw data", path, protection.line)
        return None
    if protection.state == "on":
        kept = "keeps every object version" if protection.what == "versioning" else "keeps objects from being changed"
        return Finding("supports", f"raw-data bucket `{protection.bucket}` {kept} ({protection.what}{note})", path,
                       protection.line)
    if protection.state == "off":
        return Finding("partial", f"{where} is turned off: overwritten raw objects are not kept", path, protection.line)
    if protection.state == "incomplete":
        return Finding("partial", f"{where} has no default retention rule, so objects are not locked unless each "
                       "upload asks for it", path, protection.line)
    return Finding("partial", f"{where} is set from an expression that a static scan cannot resolve", path,
                   protection.line)


def _terraform_findings(ctx: DetectorContext) -> list[Finding]:
    findings: list[Finding] = []
    declared = set(ctx.declared(RAW))
    for path in ctx.candidates(RAW, ctx.index.with_suffix(".tf")):
        if not path.endswith(".tf"):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _TERRAFORM_HINT.search(text):
            continue
        protections: list[_Protection] = []
        try:
            for block in hcl_blocks(text, _BUCKET_TYPES):
                protections.extend(_protections(ctx, block, path in declared))
            if re.search(r"\bmodule\s+\"", text):
                for block in module_blocks(text):
                    protections.extend(_module_protections(block, path in declared))
        except HclError as exc:
            findings.append(Finding("unreadable", f"could not decide from this file: {exc}", path))
            continue
        findings.extend(found for protection in protections if (found := _judge_protection(path, protection)))
    if any(found.verdict == "supports" for found in findings):
        findings = [found for found in findings if "not named as raw data" not in found.detail]
    return findings


@detector(
    name="raw-storage-terraform",
    items=(RAW,),
    looks_for="Terraform that versions or locks the raw-data bucket: S3 versioning Enabled or object lock, GCS "
    "versioning or a retention policy, Azure blob versioning or an immutability policy",
)
def raw_storage_terraform(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 7 from Terraform storage settings (see the module docstring)."""
    yield from emit(ctx, RAW, _terraform_findings(ctx))


# ======================================================================== item 7: table formats, lakeFS
_TABLE_FORMAT_HINT = Hint(("lakefs", "\"delta\"", "'delta'", "iceberg", "deltatable"))
_RAW_TABLE_SQL_HINT = Hint(
    ("delta", "iceberg", "appendonly"),
    re.compile(r"using\s+(?:delta|iceberg)\b|stored\s+as\s+iceberg|appendOnly", re.IGNORECASE),
)
_TABLE_TARGETS = frozenset({"save", "saveAsTable", "toTable", "parquet", "insertInto"})


def _format_write(call: ast.Call) -> tuple[str, str, object] | None:
    """(format, target, mode) of a Spark write to a Delta or Iceberg table."""
    if not isinstance(call.func, ast.Attribute):
        return None
    chain = method_chain(call)
    names = [name for name, _ in chain]
    calls = {name: node for name, node in chain if node is not None}
    if "writeTo" in names and names[-1] in ("append", "create", "createOrReplace", "replace", "overwritePartitions"):
        using = calls.get("using")
        table_format = constant(using.args[0]) if using is not None and using.args else "iceberg"
        write_to = calls.get("writeTo")
        target = constant(write_to.args[0]) if write_to is not None and write_to.args else ...
        mode = "append" if names[-1] in ("append", "create") else "overwrite"
        return (str(table_format), target, mode) if isinstance(target, str) else None
    if "write" not in names or names[-1] not in _TABLE_TARGETS:
        return None
    form = calls.get("format")
    table_format = constant(form.args[0]) if form is not None and form.args else constant(keyword(call, "format"))
    if not (isinstance(table_format, str) and table_format.lower() in ("delta", "iceberg")):
        return None
    target = constant(argument(call, 0, "path", "name", "tableName"))
    mode_call = calls.get("mode")
    mode = constant(mode_call.args[0]) if mode_call is not None and mode_call.args else constant(keyword(call, "mode"))
    return (table_format.lower(), target, mode) if isinstance(target, str) else None


def _lakefs_module(module: PythonModule) -> bool:
    return any(target.split(".")[0] in ("lakefs", "lakefs_client", "lakefs_sdk", "lakefs_spec")
               for target in module.aliases.values())


def _table_format_findings(ctx: DetectorContext) -> list[Finding]:
    findings: list[Finding] = []
    lakefs_users: list[tuple[str, int]] = []
    for module in hinted(python_sources(ctx, RAW, tests=False), _TABLE_FORMAT_HINT):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and (write := _format_write(node)) is not None:
                table_format, target, mode = write
                if not is_raw_table(target):
                    continue
                shown = "Iceberg" if table_format == "iceberg" else "Delta"
                line = call_line(node)
                if mode == "overwrite":
                    findings.append(Finding("partial", f"raw {shown} table `{target}` is overwritten in place "
                                            f"({module.path}:{line}); old versions last only until they are vacuumed",
                                            module.path, line))
                else:
                    findings.append(Finding("supports", f"raw data is written to the {shown} table `{target}`, "
                                            f"which keeps every version ({module.path}:{line})", module.path, line))
        for value, line in string_constants(module.tree):
            if value.startswith("lakefs://"):
                lakefs_users.append((module.path, line))
                if is_raw_path(value[len("lakefs://") :]):
                    findings.append(Finding("supports", f"raw data is kept in lakeFS, which versions every commit "
                                            f"(`lakefs://` raw path in {module.path}:{line})", module.path, line))
        if _lakefs_module(module):
            lakefs_users.append((module.path, 1))
    for sql in sql_texts(ctx, RAW, _RAW_TABLE_SQL_HINT):
        findings.extend(_raw_table_sql(sql))
    if lakefs_users and not any("lakeFS" in found.detail for found in findings):
        path, line = lakefs_users[0]
        findings.append(Finding("partial", f"lakeFS is used ({path}) but no raw-data path is kept under it", path,
                                line))
    return findings


_CREATE_TABLE = re.compile(
    r"\bcreate\s+(?:or\s+replace\s+)?(?:external\s+)?table\s+(?:if\s+not\s+exists\s+)?([\w.`\"]+)", re.IGNORECASE
)
_ALTER_TABLE = re.compile(r"\balter\s+table\s+([\w.`\"]+)", re.IGNORECASE)


def _raw_table_sql(sql: SqlText) -> list[Finding]:
    findings: list[Finding] = []
    for offset, statement in sql_statements(sql):
        created = _CREATE_TABLE.search(statement) or _ALTER_TABLE.search(statement)
        if created is None:
            continue
        table = created.group(1).strip("`\"")
        if not is_raw_table(table):
            continue
        line = sql.line(offset + created.start())
        original = sql.text[offset : offset + len(statement)]
        if re.search(r"['\"]delta\.appendOnly['\"]\s*=\s*['\"]?true", original, re.IGNORECASE):
            findings.append(Finding("supports", f"raw table `{table}` is append-only (`delta.appendOnly`)", sql.path,
                                    line))
        elif re.search(r"\busing\s+(delta|iceberg)\b|\bstored\s+as\s+iceberg\b", statement, re.IGNORECASE):
            shown = "Iceberg" if "iceberg" in statement.lower() else "Delta"
            findings.append(Finding("supports", f"raw table `{table}` is a {shown} table, which keeps every version",
                                    sql.path, line))
    return findings


@detector(
    name="raw-table-format",
    items=(RAW,),
    looks_for="raw data kept in versioned table formats or stores: Delta/Iceberg raw tables (appended, or "
    "delta.appendOnly), lakeFS paths",
)
def raw_table_format(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 7 from Delta/Iceberg tables and lakeFS (see the module docstring)."""
    yield from emit(ctx, RAW, _table_format_findings(ctx))


# ======================================================================== item 7: written policy
_RAW_HEADING = re.compile(r"\braw\b|landing|bronze|source data", re.IGNORECASE)
_IMMUTABLE_HEADING = re.compile(r"immutab|write[- ]once|read[- ]only|append[- ]only", re.IGNORECASE)
_IMMUTABLE_TEXT = re.compile(
    r"immutable|read[- ]only|write[- ]once|append[- ]only|\bworm\b|"
    r"never (?:be )?(?:modified|edited|changed|overwritten|deleted|updated|rewritten)|"
    r"(?:not|never) (?:be )?(?:modified|edited|changed|overwritten|updated) in place|"
    r"must not be (?:modified|edited|changed|overwritten|deleted|updated)",
    re.IGNORECASE,
)


def _policy_section(document: MarkdownDocument) -> int | None:
    for section in document.sections:
        title = section.title.replace("`", "")
        if not (_RAW_HEADING.search(title) or _IMMUTABLE_HEADING.search(title)):
            continue
        lines = [text for part in document.subtree(section) for _, text in part.text_lines() if is_substantive(text)]
        about_raw = _RAW_HEADING.search(title) or any(re.search(r"\braw\b", text, re.IGNORECASE) for text in lines)
        if about_raw and (_IMMUTABLE_HEADING.search(title) or any(_IMMUTABLE_TEXT.search(text) for text in lines)):
            if lines:
                return section.line
    return None


@detector(
    name="raw-data-policy",
    items=(RAW,),
    looks_for="a documented policy that raw data is write-once / read-only (partial on its own: nothing enforces it)",
)
def raw_data_policy(ctx: DetectorContext) -> Iterator[Evidence]:
    """Partial evidence for item 7 from a written raw-data policy (see the module docstring)."""
    for path in markdown_paths(ctx, RAW):
        text = ctx.index.read_text(path)
        if text is None or not _RAW_HEADING.search(text) or not _IMMUTABLE_TEXT.search(text):
            continue
        document = ctx.index.markdown(path)
        line = _policy_section(document) if document is not None else None
        if line is not None:
            yield ctx.partial(RAW, f"{path} says raw data is write-once; a written policy alone does not enforce it "
                              "(object versioning or lock, DVC, lakeFS or Delta on the raw data does)", path=path, line=line)


DETECTORS: tuple[Detector, ...] = (
    point_in_time_retrieval,
    point_in_time_sql,
    leakage_tests,
    null_rules_spec,
    null_rules_table,
    null_handling_code,
    idempotency_tests,
    dvc_pipeline_lock,
    write_semantics,
    dvc_raw_data,
    raw_storage_terraform,
    raw_table_format,
    raw_data_policy,
)

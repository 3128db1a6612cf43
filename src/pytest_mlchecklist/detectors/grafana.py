"""Reading Grafana dashboards kept as code: panels, their queries and titles.

Shared by every detector that looks for dashboards (data quality, drift, dashboards per
audience...). Nothing here decides an item; it turns files into :class:`Dashboard` objects:

* **Where dashboards are found** (:func:`dashboards`):

  - JSON files holding a dashboard, as exported from Grafana (with or without ``__inputs``),
    wrapped for the HTTP API (``{"dashboard": {...}}``), or as a Grafana 12 resource
    (``{"kind": "Dashboard", "spec": {...}}``). Chosen by the text hints ``"panels"``,
    ``"rows"`` or ``"elements"``; decided by structure;
  - grafana-operator ``GrafanaDashboard`` resources (``spec.json`` holding the dashboard JSON;
    ``spec.url``, ``spec.configMapRef``, ``spec.grafanaCom``, ``spec.gzipJson`` and jsonnet
    sources are recorded as *external*: their panels are not in the file);
  - Kubernetes ``ConfigMap`` objects whose ``data`` values are dashboard JSON (the Grafana
    sidecar convention, label ``grafana_dashboard``), Helm templates included;
  - ``kind: Dashboard`` resources in YAML (Grizzly, Grafana 12) whose ``spec`` is a dashboard.

* **What a dashboard holds**: its title, uid and :class:`Panel` objects, flattened from the
  top-level ``panels`` list, the panels nested in ``row`` panels (collapsed rows keep theirs),
  the legacy ``rows[].panels`` layout and the Grafana 12 ``spec.elements`` layout. Row panels
  themselves are not panels; each panel remembers the title of its row. A panel's
  :class:`Query` objects come from its ``targets`` (``expr`` for Prometheus/Loki, ``rawSql`` /
  ``rawSQL`` / ``sql`` for SQL sources, ``query`` / ``queryText`` for InfluxDB, Flux,
  Elasticsearch and others, ``target`` for Graphite); server-side expressions
  (``__expr__``) and empty queries are skipped. A library panel reference has no queries in the
  file and is flagged as such.

* **Empty dashboards**: :attr:`Dashboard.empty` is true when no panel has a query (no panels
  at all, only rows, or panels without targets).

Lines: a panel's line is the line of its ``"title"`` in the JSON text (the n-th panel with a
given title takes the n-th such line); for JSON embedded in YAML it is counted from the line of
the key holding the block. A file or embedded JSON that does not parse is listed as unreadable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.prometheus import HELM_PLACEHOLDER, is_templated, line_of_mapping, yaml_with_lines
from pytest_mlchecklist.repo import RepoIndex

#: Keys of a target that hold its query text, by data source family.
QUERY_FIELDS = ("expr", "rawSql", "rawSQL", "sql", "query", "queryText", "target")
_EXTERNAL_SOURCES = ("url", "configMapRef", "grafanaCom", "gzipJson", "jsonnet", "jsonnetLib", "gzipJsonnet")
_DASHBOARD_KEYS = ("title", "uid", "schemaVersion", "time", "templating", "layout")
_JSON_HINTS = ('"panels"', '"rows"', '"elements"')


@dataclass(frozen=True)
class Query:
    """One query of a panel: the query text, the target key it came from and the data source."""

    text: str
    field: str
    datasource: str | None = None
    ref_id: str | None = None


@dataclass(frozen=True)
class Panel:
    """A panel (not a row) with its queries."""

    title: str
    type: str
    queries: tuple[Query, ...]
    line: int | None = None
    row: str | None = None
    description: str = ""
    library: bool = False


@dataclass(frozen=True)
class Dashboard:
    """A dashboard kept in the repository."""

    path: str
    title: str
    uid: str | None
    panels: tuple[Panel, ...]
    line: int | None = None
    source: str = "json"
    resource: str | None = None

    @property
    def empty(self) -> bool:
        """True when no panel has a query."""
        return not any(panel.queries for panel in self.panels)

    @property
    def label(self) -> str:
        """``Grafana dashboard `Fraud scoring``` for details."""
        return f"Grafana dashboard `{self.title}`"

    def queries(self) -> Iterator[tuple[Panel, Query]]:
        """Every (panel, query) pair of the dashboard."""
        for panel in self.panels:
            for query in panel.queries:
                yield panel, query


@dataclass(frozen=True)
class ExternalDashboard:
    """A ``GrafanaDashboard`` whose content is elsewhere (a URL, a ConfigMap, grafana.com...)."""

    path: str
    name: str
    source: str
    line: int | None = None


@dataclass
class DashboardIndex:
    """Every dashboard of a repository, external references, and candidates that do not parse
    (``(path, reason)``; the reason is ``None`` when the index recorded it)."""

    dashboards: list[Dashboard] = field(default_factory=list)
    external: list[ExternalDashboard] = field(default_factory=list)
    unreadable: list[tuple[str, str | None]] = field(default_factory=list)

    def in_paths(self, paths: set[str]) -> list[Dashboard]:
        """The dashboards found in ``paths``."""
        return [dashboard for dashboard in self.dashboards if dashboard.path in paths]


# ====================================================================== finding dashboards
def is_json_candidate(text: str) -> bool:
    """Cheap text hint that a JSON file may hold a dashboard."""
    return any(hint in text for hint in _JSON_HINTS)


def is_yaml_candidate(text: str) -> bool:
    """Cheap text hint that a YAML file may hold a dashboard resource or ConfigMap."""
    if "GrafanaDashboard" in text:
        return True
    if "ConfigMap" in text and ("panels" in text or "grafana_dashboard" in text):
        return True
    return bool(re.search(r"^kind:\s*Dashboard\s*$", text, re.MULTILINE))


def dashboards(index: RepoIndex) -> DashboardIndex:
    """Every dashboard of the repository, read once per scan (shared by all detectors)."""

    def compute() -> DashboardIndex:
        result = DashboardIndex()
        for path in index.with_suffix(".json", ".yaml", ".yml"):
            read_dashboard_file(index, path, result)
        return result

    return index.memo(("grafana", "dashboards"), compute)


def read_dashboard_file(index: RepoIndex, path: str, into: DashboardIndex) -> None:
    """Add the dashboards of one file (if its text hints at any) to ``into``."""
    text = index.read_text(path)
    if text is None:
        return
    if path.lower().endswith(".json"):
        if not is_json_candidate(text):
            return
        data = index.json_data(path)
        if data is None:
            into.unreadable.append((path, None))
            return
        dashboard = as_dashboard(data)
        if dashboard is not None:
            into.dashboards.append(build_dashboard(path, dashboard, text))
        return
    if not is_yaml_candidate(text):
        return
    documents = yaml_with_lines(index, path)
    if documents is None:
        into.unreadable.append((path, None))
        return
    for document in documents:
        if isinstance(document, dict):
            _read_resource(path, document, text, into)


def as_dashboard(data: Any) -> dict[str, Any] | None:
    """The dashboard mapping in parsed JSON/YAML (unwrapping the API and resource envelopes),
    or ``None`` when it is not a dashboard."""
    if not isinstance(data, dict):
        return None
    for key in ("dashboard", "spec"):
        inner = data.get(key)
        if isinstance(inner, dict) and _is_dashboard(inner):
            return inner
    return data if _is_dashboard(data) else None


def _is_dashboard(data: dict[str, Any]) -> bool:
    has_layout = (
        isinstance(data.get("panels"), list)
        or (isinstance(data.get("rows"), list) and all(isinstance(row, dict) for row in data["rows"]))
        or isinstance(data.get("elements"), dict)
    )
    return has_layout and any(key in data for key in _DASHBOARD_KEYS)


def _read_resource(path: str, document: dict[str, Any], text: str, into: DashboardIndex) -> None:
    kind = document.get("kind")
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    name = str(metadata.get("name") or "(unnamed)").replace(HELM_PLACEHOLDER, "{{…}}")
    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    start = line_of_mapping(document)
    if kind == "GrafanaDashboard":
        raw = spec.get("json")
        if isinstance(raw, str) and raw.strip() and not is_templated(raw):
            _read_embedded(path, raw, "json", text, start, "GrafanaDashboard", name, into)
            return
        if isinstance(spec.get("dashboard"), dict) and _is_dashboard(spec["dashboard"]):
            built = build_dashboard(path, spec["dashboard"], None, source="GrafanaDashboard", resource=name, line=start)
            into.dashboards.append(built)
            return
        source = next((key for key in _EXTERNAL_SOURCES if spec.get(key)), "templated" if is_templated(raw) else "none")
        into.external.append(ExternalDashboard(path, name, source, start))
    elif kind == "ConfigMap":
        data = document.get("data") if isinstance(document.get("data"), dict) else {}
        for key, value in data.items():
            if isinstance(value, str) and not is_templated(value) and ("panels" in value or str(key).endswith(".json")):
                _read_embedded(path, value, str(key), text, start, "ConfigMap", name, into)
    elif kind == "Dashboard" and _is_dashboard(spec):
        into.dashboards.append(build_dashboard(path, spec, None, source="Dashboard resource", resource=name, line=start))


def _read_embedded(
    path: str, raw: str, key: str, text: str, start: int | None, source: str, resource: str, into: DashboardIndex
) -> None:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        into.unreadable.append((path, f"the dashboard JSON in `{key}` of {source} `{resource}` does not parse ({exc.msg})"))
        return
    dashboard = as_dashboard(data)
    if dashboard is None:
        return
    key_line = _key_line(text, key, start or 1)
    block = key_line is not None and re.search(r":\s*[|>][-+0-9]*\s*$", text.splitlines()[key_line - 1]) is not None
    offset = key_line if block and key_line is not None else None
    built = build_dashboard(path, dashboard, raw, source=source, resource=resource, line=key_line or start, offset=offset)
    into.dashboards.append(built)


def _key_line(text: str, key: str, start: int) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*:")
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and pattern.search(line):
            return number
    return None


# ====================================================================== panels and queries
def build_dashboard(
    path: str,
    data: dict[str, Any],
    text: str | None,
    *,
    source: str = "json",
    resource: str | None = None,
    line: int | None = None,
    offset: int | None = None,
) -> Dashboard:
    """A :class:`Dashboard` from its parsed mapping; ``text`` (the JSON text) gives panel lines,
    shifted by ``offset`` when the JSON is embedded in a YAML block."""
    title = _title(data.get("title")) or resource or "(untitled)"
    uid = data.get("uid") if isinstance(data.get("uid"), str) else None
    raw_panels = list(iter_panels(data))
    title_lines = _title_lines(text) if text is not None else {}
    seen: dict[str, int] = {}
    panels = []
    for raw, row in raw_panels:
        panel_title = _title(raw.get("title"))
        line_number = None
        lines = title_lines.get(panel_title, [])
        position = seen.get(panel_title, 0)
        if position < len(lines):
            line_number = lines[position] + (offset or 0)
            seen[panel_title] = position + 1
        panels.append(_panel(raw, row, line_number or line))
    return Dashboard(path, title, uid, tuple(panels), line, source, resource)


def iter_panels(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every panel of a dashboard mapping with the title of its row (rows themselves excluded)."""
    panels = data.get("panels")
    if isinstance(panels, list):
        yield from _panels_of(panels, None)
    rows = data.get("rows")
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("panels"), list):
                yield from _panels_of(row["panels"], _title(row.get("title")) or None)
    elements = data.get("elements")
    if isinstance(elements, dict):
        for element in elements.values():
            if isinstance(element, dict) and isinstance(element.get("spec"), dict):
                yield _v2_panel(element), None


def _panels_of(panels: list[Any], row: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Panels in order. An expanded row keeps its panels after it at the same level (they belong
    to it until the next row); a collapsed row holds them in its own ``panels``."""
    current_row = row
    for panel in panels:
        if not isinstance(panel, dict):
            continue
        nested = panel.get("panels")
        if panel.get("type") == "row":
            current_row = _title(panel.get("title")) or None
            if isinstance(nested, list):
                yield from _panels_of(nested, current_row)
            continue
        yield panel, current_row


def _v2_panel(element: dict[str, Any]) -> dict[str, Any]:
    """A Grafana 12 (v2 schema) element as a classic panel mapping with ``targets``."""
    spec = element["spec"]
    targets: list[dict[str, Any]] = []
    data = spec.get("data") if isinstance(spec.get("data"), dict) else {}
    group = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    queries = group.get("queries")
    for entry in queries if isinstance(queries, list) else []:
        entry_spec = entry.get("spec") if isinstance(entry, dict) else None
        query = entry_spec.get("query") if isinstance(entry_spec, dict) else None
        if isinstance(query, dict) and isinstance(query.get("spec"), dict):
            target = dict(query["spec"])
            target["datasource"] = {"type": query.get("group") or query.get("kind")}
            targets.append(target)
    panel_type = spec.get("vizConfig", {}).get("kind") if isinstance(spec.get("vizConfig"), dict) else None
    return {
        "title": spec.get("title"),
        "type": panel_type or element.get("kind") or "panel",
        "targets": targets,
        "description": spec.get("description"),
        "libraryPanel": element.get("kind") == "LibraryPanel" or None,
    }


def _panel(raw: dict[str, Any], row: str | None, line: int | None) -> Panel:
    datasource = _datasource(raw.get("datasource"))
    queries = []
    targets = raw.get("targets")
    for target in targets if isinstance(targets, list) else []:
        query = _query(target, datasource)
        if query is not None:
            queries.append(query)
    description = raw.get("description")
    return Panel(
        title=_title(raw.get("title")),
        type=str(raw.get("type") or "panel"),
        queries=tuple(queries),
        line=line,
        row=row,
        description=description.strip() if isinstance(description, str) else "",
        library=bool(raw.get("libraryPanel")),
    )


def _query(target: Any, panel_datasource: str | None) -> Query | None:
    if not isinstance(target, dict) or target.get("hide") is True:
        return None
    datasource = _datasource(target.get("datasource")) or panel_datasource
    if datasource == "__expr__":
        return None
    for key in QUERY_FIELDS:
        value = target.get(key)
        if isinstance(value, str) and value.strip() and not is_templated(value):
            ref_id = target.get("refId")
            return Query(value.strip(), key, datasource, ref_id if isinstance(ref_id, str) else None)
    return None


def _datasource(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type") or value.get("uid")
        return str(kind) if kind else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _title(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _title_lines(text: str) -> dict[str, list[int]]:
    """Lines of every ``"title": "..."`` in a JSON text, by decoded title."""
    found: dict[str, list[int]] = {}
    pattern = re.compile(r'"title"\s*:\s*("(?:[^"\\]|\\.)*")')
    for number, line in enumerate(text.splitlines(), start=1):
        for match in pattern.finditer(line):
            try:
                title = json.loads(match.group(1))
            except ValueError:
                continue
            if isinstance(title, str):
                found.setdefault(title.strip(), []).append(number)
    return found

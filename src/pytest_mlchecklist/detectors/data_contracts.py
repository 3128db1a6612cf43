"""Item 10 (upstream-change-notice): the teams that produce the input data tell you before it
changes, through an agreed mechanism. Four detectors, each deciding from content:

``data-contract``
    YAML/JSON parsed as data contracts:

    * Data Contract Specification (``dataContractSpecification``): ``models`` with at least
      one model and ``info.owner`` or ``info.contact``: ``supports``; without an owner or
      contact, or without models: ``partial``.
    * Open Data Contract Standard (``kind: DataContract`` with an ``apiVersion``): a
      ``schema`` (v3) or ``dataset`` (v2) that is not empty and a named owner (``team``,
      ``stakeholders``, ``owner``, ``support`` channels, ``productDl``...): ``supports``; one of
      the two missing: ``partial``.
    * dbt ``models``/``sources`` entries (and ``dbt_project.yml`` folders) with
      ``contract: {enforced: true}`` (directly or under ``config``/``+contract``):
      ``supports``; ``enforced: false`` is nothing.
``schema-registry-compatibility``
    A compatibility level that stops producers breaking consumers: ``compatibility``,
    ``compatibilityLevel``, ``compatibility_level`` keys in YAML/JSON that talk about schemas
    (Confluent for Kubernetes ``Schema``, registry configs), ``SCHEMA_REGISTRY_*COMPATIBILITY*``
    environment entries, ``*.compatibility.level`` in ``.properties``, Terraform
    ``confluent_subject_config`` / ``confluent_schema_registry_cluster_config`` / Aiven schema
    resources (``compatibility_level``). BACKWARD, FORWARD, FULL (and ``_TRANSITIVE``):
    ``supports``; ``NONE``: ``partial`` (it lets any change through).
``codeowners-schemas``
    A CODEOWNERS rule (``./``, ``.github/``, ``.gitlab/``, ``docs/``) whose pattern covers
    schema or contract files that exist in the repository (``schemas/``, ``*.avsc``,
    ``*.proto``, ``contracts/``...) and names owners other than the default (``*``) owners:
    ``supports``; the same owners as everything else: ``partial``.
``upstream-sources-doc``
    A Markdown section headed data sources / upstream / inputs / producers / data
    dependencies / data contracts. Its sources are the rows of its tables (or its list items;
    otherwise the section is one source). Each source needs an owner (an owner / producer /
    team / contact column, or an ``@handle``, e-mail address or "owned by" in its item), and
    changes need a channel where they are announced (a channel / notification / announcement
    column, or a sentence saying changes are announced / notified / subscribed to with a
    concrete channel: ``#slack-channel``, an e-mail list, a mailing list, an RSS feed...).

    * every source has an owner and there is a channel: ``supports``;
    * some sources without an owner, or no channel: ``partial``, saying which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pathspec import GitIgnoreSpec

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.model_docs import (
    MarkdownTable,
    cell_text,
    markdown_paths,
    markdown_tables,
    subtree_end,
    top_level_matches,
    unit_lines,
)
from pytest_mlchecklist.detectors.monitoring import codeowners_rules
from pytest_mlchecklist.detectors.python_code import is_test_path
from pytest_mlchecklist.detectors.terraform import HclError, hcl_blocks
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

ITEM = "upstream-change-notice"

_STRUCTURED = (".yaml", ".yml", ".json")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def _line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _filled(value: Any) -> bool:
    """True for a value that says something: a non-placeholder string, or a non-empty collection."""
    if isinstance(value, str):
        return is_substantive(value)
    if isinstance(value, dict):
        return any(_filled(child) for child in value.values())
    if isinstance(value, list):
        return any(_filled(child) for child in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _label(value: Any, fallback: str) -> str:
    if isinstance(value, str) and is_substantive(value):
        text = " ".join(value.split())
        return text if len(text) <= 40 else text[:39] + "…"
    return fallback


# ====================================================================== data contracts and dbt
def _judge_datacontract(ctx: DetectorContext, path: str, document: dict[str, Any], line: int | None) -> Evidence:
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    name = _label(document.get("id") or info.get("title"), "(unnamed)")
    models = document.get("models")
    model_count = len(models) if isinstance(models, (dict, list)) and _filled(models) else 0
    owned = _filled(info.get("owner")) or _filled(info.get("contact"))
    where = {"path": path, "line": line}
    if model_count and owned:
        return ctx.supports(ITEM, f"data contract `{name}` defines {_count(model_count, 'model')} with a named owner",
                            **where)
    if model_count:
        return ctx.partial(ITEM, f"data contract `{name}` defines {_count(model_count, 'model')} but names no owner or "
                           "contact (`info.owner`)", **where)
    return ctx.partial(ITEM, f"data contract `{name}` defines no models, so it promises no schema", **where)


_ODCS_OWNER_KEYS = ("team", "stakeholders", "owner", "support", "productDl", "productSlackChannel", "contact", "roles")


def _judge_odcs(ctx: DetectorContext, path: str, document: dict[str, Any], line: int | None) -> Evidence:
    name = _label(document.get("name") or document.get("id") or document.get("datasetName"), "(unnamed)")
    schema = document.get("schema") if "schema" in document else document.get("dataset")
    objects = len(schema) if isinstance(schema, list) and _filled(schema) else 0
    owned = any(_filled(document.get(key)) for key in _ODCS_OWNER_KEYS)
    where = {"path": path, "line": line}
    if objects and owned:
        return ctx.supports(ITEM, f"ODCS data contract `{name}` defines {_count(objects, 'schema object')} with its "
                            "owners or support channel", **where)
    if objects:
        return ctx.partial(ITEM, f"ODCS data contract `{name}` defines a schema but no team, owner or support channel",
                           **where)
    return ctx.partial(ITEM, f"ODCS data contract `{name}` has no schema", **where)


def _enforced(config: Any) -> bool:
    if not isinstance(config, dict):
        return False
    for key in ("contract", "+contract"):
        contract = config.get(key)
        if isinstance(contract, dict) and contract.get("enforced") is True:
            return True
    return False


def _dbt_contracts(document: Any) -> list[tuple[str, str, int]]:
    """(kind, name, typed columns) of dbt models/sources entries whose contract is enforced."""
    found: list[tuple[str, str, int]] = []
    if not isinstance(document, dict):
        return found
    for kind in ("models", "sources"):
        entries = document.get(kind)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if _enforced(entry) or _enforced(entry.get("config")):
                columns = entry.get("columns")
                typed = sum(
                    1 for column in columns if isinstance(column, dict) and _filled(column.get("data_type"))
                ) if isinstance(columns, list) else 0
                found.append((kind[:-1], _label(entry.get("name"), "(unnamed)"), typed))
    return found


def _dbt_project_contracts(document: Any) -> list[str]:
    """Folders of ``dbt_project.yml`` whose models get ``+contract: {enforced: true}``."""
    found: list[str] = []
    models = document.get("models") if isinstance(document, dict) else None
    stack: list[tuple[str, Any]] = [("", models)]
    while stack:
        prefix, node = stack.pop()
        if not isinstance(node, dict):
            continue
        if _enforced(node):
            found.append(prefix or "all models")
        for key, child in node.items():
            if isinstance(child, dict) and not str(key).startswith("+") and str(key) not in ("contract", "config"):
                stack.append((f"{prefix}.{key}" if prefix else str(key), child))
    return sorted(found)


@detector(
    name="data-contract",
    items=(ITEM,),
    looks_for="data contracts with a schema and an owner (`datacontract.yaml` / Data Contract Specification, ODCS "
    "`kind: DataContract`) or dbt models/sources with `contract: {enforced: true}`",
)
def data_contract(ctx: DetectorContext) -> Iterator[Evidence]:
    """Data contract files and enforced dbt contracts."""
    declared = set(ctx.declared(ITEM))
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(*_STRUCTURED)):
        if not path.lower().endswith(_STRUCTURED) or (is_test_path(path) and path not in declared):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            continue
        is_contract = "dataContractSpecification" in text or re.search(r"\bkind\W{0,3}:\s*[\"']?DataContract\b", text)
        is_dbt = "contract" in text and "enforced" in text
        if not (is_contract or is_dbt):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        yield from _judge_contract_documents(ctx, path, text, documents)


def _judge_contract_documents(ctx: DetectorContext, path: str, text: str, documents: list[Any]) -> Iterator[Evidence]:
    for document in documents:
        if not isinstance(document, dict):
            continue
        if "dataContractSpecification" in document and _filled(document.get("dataContractSpecification")):
            yield _judge_datacontract(ctx, path, document, _line_of(text, r"dataContractSpecification"))
            continue
        if document.get("kind") == "DataContract" and _filled(document.get("apiVersion")):
            yield _judge_odcs(ctx, path, document, _line_of(text, r"\bkind\W{0,3}:\s*[\"']?DataContract"))
            continue
        contracts = _dbt_contracts(document)
        if contracts:
            kind, name, typed = contracts[0]
            more = f" (and {_count(len(contracts) - 1, 'other')})" if len(contracts) > 1 else ""
            columns = f", {_count(typed, 'typed column')}" if typed else ""
            yield ctx.supports(ITEM, f"dbt {kind} `{name}` enforces its contract{columns}{more}", path=path,
                               line=_line_of(text, rf"name:\s*[\"']?{re.escape(name)}\b"))
            continue
        if path.rsplit("/", 1)[-1] == "dbt_project.yml":
            folders = _dbt_project_contracts(document)
            if folders:
                yield ctx.supports(ITEM, f"dbt project enforces contracts on models under `{folders[0]}`"
                                   + (f" and {_count(len(folders) - 1, 'other folder')}" if len(folders) > 1 else ""),
                                   path=path, line=_line_of(text, r"\+?contract\s*:"))


# ====================================================================== schema registry compatibility
_ENFORCING_LEVELS = frozenset(
    {"BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}
)
_SPECIFIC_KEYS = re.compile(
    r"^(?:compatibilityLevel|compatibility_level|compatibility-level|schema\.compatibility\.level|avro\.compatibility\.level"
    r"|SCHEMA_REGISTRY_(?:SCHEMA|AVRO)_COMPATIBILITY_LEVEL)$",
    re.IGNORECASE,
)
_SCHEMA_CONTEXT = re.compile(r"schema|subject|registry|avro|protobuf|kafka|topic", re.IGNORECASE)
_TERRAFORM_TYPES = frozenset(
    {"confluent_subject_config", "confluent_schema_registry_cluster_config", "aiven_kafka_schema",
     "aiven_kafka_schema_configuration", "confluent_schema"}
)


@dataclass(frozen=True)
class _Compatibility:
    level: str
    subject: str | None
    line: int | None


def _yaml_compatibility(text: str, documents: list[Any]) -> list[_Compatibility]:
    found: list[_Compatibility] = []
    for document in documents:
        found.extend(_document_compatibility(text, document))
    return found


def _resource_name(document: Any) -> str | None:
    """``metadata.name`` of a Confluent for Kubernetes ``Schema`` (it is the subject)."""
    if not isinstance(document, dict) or document.get("kind") != "Schema":
        return None
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) and is_substantive(name) else None


def _document_compatibility(text: str, document: Any) -> list[_Compatibility]:
    found: list[_Compatibility] = []
    context = bool(_SCHEMA_CONTEXT.search(text))
    fallback_subject = _resource_name(document)
    for node in iter_nodes(document):
        pairs: list[tuple[str, Any, dict[str, Any] | None]] = []
        if isinstance(node, dict):
            pairs.extend((str(key), value, node) for key, value in node.items())
        elif isinstance(node, list):
            for entry in node:
                if isinstance(entry, str) and "=" in entry:
                    key, _, value = entry.partition("=")
                    pairs.append((key.strip(), value.strip(), None))
        for key, value, owner in pairs:
            specific = bool(_SPECIFIC_KEYS.match(key))
            if not (specific or (key.lower() == "compatibility" and context)):
                continue
            if not isinstance(value, str) or not value.strip():
                continue
            level = value.strip().upper()
            if level not in _ENFORCING_LEVELS and level != "NONE":
                continue
            subject = fallback_subject
            if owner is not None:
                for subject_key in ("subject", "subjectName", "subject_name", "name"):
                    if isinstance(owner.get(subject_key), str):
                        subject = owner[subject_key]
                        break
            line = _line_of(text, rf"{re.escape(key)}[\"']?\s*[:=]\s*[\"']?{re.escape(value.strip())}")
            found.append(_Compatibility(level, subject, line))
    return found


def _properties_compatibility(text: str) -> list[_Compatibility]:
    found: list[_Compatibility] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, separator, value = _split_property(line)
        if not separator or not key.lower().endswith("compatibility.level"):
            continue
        level = value.strip().upper()
        if level in _ENFORCING_LEVELS or level == "NONE":
            found.append(_Compatibility(level, None, number))
    return found


def _split_property(line: str) -> tuple[str, str, str]:
    match = re.match(r"^([^=:\s]+)\s*([=:])\s*(.*)$", line)
    if match is None:
        return line, "", ""
    return match.group(1), match.group(2), match.group(3)


def _terraform_compatibility(text: str) -> list[_Compatibility]:
    found: list[_Compatibility] = []
    for block in hcl_blocks(text, _TERRAFORM_TYPES):
        level = re.search(r"\bcompatibility_level\s*=\s*\"([A-Za-z_]+)\"", block.source)
        if level is None:
            continue
        subject = re.search(r"\bsubject_name\s*=\s*\"([^\"$]+)\"", block.source)
        found.append(_Compatibility(level.group(1).upper(), subject.group(1) if subject else None, block.line))
    return found


def _describe_compatibility(found: _Compatibility) -> str:
    target = f"subject `{found.subject}`" if found.subject else "schema registry"
    if found.level == "NONE":
        return f"{target} sets compatibility NONE"
    return f"{target} requires {found.level} compatibility"


@detector(
    name="schema-registry-compatibility",
    items=(ITEM,),
    looks_for="a schema registry compatibility level (BACKWARD, FORWARD, FULL) in registry configs, Kubernetes `Schema` "
    "resources, `.properties` or Terraform `confluent_subject_config`",
)
def schema_registry_compatibility(ctx: DetectorContext) -> Iterator[Evidence]:
    """Schema registry compatibility levels that block breaking schema changes."""
    paths = ctx.index.with_suffix(*_STRUCTURED, ".properties", ".tf")
    declared = set(ctx.declared(ITEM))
    for path in ctx.candidates(ITEM, paths):
        lowered = path.lower()
        if not lowered.endswith((*_STRUCTURED, ".properties", ".tf")) or (is_test_path(path) and path not in declared):
            continue
        text = ctx.index.read_text(path)
        if text is None or "compatibility" not in text.lower():
            continue
        if lowered.endswith(".tf"):
            if not any(f'"{kind}"' in text for kind in _TERRAFORM_TYPES):
                continue
            try:
                found = _terraform_compatibility(text)
            except HclError as exc:
                yield ctx.evidence(ITEM, f"could not decide from this file: {exc}", verdict="unreadable", path=path)
                continue
        elif lowered.endswith(".properties"):
            found = _properties_compatibility(text)
        else:
            documents = ctx.index.structured(path)
            if documents is None:
                yield ctx.unreadable(ITEM, path)
                continue
            found = _yaml_compatibility(text, documents)
        enforcing = [entry for entry in found if entry.level in _ENFORCING_LEVELS]
        if enforcing:
            first = enforcing[0]
            more = f" (and {_count(len(enforcing) - 1, 'other setting')})" if len(enforcing) > 1 else ""
            yield ctx.supports(ITEM, _describe_compatibility(first) + more, path=path, line=first.line)
        elif found:
            yield ctx.partial(ITEM, f"{_describe_compatibility(found[0])}, which lets any schema change through; use "
                              "BACKWARD or FULL", path=path, line=found[0].line)


# ====================================================================== CODEOWNERS on shared schemas
_CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
_SCHEMA_PATTERN = re.compile(r"schema|contract|\.avsc\b|\.avdl\b|\.proto\b|\bavro\b|\bprotos?\b|\bproto/", re.IGNORECASE)


def _pattern_files(ctx: DetectorContext, pattern: str) -> int:
    try:
        spec = GitIgnoreSpec.from_lines([pattern])
    except Exception:  # noqa: BLE001 - a pattern pathspec rejects covers nothing
        return 0
    return sum(1 for path in ctx.index.files if spec.match_file(path))


@detector(
    name="codeowners-schemas",
    items=(ITEM,),
    looks_for="a CODEOWNERS rule giving shared schema or contract files (schemas/, *.avsc, *.proto) their own "
    "owners, so that the owning team reviews every change",
)
def codeowners_schemas(ctx: DetectorContext) -> Iterator[Evidence]:
    """CODEOWNERS rules that make schema changes go through their owners."""
    for path in _CODEOWNERS_PATHS:
        if path not in ctx.index:
            continue
        text = ctx.index.read_text(path)
        if text is None:
            yield ctx.unreadable(ITEM, path)
            continue
        lines = text.splitlines()
        defaults: set[str] = set()
        schema_rules: list[tuple[int, str, list[str]]] = []
        for number, owners in codeowners_rules(text):
            raw = lines[number - 1].strip()
            if raw.startswith(("[", "^[")):
                continue
            pattern = re.split(r"(?<!\\)\s+", raw)[0]
            if pattern in ("*", "/*", "**", "/**"):
                defaults = set(owners)
            elif _SCHEMA_PATTERN.search(pattern):
                schema_rules.append((number, pattern, owners))
        covering = [(number, pattern, owners, _pattern_files(ctx, pattern)) for number, pattern, owners in schema_rules]
        covering = [rule for rule in covering if rule[3]]
        if not covering:
            continue
        own = [rule for rule in covering if set(rule[2]) - defaults]
        if own:
            number, pattern, owners, files = own[0]
            extra = len(set(owners) - defaults)
            besides = " besides the default owners" if defaults else ""
            yield ctx.supports(ITEM, f"CODEOWNERS makes changes to `{pattern}` ({_count(files, 'file')}) need review from "
                               f"{_count(extra, 'owner')}{besides}", path=path, line=number)
        else:
            number, pattern, _, files = covering[0]
            yield ctx.partial(ITEM, f"CODEOWNERS covers `{pattern}` ({_count(files, 'file')}) with the default owners only; "
                              "name the upstream owner of these schemas", path=path, line=number)


# ====================================================================== Markdown upstream sections
_SOURCES_HEADING = re.compile(
    r"\bdata\s+sources?\b|^sources?\b|\bupstream|\binputs?\b|\binput\s+data\b"
    r"|\bdata\s+(?:dependenc\w+|providers?|producers?|owners?)\b"
    r"|\bproducers?\b|\bdata\s+contracts?\b|\bsource\s+(?:systems?|data)\b",
    re.IGNORECASE,
)
_SPECIFIC_SOURCES_HEADING = re.compile(r"\bdata\b|upstream|producer|provider|contract|owner", re.IGNORECASE)
_SOURCES_HINT = re.compile(
    r"^#{1,6}[^\n]*(?:sources?|upstream|inputs?|dependenc|providers?|producers?|contracts?|owners?)",
    re.IGNORECASE | re.MULTILINE,
)
_OWNER_HEADER = re.compile(
    r"owner|owned|produced|producer|provider|\bteam\b|contact|maintain|steward|responsible|upstream|\bby\b", re.IGNORECASE
)
_CHANNEL_HEADER = re.compile(r"channel|notif|announc|change|subscri|notice|comms|communicat|mailing|slack", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.@/+-])@[A-Za-z][\w-]*(?:/[\w.-]+)?")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_OWNED_PHRASE = re.compile(r"\bowned\s+by\b|\bowners?\s*[:=]|\bmaintained\s+by\b|\bproduced\s+by\b|\bcontact\s*[:=]", re.IGNORECASE)
_NOTICE = re.compile(
    r"\bannounc\w*|\bnotif\w*|\bsubscri\w*|\bheads[\s-]up\b|\badvance\s+notice\b|\bnotice\s+period\b|\bnotice\b"
    r"|\bchange\s+(?:log|feed|requests?|process)\b|\bbreaking\s+changes?\b|\bdeprecat\w*|\bwarn(?:s|ed)?\s+us\b|\btell\s+us\b",
    re.IGNORECASE,
)
_CHANNEL = re.compile(
    r"(?<![\w&])#[a-z0-9][a-z0-9_-]+|\bmailing[\s-]list\b|\bslack\b|\bteams\s+channel\b|\brss\b|\bfeed\b|\bnewsletter\b"
    r"|\bgoogle\s+group\b|\bdistribution\s+list\b|\bchangelog\b|\brelease\s+notes\b|\bgithub\s+(?:releases|discussions|issues)\b"
    r"|https?://\S+|\bjira\b|\bcalendar\b|\bwebhook\b",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(r"^(?:\?+|unknown|none|nobody|-+|n/?a|tbd|todo)$", re.IGNORECASE)


@dataclass
class _SourcesFound:
    sources: int = 0
    owned: int = 0
    channelled: int = 0
    channel_line: bool = False


def _is_owner_text(text: str) -> bool:
    return bool(_HANDLE.search(text) or _EMAIL.search(text) or _OWNED_PHRASE.search(text))


def _is_channel_text(text: str) -> bool:
    return bool(_NOTICE.search(text) and (_CHANNEL.search(text) or _EMAIL.search(text)))


def _real_cell(cell: str) -> bool:
    text = cell_text(cell)
    return is_substantive(text) and not _UNKNOWN.match(text)


def _table_sources(table: MarkdownTable, found: _SourcesFound) -> bool:
    owner_columns = [index for index, title in enumerate(table.header) if index > 0 and _OWNER_HEADER.search(title)]
    channel_columns = [
        index for index, title in enumerate(table.header)
        if index > 0 and _CHANNEL_HEADER.search(title) and index not in owner_columns
    ]
    if not table.rows or not (owner_columns or channel_columns):
        return False
    for row in table.rows:
        if not row.cells or not _real_cell(row.cells[0]):
            continue
        found.sources += 1
        cells = row.cells
        if any(index < len(cells) and _real_cell(cells[index]) for index in owner_columns):
            found.owned += 1
        if any(index < len(cells) and _real_cell(cells[index]) for index in channel_columns):
            found.channelled += 1
    return True


def _scan_sources(document: MarkdownDocument, section: MarkdownSection, tables: list[MarkdownTable]) -> _SourcesFound:
    found = _SourcesFound()
    end = subtree_end(document, section)
    used_table = False
    for table in tables:
        if section.line <= table.line < end:
            used_table = _table_sources(table, found) or used_table
    lines = unit_lines(document, section)
    found.channel_line = any(_is_channel_text(text) for _, text in lines)
    if used_table:
        return found
    items = [item for nested in document.subtree(section) for item in nested.substantive_items()]
    if items:
        for item in items:
            if _is_channel_text(item.text) and not _is_owner_text(item.text) and len(items) > 1:
                continue  # a list item about how changes are announced, not a source
            found.sources += 1
            found.owned += int(_is_owner_text(item.text))
            found.channelled += int(_is_channel_text(item.text))
        return found
    if lines:
        found.sources = 1
        found.owned = int(any(_is_owner_text(text) for _, text in lines))
        found.channelled = int(found.channel_line)
    return found


def _judge_sources(
    ctx: DetectorContext, path: str, section: MarkdownSection, found: _SourcesFound, *, generic: bool
) -> Evidence | None:
    if not found.sources:
        return None
    where = {"path": path, "line": section.line}
    sources = _count(found.sources, "source")
    announced = found.channel_line or found.channelled >= found.sources
    if found.owned >= found.sources and announced:
        column = found.channelled >= found.sources and not found.channel_line
        how = "a change-notice column" if column else "a change-notice channel"
        owners = "the owner of its source" if found.sources == 1 else f"an owner for each of its {sources}"
        return ctx.supports(ITEM, f"data sources section names {owners} and {how}", values={"sources": float(found.sources)},
                            **where)
    if generic and not found.owned and not found.channelled and not found.channel_line:
        return None  # a "Sources" heading with nothing about owners: references, not data sources
    missing: list[str] = []
    if found.owned < found.sources:
        missing.append(f"{found.sources - found.owned} without an owner" if found.owned else "no owners")
    if not announced:
        missing.append("no channel where changes are announced" if not found.channelled
                       else f"{found.sources - found.channelled} without a change-notice channel")
    return ctx.partial(ITEM, f"data sources section lists {sources} but {' and '.join(missing)}", **where)


@detector(
    name="upstream-sources-doc",
    items=(ITEM,),
    looks_for="a Markdown \"Data sources\" / \"Upstream\" section naming each source's owner and the channel where "
    "changes are announced (Slack channel, mailing list, subscription)",
)
def upstream_sources_doc(ctx: DetectorContext) -> Iterator[Evidence]:
    """Data source owners and change-notice channels written down in Markdown."""
    declared = set(ctx.declared(ITEM))
    for path in markdown_paths(ctx, ITEM):
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared:
                yield ctx.unreadable(ITEM, path)
            continue
        if path not in declared and not _SOURCES_HINT.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(ITEM, path)
            continue
        tables = markdown_tables(ctx.index, path, document)
        judged = [
            _judge_sources(ctx, path, section, _scan_sources(document, section, tables),
                           generic=not _SPECIFIC_SOURCES_HEADING.search(section.title))
            for section in top_level_matches(document, _SOURCES_HEADING)
        ]
        evidence = [found for found in judged if found is not None]
        supporting = [found for found in evidence if found.verdict == "supports"]
        if supporting:
            yield supporting[0]
        elif evidence:
            yield evidence[0]


DETECTORS: tuple[Detector, ...] = (
    data_contract,
    schema_registry_compatibility,
    codeowners_schemas,
    upstream_sources_doc,
)

"""Governance items: PII compliance (43), model provenance (45) and the retraining schedule (48).

Every decision comes from parsed content; file names and keywords only choose what to read.

``privacy-document`` (pii-compliance)
    Markdown documents (not tests, changelogs, vendored or generated folders). A section whose
    heading is about privacy (privacy, data protection, personal data, PII, GDPR, CCPA, HIPAA,
    DPIA, privacy impact assessment), with its nested sections, is the privacy document. Its
    prose lines, list items and table cells (code blocks never) are read for five parts:

    * *personal data*: a concrete category (email, phone number, postal address, date of birth,
      IP address, card number, health data...) named in a section about the personal data
      processed, or on a line that says personal data / PII;
    * *regulation or legal basis*: GDPR, UK GDPR, CCPA/CPRA, HIPAA, LGPD, PIPEDA..., or a legal
      basis (consent, contract, legitimate interest, legal obligation);
    * *retention*: a line about retention, keeping or storing data that gives a period
      (``90 days``, ``24 months``, ``seven years``);
    * *deletion on request*: erasure, right to be forgotten, deletion requests, DSAR;
    * *review*: an ISO date near *reviewed / approved / signed off / DPIA* that is at most
      ``review_max_days`` days old (configuration, default 365), and an approver (``Approved by: @dpo``,
      ``Approver: Jane Doe``, ``Reviewed by``, ``Signed off by``).

    All five: ``supports``. Otherwise ``partial`` naming what is missing ("privacy notes do not
    say how long data is kept"). A document that only says "we comply with GDPR" is partial.
    Implementation evidence is added to the detail when found (and reported ``partial`` on its
    own when no privacy document exists): retention in Terraform (S3 lifecycle ``expiration``,
    GCS ``lifecycle_rule`` delete actions, DynamoDB ``ttl``, BigQuery table expiration), erasure
    code (non-test functions named for erasure / forgetting / deleting a user's data whose body
    does something) and PII scrubbing (Presidio, scrubadub imports, functions named for
    pseudonymising, anonymising, redacting or scrubbing PII). Implementation never meets the
    item on its own: the item asks for the written obligations and their review.

``mlflow-lineage`` (model-provenance)
    Non-test Python that uses MLflow, one module at a time (one training script is one
    mechanism). *Code version*: ``set_tag``/``set_tags`` of ``mlflow.source.git.commit`` or a
    ``git_commit`` / ``code_version`` key, or ``mlflow.start_run`` in a git checkout (MLflow then
    records the commit itself). *Config*: ``log_params``/``log_param``, ``log_dict`` or
    ``log_artifact`` of a config, or ``autolog``. *Data version*: ``log_input`` or a
    ``log_param``/``set_tag`` whose key names a data version or hash. The model must be logged
    or registered (``log_model``, ``register_model``) for the lineage to attach to a model.
    All three and a model: ``supports``; otherwise ``partial`` naming what is missing.
    A dict literal written by the training code (``json.dump``/``yaml.dump``/``log_dict``) with
    commit, data-version and config keys counts as a metadata record the same way.

``lineage-records`` (model-provenance)
    * model metadata files (JSON/YAML, not tests, not CI or Kubernetes files) holding a mapping
      with a code version key (``git_commit``, ``code_version``...), a data version key
      (``data_version``, ``dataset_hash``...) and a config key (``config``, ``params``,
      ``hyperparameters``...), each with a real value (not null, empty or a placeholder);
    * a model card (Markdown) with a lineage / provenance section naming the commit, the data
      version and the configuration, each with a value (prose ``Label: value`` or a table row);
    * ``dvc.lock``: a training stage whose lock entry pins a data dependency and a code
      dependency by hash and records its ``params``.
    All three parts: ``supports``; one or two: ``partial`` naming the missing ones.

``retraining-schedule`` (retraining-schedule)
    Schedules and triggers: GitHub Actions jobs run by ``on: schedule`` (the cron is named),
    GitLab jobs restricted to scheduled pipelines, Kubernetes ``CronJob`` (not suspended),
    Airflow DAGs with a schedule, Kubeflow ``create_recurring_run``, and GitHub
    ``repository_dispatch`` events whose types name drift, degradation or retraining (a trigger
    wired to alerts). A schedule *trains* when its command runs a training script or module,
    ``make``/``dvc repro`` reaching a training command, a training image, or (Airflow) a task
    named for training. The policy is a Markdown section headed *Retraining* (or *Model refresh*)
    that says when (a cadence) or why (drift, degradation, a threshold).
    Training schedule + policy: ``supports``. Schedule without policy, policy without schedule
    ("retraining policy written but nothing schedules training"), a schedule that runs something
    other than training, a suspended CronJob or an unscheduled DAG: ``partial``.
"""

from __future__ import annotations

import ast
import datetime as dt
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.ci_workflows import Command, ci_pipelines, expand_command
from pytest_mlchecklist.detectors.data_versioning import (
    is_data_path,
    is_placeholder,
    is_training_stage,
    name_words,
    pin_of,
    source_modules,
)
from pytest_mlchecklist.detectors.kubernetes import iter_workloads, manifest_candidates
from pytest_mlchecklist.detectors.model_docs import cell_text, markdown_paths, markdown_tables, top_level_matches
from pytest_mlchecklist.detectors.python_code import PythonModule, constant_value, is_test_path, iter_calls
from pytest_mlchecklist.detectors.runbooks import dates_near, plain_title
from pytest_mlchecklist.detectors.terraform import HclBlock, HclError, attribute, hcl_blocks, nested_blocks
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

PII = "pii-compliance"
PROVENANCE = "model-provenance"
RETRAINING = "retraining-schedule"

#: A privacy review older than this many days no longer counts (a yearly review is the norm).


# ====================================================================== shared helpers
def _document_lines(ctx: DetectorContext, path: str, document: MarkdownDocument, sections: list[MarkdownSection]) -> list[tuple[int, str, str]]:
    """(line, text, title of the section holding it) for prose, list items, headings and table rows."""
    lines: list[tuple[int, str, str]] = []
    for section in sections:
        lines.append((section.line, plain_title(section.title), plain_title(section.title)))
        for line, text in section.text_lines():
            if is_substantive(text):
                lines.append((line, text, plain_title(section.title)))
    chosen = {id(section) for section in sections}
    for table in markdown_tables(ctx.index, path, document):
        holder = _section_at(document, table.line)
        if holder is None or id(holder) not in chosen:
            continue
        for row in table.rows:
            cells = [cell_text(cell) for cell in row.cells]
            lines.append((row.line, ": ".join(cell for cell in cells if cell), plain_title(holder.title)))
    return sorted(lines)


def _section_at(document: MarkdownDocument, line: int) -> MarkdownSection | None:
    """The section (heading) under which ``line`` stands, ``None`` for the preamble."""
    holder: MarkdownSection | None = None
    for section in document.sections:
        if section.line > line:
            break
        holder = section
    return holder


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# ====================================================================== 43 pii-compliance
_PRIVACY_HEADING = re.compile(
    r"privacy|data[\s_-]+protection|personal[\s_-]+(?:data|information)|\bPII\b|\bGDPR\b|\bCCPA\b|\bHIPAA\b|"
    r"\bDPIA\b",
    re.IGNORECASE,
)
_PRIVACY_HINT = re.compile(r"privacy|data protection|personal data|personal information|\bpii\b|gdpr|ccpa|hipaa|dpia", re.IGNORECASE)
_PERSONAL_CONTEXT = re.compile(
    r"personal[\s_-]+(?:data|information)|\bPII\b|personally[\s_-]+identifiable|data[\s_-]+(?:we[\s_-]+)?(?:collect|process|inventory|categor)|"
    r"categor\w+[\s_-]+of[\s_-]+data|data[\s_-]+subjects?|\bPHI\b|what[\s_-]+we[\s_-]+(?:collect|process|store)",
    re.IGNORECASE,
)
_PERSONAL_CATEGORY = re.compile(
    r"\be-?mail(?:\s+address)?e?s?\b|\bphone(?:\s+numbers?)?\b|\b(?:postal|home|street|billing)\s+address|"
    r"\bdate\s+of\s+birth\b|\bbirth\s?dates?\b|\bIP\s+address(?:es)?\b|\b(?:full|first|last|customer|user)\s+names?\b|"
    r"\bpost\s?codes?\b|\bzip\s+codes?\b|\bSSNs?\b|social\s+security|national\s+(?:id|insurance)|passport|"
    r"\bcard\s+numbers?\b|\bIBANs?\b|\baccount\s+(?:ids?|numbers?)\b|\b(?:customer|user|patient|device)\s+ids?\b|"
    r"geo-?location|\bGPS\b|\bhealth\b|\bmedical\b|\bdiagnos\w+|biometric|\bgender\b|\bethnic\w*|\bsalary\b|\bincome\b",
    re.IGNORECASE,
)
_REGULATION = re.compile(
    r"\b(UK\s+GDPR|GDPR|CCPA|CPRA|HIPAA|LGPD|PIPEDA|PIPL|APPI|POPIA|PDPA|FERPA|GLBA|COPPA|Data\s+Protection\s+Act)\b",
)
_LEGAL_BASIS = re.compile(
    r"(?:legal|lawful)\s+basis.{0,80}?\b(consent|contract\w*|legitimate\s+interests?|legal\s+obligation|vital\s+interests?|public\s+task)",
    re.IGNORECASE,
)
_RETENTION_WORDS = re.compile(r"retain|retention|kept|keep|stored?|deleted|purged?|expire|ttl\b|archiv", re.IGNORECASE)
_PERIOD = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirty|ninety)[\s-]+"
    r"(days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_ERASURE = re.compile(
    r"right\s+to\s+(?:erasure|be\s+forgotten|delet\w+)|\berasure\b|\bDSARs?\b|data\s+subject\s+(?:access\s+)?requests?|"
    r"(?:delet\w+|remov\w+|eras\w+|forget)\b.{0,60}\brequest|requests?\b.{0,40}\b(?:delet\w+|eras\w+|remov\w+)",
    re.IGNORECASE,
)
_REVIEW_LABEL = re.compile(r"review|approv|sign(?:ed)?[\s_-]?off|\bDPIA\b|assess", re.IGNORECASE)
_APPROVER = re.compile(
    r"(?:approv(?:ed|er|al)|signed[\s_-]?off|sign[\s_-]?off|reviewed)(?:\s+by\s*:?|\s*:)\s*(@?[A-Z@][\w.@/-]+(?:\s+[A-Z][\w.-]+)?)",
    re.IGNORECASE,
)
_PLANNED = re.compile(r"\b(?:next|planned|upcoming|due)\b", re.IGNORECASE)
_NOT_A_NAME = frozenset({"on", "at", "in", "date", "the", "by", "yes", "no", "pending", "todo", "tbd", "n/a", "none"})


@dataclass
class _PrivacyParts:
    """What a privacy document covers, each part with the line that says it."""

    personal: int | None = None
    regulation: str | None = None
    regulation_line: int | None = None
    retention: str | None = None
    retention_line: int | None = None
    erasure: int | None = None
    review: dt.date | None = None
    review_text: str | None = None
    approver: str | None = None


def _privacy_parts(lines: list[tuple[int, str, str]]) -> _PrivacyParts:
    parts = _PrivacyParts()
    for line, text, title in lines:
        if parts.personal is None and _PERSONAL_CATEGORY.search(text) and (
            _PERSONAL_CONTEXT.search(title) or _PERSONAL_CONTEXT.search(text)
        ):
            parts.personal = line
        if parts.regulation is None:
            regulation = _REGULATION.search(text)
            basis = _LEGAL_BASIS.search(text)
            if regulation is not None:
                parts.regulation, parts.regulation_line = " ".join(regulation.group(1).split()), line
            elif basis is not None:
                parts.regulation, parts.regulation_line = f"legal basis: {basis.group(1).lower()}", line
        retention_section = re.search(r"retention|retain", title, re.I) is not None
        if parts.retention is None and (retention_section or not _ERASURE.search(text)):
            period = _PERIOD.search(text)
            if period is not None and (_RETENTION_WORDS.search(text) or retention_section):
                parts.retention, parts.retention_line = " ".join(period.group(0).lower().split()), line
        if parts.erasure is None and (_ERASURE.search(text) or (
            re.search(r"erasure|deletion|forgotten", title, re.I) and re.search(r"delet|eras|remov|request", text, re.I)
            and text != title
        )):
            parts.erasure = line
        for mention in [] if _PLANNED.search(text) else dates_near(text, line, _REVIEW_LABEL):
            if mention.value is not None and (parts.review is None or mention.value > parts.review):
                parts.review, parts.review_text = mention.value, mention.text
        approver = _APPROVER.search(text)
        if approver is not None and parts.approver is None:
            name = approver.group(1).strip(" .,;")
            if name.lower() not in _NOT_A_NAME and not re.match(r"\d{4}-\d{2}-\d{2}", name):
                parts.approver = name
    return parts


@dataclass(frozen=True)
class _Control:
    """A privacy control found in code or infrastructure."""

    kind: str  # retention | erasure | scrubbing
    detail: str
    path: str
    line: int | None


def _privacy_controls(ctx: DetectorContext) -> list[_Control]:
    return ctx.index.memo(("governance", "privacy-controls"), lambda: [*_terraform_retention(ctx), *_code_controls(ctx)])


_TF_TYPES = frozenset(
    {"aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket", "google_storage_bucket", "aws_dynamodb_table",
     "google_bigquery_dataset", "google_bigquery_table", "azurerm_storage_management_policy"}
)
_TF_HINT = re.compile(r"expiration|lifecycle_rule|\bttl\b|table_expiration|delete_after|\"Delete\"")


def _terraform_retention(ctx: DetectorContext) -> Iterator[_Control]:
    for path in ctx.candidates(PII, ctx.index.with_suffix(".tf")):
        text = ctx.index.read_text(path)
        if text is None or not _TF_HINT.search(text):
            continue
        try:
            blocks = list(hcl_blocks(text, _TF_TYPES))
        except HclError:
            continue
        for block in blocks:
            found = _block_retention(block)
            if found is not None:
                yield _Control("retention", found[0], path, found[1])


def _block_retention(block: HclBlock) -> tuple[str, int] | None:
    kind, name = block.labels[0], block.labels[1] if len(block.labels) > 1 else "?"
    try:
        if kind in ("aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket"):
            for rule in [*nested_blocks(block, "rule"), *nested_blocks(block, "lifecycle_rule")]:
                for expiration in nested_blocks(rule, "expiration"):
                    days = attribute(expiration, "days")
                    if days is not None and days[0].strip().isdigit():
                        return f"S3 lifecycle on `{name}` expires objects after {days[0].strip()} days", days[1]
        elif kind == "google_storage_bucket":
            for rule in nested_blocks(block, "lifecycle_rule"):
                actions = nested_blocks(rule, "action")
                conditions = nested_blocks(rule, "condition")
                kinds = [attribute(action, "type") for action in actions]
                ages = [attribute(condition, "age") for condition in conditions]
                if any(found and "Delete" in found[0] for found in kinds) and any(age and age[0].strip().isdigit() for age in ages):
                    age = next(age for age in ages if age and age[0].strip().isdigit())
                    return f"GCS lifecycle on `{name}` deletes objects after {age[0].strip()} days", age[1]
        elif kind == "aws_dynamodb_table":
            for ttl in nested_blocks(block, "ttl"):
                enabled = attribute(ttl, "enabled")
                if enabled is not None and enabled[0].strip() == "true":
                    return f"DynamoDB table `{name}` expires items by TTL", enabled[1]
        elif kind in ("google_bigquery_dataset", "google_bigquery_table"):
            for key in ("default_table_expiration_ms", "default_partition_expiration_ms", "expiration_time"):
                found = attribute(block, key)
                if found is not None and found[0].strip().isdigit():
                    return f"BigQuery `{name}` sets `{key}`", found[1]
        elif kind == "azurerm_storage_management_policy" and "delete_after_days_since" in block.body:
            return f"Azure storage policy `{name}` deletes blobs after a set age", block.line
    except HclError:
        return None
    return None


_ERASURE_FUNCTION = re.compile(
    r"erase|erasure|forget|right_to_be_forgotten|dsar|delete_(?:\w*_)?(?:user|customer|subject|person|personal|pii|account)|"
    r"(?:user|customer|subject|personal|pii)_\w*(?:deletion|delete|erasure)|purge_(?:\w*_)?(?:user|customer|pii)",
    re.IGNORECASE,
)
_SCRUB_FUNCTION = re.compile(
    r"pseudonymi[sz]e|anonymi[sz]e|(?:redact|scrub|mask|strip|hash)_(?:\w*_)?(?:pii|personal|email|phone|identifier|ids?\b|user)",
    re.IGNORECASE,
)
_SCRUB_MODULES = ("presidio_analyzer", "presidio_anonymizer", "scrubadub")


def _does_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """False for stubs: only a docstring, ``pass``, ``...`` or ``raise NotImplementedError``."""
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Raise) and "NotImplemented" in ast.dump(statement):
            continue
        return True
    return False


def _code_controls(ctx: DetectorContext) -> Iterator[_Control]:
    words = ("erase", "erasure", "forget", "dsar", "delete_", "_deletion", "purge_", "pseudonymi", "anonymi",
             "redact_", "scrub_", "mask_", "hash_", "presidio", "scrubadub")
    for module in source_modules(ctx, PII):
        lowered = module.text.lower()
        if not any(word in lowered for word in words) or not module.parses:
            continue
        imported = next((name for name in module.aliases.values() if name.split(".")[0] in _SCRUB_MODULES), None)
        if imported is not None:
            yield _Control("scrubbing", f"PII scrubbing with `{imported.split('.')[0]}` in `{module.path}`", module.path, 1)
        for node in ast.walk(module.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _does_something(node):
                continue
            if _ERASURE_FUNCTION.search(node.name):
                yield _Control("erasure", f"erasure handled by `{node.name}` in `{module.path}:{node.lineno}`", module.path, node.lineno)
            elif _SCRUB_FUNCTION.search(node.name):
                yield _Control("scrubbing", f"identifiers scrubbed by `{node.name}` in `{module.path}:{node.lineno}`",
                               module.path, node.lineno)


def _controls_phrase(controls: list[_Control]) -> str:
    chosen: list[str] = []
    for kind in ("retention", "erasure", "scrubbing"):
        found = [control for control in controls if control.kind == kind]
        if found:
            where = found[0].detail if kind != "retention" else f"{found[0].detail} ({found[0].path}:{found[0].line})"
            chosen.append(where)
    return "; ".join(chosen)


def _judge_privacy(ctx: DetectorContext, path: str, heading: MarkdownSection, parts: _PrivacyParts, controls: list[_Control]) -> Evidence:
    missing: list[str] = []
    if parts.personal is None:
        missing.append("which personal data is processed")
    if parts.regulation is None:
        missing.append("which regulation or legal basis applies")
    if parts.retention is None:
        missing.append("how long data is kept")
    if parts.erasure is None:
        missing.append("how deletion requests are handled")
    review_problem: str | None = None
    age: int | None = None
    if parts.review is None:
        review_problem = "no dated review (`Reviewed: YYYY-MM-DD`)"
    else:
        age = (ctx.today - parts.review).days
        if age < 0:
            review_problem = f"its review date {parts.review_text} is in the future"
        elif age > ctx.settings.review_max_days:
            review_problem = (f"its last review {parts.review_text} is {age} days old "
                              f"(limit {ctx.settings.review_max_days}, `review_max_days`)")
    if parts.approver is None:
        review_problem = (review_problem + " and no approver") if review_problem else "no approver (`Approved by: ...`)"
    covered = []
    if parts.regulation:
        covered.append(parts.regulation)
    if parts.retention:
        covered.append("retention periods")
    if parts.erasure is not None:
        covered.append("erasure requests")
    implementation = _controls_phrase(controls)
    suffix = f"; {implementation}" if implementation else ""
    values = {"review_age_days": float(age)} if age is not None else None
    if not missing and review_problem is None:
        detail = (f"privacy document covers personal data, {', '.join(covered)}; reviewed {parts.review_text} "
                  f"by {parts.approver}{suffix}")
        return ctx.supports(PII, detail, path=path, line=heading.line, values=values)
    gaps = []
    if missing:
        gaps.append("privacy notes do not say " + _joined(missing))
    if review_problem:
        gaps.append(review_problem)
    return ctx.partial(PII, "; ".join(gaps) + suffix, path=path, line=heading.line, values=values)


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


@detector(
    name="privacy-document",
    items=(PII,),
    looks_for="a Markdown privacy / data protection section saying which personal data is processed, the "
    "regulation or legal basis, the retention period and how deletion requests are handled, with a review "
    "date (at most `review_max_days` old, default 365 days) and an approver",
)
def privacy_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Privacy documentation judged by what it covers, strengthened by retention/erasure/scrubbing code."""
    controls = _privacy_controls(ctx)
    found_document = False
    for path in markdown_paths(ctx, PII):
        text = ctx.index.read_text(path)
        if text is None:
            if path in ctx.declared(PII) or _PRIVACY_HINT.search(path):
                yield ctx.unreadable(PII, path)
            continue
        if not _PRIVACY_HINT.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(PII, path)
            continue
        headings = top_level_matches(document, _PRIVACY_HEADING)
        if not headings:
            continue
        sections = [section for heading in headings for section in document.subtree(heading)]
        lines = _document_lines(ctx, path, document, sections)
        if all(text == title for _, text, title in lines):
            yield ctx.partial(PII, "privacy heading with nothing under it", path=path, line=headings[0].line)
            found_document = True
            continue
        found_document = True
        yield _judge_privacy(ctx, path, headings[0], _privacy_parts(lines), controls)
    if not found_document and controls:
        first = controls[0]
        yield ctx.partial(
            PII, f"{_controls_phrase(controls)}, but no privacy document says which personal data is processed, "
            "under which regulation, how long it is kept and how erasure requests are handled",
            path=first.path, line=first.line,
        )


# ====================================================================== 45 model-provenance
_CODE_KEYS = frozenset({"git_commit", "commit", "git_sha", "commit_sha", "code_version", "source_commit", "git_revision",
                        "git_hash", "code_commit", "mlflow.source.git.commit", "source_version", "code_ref", "git_ref"})
_DATA_KEYS = frozenset({"data_version", "dataset_version", "data_hash", "dataset_hash", "training_data_version",
                        "training_data_hash", "data_sha256", "dataset_digest", "data_digest", "data_md5", "dataset_md5",
                        "data_commit", "dataset_revision", "data_revision", "data_snapshot", "dataset_sha256", "data_rev"})
_CONFIG_KEYS = frozenset({"config", "params", "parameters", "hyperparameters", "hparams", "training_config",
                          "config_hash", "config_path", "config_file", "train_config", "training_params", "config_sha256"})


def _norm(key: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


def _real_value(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (dict, list)):
        return bool(value)
    text = str(value).strip()
    return bool(text) and not is_placeholder(text) and not re.fullmatch(r"\$\{?[\w.]+\}?|<[^>]*>|x+|0+", text, re.I)


@dataclass
class _Lineage:
    """The three parts of a model's lineage found by one mechanism, each with a short phrase."""

    code: str | None = None
    data: str | None = None
    config: str | None = None

    def missing(self) -> list[str]:
        return [name for name, value in (("code version", self.code), ("data version", self.data),
                                         ("config", self.config)) if value is None]

    def found(self) -> list[str]:
        return [value for value in (self.code, self.data, self.config) if value is not None]


def _mapping_lineage(mapping: dict[Any, Any]) -> _Lineage:
    lineage = _Lineage()
    for key, value in mapping.items():
        normal = _norm(key)
        if not _real_value(value):
            continue
        if lineage.code is None and normal in _CODE_KEYS:
            lineage.code = f"`{key}`"
        elif lineage.data is None and normal in _DATA_KEYS:
            lineage.data = f"`{key}`"
        elif lineage.config is None and normal in _CONFIG_KEYS:
            lineage.config = f"`{key}`"
    return lineage


def _best_mapping(node: Any, depth: int = 0) -> _Lineage | None:
    """The mapping (at most three levels deep) with the most lineage parts, merged with its children."""
    if not isinstance(node, dict) or depth > 3:
        return None
    best = _mapping_lineage(node)
    for value in node.values():
        if isinstance(value, dict):
            child = _best_mapping(value, depth + 1)
            if child is not None:
                best.code, best.data, best.config = best.code or child.code, best.data or child.data, best.config or child.config
    return best


def _state(lineage: _Lineage) -> int:
    return len(lineage.found())


def _judge_lineage(ctx: DetectorContext, what: str, lineage: _Lineage, path: str, line: int | None, extra: str = "") -> Evidence:
    if not lineage.missing():
        return ctx.supports(PROVENANCE, f"{what} records the code version ({lineage.code}), data version "
                            f"({lineage.data}) and config ({lineage.config}){extra}", path=path, line=line)
    return ctx.partial(PROVENANCE, f"{what} records {_joined_and(lineage.found())} but not the {_joined_and(lineage.missing())}{extra}",
                       path=path, line=line)


def _joined_and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


_MLFLOW_HINT = "mlflow"
_DATA_WORDS = frozenset({"data", "dataset", "datasets", "snapshot", "corpus"})
_VERSION_WORDS = frozenset({"version", "hash", "md5", "sha", "sha256", "digest", "commit", "rev", "revision", "snapshot", "dvc"})


def _in_git_checkout(ctx: DetectorContext) -> bool:
    root: Path = ctx.index.root
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _first_argument(call: ast.Call, keyword: str) -> ast.AST | None:
    if call.args:
        return call.args[0]
    return next((item.value for item in call.keywords if item.arg == keyword), None)


def _dict_keys(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Dict):
        return [str(constant_value(key)) for key in node.keys if key is not None and isinstance(constant_value(key), str)]
    return []


def _module_lineage(module: PythonModule, git: bool) -> tuple[_Lineage, str | None, int]:
    """The lineage one MLflow training module records, how it records the model, and a line."""
    lineage = _Lineage()
    model: str | None = None
    line = 0
    for call in iter_calls(module.tree, module.aliases):
        name = call.name
        if not name.startswith("mlflow."):
            continue
        last = name.rsplit(".", 1)[-1]
        line = line or call.line
        if last == "set_tag":
            key = constant_value(_first_argument(call.node, "key"))
            if isinstance(key, str):
                _classify_key(lineage, key, f"tag `{key}`")
        elif last == "set_tags":
            for key in _dict_keys(_first_argument(call.node, "tags")):
                _classify_key(lineage, key, f"tag `{key}`")
        elif last == "log_param":
            key = constant_value(_first_argument(call.node, "key"))
            if isinstance(key, str) and not _classify_key(lineage, key, f"param `{key}`"):
                lineage.config = lineage.config or f"`mlflow.log_param` line {call.line}"
        elif last == "log_params":
            keys = _dict_keys(_first_argument(call.node, "params"))
            for key in keys:
                _classify_key(lineage, key, f"param `{key}`")
            lineage.config = lineage.config or f"`mlflow.log_params` line {call.line}"
        elif last == "log_dict" or (last == "log_artifact" and "config" in ast.dump(call.node).lower()):
            lineage.config = lineage.config or f"`mlflow.{last}` of the config line {call.line}"
        elif last == "autolog":
            lineage.config = lineage.config or f"`{name}` (logs parameters) line {call.line}"
        elif last == "log_input":
            lineage.data = lineage.data or f"`mlflow.log_input` line {call.line}"
        elif last == "start_run" and git and lineage.code is None:
            lineage.code = f"git commit recorded by `mlflow.start_run` in a git checkout, line {call.line}"
        elif last == "register_model":
            model = f"registered with `mlflow.register_model` line {call.line}"
        elif last == "log_model":
            registered = any(item.arg == "registered_model_name" and constant_value(item.value) is not None for item in call.node.keywords)
            if registered:
                model = f"registered with `{name}(registered_model_name=...)` line {call.line}"
            elif model is None:
                model = f"logged with `{name}` line {call.line} (not registered)"
    return lineage, model, line


def _classify_key(lineage: _Lineage, key: str, label: str) -> bool:
    normal = _norm(key)
    words = name_words(key)
    if normal in _CODE_KEYS or normal.endswith("git.commit") or (words & {"git", "code"} and words & _VERSION_WORDS):
        lineage.code = lineage.code or label
        return True
    if normal in _DATA_KEYS or (words & _DATA_WORDS and words & _VERSION_WORDS):
        lineage.data = lineage.data or label
        return True
    if normal in _CONFIG_KEYS:
        lineage.config = lineage.config or label
        return True
    return False


def _metadata_dicts(module: PythonModule) -> Iterator[tuple[_Lineage, int]]:
    """Dict literals with at least two lineage parts in a module that writes them out."""
    if not any(word in module.text for word in ("json.dump", "yaml.dump", "yaml.safe_dump", "log_dict", "write_text")):
        return
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Dict):
            mapping = {
                constant_value(key): constant_value(value) if isinstance(value, ast.Constant) else "expression"
                for key, value in zip(node.keys, node.values)
                if key is not None and isinstance(constant_value(key), str)
            }
            lineage = _mapping_lineage(mapping)
            if _state(lineage) >= 2:
                yield lineage, node.lineno


@detector(
    name="mlflow-lineage",
    items=(PROVENANCE,),
    looks_for="training code that logs to MLflow the git commit, the data version (`log_input` or a data-version "
    "tag) and the config (`log_params`), and logs or registers the model; or writes a metadata dict with all three",
)
def mlflow_lineage(ctx: DetectorContext) -> Iterator[Evidence]:
    """MLflow runs and metadata records written by training code (see the module docstring)."""
    git = _in_git_checkout(ctx)
    for module in source_modules(ctx, PROVENANCE):
        if not module.mentions(_MLFLOW_HINT, "git_commit", "code_version", "data_version") or not module.parses:
            continue
        records = sorted(_metadata_dicts(module), key=lambda found: -_state(found[0]))
        if records:
            lineage, line = records[0]
            yield _judge_lineage(ctx, f"model metadata written in `{module.path}`", lineage, module.path, line)
        if _MLFLOW_HINT not in module.text:
            continue
        lineage, model, line = _module_lineage(module, git)
        if not lineage.found() or not line:
            continue
        if not lineage.missing() and model is None:
            yield ctx.partial(PROVENANCE, f"MLflow run in `{module.path}` records code, data and config but logs no model, "
                              "so no deployed model traces back to it", path=module.path, line=line)
            continue
        yield _judge_lineage(ctx, f"MLflow run in `{module.path}`", lineage, module.path, line,
                             f"; model {model}" if model else "")


_METADATA_HINT = re.compile(r"git_commit|code_version|commit_sha|git_sha|source_commit|mlflow\.source\.git\.commit|git_revision", re.IGNORECASE)
_LINEAGE_HEADING = re.compile(r"lineage|provenance|traceab|reproducib", re.IGNORECASE)
_CARD_CODE = re.compile(r"commit|git\s+sha|code\s+version|source\s+revision|code\s+revision", re.IGNORECASE)
_CARD_DATA = re.compile(r"(?:training\s+)?data(?:set)?\s*(?:version|hash|snapshot|revision|digest|md5|sha)|training\s+data\b", re.IGNORECASE)
_CARD_CONFIG = re.compile(r"config(?:uration)?|hyper-?parameters|params\b", re.IGNORECASE)
_COMMIT_VALUE = re.compile(r"\b[0-9a-f]{7,40}\b|\bv?\d+\.\d+(?:\.\d+)?\b", re.IGNORECASE)
_DATA_LABEL_VERSION = re.compile(r"version|hash|snapshot|revision|digest|md5|sha", re.IGNORECASE)
_VERSIONED_VALUE = re.compile(
    r"\b[0-9a-f]{7,64}\b|@|\bv\d+|versionId=|version=|\d{4}-\d{2}-\d{2}|snapshot|md5|sha256", re.IGNORECASE
)
_LABEL_VALUE = re.compile(r"^\s*([^:]{2,60}):\s*(.+)$")


def _is_ci_or_manifest(path: str, documents: list[Any]) -> bool:
    if path.startswith(".github/") or path.endswith(".gitlab-ci.yml"):
        return True
    return any(isinstance(document, dict) and "apiVersion" in document and "kind" in document for document in documents)


def _card_lineage(lines: list[tuple[int, str, str]]) -> _Lineage:
    lineage = _Lineage()
    for _, text, title in lines:
        match = _LABEL_VALUE.match(text)
        if match is None or text == title:
            continue
        label, value = match.group(1), match.group(2).strip().strip("`*_ ")
        if not _real_value(value):
            continue
        if lineage.code is None and _CARD_CODE.search(label):
            if _COMMIT_VALUE.search(value):
                lineage.code = f"`{label.strip().strip('*_`')}`"
        elif lineage.data is None and _CARD_DATA.search(label):
            if not _DATA_LABEL_VERSION.search(label) and not _VERSIONED_VALUE.search(value):
                continue  # "Training data: s3://bucket/latest/" names a location, not a version
            lineage.data = f"`{label.strip().strip('*_`')}`"
        elif lineage.config is None and _CARD_CONFIG.search(label):
            lineage.config = f"`{label.strip().strip('*_`')}`"
    return lineage


def _model_cards(ctx: DetectorContext) -> Iterator[Evidence]:
    for path in markdown_paths(ctx, PROVENANCE):
        text = ctx.index.read_text(path)
        if text is None or not _LINEAGE_HEADING.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(PROVENANCE, path)
            continue
        for heading in top_level_matches(document, _LINEAGE_HEADING):
            lines = _document_lines(ctx, path, document, document.subtree(heading))
            lineage = _card_lineage(lines)
            if not lineage.found():
                yield ctx.partial(PROVENANCE, f"lineage section `{plain_title(heading.title)}` names no commit, data "
                                  "version or config with a value", path=path, line=heading.line)
                continue
            yield _judge_lineage(ctx, f"model card lineage section `{plain_title(heading.title)}`", lineage, path, heading.line)


def _metadata_files(ctx: DetectorContext) -> Iterator[Evidence]:
    paths = [path for path in ctx.index.with_suffix(".json", ".yaml", ".yml")
             if not is_test_path(path) and posixpath.basename(path) not in ("dvc.lock", "dvc.yaml")]
    for path in ctx.candidates(PROVENANCE, paths):
        text = ctx.index.read_text(path)
        if text is None or not _METADATA_HINT.search(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(PROVENANCE, path)
            continue
        if _is_ci_or_manifest(path, documents):
            continue
        best: _Lineage | None = None
        for document in documents:
            for candidate in ([document] if isinstance(document, dict) else [d for d in document if isinstance(d, dict)] if isinstance(document, list) else []):
                lineage = _best_mapping(candidate)
                if lineage is not None and (best is None or _state(lineage) > _state(best)):
                    best = lineage
        if best is not None and best.code is not None:
            yield _judge_lineage(ctx, f"model metadata `{posixpath.basename(path)}`", best, path, 1)


def _dvc_lock_lineage(ctx: DetectorContext) -> Iterator[Evidence]:
    for path in ctx.candidates(PROVENANCE, [p for p in ctx.index.files if posixpath.basename(p) == "dvc.lock"]):
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(PROVENANCE, path)
            continue
        lock = documents[0] if documents else None
        stages = lock.get("stages") if isinstance(lock, dict) else None
        if not isinstance(stages, dict):
            continue
        text = ctx.index.read_text(path) or ""
        for name, entry in stages.items():
            if not isinstance(entry, dict) or not is_training_stage(str(name).split("@")[0], entry):
                continue
            lineage = _Lineage()
            deps = entry.get("deps") if isinstance(entry.get("deps"), list) else []
            for dep in deps:
                if not isinstance(dep, dict) or not isinstance(dep.get("path"), str) or pin_of(dep) is None:
                    continue
                dep_path = dep["path"]
                if dep_path.endswith((".yaml", ".yml", ".json", ".toml", ".cfg", ".ini")):
                    lineage.config = lineage.config or f"config `{dep_path}` by hash"
                elif is_data_path(dep_path):
                    lineage.data = lineage.data or f"data `{dep_path}` by {pin_of(dep)}"
                elif lineage.code is None or _trains_words(posixpath.basename(dep_path).split(".")[0]):
                    lineage.code = f"code `{dep_path}` by hash"
            params = entry.get("params")
            if isinstance(params, dict) and any(isinstance(value, dict) and value for value in params.values()):
                files = [str(key) for key, value in params.items() if isinstance(value, dict) and value]
                lineage.config = f"params from `{files[0]}`"
            match = re.search(rf"^\s*{re.escape(str(name))}\s*:", text, re.MULTILINE)
            line = text.count("\n", 0, match.start()) + 1 if match else None
            if not lineage.found():
                yield ctx.partial(PROVENANCE, f"dvc.lock training stage `{name}` pins no data, code or params",
                                  path=path, line=line)
                continue
            yield _judge_lineage(ctx, f"dvc.lock training stage `{name}`", lineage, path, line)


@detector(
    name="lineage-records",
    items=(PROVENANCE,),
    looks_for="model metadata (JSON/YAML) or a model card lineage section naming the git commit, the data version "
    "and the config, or a `dvc.lock` training stage pinning data, code and params",
)
def lineage_records(ctx: DetectorContext) -> Iterator[Evidence]:
    """Lineage recorded in files next to the model: metadata, model cards, DVC locks."""
    yield from _metadata_files(ctx)
    yield from _model_cards(ctx)
    yield from _dvc_lock_lineage(ctx)


# ====================================================================== 48 retraining-schedule
_TRAIN_WORDS = frozenset({"train", "training", "trainer", "retrain", "retraining", "fit", "finetune", "finetuning"})
_NOT_TRAIN_WORDS = frozenset({"test", "tests", "eval", "evaluate", "evaluation", "check", "validate", "validation",
                              "lint", "report", "monitor", "monitoring", "drift", "score", "scoring", "predict",
                              "inference", "serve", "serving", "backfill", "export", "download", "clean", "cleanup"})
_NOT_TRAINING_PROGRAMS = frozenset(
    {"echo", "printf", "curl", "wget", "git", "pip", "pip3", "cat", "ls", "pytest", "tox", "nox", "ruff", "mypy",
     "black", "flake8", "pylint", "gh", "cp", "mv", "rm", "mkdir", "tar", "apt-get", "npm"}
)
_TRIGGER_TYPES = re.compile(r"drift|retrain|degrad|quality|alert|stale", re.IGNORECASE)
_POLICY_HEADING = re.compile(r"\bre-?train|model\s+refresh|refresh(?:ing)?\s+(?:the\s+)?model", re.IGNORECASE)
_WHEN = re.compile(
    r"\b(?:daily|nightly|weekly|fortnightly|monthly|quarterly|yearly|annually|every\s+\w+(?:\s+\w+)?|cron|schedule\w*|"
    r"each\s+(?:day|week|month|quarter))\b",
    re.IGNORECASE,
)
_WHY = re.compile(r"drift|degrad|PSI|KS\b|threshold|drops?\s+below|falls?\s+below|accuracy|auc|precision|recall|"
                  r"performance|new\s+data|label", re.IGNORECASE)


@dataclass(frozen=True)
class _Schedule:
    """A schedule or trigger found, and whether what it runs trains a model."""

    what: str
    runs: str
    trains: bool
    path: str
    line: int | None


def _trains_words(text: str) -> bool:
    words = name_words(text)
    return bool(words & _TRAIN_WORDS) and not (words & _NOT_TRAIN_WORDS)


def _command_trains(ctx: DetectorContext, command: Command) -> bool:
    call = command.python_call()
    if call is not None:
        target = call.module or call.script or ""
        last = target.replace(".py", "").rsplit("/", 1)[-1].rsplit(".", 1)[-1]
        return _trains_words(last)
    program = posixpath.basename(command.argv[0]) if command.argv else ""
    if program in _NOT_TRAINING_PROGRAMS:
        return False
    expanded = expand_command(ctx.index, command)
    if program in ("make", "gmake", "dvc"):
        targets = [word for word in command.argv[1:] if not word.startswith("-")]
        if program == "dvc" and targets[:1] in (["repro"], ["exp"]):
            targets = targets[1:] if targets[:1] == ["repro"] else targets[2:]
        if any(_trains_words(target.split(":")[-1]) for target in targets if target != "run"):
            return True
        return any(_command_trains(ctx, inner) for inner in expanded if inner.argv and posixpath.basename(inner.argv[0]) not in ("make", "dvc"))
    return any(_trains_words(posixpath.basename(word).split(":")[0]) for word in command.argv[1:] if not word.startswith("-"))


def _ci_schedules(ctx: DetectorContext) -> Iterator[_Schedule]:
    pipelines = ci_pipelines(ctx.index)
    dispatch_types = _dispatch_types(ctx)
    for workflow in pipelines.workflows:
        for job in workflow.jobs:
            scheduled = "schedule" in job.triggers and (
                workflow.kind == "github" or job.triggers <= {"schedule", "web", "api"}
            )
            dispatched = "repository_dispatch" in job.triggers and workflow.kind == "github"
            if not (scheduled or dispatched) or job.manual:
                continue
            commands = [command for step in job.steps for command in step.commands()]
            training = next((command for command in commands if _command_trains(ctx, command)), None)
            shown = training or (commands[-1] if commands else None)
            runs = f"`{shown.shown()}`" if shown is not None else "no shell command"
            if scheduled:
                if workflow.kind == "github" and workflow.schedules:
                    cron = workflow.schedules[0]
                    what, line = f"workflow `{workflow.name}` job `{job.name}` on cron `{cron.cron}`", cron.line
                elif workflow.kind == "github":  # a reusable workflow called by a scheduled one
                    what, line = f"workflow `{workflow.name}` job `{job.name}`, called by a scheduled workflow", job.line
                else:
                    what, line = f"GitLab job `{job.name}` in scheduled pipelines", job.line
            else:
                types = dispatch_types.get(workflow.path, [])
                if not any(_TRIGGER_TYPES.search(kind) for kind in types):
                    continue
                what, line = f"workflow `{workflow.name}` job `{job.name}` on repository_dispatch {', '.join(f'`{t}`' for t in types)}", job.line
            yield _Schedule(what, runs, training is not None, job.path, training.line if training and training.line else line)


def _dispatch_types(ctx: DetectorContext) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in ctx.index.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        text = ctx.index.read_text(path)
        if text is None or "repository_dispatch" not in text:
            continue
        documents = ctx.index.yaml_documents(path) or []
        document = documents[0] if documents else None
        on = (document.get("on", document.get(True)) if isinstance(document, dict) else None)
        dispatch = on.get("repository_dispatch") if isinstance(on, dict) else None
        types = dispatch.get("types") if isinstance(dispatch, dict) else None
        if isinstance(types, list):
            found[path] = [str(kind) for kind in types if isinstance(kind, str)]
    return found


def _cronjobs(ctx: DetectorContext) -> Iterator[_Schedule]:
    for path in ctx.candidates(RETRAINING, manifest_candidates(ctx.index)):
        text = ctx.index.read_text(path)
        if text is None or "CronJob" not in text:
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            continue
        for document in documents:
            if not isinstance(document, dict) or document.get("kind") != "CronJob":
                continue
            spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
            workloads = list(iter_workloads(path, [document]))
            if not workloads:
                continue
            workload = workloads[0]
            words: list[str] = []
            images: list[str] = []
            for container in workload.containers:
                for key in ("command", "args"):
                    value = container.spec.get(key)
                    if isinstance(value, list):
                        words.extend(str(part) for part in value)
                    elif isinstance(value, str):
                        words.append(value)
                image = container.spec.get("image")
                if isinstance(image, str):
                    images.append(image.rsplit("/", 1)[-1].split(":")[0])
            tokens = [token for word in [*words, *images] for token in word.split() if not token.startswith("-")]
            trains = any(_trains_words(posixpath.basename(token).split(":")[0].replace(".py", "")) for token in tokens)
            match = re.search(rf"name:\s*[\"']?{re.escape(workload.name)}", text)
            line = text.count("\n", 0, match.start()) + 1 if match else None
            schedule = spec.get("schedule")
            command = f"`{' '.join(words)[:60]}`" if words else "the image's default command"
            runs = f"{command} in image `{', '.join(images)}`" if images else command
            if spec.get("suspend") is True:
                yield _Schedule(f"CronJob `{workload.name}` is suspended", runs, False, path, line)
                continue
            if not isinstance(schedule, str) or not schedule.strip():
                continue
            yield _Schedule(f"CronJob `{workload.name}` on `{schedule}`", runs, trains, path, line)


def _python_schedules(ctx: DetectorContext) -> Iterator[_Schedule]:
    for module in source_modules(ctx, RETRAINING):
        if not module.mentions("airflow", "create_recurring_run") or not module.parses:
            continue
        training_tasks = _training_tasks(module)
        for call in iter_calls(module.tree, module.aliases):
            last = call.name.rsplit(".", 1)[-1]
            if call.name.startswith("airflow") and last in ("DAG", "dag"):
                schedule = next((item.value for item in call.node.keywords if item.arg in ("schedule", "schedule_interval", "timetable")), None)
                dag_id = constant_value(call.node.args[0]) if call.node.args else next(
                    (constant_value(item.value) for item in call.node.keywords if item.arg == "dag_id"), None)
                label = f"Airflow DAG `{dag_id}`" if isinstance(dag_id, str) else "Airflow DAG"
                runs = f"task `{training_tasks[0]}`" if training_tasks else "no training task"
                value = constant_value(schedule) if schedule is not None else None
                if schedule is None or value is None:
                    yield _Schedule(f"{label} sets no schedule (it runs only when triggered)", runs, False, module.path, call.line)
                    continue
                shown = value if isinstance(value, str) else ast.unparse(schedule)[:40]
                yield _Schedule(f"{label} on `{shown}`", runs, bool(training_tasks), module.path, call.line)
            elif last == "create_recurring_run":
                strings = [constant_value(node) for node in ast.walk(call.node) if isinstance(node, ast.Constant)]
                trains = any(isinstance(value, str) and _trains_words(value.rsplit("/", 1)[-1].split(".")[0]) for value in strings)
                yield _Schedule("Kubeflow recurring run", "a training pipeline" if trains else "a pipeline not named for training",
                                trains, module.path, call.line)


def _training_tasks(module: PythonModule) -> list[str]:
    tasks: list[str] = []
    for call in iter_calls(module.tree, module.aliases):
        task_id = next((constant_value(item.value) for item in call.node.keywords if item.arg == "task_id"), None)
        if isinstance(task_id, str) and _trains_words(task_id):
            tasks.append(task_id)
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _trains_words(node.name) and any(
            "task" in ast.unparse(decorator) for decorator in node.decorator_list
        ):
            tasks.append(node.name)
    return tasks


@dataclass
class _Policy:
    path: str
    line: int
    says_when: bool
    says_why: bool


def _policies(ctx: DetectorContext) -> list[_Policy]:
    found: list[_Policy] = []
    for path in markdown_paths(ctx, RETRAINING):
        text = ctx.index.read_text(path)
        if text is None or not _POLICY_HEADING.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            continue
        for heading in top_level_matches(document, _POLICY_HEADING):
            lines = [text for _, text, title in _document_lines(ctx, path, document, document.subtree(heading)) if text != title]
            when = any(_WHEN.search(line) for line in lines)
            why = any(_WHY.search(line) for line in lines)
            found.append(_Policy(path, heading.line, when, why))
    return found


@detector(
    name="retraining-schedule",
    items=(RETRAINING,),
    looks_for="a schedule or trigger that runs training (GitHub Actions `on: schedule`, GitLab scheduled job, "
    "Kubernetes CronJob, Airflow DAG schedule, Kubeflow recurring run, drift `repository_dispatch`) and a "
    "Markdown *Retraining* section saying when and why",
)
def retraining_schedule(ctx: DetectorContext) -> Iterator[Evidence]:
    """Scheduled or triggered training, judged together with the written retraining policy."""
    schedules = [*_ci_schedules(ctx), *_cronjobs(ctx), *_python_schedules(ctx)]
    policies = _policies(ctx)
    written = [policy for policy in policies if policy.says_when or policy.says_why]
    training = [schedule for schedule in schedules if schedule.trains]
    if training:
        schedule = training[0]
        if written:
            policy = written[0]
            yield ctx.supports(RETRAINING, f"{schedule.what} runs training ({schedule.runs}); policy in "
                               f"`{policy.path}:{policy.line}`", path=schedule.path, line=schedule.line)
        else:
            yield ctx.partial(RETRAINING, f"{schedule.what} runs training ({schedule.runs}) but no written retraining "
                              "policy says when and why", path=schedule.path, line=schedule.line)
        return
    for policy in policies:
        if not (policy.says_when or policy.says_why):
            yield ctx.partial(RETRAINING, "retraining heading says neither when nor why the model is retrained",
                              path=policy.path, line=policy.line)
    if written:
        policy = written[0]
        yield ctx.partial(RETRAINING, "retraining policy written but nothing schedules training",
                          path=policy.path, line=policy.line)
    if schedules:
        other = schedules[0]
        more = f" (and {_count(len(schedules) - 1, 'other schedule')})" if len(schedules) > 1 else ""
        yield ctx.partial(RETRAINING, f"{other.what} runs {other.runs}, not training{more}", path=other.path, line=other.line)


DETECTORS: tuple[Detector, ...] = (privacy_document, mlflow_lineage, lineage_records, retraining_schedule)


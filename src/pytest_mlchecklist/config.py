"""Configuration: pydantic models, loading from ``mlchecklist.yaml`` or ``pyproject.toml``,
and resolution against a catalog (item references, waivers, not-applicable decisions).

Every problem becomes a :class:`~pytest_mlchecklist.errors.ConfigError` that names the file,
the key and, where it helps, a did-you-mean suggestion. Nothing here knows about pytest.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError, model_validator

from pytest_mlchecklist.catalog.models import Catalog, CatalogItem
from pytest_mlchecklist.catalog.validation import format_loc, is_union_branch, known_keys
from pytest_mlchecklist.errors import ConfigError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

YAML_CONFIG_NAMES = ("mlchecklist.yaml", "mlchecklist.yml")
PYPROJECT_TABLE = "ml-checklist"
_PLACEHOLDER_REASONS = {
    "", "n/a", "na", "none", "no", "-", "--", "tbd", "todo", "wip", "later", "fixme", "x",
    "skip", "skipped", "waived", "not needed", "not applicable", "not relevant", "no reason", "because",
}
ItemRef = int | str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatencyTargets(_Model):
    """Latency service-level targets in milliseconds."""

    p50: PositiveFloat | None = None
    p95: PositiveFloat | None = None
    p99: PositiveFloat | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> LatencyTargets:
        if self.p50 is None and self.p95 is None and self.p99 is None:
            raise ValueError("give at least one of p50, p95, p99 (milliseconds)")
        return self

    def targets(self) -> dict[str, float]:
        """The targets that are set, as ``{"p99": 80.0}``."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class SlaSettings(_Model):
    """Service-level agreements that detectors compare measurements with."""

    latency_ms: LatencyTargets | None = None


FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]
Fraction01 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class MetricGateEntry(_Model):
    """How ``ml_metric_gate`` gates one metric: a floor (``min``: higher is better), a ceiling
    (``max``: lower is better), or only a ``direction`` for the comparison with the baseline."""

    min: FiniteNumber | None = None
    max: FiniteNumber | None = None
    direction: Literal["higher", "lower"] | None = None
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _one_direction(self) -> MetricGateEntry:
        if self.min is not None and self.max is not None:
            raise ValueError("give min (higher is better) or max (lower is better), not both")
        if self.min is None and self.max is None and self.direction is None:
            raise ValueError("give min (higher is better), max (lower is better) or direction (higher|lower)")
        if self.direction is not None and self.direction != self.better():
            bound = "min" if self.min is not None else "max"
            raise ValueError(f"direction {self.direction} contradicts {bound} (min means higher is better, max lower)")
        return self

    def better(self) -> str:
        """``"higher"`` or ``"lower"`` (is better)."""
        if self.min is not None:
            return "higher"
        if self.max is not None:
            return "lower"
        return self.direction or "higher"

    def threshold(self) -> float | None:
        """The floor or ceiling, ``None`` when the metric is only compared with the baseline."""
        return self.min if self.min is not None else self.max


class MetricsSettings(_Model):
    """Metric gates that ``ml_metric_gate`` applies when a test gives no thresholds of its own."""

    gates: dict[str, MetricGateEntry] = Field(default_factory=dict)
    baseline: str | None = None
    rel_tolerance: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _something_to_compare(self) -> MetricsSettings:
        if self.baseline is not None and not self.baseline.strip():
            raise ValueError("baseline must be the path of a JSON or YAML file of the current model's metrics")
        if self.baseline is not None and not self.baseline.lower().endswith((".json", ".yaml", ".yml")):
            raise ValueError(f"baseline {self.baseline!r} must be a .json, .yaml or .yml file")
        if self.baseline is None:
            orphans = sorted(name for name, entry in self.gates.items() if entry.threshold() is None)
            if orphans:
                raise ValueError(f"{', '.join(orphans)}: no min or max, and no baseline to compare with; "
                                 "give min/max or set metrics.baseline")
        if self.baseline is not None and not self.gates:
            raise ValueError("a baseline needs gates naming the metrics to compare and their direction")
        return self


class DriftSettings(_Model):
    """Drift thresholds for ``ml_drift``: a statistic strictly above its threshold is drift.
    A key left out keeps the helper's default; ``null`` turns that statistic's check off."""

    psi: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    ks: Fraction01 | None = None
    js: Fraction01 | None = None
    bins: Annotated[int, Field(ge=2, le=1000)] | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> DriftSettings:
        turned_off = [name for name in ("psi", "ks", "js") if name in self.model_fields_set and getattr(self, name) is None]
        if len(turned_off) == 3:
            raise ValueError("psi, ks and js are all null: keep at least one drift statistic")
        return self

    def configured(self) -> dict[str, float | None]:
        """The thresholds written in the configuration (``None`` = that check turned off)."""
        return {name: getattr(self, name) for name in ("psi", "ks", "js") if name in self.model_fields_set}


class WaiverEntry(_Model):
    """A recorded decision to ship without an item for now."""

    item: ItemRef
    reason: str
    owner: str | None = None
    expires: dt.date


class NotApplicableEntry(_Model):
    """A permanent decision that an item does not apply, with its reasoning."""

    item: ItemRef
    reason: str


class Settings(_Model):
    """Everything a team can configure under ``[tool.ml-checklist]`` or in ``mlchecklist.yaml``."""

    #: A built-in catalog name, an installed extension's catalog name, or a path to a team catalog
    #: YAML file relative to this file's folder (see engine.build_config and docs/team-catalogs.md).
    catalog: str = "production-ml-51"
    profile: str | list[ItemRef] = "mvp"
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    max_waiver_days: PositiveInt = 180
    rollback_rehearsal_max_days: PositiveInt = 180
    review_max_days: PositiveInt = 365
    alert_review_max_days: PositiveInt = 180
    evidence: dict[ItemRef, list[str]] = Field(default_factory=dict)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    drift: DriftSettings = Field(default_factory=DriftSettings)
    waivers: list[WaiverEntry] = Field(default_factory=list)
    not_applicable: list[NotApplicableEntry] = Field(default_factory=list)
    strict: bool = False
    max_file_size_kb: PositiveInt = 1024
    max_files: PositiveInt = 250_000
    #: Monorepo: project folders or globs, each with its own configuration (docs/monorepos.md).
    projects: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class LoadedSettings:
    """Settings as read from a file, before they are checked against a catalog."""

    settings: Settings
    source: str | None  # display name of the file, relative to the root where possible
    kind: str  # "yaml", "pyproject" or "defaults"


@dataclass(frozen=True)
class Waiver:
    """A valid waiver, resolved to an item slug."""

    item: str
    reason: str
    owner: str | None
    expires: dt.date
    source: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form used in reports."""
        return {
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "source": self.source,
        }


@dataclass(frozen=True)
class NotApplicable:
    """A valid not-applicable decision, resolved to an item slug."""

    item: str
    reason: str
    source: str


@dataclass(frozen=True)
class ResolvedConfig:
    """Settings checked against a catalog and a date: what the engine evaluates with."""

    settings: Settings
    catalog: Catalog
    profile: str
    items: tuple[CatalogItem, ...]
    locked_items: frozenset[str]
    waiver_owner_required: bool
    declared: dict[str, tuple[str, ...]]
    waivers: dict[str, Waiver]
    not_applicable: dict[str, NotApplicable]
    today: dt.date
    source: str | None
    source_kind: str
    strict: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------- loading
class _ConfigYamlLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as strings, so that pydantic validates them and an
    impossible date (2027-02-30) is reported with its key instead of crashing the parser."""


_ConfigYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def find_config_file(root: Path) -> tuple[Path | None, str]:
    """Locate the configuration of a repository: ``(path, kind)``; ``(None, "defaults")`` if none.

    ``mlchecklist.yaml`` and a ``[tool.ml-checklist]`` table in ``pyproject.toml`` may not both
    be present: that would leave it unclear which one is in force.
    """
    yaml_files = [root / name for name in YAML_CONFIG_NAMES if (root / name).is_file()]
    pyproject = root / "pyproject.toml"
    has_table = pyproject.is_file() and _pyproject_has_table(pyproject)
    if len(yaml_files) > 1:
        raise ConfigError([f"both {yaml_files[0].name} and {yaml_files[1].name} exist; keep one"], source=str(root))
    if yaml_files and has_table:
        raise ConfigError(
            [f"both {yaml_files[0].name} and [tool.{PYPROJECT_TABLE}] in pyproject.toml configure the "
             "checklist; keep one of them"],
            source=str(root),
        )
    if yaml_files:
        return yaml_files[0], "yaml"
    if has_table:
        return pyproject, "pyproject"
    return None, "defaults"


def _pyproject_has_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml is pytest's problem first; if it is ours, loading says so.
        return "[tool.ml-checklist" in path.read_text(encoding="utf-8", errors="replace")
    return PYPROJECT_TABLE in data.get("tool", {})


def load_settings(root: Path, config_file: Path | None = None) -> LoadedSettings:
    """Read and validate the settings of the repository at ``root``.

    ``config_file`` names a file explicitly (``--ml-checklist-config``); otherwise the file is
    found with :func:`find_config_file`. Missing configuration means the defaults.
    """
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError([f"the configuration file {config_file} does not exist"], source=str(config_file))
        kind = "pyproject" if config_file.name == "pyproject.toml" else "yaml"
        path: Path | None = config_file
    else:
        path, kind = find_config_file(root)
    if path is None:
        return LoadedSettings(settings=Settings(), source=None, kind="defaults")
    display = _display_path(path, root)
    raw = _read_yaml(path, display) if kind == "yaml" else _read_pyproject(path, display)
    return LoadedSettings(settings=validate_settings(raw, source=display), source=display, kind=kind)


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_text(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(["the file is not UTF-8 text; save it as UTF-8"], source=display) from None
    except OSError as exc:
        raise ConfigError([f"the file cannot be read ({exc.strerror}); check its permissions"], source=display) from None


def _read_yaml(path: Path, display: str) -> dict[str, Any]:
    try:
        data = yaml.load(_read_text(path, display), Loader=_ConfigYamlLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([f"not valid YAML{where}: {problem}; fix the syntax"], source=display) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(["the file must hold a mapping of settings (key: value), not a list or a scalar"], source=display)
    return data


def _read_pyproject(path: Path, display: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(_read_text(path, display))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}; fix the syntax"], source=display) from None
    table = data.get("tool", {}).get(PYPROJECT_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError([f"[tool.{PYPROJECT_TABLE}] must be a table"], source=display)
    return table


def validate_settings(raw: dict[str, Any], *, source: str) -> Settings:
    """Validate raw settings; a :class:`ValidationError` becomes a readable :class:`ConfigError`."""
    prefix = f"tool.{PYPROJECT_TABLE}." if source.endswith("pyproject.toml") else ""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe_validation_error(error, prefix) for error in exc.errors()]
        raise ConfigError(_dedupe(problems), source=source) from None


def _describe_validation_error(error: Any, prefix: str) -> str:
    loc = tuple(part for part in error["loc"] if not is_union_branch(part))
    key = prefix + format_loc(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = known_keys(Settings, loc[:-1])
        return f"unknown key '{key}'{did_you_mean(str(loc[-1]), known)} (known keys here: {', '.join(sorted(known))})"
    if kind == "missing":
        return f"'{key}' is required"
    if kind.startswith("date") or (loc and loc[-1] == "expires"):
        return f"'{key}': {error['input']!r} is not a valid date; write it as YYYY-MM-DD, e.g. 2027-03-01"
    if kind == "value_error":  # our own validators: the message says it all, without pydantic's prefix
        return f"'{key}': {str(error['msg']).removeprefix('Value error, ')}"
    return f"'{key}': {error['msg']} (got {error['input']!r})"


def _dedupe(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------------- resolving
def is_meaningful_reason(reason: str) -> bool:
    """A reason says something: not empty, not a placeholder, and at least three words."""
    text = " ".join(reason.split()).strip(" .!").lower()
    return text not in _PLACEHOLDER_REASONS and len(re.findall(r"[\w@#-]+", text)) >= 3


def resolve_item(catalog: Catalog, ref: ItemRef) -> CatalogItem | None:
    """The catalog item a slug or number refers to."""
    return catalog.resolve(ref)


def unknown_item_message(catalog: Catalog, ref: ItemRef) -> str:
    """``unknown item 'x'; did you mean 'y'?`` with the catalog's slugs as candidates."""
    text = str(ref)
    if text.strip().isdigit():
        numbers = [item.number for item in catalog.items if item.number is not None]
        return f"unknown item number {text} (catalog {catalog.name} numbers its items {min(numbers)}-{max(numbers)})"
    same = [item for item in catalog.items if text.strip() in item.same_as]
    if same:
        return (f"unknown item '{text}' in catalog {catalog.name}: it is a {catalog.reuses} slug; the same "
                f"safety net here is '{same[0].id}'" + (f" ({same[0].number})" if same[0].number else ""))
    return f"unknown item '{text}'{did_you_mean(text, [item.id for item in catalog.items])}"


def check_waiver(
    *,
    catalog: Catalog,
    ref: ItemRef,
    reason: str | None,
    owner: str | None,
    expires: dt.date | str | None,
    today: dt.date,
    max_waiver_days: int,
    locked_items: frozenset[str],
    owner_required: bool,
    profile: str,
    where: str,
) -> tuple[Waiver | None, list[str]]:
    """Validate one waiver (from configuration or a marker): the waiver or the problems."""
    item = resolve_item(catalog, ref)
    if item is None:
        return None, [f"{where}: {unknown_item_message(catalog, ref)}"]
    problems: list[str] = []
    if reason is None or not is_meaningful_reason(reason):
        problems.append(
            f"{where}: the reason {reason!r} does not explain the decision; say why it is safe to ship "
            "without this item for now (at least a short sentence)"
        )
    expiry: dt.date | None = None
    if expires is None:
        problems.append(f"{where}: 'expires' is required (YYYY-MM-DD, at most {max_waiver_days} days ahead)")
    elif isinstance(expires, dt.date):
        expiry = expires
    else:
        try:
            expiry = dt.date.fromisoformat(str(expires))
        except ValueError:
            problems.append(f"{where}: 'expires' {expires!r} is not a valid date; write it as YYYY-MM-DD")
    if expiry is not None and (expiry - today).days > max_waiver_days:
        latest = today + dt.timedelta(days=max_waiver_days)
        problems.append(
            f"{where}: expires {expiry.isoformat()}, more than {max_waiver_days} days ahead (max_waiver_days); "
            f"choose a date on or before {latest.isoformat()} and revisit the decision then"
        )
    if owner_required and not (owner and owner.strip()):
        problems.append(f"{where}: the {profile} profile requires an 'owner' for every waiver (a person or team)")
    if item.id in locked_items:
        problems.append(
            f"{where}: {item.label} can never be waived under the {profile} profile; provide the evidence instead"
        )
    if problems or expiry is None:
        return None, problems
    return Waiver(item=item.id, reason=reason or "", owner=owner, expires=expiry, source=where), []


def resolve_config(
    loaded: LoadedSettings,
    catalog: Catalog,
    *,
    today: dt.date,
    profile_override: str | None = None,
    strict_override: bool = False,
) -> ResolvedConfig:
    """Check loaded settings against ``catalog`` and ``today``; collect every problem at once."""
    settings = loaded.settings
    source = loaded.source or "the default configuration"
    prefix = f"tool.{PYPROJECT_TABLE}." if loaded.kind == "pyproject" else ""
    problems: list[str] = []

    profile_value: str | list[ItemRef]
    if profile_override is not None:
        profile_value = profile_override
    elif "profile" in settings.model_fields_set:
        profile_value = settings.profile
    else:
        profile_value = catalog.profile_when_unset
    profile_name, items, locked, owner_required = _resolve_profile(catalog, profile_value, prefix, problems)

    declared: dict[str, tuple[str, ...]] = {}
    for ref, paths in settings.evidence.items():
        item = resolve_item(catalog, ref)
        if item is None:
            problems.append(f"'{prefix}evidence': {unknown_item_message(catalog, ref)}")
        else:
            declared[item.id] = tuple(declared.get(item.id, ())) + tuple(paths)

    waivers: dict[str, Waiver] = {}
    for position, entry in enumerate(settings.waivers):
        where = f"'{prefix}waivers[{position}]'"
        waiver, waiver_problems = check_waiver(
            catalog=catalog, ref=entry.item, reason=entry.reason, owner=entry.owner, expires=entry.expires,
            today=today, max_waiver_days=settings.max_waiver_days, locked_items=locked,
            owner_required=owner_required, profile=profile_name, where=where,
        )
        problems.extend(waiver_problems)
        if waiver is not None:
            if waiver.item in waivers:
                problems.append(f"{where}: {waiver.item} is already waived by {waivers[waiver.item].source}; keep one waiver")
            waivers[waiver.item] = Waiver(waiver.item, waiver.reason, waiver.owner, waiver.expires, f"{source} {where}")

    not_applicable: dict[str, NotApplicable] = {}
    for position, na_entry in enumerate(settings.not_applicable):
        where = f"'{prefix}not_applicable[{position}]'"
        item = resolve_item(catalog, na_entry.item)
        if item is None:
            problems.append(f"{where}: {unknown_item_message(catalog, na_entry.item)}")
            continue
        if not is_meaningful_reason(na_entry.reason):
            problems.append(f"{where}: the reason {na_entry.reason!r} does not explain why {item.id} does not apply")
            continue
        if item.id in locked:
            problems.append(f"{where}: {item.label} cannot be declared not applicable under the {profile_name} profile")
            continue
        if item.id in waivers:
            problems.append(f"{where}: {item.id} is both waived and declared not applicable; keep one decision")
            continue
        not_applicable[item.id] = NotApplicable(item.id, na_entry.reason, f"{source} {where}")

    if problems:
        raise ConfigError(problems, source=source)
    return ResolvedConfig(
        settings=settings,
        catalog=catalog,
        profile=profile_name,
        items=tuple(items),
        locked_items=locked,
        waiver_owner_required=owner_required,
        declared=declared,
        waivers=waivers,
        not_applicable=not_applicable,
        today=today,
        source=loaded.source,
        source_kind=loaded.kind,
        strict=strict_override or settings.strict,
    )


#: Profiles that are the name of a built-in catalog: choosing the profile chooses the catalog.
CATALOG_PROFILES = ("safety-nets",)


def choose_catalog(settings: Settings, *, catalog_override: str | None = None,
                   profile_override: str | None = None) -> str:
    """The catalog a run evaluates: the command line's, else the configuration's ``catalog``,
    else the catalog a profile such as ``safety-nets`` names, else ``production-ml-51``."""
    if catalog_override:
        return catalog_override
    if "catalog" in settings.model_fields_set:
        return settings.catalog
    profile = profile_override if profile_override is not None else settings.profile
    if isinstance(profile, str) and profile in CATALOG_PROFILES:
        return profile
    return settings.catalog


def _resolve_profile(
    catalog: Catalog, value: str | list[ItemRef], prefix: str, problems: list[str]
) -> tuple[str, list[CatalogItem], frozenset[str], bool]:
    if isinstance(value, list):
        items: list[CatalogItem] = []
        for ref in value:
            item = resolve_item(catalog, ref)
            if item is None:
                problems.append(f"'{prefix}profile': {unknown_item_message(catalog, ref)}")
            elif item not in items:
                items.append(item)
        ordered = [item for item in catalog.items if item in items]
        return "custom", ordered, frozenset(), False
    if value not in catalog.profiles:
        problems.append(
            f"'{prefix}profile': unknown profile '{value}'{did_you_mean(value, catalog.profiles)} "
            f"(catalog {catalog.name} has: {', '.join(catalog.profiles)}, or a list of item ids)"
        )
        return value, [], frozenset(), False
    profile = catalog.profiles[value]
    locked = frozenset(
        item.id for item in catalog.items if profile.locked_tier is not None and profile.locked_tier in item.tiers
    )
    return value, catalog.items_for_profile(value), locked, profile.waiver_owner_required


def parse_today(value: str) -> dt.date:
    """Parse ``--ml-checklist-today``; raises ``ValueError`` with a usable message."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-22") from None

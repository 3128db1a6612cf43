"""Team catalogs: a YAML file in the repository that adds items, alone or on top of a base catalog.

```yaml
schema_version: 1
name: acme-ml
title: Acme ML readiness
extends: production-ml-51          # optional: a built-in catalog or one an extension provides
sections:                          # optional: added to the base's sections
  - {id: acme-platform, title: Acme platform}
profiles:                          # optional: added to (or replacing) the base's profiles
  acme: {tier: mature, description: Everything, the Acme items included}
items:
  - id: model-registry
    section: acme-platform
    title: Every model is registered with an owner
    description: ...
    remediation: ...
    tiers: [mvp, mature]
    rules:                          # declarative evidence (pytest_mlchecklist.catalog.rules)
      - files: [docs/model-registry.md]
        headings: [Owner, Promotion]
```

With ``extends``, the base's items, sections and profiles are kept and the team's appended; a
slug, number or section id that clashes with the base is an error. Every problem is collected
and reported at once as a :class:`~pytest_mlchecklist.errors.CatalogError` naming the file, the
item and the key, with a did-you-mean suggestion, in the style of the configuration errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pytest_mlchecklist.catalog.models import BaseItem, Catalog, CatalogItem, EvidenceSource, Profile, Section, Source
from pytest_mlchecklist.catalog.rules import EvidenceRule
from pytest_mlchecklist.catalog.validation import format_loc, is_union_branch, known_keys
from pytest_mlchecklist.errors import CatalogError, did_you_mean

#: Profiles a catalog without ``extends`` gets when it defines none.
DEFAULT_PROFILES = {
    "mvp": Profile(tier="mvp", description="The items tagged for a first production launch."),
    "mature": Profile(tier="mature", description="Every item tagged for an established production system."),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamItem(BaseItem):
    """An item of a team catalog: a catalog item whose ``evidence`` defaults from its rules."""

    evidence: list[EvidenceSource] | None = Field(default=None, min_length=1)
    rules: list[EvidenceRule] = Field(default_factory=list)
    rules_match: Literal["all", "any"] = "all"

    def evidence_sources(self) -> list[EvidenceSource]:
        """``evidence`` as written, else ``[file, test, declared]`` with rules, ``[test, declared]`` without."""
        if self.evidence is not None:
            return list(self.evidence)
        return ["file", "test", "declared"] if self.rules else ["test", "declared"]


class TeamCatalog(_Strict):
    """The top level of a team catalog file."""

    schema_version: Literal[1]
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=3)
    source: Source | None = None
    extends: str | None = None
    default_profile: str | None = None
    sections: list[Section] = Field(default_factory=list)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    items: list[TeamItem] = Field(min_length=1)

    @field_validator("extends")
    @classmethod
    def _extends_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("'extends' is empty; name a catalog such as production-ml-51, or remove the key")
        return value


# ---------------------------------------------------------------------- reading
class _CatalogYamlLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as strings, so that pydantic validates them and an
    impossible date (2026-02-30) is reported with its key instead of crashing the parser."""


_CatalogYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_team_catalog(text: str, *, source: str) -> TeamCatalog:
    """Parse and validate the text of a team catalog file named ``source``."""
    try:
        data = yaml.load(text, Loader=_CatalogYamlLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise catalog_error([f"not valid YAML{where}: {problem}; fix the syntax"], source) from None
    if not isinstance(data, dict):
        raise catalog_error(["the file must hold a mapping (schema_version, name, title, items...), "
                             "not a list, a scalar or nothing"], source)
    try:
        return TeamCatalog.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, data) for error in exc.errors()]
        raise catalog_error(list(dict.fromkeys(problems)), source) from None


def catalog_error(problems: list[str], source: str) -> CatalogError:
    """A :class:`CatalogError` listing ``problems`` of the catalog file ``source``."""
    lines = [f"invalid catalog in {source}:"] + [f"  - {problem}" for problem in problems]
    return CatalogError("\n".join(lines))


def _describe(error: Any, data: dict[str, Any]) -> str:
    loc = tuple(part for part in error["loc"] if not is_union_branch(part))
    key = format_loc(loc)
    item = _item_label(loc, data)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = known_keys(TeamCatalog, loc[:-1])
        return (f"{item}unknown key '{key}'{did_you_mean(str(loc[-1]), known)} "
                f"(known keys here: {', '.join(sorted(known))})")
    if kind == "missing":
        return f"{item}'{key}' is required"
    if kind.startswith("date"):
        return f"{item}'{key}': {error['input']!r} is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-03"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if key and isinstance(value, (dict, list)):
        return f"{item}'{key}': {message}"
    if key:
        return f"{item}'{key}': {message} (got {_short(value)})"
    return f"{item}{message}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _item_label(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            slug = items[loc[1]].get("id")
            if isinstance(slug, str):
                return f"item '{slug}': "
    return ""


# ---------------------------------------------------------------------- merging
def build_team_catalog(
    team: TeamCatalog,
    *,
    source: str,
    find_base: Callable[[str], Catalog | None],
    base_names: list[str],
) -> Catalog:
    """The catalog a team file describes: its base's items, sections and profiles (with
    ``extends``) followed by its own. ``find_base`` returns a catalog by name, or ``None``."""
    problems: list[str] = []
    base: Catalog | None = None
    if team.extends is not None:
        base = find_base(team.extends)
        if base is None:
            problems.append(f"'extends': unknown catalog '{team.extends}'{did_you_mean(team.extends, base_names)} "
                            f"(available: {', '.join(base_names)})")
            raise catalog_error(problems, source)
        if base.name == team.name:
            problems.append(f"'name': the catalog is named like its base '{base.name}'; give it a name of its own")

    base_sections = list(base.sections) if base else []
    base_section_ids = {section.id for section in base_sections}
    for position, section in enumerate(team.sections):
        if section.id in base_section_ids:
            problems.append(f"'sections[{position}]': section '{section.id}' is already in {base.name if base else ''}; "
                            "use it in items without declaring it again")
    sections = base_sections + list(team.sections)
    section_ids = [section.id for section in sections]
    if not sections:
        problems.append("'sections': a catalog without 'extends' needs at least one section (id and title)")

    base_items = list(base.items) if base else []
    base_ids = {item.id for item in base_items}
    base_numbers = {item.number: item.id for item in base_items if item.number is not None}
    seen_ids: dict[str, int] = {}
    seen_numbers: dict[int, str] = {}
    items: list[CatalogItem] = []
    for position, entry in enumerate(team.items):
        where = f"item '{entry.id}' ('items[{position}]')"
        if entry.id in base_ids:
            problems.append(f"{where}: the slug '{entry.id}' is already an item of {base.name if base else ''}; "
                            "choose another slug")
        if entry.id in seen_ids:
            problems.append(f"{where}: the slug '{entry.id}' is used twice (also 'items[{seen_ids[entry.id]}]')")
        seen_ids.setdefault(entry.id, position)
        if entry.number is not None:
            if entry.number in base_numbers:
                problems.append(f"{where}: number {entry.number} is already [{entry.number}] {base_numbers[entry.number]} "
                                f"of {base.name if base else ''}; choose a number above {max(base_numbers)} or none")
            elif entry.number in seen_numbers:
                problems.append(f"{where}: number {entry.number} is also used by item '{seen_numbers[entry.number]}'")
            seen_numbers.setdefault(entry.number, entry.id)
        if entry.section not in section_ids:
            problems.append(f"{where}: 'section' names unknown section '{entry.section}'"
                            f"{did_you_mean(entry.section, section_ids)} (sections: {', '.join(section_ids) or 'none'})")
        evidence = entry.evidence_sources()
        if entry.rules and "file" not in evidence:
            problems.append(f"{where}: it has 'rules' but its 'evidence' ({', '.join(evidence)}) leaves out 'file', "
                            "so the rules could never count; add file to 'evidence'")
        items.append(CatalogItem(
            id=entry.id, number=entry.number, section=entry.section, title=entry.title,
            description=entry.description, remediation=entry.remediation, tiers=list(entry.tiers),
            evidence=evidence, same_as=[], rules=tuple(entry.rules), rules_match=entry.rules_match,
        ))

    profiles: dict[str, Profile] = dict(base.profiles) if base else {}
    profiles.update(team.profiles)
    if not profiles:
        profiles = dict(DEFAULT_PROFILES)
    default_profile = team.default_profile or (base.default_profile if base else None)
    if default_profile is not None and default_profile not in profiles:
        problems.append(f"'default_profile': unknown profile '{default_profile}'"
                        f"{did_you_mean(default_profile, profiles)} (profiles: {', '.join(profiles)})")
    if problems:
        raise catalog_error(problems, source)
    try:
        return Catalog.model_validate({
            "schema_version": 1,
            "name": team.name,
            "title": team.title,
            "source": team.source if team.source is not None else (base.source if base else None),
            "sections": sections,
            "profiles": profiles,
            "default_profile": default_profile,
            "reuses": base.reuses if base else None,
            "items": [*base_items, *items],
        })
    except ValidationError as exc:  # cross-checks of the merged catalog (should be caught above)
        raise catalog_error([str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()], source) from None


def parse_team_catalog(
    text: str,
    *,
    source: str,
    bases: Mapping[str, Catalog | Callable[[], Catalog]],
) -> Catalog:
    """Read a team catalog file and build its catalog. ``bases`` maps the catalog names that
    ``extends`` may name to a catalog or to a function that loads it."""

    def find_base(name: str) -> Catalog | None:
        found = bases.get(name)
        if found is None or isinstance(found, Catalog):
            return found
        return found()

    team = read_team_catalog(text, source=source)
    return build_team_catalog(team, source=source, find_base=find_base, base_names=sorted(bases))


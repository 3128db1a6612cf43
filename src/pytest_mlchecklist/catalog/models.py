"""Pydantic models of a catalog data file: sections, profiles and items."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pytest_mlchecklist.catalog.rules import EvidenceRule

EvidenceSource = Literal["file", "test", "declared"]
#: A tier names a group of items that profiles select (``mvp``, ``mature``, ``regulated`` in
#: production-ml-51; ``launch`` in safety-nets). Catalogs define their own.
Tier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """The published checklist a catalog is written from (cited by title)."""

    title: str
    author: str | None = None
    published: dt.date | None = None


class Section(_Strict):
    """A group of items, e.g. ``data-pipeline``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str


class Profile(_Strict):
    """Which items a profile enforces, and its extra rules.

    ``tier`` selects the items that carry it; items carrying ``locked_tier`` can never be
    waived under this profile; ``waiver_owner_required`` makes the waiver owner mandatory.
    """

    tier: Tier
    description: str
    locked_tier: Tier | None = None
    waiver_owner_required: bool = False


class BaseItem(_Strict):
    """The fields every item has, in a catalog data file and in a team catalog alike."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    number: int | None = Field(default=None, ge=1)
    section: str
    title: str = Field(min_length=5)
    description: str = Field(min_length=20)
    remediation: str = Field(min_length=20)
    tiers: list[Tier] = Field(min_length=1)


class CatalogItem(BaseItem):
    """One readiness item, described in this project's own words."""

    evidence: list[EvidenceSource] = Field(min_length=1)
    #: Items of the catalog named by :attr:`Catalog.reuses` that are the same safety net: the
    #: detectors of those items give evidence for this one too.
    same_as: list[str] = Field(default_factory=list)
    #: Declarative evidence rules (team catalogs, see :mod:`pytest_mlchecklist.catalog.rules`):
    #: ``all`` of them must hold for the item to be met, or ``any`` one with ``rules_match: any``.
    rules: tuple[EvidenceRule, ...] = ()
    rules_match: Literal["all", "any"] = "all"

    @property
    def label(self) -> str:
        """``[12] training-serving-skew`` or just the slug when the item has no number."""
        return f"[{self.number}] {self.id}" if self.number is not None else self.id


class Catalog(_Strict):
    """A named list of items with its sections and profiles."""

    schema_version: Literal[1]
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    source: Source | None = None
    sections: list[Section] = Field(min_length=1)
    profiles: dict[str, Profile]
    #: The profile used when the configuration names none (``mvp`` when not given).
    default_profile: str | None = None
    #: Another catalog whose detectors items may reuse through ``same_as``.
    reuses: str | None = None
    items: list[CatalogItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        section_ids = {section.id for section in self.sections}
        seen_ids: set[str] = set()
        seen_numbers: set[int] = set()
        for item in self.items:
            if item.section not in section_ids:
                raise ValueError(f"item '{item.id}' names unknown section '{item.section}'")
            if item.id in seen_ids:
                raise ValueError(f"item id '{item.id}' appears twice")
            seen_ids.add(item.id)
            if item.number is not None:
                if item.number in seen_numbers:
                    raise ValueError(f"item number {item.number} appears twice")
                seen_numbers.add(item.number)
            if item.same_as and self.reuses is None:
                raise ValueError(f"item '{item.id}' has same_as but the catalog names no 'reuses' catalog")
        if self.default_profile is not None and self.default_profile not in self.profiles:
            raise ValueError(f"default_profile '{self.default_profile}' is not one of the profiles")
        return self

    @property
    def profile_when_unset(self) -> str:
        """The profile a configuration that names none gets."""
        return self.default_profile or "mvp"

    def item(self, item_id: str) -> CatalogItem:
        """Return the item with this slug (which must exist)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def section_title(self, section_id: str) -> str:
        """Human title of a section."""
        for section in self.sections:
            if section.id == section_id:
                return section.title
        return section_id

    def resolve(self, ref: str | int) -> CatalogItem | None:
        """Find an item by slug (``"rollback"``) or number (``29`` or ``"29"``)."""
        text = str(ref).strip()
        if text.isdigit():
            number = int(text)
            return next((item for item in self.items if item.number == number), None)
        return next((item for item in self.items if item.id == text), None)

    def items_for_profile(self, profile_name: str) -> list[CatalogItem]:
        """The items a named profile enforces, in catalog order."""
        profile = self.profiles[profile_name]
        return [item for item in self.items if profile.tier in item.tiers]

"""Pydantic models of a catalog data file: sections, profiles and items."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EvidenceSource = Literal["file", "test", "declared"]
Tier = Literal["mvp", "mature", "regulated"]


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


class CatalogItem(_Strict):
    """One readiness item, described in this project's own words."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    number: int | None = Field(default=None, ge=1)
    section: str
    title: str = Field(min_length=5)
    description: str = Field(min_length=20)
    remediation: str = Field(min_length=20)
    tiers: list[Tier] = Field(min_length=1)
    evidence: list[EvidenceSource] = Field(min_length=1)

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
        return self

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

"""Request and response bodies of the API, as the OpenAPI document shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AllowInfNan, BaseModel, Strict, StringConstraints

# Keys from a pack: slugs, which also keeps odd bytes (NUL) away from the database.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
# A number, not a numeric string or a boolean, and never NaN or infinity.
Value = Annotated[float, Strict(), AllowInfNan(False)]
# About 650 KB of JSON, well inside Django's 2.5 MB upload limit, and one short transaction.
MAX_READINGS_PER_REQUEST = 5000


class ReadingIn(BaseModel):
    """Plain pydantic, not ninja's Schema: Schema reads every object through a Python
    attribute wrapper (for ORM objects), costlier than the engine on a 500-row body.
    Request bodies are plain JSON, so nothing is lost."""

    organisation: Slug = Field(examples=["kcc-asch"])
    area: Slug = Field(examples=["dgs"])
    indicator: Slug = Field(examples=["stp_staffing_pct"])
    value: Value = Field(examples=[55])
    observed_at: datetime = Field(
        description="When the value was true, with a UTC offset", examples=["2026-11-23T09:00:00Z"]
    )


class ReadingsIn(BaseModel):
    readings: list[ReadingIn] = Field(min_length=1, max_length=MAX_READINGS_PER_REQUEST)


class ReadingOut(Schema):
    id: int
    organisation: str
    area: str
    indicator: str
    value: float
    observed_at: datetime
    kind: str
    level: int | None = Field(description="OPEL 1-4, or null where the cell has no bands")
    colour: str
    cell_status: str
    warnings: list[str]


class ReadingsOut(Schema):
    readings: list[ReadingOut]


class AreaOut(Schema):
    slug: str
    name: str
    active: bool


class OrganisationOut(Schema):
    slug: str
    name: str
    framework: str = Field(description="The pack in force and its version")
    areas: list[AreaOut]


class DeclarationIn(Schema):
    level: int = Field(ge=1, le=4, examples=[3])
    reason: str = Field(
        "", max_length=4000, description="Required when it differs from the suggestion"
    )


class DeclarationOut(Schema):
    id: int
    organisation: str
    level: int
    suggested_level: int | None
    score: float | None
    reason: str
    differs: bool
    declared_by: str
    declared_at: datetime
    framework: str


class CellOut(Schema):
    indicator: str
    area: str
    reading_id: int
    value: float
    level: int | None
    colour: str
    cell_status: str
    observed_at: datetime
    kind: str
    warnings: list[str]


class StatusOut(Schema):
    organisation: str
    framework: str
    suggested_level: int | None = Field(description="The engine's suggestion from current cells")
    score: float | None
    score_level: int | None
    declared: DeclarationOut | None = Field(description="The latest declaration, if any")
    standing_level: int | None = Field(description="Declared where declared, else suggested")
    cells: list[CellOut]


class HistoryReadingOut(Schema):
    id: int
    value: float
    observed_at: datetime
    kind: str
    level: int | None
    colour: str
    cell_status: str
    warnings: list[str]
    supersedes: int | None
    superseded_by: int | None
    confirms: int | None
    reason: str
    submitted_by: str
    submitted_at: datetime


class HistoryOut(Schema):
    organisation: str
    area: str
    indicator: str
    readings: list[HistoryReadingOut] = Field(description="Newest observation first")


class ErrorItem(Schema):
    loc: list[str | int] = Field(description="Where: body, query or path, then field and row")
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str

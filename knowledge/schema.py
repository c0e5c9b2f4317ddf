"""The curated knowledge base's schema: service items, their guides, and policy points.

A null field means the source did not state it. It is never filled in by guesswork:
the renderer says so and points to a human channel.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Aspect(StrEnum):
    """Which part of a guide a question asks for."""

    materials = "materials"
    time_limit = "time_limit"
    fee = "fee"
    conditions = "conditions"
    location = "location"
    online = "online"
    result = "result"
    validity = "validity"
    basis = "basis"
    process = "process"
    overview = "overview"


class Status(StrEnum):
    active = "active"
    superseded = "superseded"
    draft = "draft"


class Trust(StrEnum):
    """How far a source can be trusted, as the curator judged it."""

    official = "official"  # a government portal or the statute text
    reproduction = "reproduction"  # a faithful copy of an official text on another site
    weak = "weak"  # third-party agent, low-credibility or tampered mirror


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str
    url: str
    trust: Trust
    note: str | None = None

    @field_validator("url")
    @classmethod
    def _url_or_reference(cls, v: str) -> str:
        # Most are web addresses; a few are repository references ("https://github.com/… (file)").
        if not v.startswith(("http://", "https://")):
            raise ValueError("source url must start with http:// or https://")
        return v


class Material(_Strict):
    name: str
    original_or_copy: str | None = None  # 原件/复印件
    copies: str | None = None  # 份数
    note: str | None = None  # 备注


class FAQ(_Strict):
    question: str
    answer: str
    source: Source
    region: str | None = None


class Guide(_Strict):
    """One 办事指南: a sub-item of a service item as one region (or the national rule) states it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    sub_item: str | None = None  # 首次注册 / 延续注册 / 变更 / 注销 / 补发 …
    region: str  # 全国（国家法规） or 省/市/区
    national: bool  # True when it states the national rule (statute level)
    item_type: str | None = None  # 事项类型: 行政许可 / 行政确认 / 公共服务 / 备案 …
    implementing_body: str | None = None  # 实施机关
    legal_basis: str | None = None  # 设定依据
    conditions: list[str] | None = None  # 受理条件
    materials: list[Material] | None = None  # 申请材料
    materials_complete: bool = True  # False where the public excerpt stopped mid-list
    process: list[str] | None = None  # 办理流程
    statutory_time_limit: str | None = None  # 法定办结时限
    promised_time_limit: str | None = None  # 承诺办结时限
    fee: str | None = None  # 收费标准
    location: str | None = None  # 办理地点
    hours: str | None = None  # 办理时间
    phone: str | None = None  # 咨询电话
    complaint_phone: str | None = None  # 监督投诉电话
    online: str | None = None  # 网上办理
    result: str | None = None  # 结果名称
    validity: str | None = None  # 有效期
    commitment: str | None = None  # 是否告知承诺
    faq: list[FAQ] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    info_date: str | None = None  # 信息时间 as the source gives it
    last_verified: dt.date
    status: Status = Status.active
    curator_flags: list[str] = Field(default_factory=list)  # caveats a curator must see
    notes: str | None = None  # 备注, shown to citizens when relevant


class ServiceItem(_Strict):
    """A service item (事项), one YAML file in knowledge/data/items/."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str  # 事项名称 as the guides name it
    aliases: list[str] = Field(default_factory=list)  # names people actually use
    category: str  # for routing and display: 医政 / 护理 / 公共卫生 / 妇幼 / 职业健康 / 计划生育 / 药政 …
    summary: str | None = None  # one verbatim sentence from a source, if any
    guides: list[Guide] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)  # codes of neighbouring items
    # Curation metadata (the console): who owns the item, where its facts come from, when they hold.
    office: str | None = None  # owning office (科室); None: the routing table's office for the item
    source_documents: list[str] = Field(default_factory=list)  # titles of the documents the item rests on
    effective_date: dt.date | None = None  # the guides apply from this day
    expiry_date: dt.date | None = None  # the guides no longer apply from this day
    review_due: dt.date | None = None  # the owning office reviews the item again by this day


class PolicyPoint(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    topic: str  # 诊所备案制 / 告知承诺制 / 一业一证 / 出生一件事 / 两个免于提交 / 办不成事 …
    keywords: list[str] = Field(default_factory=list)
    text: str  # cleaned text of the point, taken from the document
    related_items: list[str] = Field(default_factory=list)  # item codes


class PolicyDocument(_Strict):
    """A health commission's work plan, one YAML file in knowledge/data/policies/."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    issuer: str | None = None
    date: str | None = None
    region: str
    seed_file: str  # file name under shared/seeds/
    source: Source | None = None
    last_verified: dt.date
    points: list[PolicyPoint] = Field(min_length=1)


class Referral(_Strict):
    """Services another department handles: named so the assistant can say where to ask, not how."""

    department: str
    keywords: list[str] = Field(min_length=1)
    agencies: list[str] = Field(default_factory=list)
    """The department's offices and staff as citizens name them (医保局, 公积金中心, 城管, 派出所 …): a complaint whose
    target is one of them is that department's matter (`knowledge/query/complaint_target.py`)."""

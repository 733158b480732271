"""The three kinds of record the centre exchanges, as `core.imports.RowValidator`s (the government-data service writes them).

Columns are named after the centre's field names (`uniscid, entname, regstate, estdate, regcap,
opfrom, opto, dom, opscope, industryco` …); a file may instead carry the Chinese headers of the
centre's exports (统一社会信用代码, 企业名称, 登记状态 …) or the English ones — see ALIASES.
Each validated row becomes {"key", "uscc", "source_record_id", "facts", "present"}: `facts` has
model field names; `present` lists the facts the source actually carried (a column missing from a
file never blanks a value that an earlier version had).
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.govdata import cleaning
from api.govdata.models import (EVENT_SEVERITY, TAX_GRADES, CreditEvent, CreditRating, CreditSource, EventKind,
                                RatingScheme, RegistryRecord, RegistryStatus, SyncRun)
from core.imports import ImportColumn, RowError, RowValidator


def col(name: str, label: str, *, required: bool = False, example: str = "") -> ImportColumn:
    return ImportColumn(name=name, label=label, required=required, example=example)


# Headers seen in the centre's exports for each field (compared without spaces, case-insensitive,
# after full-width → half-width; a trailing "(万元)" unit is ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "uniscid": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "unified social credit code", "creditcode",
                "credit_code", "shxydm", "tyshxydm"),
    # `name` is not the company: in the market-regulation export it is the legal representative (below)
    "entname": ("企业名称", "名称", "主体名称", "单位名称", "enterprise name", "qymc"),
    "oldname": ("曾用名", "历史名称", "former names", "histname", "oldnames"),
    "regno": ("注册号", "工商注册号", "registration number", "reg_no"),
    "enttype": ("企业类型", "企业类型名称", "类型", "enttypecn", "enttype_cn", "enterprise type"),
    "lerep": ("法定代表人", "法人代表", "法定代表人姓名", "负责人", "legal representative", "frdb", "name_lerep",
              "name"),
    "regcap": ("注册资本", "注册资金", "注册资本(万元)", "registered capital", "zczb"),
    "regcapcur": ("注册资本币种", "币种", "regcapcurcn", "currency"),
    "estdate": ("成立日期", "成立时间", "established", "clrq"),
    "opfrom": ("营业期限自", "经营期限自", "营业期限起", "business term from"),
    "opto": ("营业期限至", "经营期限至", "营业期限止", "business term to"),
    "regorg": ("登记机关", "登记机关名称", "regorgcn", "registration authority"),
    "regstate": ("登记状态", "经营状态", "企业状态", "状态", "regstatecn", "regstate_cn", "status"),
    "dom": ("住所", "注册地址", "地址", "企业地址", "domicile", "address"),
    "domdistrict": ("住所所在行政区划", "行政区划代码", "行政区划", "division code", "division"),
    "opscope": ("经营范围", "business scope"),
    "industryco": ("行业代码", "国民经济行业代码", "所属行业代码", "industry code", "industry"),
    "empnum": ("从业人数", "从业人员", "员工人数", "employees"),
    "apprdate": ("核准日期", "approval date"),
    "recid": ("记录编号", "记录id", "数据编号", "record id", "id", "source record id"),
    # credit events
    "eventtype": ("类型", "信用类型", "事件类型", "信息类别", "类别", "kind", "event type"),
    "source": ("来源", "数据来源", "来源部门", "提供部门", "source"),
    "docno": ("文书号", "决定文书号", "决定书文号", "处罚决定书文号", "案号", "许可文件编号", "document number"),
    "authority": ("作出决定机关", "决定机关", "处罚机关", "许可机关", "列入机关", "执行法院", "评价机关", "发布机关",
                  "authority"),
    "title": ("事项名称", "荣誉名称", "许可事项", "处罚名称", "title"),
    "reason": ("列入原因", "事由", "违法事实", "违法行为类型", "处罚事由", "原因", "reason"),
    "amount": ("金额", "罚款金额", "罚没金额", "涉案金额", "amount"),
    "listdate": ("列入日期", "决定日期", "处罚决定日期", "许可日期", "认定日期", "立案日期", "发布日期", "listed on",
                 "decided on"),
    "removedate": ("移出日期", "移除日期", "撤销日期", "removed on"),
    "removereason": ("移出原因", "removal reason"),
    # ratings
    "scheme": ("评价类型", "信用评价类型", "评级类型", "评价体系", "scheme"),
    "year": ("评价年度", "年度", "year"),
    "grade": ("信用等级", "等级", "纳税信用等级", "grade"),
    "score": ("得分", "评分", "分值", "信用分", "score"),
    "scale": ("分值范围", "满分", "scale"),
    "validfrom": ("有效期自", "有效期起", "valid from"),
    "validto": ("有效期至", "有效期止", "valid to"),
}


def _header_key(header: str) -> str:
    value = cleaning.text(header).lower().replace(" ", "").replace("_", "")
    return value


def _header_lookup(importer: RowValidator) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in importer.columns:
        for candidate in (column.name, str(column.label), *ALIASES.get(column.name, ())):
            lookup.setdefault(_header_key(candidate), column.name)
    return lookup


def map_headers(frame: pd.DataFrame, importer: RowValidator) -> pd.DataFrame:
    """Rename the centre's / Chinese / English headers to the importer's column names."""
    return frame.rename(columns=header_mapping(frame, importer))


def header_mapping(frame: pd.DataFrame, importer: RowValidator) -> dict[str, str]:
    """{header as in the file: the importer's column name} for the headers the importer uses; a header
    not in it (unknown, or a second header for a column already taken) is not used."""
    lookup = _header_lookup(importer)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in frame.columns:
        key = _header_key(header)
        name = lookup.get(key) or lookup.get(re.sub(r"\(.*\)$", "", key))
        match = re.search(r"\((\w+)\)$", key)  # "企业名称 (entname)" as in our templates
        if name is None and match:
            name = lookup.get(match.group(1))
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping


def detect_kind(frame: pd.DataFrame) -> str:
    """Which kind of record a file holds, from its headers."""
    names = set()
    for importer in (RegistryImporter(), CreditEventImporter(), CreditRatingImporter()):
        names |= {f"{importer.kind}:{c}" for c in map_headers(frame, importer).columns}
    if "credit_events:eventtype" in names and "credit_events:uniscid" in names:
        return SyncRun.Kind.CREDIT_EVENTS
    if "credit_ratings:scheme" in names or ("credit_ratings:grade" in names and "registry:regstate" not in names):
        return SyncRun.Kind.CREDIT_RATINGS
    return SyncRun.Kind.REGISTRY


def hash_key(*parts) -> str:
    return "h:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


class GovImporter(RowValidator):
    model = None

    def __init__(self, present: set[str] | None = None):
        self.present = present  # column names the source carries (None: all)

    def has(self, name: str) -> bool:
        return self.present is None or name in self.present

    # Two rows of one batch with the same key: the service decides (`services.batch_repeats_collapse`), as it
    # compares the rows as the source wrote them — an exact repeat is written once, anything else is an error.


# ---- registry ----------------------------------------------------------------------------------

STATUS_CODES = {"1": RegistryStatus.ACTIVE, "2": RegistryStatus.REVOKED, "3": RegistryStatus.REVOKED_CANCELLED,
                "4": RegistryStatus.CANCELLED, "5": RegistryStatus.WITHDRAWN, "6": RegistryStatus.MOVED_OUT,
                "9": RegistryStatus.OTHER}
STATUS_TEXT = [  # checked in order: "吊销已注销" before "注销", "吊销" before anything else
    (("吊销已注销", "吊销,已注销", "吊销、已注销"), RegistryStatus.REVOKED_CANCELLED),
    (("吊销",), RegistryStatus.REVOKED),
    (("注销",), RegistryStatus.CANCELLED),
    (("撤销",), RegistryStatus.WITHDRAWN),
    (("迁出",), RegistryStatus.MOVED_OUT),
    (("存续", "在业", "在营", "开业", "在册", "正常"), RegistryStatus.ACTIVE),
    (("停业", "歇业", "清算", "其他"), RegistryStatus.OTHER),
]


def registry_status(raw: str, column: str) -> str:
    value = cleaning.text(raw)
    if not value:
        raise RowError(column, _("The registry status is required."))
    if value in STATUS_CODES:
        return STATUS_CODES[value]
    if value.lower() in RegistryStatus.values:
        return value.lower()
    compact = value.replace(" ", "")
    for words, status in STATUS_TEXT:
        if any(word in compact for word in words):
            return status
    raise RowError(column, _("“%(value)s” is not a registry status (存续/在业, 吊销未注销, 注销, 迁出 …).")
                   % {"value": value})


class RegistryImporter(GovImporter):
    kind = SyncRun.Kind.REGISTRY
    title = gettext_lazy("Enterprise registry")
    model = RegistryRecord
    columns = [
        col("uniscid", "统一社会信用代码", required=True, example="91330282MA2H4XYZ1U"),
        col("entname", "企业名称", required=True, example="慈溪市美厨电器有限公司"),
        col("oldname", "曾用名"), col("regno", "注册号", example="330282000123456"),
        col("enttype", "企业类型", example="有限责任公司(自然人投资或控股)"),
        col("lerep", "法定代表人"), col("regcap", "注册资本(万元)", example="500"),
        col("regcapcur", "注册资本币种", example="人民币"), col("estdate", "成立日期", example="2012-03-18"),
        col("opfrom", "营业期限自"), col("opto", "营业期限至", example="9999-09-09"), col("regorg", "登记机关"),
        col("regstate", "登记状态", required=True, example="存续"), col("dom", "住所"),
        col("domdistrict", "住所所在行政区划", example="330282"), col("opscope", "经营范围"),
        col("industryco", "行业代码", example="C3854"), col("empnum", "从业人数"), col("apprdate", "核准日期"),
        col("recid", "记录编号"),
    ]

    def validate_row(self, row: dict, context: dict) -> dict:
        uscc = cleaning.uscc(row["uniscid"], "uniscid")
        name = cleaning.text(row["entname"])
        if not name:
            raise RowError("entname", _("The enterprise name is required."))
        facts: dict = {"name": name[:200]}
        if self.has("oldname"):
            facts["former_names"] = [n[:200] for n in cleaning.names_list(row["oldname"]) if n != name]
        if self.has("regno"):
            reg_no = cleaning.code(row["regno"])
            if reg_no and not re.fullmatch(r"\d{13}|\d{15}", reg_no):
                raise RowError("regno", _("A registration number has 15 digits; “%(value)s” has not.")
                               % {"value": reg_no})
            facts["reg_no"] = reg_no
        if self.has("enttype"):
            facts["enterprise_type"] = cleaning.text(row["enttype"])[:100]
        if self.has("lerep"):
            facts["legal_representative"] = cleaning.text(row["lerep"])[:100]
        named_currency = None
        if self.has("regcap"):
            facts["registered_capital"], named_currency = cleaning.capital(row["regcap"], "regcap")
        if self.has("regcapcur") or named_currency:
            given = cleaning.currency(row["regcapcur"], "regcapcur", default="") if self.has("regcapcur") else ""
            if given and named_currency and given != named_currency:
                raise RowError("regcapcur", _("The currency %(a)s contradicts the capital given in %(b)s.")
                               % {"a": given, "b": named_currency})
            facts["capital_currency"] = given or named_currency or "CNY"
        if self.has("estdate"):
            facts["established_on"] = cleaning.date_value(row["estdate"], "estdate")
        if self.has("opfrom"):
            facts["term_from"] = cleaning.date_value(row["opfrom"], "opfrom")
        if self.has("opto"):
            term_to = cleaning.date_value(row["opto"], "opto", allow_indefinite=True)
            facts["term_indefinite"] = term_to is cleaning.INDEFINITE
            facts["term_to"] = None if term_to is cleaning.INDEFINITE else term_to
            start = facts.get("term_from")
            if facts["term_to"] and start and facts["term_to"] < start:
                raise RowError("opto", _("The business term ends before it starts."))
        if self.has("regorg"):
            facts["authority"] = cleaning.text(row["regorg"])[:200]
        status_raw = cleaning.as_published(row["regstate"])
        facts["status"] = registry_status(row["regstate"], "regstate")
        facts["status_raw"] = status_raw[:50]
        if self.has("dom"):
            facts["domicile"] = cleaning.text(row["dom"])[:300]
        if self.has("domdistrict"):
            division = cleaning.code(row["domdistrict"])
            if division and not re.fullmatch(r"\d{6}(\d{3}|\d{6})?", division):
                raise RowError("domdistrict", _("“%(value)s” is not an administrative division code (6 digits).")
                               % {"value": division})
            facts["division_code"] = division
        if self.has("opscope"):
            facts["business_scope"] = cleaning.text(row["opscope"])
        if self.has("industryco"):
            industry = cleaning.code(row["industryco"])
            if industry and not re.fullmatch(r"[A-T]?\d{2,4}|[A-T]", industry):
                raise RowError("industryco", _("“%(value)s” is not a GB/T 4754 industry code (C3854).")
                               % {"value": industry})
            facts["industry_code"] = industry
        if self.has("empnum"):
            facts["employees"] = cleaning.integer(row["empnum"], "empnum")
        if self.has("apprdate"):
            facts["approved_on"] = cleaning.date_value(row["apprdate"], "apprdate")
        established = facts.get("established_on")
        if established and established > pd.Timestamp.now(tz="Asia/Shanghai").date():
            raise RowError("estdate", _("The establishment date is in the future."))
        return {"key": uscc, "uscc": uscc, "source_record_id": cleaning.text(row["recid"])[:100], "facts": facts}


# ---- credit events -----------------------------------------------------------------------------

EVENT_WORDS = [
    (("经营异常",), EventKind.ABNORMAL_OPERATION),
    (("严重违法",), EventKind.SERIOUS_ILLEGAL),
    (("失信被执行",), EventKind.DISHONEST_DEBTOR),
    (("税收违法", "重大税收"), EventKind.TAX_VIOLATION),
    (("行政处罚", "处罚"), EventKind.ADMIN_PENALTY),
    (("行政许可", "许可"), EventKind.ADMIN_LICENCE),
    (("荣誉", "高新技术", "守合同重信用", "表彰", "专精特新", "示范", "奖"), EventKind.HONOUR),
    (("其他",), EventKind.OTHER),
]
SOURCE_WORDS = [
    (("市场监", "工商"), CreditSource.MARKET), (("税",), CreditSource.TAX), (("法院", "司法"), CreditSource.COURT),
    (("质量", "质监"), CreditSource.QUALITY), (("环境", "环保"), CreditSource.ENVIRONMENT),
    (("银行", "金融"), CreditSource.BANK),
]
DEFAULT_SOURCE = {EventKind.ABNORMAL_OPERATION: CreditSource.MARKET, EventKind.SERIOUS_ILLEGAL: CreditSource.MARKET,
                  EventKind.DISHONEST_DEBTOR: CreditSource.COURT, EventKind.TAX_VIOLATION: CreditSource.TAX}


def _by_words(value: str, table, default=None):
    compact = value.replace(" ", "")
    for words, result in table:
        if any(word in compact for word in words):
            return result
    return default


def event_kind(raw: str, column: str) -> str:
    value = cleaning.text(raw)
    if value.lower() in EventKind.values:
        return value.lower()
    kind = _by_words(value, EVENT_WORDS)
    if kind is None:
        raise RowError(column, _("“%(value)s” is not a kind of credit event (经营异常名录, 严重违法失信名单, "
                                 "失信被执行人, 行政处罚, 行政许可, 重大税收违法, 荣誉 …).") % {"value": value})
    return kind


class CreditEventImporter(GovImporter):
    kind = SyncRun.Kind.CREDIT_EVENTS
    title = gettext_lazy("Credit events")
    model = CreditEvent
    columns = [
        col("uniscid", "统一社会信用代码", required=True), col("entname", "企业名称"),
        col("eventtype", "类型", required=True, example="经营异常名录"), col("source", "来源部门", example="市场监管"),
        col("docno", "文书号"), col("authority", "作出决定机关"), col("title", "事项名称"), col("reason", "列入原因"),
        col("amount", "金额(元)"), col("listdate", "列入日期", example="2023-06-01"), col("removedate", "移出日期"),
        col("removereason", "移出原因"), col("recid", "记录编号"),
    ]

    def validate_row(self, row: dict, context: dict) -> dict:
        uscc = cleaning.uscc(row["uniscid"], "uniscid")
        kind = event_kind(row["eventtype"], "eventtype")
        source_text = cleaning.text(row["source"])
        source = (source_text.lower() if source_text.lower() in CreditSource.values
                  else _by_words(source_text, SOURCE_WORDS, DEFAULT_SOURCE.get(kind, CreditSource.OTHER)))
        listed_on = cleaning.date_value(row["listdate"], "listdate")
        removed_on = cleaning.date_value(row["removedate"], "removedate")
        if kind != EventKind.HONOUR and kind != EventKind.OTHER and listed_on is None:
            raise RowError("listdate", _("The date of listing / decision is required."))
        if removed_on and listed_on and removed_on < listed_on:
            raise RowError("removedate", _("The removal date is before the listing date."))
        facts = {
            "kind": kind, "kind_raw": cleaning.as_published(row["eventtype"])[:100], "severity": EVENT_SEVERITY[kind],
            "source": source, "entity_name": cleaning.text(row["entname"])[:200],
            "document_no": cleaning.text(row["docno"])[:120], "authority": cleaning.text(row["authority"])[:200],
            "title": cleaning.text(row["title"])[:300], "reason": cleaning.text(row["reason"]),
            "amount": cleaning.decimal_value(row["amount"], "amount"), "listed_on": listed_on,
            "removed_on": removed_on, "removal_reason": cleaning.text(row["removereason"]),
        }
        record_id = cleaning.text(row["recid"])[:100]
        key = f"id:{record_id}" if record_id else hash_key(uscc, kind, facts["document_no"], listed_on,
                                                          facts["authority"], facts["title"])
        return {"key": key, "uscc": uscc, "source_record_id": record_id, "facts": facts}


# ---- credit ratings ----------------------------------------------------------------------------


def rating_scheme(raw: str, column: str) -> str:
    value = cleaning.text(raw)
    if value.lower() in RatingScheme.values:
        return value.lower()
    if "纳税" in value or "税" in value:
        return RatingScheme.TAX_CREDIT
    if "公共信用" in value or "信用评价" in value or "信用分" in value:
        return RatingScheme.PUBLIC_CREDIT
    if value:
        return RatingScheme.OTHER
    raise RowError(column, _("The rating scheme is required (纳税信用等级, 公共信用评价 …)."))


class CreditRatingImporter(GovImporter):
    kind = SyncRun.Kind.CREDIT_RATINGS
    title = gettext_lazy("Credit ratings")
    model = CreditRating
    columns = [
        col("uniscid", "统一社会信用代码", required=True), col("scheme", "评价类型", required=True, example="纳税信用等级"),
        col("year", "评价年度", example="2024"), col("grade", "信用等级", example="A"), col("score", "得分"),
        col("scale", "分值范围", example="0-1000"), col("authority", "评价机关"), col("validfrom", "有效期自"),
        col("validto", "有效期至"), col("recid", "记录编号"),
    ]

    def validate_row(self, row: dict, context: dict) -> dict:
        uscc = cleaning.uscc(row["uniscid"], "uniscid")
        scheme = rating_scheme(row["scheme"], "scheme")
        year = cleaning.integer(row["year"], "year")
        if year is not None and not 1990 <= year <= 2200:
            raise RowError("year", _("“%(value)s” is not a year.") % {"value": year})
        grade = cleaning.code(row["grade"])
        score = cleaning.decimal_value(row["score"], "score")
        if scheme == RatingScheme.TAX_CREDIT:
            if grade not in TAX_GRADES:
                raise RowError("grade", _("A tax credit grade is one of A, B, M, C, D; “%(value)s” is not.")
                               % {"value": grade})
            if year is None:
                raise RowError("year", _("The year of the tax credit grade is required."))
        elif not grade and score is None:
            raise RowError("score", _("A rating needs a grade or a score."))
        valid_from = cleaning.date_value(row["validfrom"], "validfrom")
        valid_to = cleaning.date_value(row["validto"], "validto", allow_indefinite=True)
        if valid_to is cleaning.INDEFINITE:
            valid_to = None
        if valid_from and valid_to and valid_to < valid_from:
            raise RowError("validto", _("The validity ends before it starts."))
        scheme_name = cleaning.as_published(row["scheme"])[:100]
        facts = {"scheme": scheme, "scheme_name": scheme_name, "year": year, "grade": grade[:20], "score": score,
                 "scale": cleaning.text(row["scale"])[:50], "authority": cleaning.text(row["authority"])[:200],
                 "valid_from": valid_from, "valid_to": valid_to}
        key = f"{uscc}:{scheme}:{year or ''}" + (f":{scheme_name}" if scheme == RatingScheme.OTHER else "")
        return {"key": key[:200], "uscc": uscc, "source_record_id": cleaning.text(row["recid"])[:100], "facts": facts}


IMPORTERS: dict[str, type[GovImporter]] = {
    SyncRun.Kind.REGISTRY: RegistryImporter,
    SyncRun.Kind.CREDIT_EVENTS: CreditEventImporter,
    SyncRun.Kind.CREDIT_RATINGS: CreditRatingImporter,
}

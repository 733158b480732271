"""Demo government data: the registry entries, credit events and ratings the city's data-exchange centre would
send for the three demo enterprises, the customers and suppliers of 瑞丰厨电's ERP and a few dozen other Cixi
companies — so that the boards show verified badges where they should, and the ERP shows its partners' status.

Two of 瑞丰's partners show the credit warning: the steel trader 宁波港城钢材贸易有限公司 is on the
abnormal-operation list (经营异常名录; its purchase order is a draft) and the customer 上海康达厨卫工程有限公司 had
its licence revoked (吊销，未注销; its sales order is a draft): approving or confirming them needs a manager's reason.

``seed_govdata_demo()`` (manage.py seed_demo, after the ERP's demo) imports the records through the real file
import (api.govdata.services.file_import: versioned, provenance, the boards' credit flags set on commit) — only the
records not there yet, so running it again writes nothing — and gives 瑞丰's demo partners their credit codes
(through the partners' service, where a partner has none yet). Every code is valid (core.uscc.uscc_make)."""

from __future__ import annotations

import csv
import io
import logging

from django_tenants.utils import tenant_context

from api.govdata.models import CreditEvent, CreditRating, RegistryRecord
from api.govdata.services import file_import
from core.uscc import uscc_make
from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_update
from tenants.demo import DEMO_ENTERPRISES
from tenants.models import Enterprise

log = logging.getLogger(__name__)

CIXI = "330282"
MARKET = "慈溪市市场监督管理局"
TAX = "国家税务总局慈溪市税务局"

# (org body, division, name, legal representative, established, capital (万元), industry, status, tax grade,
#  public credit score, ERP partner code of 瑞丰厨电 or "")
COMPANIES = [
    # the demo enterprises (their codes as tenants.demo makes them)
    (None, CIXI, "慈溪市瑞丰厨房电器有限公司", "陈建国", "2006-04-18", "1200", "C3854", "存续", "A", "812", ""),
    (None, CIXI, "慈溪市甬晟轴承有限公司", "孙海涛", "1998-09-02", "800", "C3451", "存续", "A", "786", ""),
    (None, CIXI, "慈溪市锦绣纺织有限公司", "胡晓燕", "2011-06-20", "300", "C1712", "在业", "B", "705", ""),
    # 瑞丰厨电's suppliers and customers (erp_modules/workspace/demo.py)
    ("MA2CK101", "330212", "宁波甬江电机有限公司", "郑国华", "2003-03-11", "2000", "C3813", "存续", "A", "802", "S-MOTOR"),
    ("MA2CK102", CIXI, "慈溪市长河塑料制品厂", "岑永明", "2001-07-25", "150", "C2929", "存续", "B", "731", "S-PLAST"),
    ("MA2CK103", "330281", "余姚市明光电子有限公司", "黄晓东", "2009-11-30", "600", "C3982", "存续", "A", "790", "S-ELEC"),
    ("MA2CK104", "330206", "宁波港城钢材贸易有限公司", "林志强", "2012-05-16", "500", "F5164", "存续", "M", "",
     "S-STEEL"),
    ("MA2CK105", CIXI, "慈溪市新浦包装材料厂", "施建平", "2004-02-09", "100", "C2231", "存续", "B", "718", "S-PACK"),
    ("MA2CK106", "330106", "杭州西溪电器连锁有限公司", "周立新", "2008-10-08", "3000", "F5137", "存续", "A", "", "C-HZDQ"),
    ("MA2CK107", "330212", "宁波家居建材广场有限公司", "王海波", "2010-04-22", "1000", "F5165", "存续", "B", "", "C-NBJJ"),
    ("MA2CK108", "310115", "上海康达厨卫工程有限公司", "顾文杰", "2007-08-14", "500", "E4999", "吊销，未注销", "", "",
     "C-SHKD"),
    # other Cixi companies
    ("MA2CL201", CIXI, "慈溪市宏达电器有限公司", "罗振宇", "2005-03-28", "1500", "C3856", "存续", "A", "835", ""),
    ("MA2CL202", CIXI, "慈溪市天元电机有限公司", "徐伟军", "2002-12-03", "800", "C3812", "存续", "B", "742", ""),
    ("MA2CL203", CIXI, "慈溪市恒通轴承有限公司", "陆国强", "1999-06-17", "600", "C3451", "存续", "A", "798", ""),
    ("MA2CL204", CIXI, "宁波慈星精密轴承有限公司", "叶建华", "2013-09-09", "2200", "C3451", "存续", "A", "821", ""),
    ("MA2CL205", CIXI, "慈溪市金鹰塑料模具厂", "胡国平", "2000-05-12", "120", "C3525", "存续", "M", "", ""),
    ("MA2CL206", CIXI, "慈溪市新光照明电器有限公司", "岑红", "2006-08-30", "500", "C3872", "存续", "B", "735", ""),
    ("MA2CL207", CIXI, "慈溪市海达五金制品有限公司", "马永兴", "2011-01-19", "200", "C3389", "存续", "B", "", ""),
    ("MA2CL208", CIXI, "慈溪市永兴铸造有限公司", "孙建国", "1997-10-06", "300", "C3391", "吊销，未注销", "", "", ""),
    ("MA2CL209", CIXI, "慈溪市华美小家电有限公司", "沈丽君", "2008-03-03", "100", "C3859", "注销", "", "", ""),
    ("MA2CL210", CIXI, "慈溪市博远暖通设备有限公司", "钱晓峰", "2014-07-07", "1000", "C3464", "存续", "A", "806", ""),
    ("MA2CL211", CIXI, "慈溪市东升纺织品有限公司", "杨秀英", "2003-11-11", "400", "C1713", "存续", "B", "722", ""),
    ("MA2CL212", CIXI, "慈溪市欣达针织有限公司", "潘志明", "2009-02-26", "150", "C1761", "存续", "C", "", ""),
    ("MA2CL213", CIXI, "宁波杭州湾新区凯立汽车部件有限公司", "吴俊", "2016-06-01", "5000", "C3670", "存续", "A", "840",
     ""),
    ("MA2CL214", CIXI, "慈溪市丰华电子有限公司", "方芳", "2010-09-15", "300", "C3982", "存续", "B", "", ""),
    ("MA2CL215", CIXI, "慈溪市明珠冲压件厂", "邵金林", "2001-04-04", "80", "C3360", "存续", "B", "728", ""),
    ("MA2CL216", CIXI, "慈溪市龙山喷涂有限公司", "戚海军", "2012-12-12", "200", "C3360", "存续", "M", "", ""),
    ("MA2CL217", CIXI, "慈溪市坎墩热处理厂", "褚国良", "1996-08-08", "60", "C3360", "存续", "B", "715", ""),
    ("MA2CL218", CIXI, "慈溪市周巷绕线电机有限公司", "韩立群", "2007-05-20", "500", "C3812", "存续", "A", "793", ""),
    ("MA2CL219", CIXI, "慈溪市胜山注塑有限公司", "董金龙", "2005-10-10", "300", "C2929", "存续", "C", "", ""),
    ("MA2CL220", CIXI, "慈溪市长河电线电缆有限公司", "岑国庆", "2002-01-15", "1800", "C3831", "存续", "A", "810", ""),
    ("MA2CL221", CIXI, "慈溪市掌起五金工具厂", "陈永林", "1998-03-23", "100", "C3321", "存续", "B", "", ""),
    ("MA2CL222", CIXI, "慈溪市附海厨具有限公司", "高建新", "2010-06-06", "600", "C3381", "存续", "A", "788", ""),
    ("MA2CL223", CIXI, "慈溪市逍林纸箱包装厂", "劳伟明", "2003-09-29", "50", "C2231", "存续", "M", "", ""),
    ("MA2CL224", CIXI, "慈溪市桥头净水设备有限公司", "余晓燕", "2015-04-18", "300", "C3463", "存续", "B", "736", ""),
    ("MA2CL225", CIXI, "慈溪市匡堰电子科技有限公司", "孙立", "2017-08-08", "1000", "C3982", "存续", "A", "825", ""),
    ("MA2CL226", CIXI, "慈溪市横河模具有限公司", "周建伟", "2004-12-01", "400", "C3525", "存续", "B", "730", ""),
    ("MA2CL227", CIXI, "慈溪市龙山镇金鑫机械厂", "胡金鑫", "1999-02-14", "50", "C3490", "注销", "", "", ""),
    ("MA2CL228", CIXI, "慈溪市新浦电器配件厂", "施国民", "2006-07-07", "80", "C3859", "存续", "B", "", ""),
    ("MA2CL229", CIXI, "慈溪市崇寿轴承配件有限公司", "俞建明", "2008-11-18", "200", "C3452", "存续", "M", "", ""),
    ("MA2CL230", CIXI, "宁波甬兴轴承有限公司", "王建军", "2001-05-05", "1200", "C3451", "存续", "A", "801", ""),
    ("MA2CL231", CIXI, "慈溪市古塘服饰有限公司", "张素芬", "2012-03-08", "200", "C1810", "存续", "B", "", ""),
    ("MA2CL232", CIXI, "慈溪市白沙路电声器材有限公司", "沈杰", "2009-09-09", "300", "C3974", "存续", "B", "724", ""),
]

# (name, record id, kind, authority, document number, reason, listed, removed, removal reason)
EVENTS = [
    ("慈溪市瑞丰厨房电器有限公司", "DEMO-H-001", "高新技术企业", "浙江省科学技术厅", "GR202433001234", "", "2024-12-06",
     "", ""),
    ("慈溪市瑞丰厨房电器有限公司", "DEMO-H-002", "守合同重信用企业", MARKET, "", "", "2025-05-20", "", ""),
    ("慈溪市甬晟轴承有限公司", "DEMO-H-003", "专精特新中小企业", "浙江省经济和信息化厅", "", "", "2025-08-12", "", ""),
    ("慈溪市锦绣纺织有限公司", "DEMO-L-001", "行政许可", MARKET, "慈市监许〔2024〕118号", "排污许可登记", "2024-03-02",
     "", ""),
    ("宁波港城钢材贸易有限公司", "DEMO-A-001", "经营异常名录", "宁波市北仑区市场监督管理局", "北市监异〔2026〕0412号",
     "通过登记的住所或者经营场所无法联系", "2026-06-15", "", ""),
    ("上海康达厨卫工程有限公司", "DEMO-A-002", "经营异常名录", "上海市浦东新区市场监督管理局", "浦市监异〔2024〕2217号",
     "未依照规定的期限公示年度报告", "2024-07-01", "", ""),
    ("慈溪市海达五金制品有限公司", "DEMO-A-003", "经营异常名录", MARKET, "慈市监异〔2026〕0097号",
     "未依照规定的期限公示年度报告", "2026-07-10", "", ""),
    ("慈溪市白沙路电声器材有限公司", "DEMO-A-004", "经营异常名录", MARKET, "慈市监异〔2024〕0215号",
     "未依照规定的期限公示年度报告", "2024-07-05", "2024-11-20", "补报年度报告并公示"),
    ("慈溪市胜山注塑有限公司", "DEMO-D-001", "失信被执行人", "慈溪市人民法院", "（2025）浙0282执1234号",
     "有履行能力而拒不履行生效法律文书确定义务", "2025-10-20", "", ""),
    ("慈溪市丰华电子有限公司", "DEMO-P-001", "行政处罚", "宁波市生态环境局慈溪分局", "甬环慈罚〔2026〕45号",
     "未按规定贮存危险废物", "2026-05-08", "", ""),
    ("慈溪市永兴铸造有限公司", "DEMO-A-005", "经营异常名录", MARKET, "慈市监异〔2021〕0331号",
     "通过登记的住所或者经营场所无法联系", "2021-07-01", "", ""),
    ("慈溪市宏达电器有限公司", "DEMO-H-004", "高新技术企业", "浙江省科学技术厅", "GR202333005678", "", "2023-12-08", "",
     ""),
    ("慈溪市匡堰电子科技有限公司", "DEMO-H-005", "高新技术企业", "浙江省科学技术厅", "GR202533009012", "", "2025-12-05", "",
     ""),
    ("宁波慈星精密轴承有限公司", "DEMO-H-006", "专精特新中小企业", "浙江省经济和信息化厅", "", "", "2024-09-30", "", ""),
]


def _code(body: str | None, division: str, name: str) -> str:
    if body is None:  # a demo enterprise: its code as seed_demo made it
        spec = next(e for e in DEMO_ENTERPRISES if e["name"] == name)
        return uscc_make(org_body=spec["org_body"])
    return uscc_make(division=division, org_body=body)


def demo_companies() -> list[dict]:
    """Every demo company with its credit code (for the seeder and the tests)."""
    return [{"uscc": _code(body, division, name), "name": name, "lerep": lerep, "established": established,
             "capital": capital, "industry": industry, "status": status, "tax_grade": tax, "public_score": public,
             "partner_code": partner, "division": division}
            for body, division, name, lerep, established, capital, industry, status, tax, public, partner in COMPANIES]


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _import(kind: str, header: list[str], rows: list[list], filename: str) -> int:
    if not rows:
        return 0
    run = file_import(content=_csv([header, *rows]), filename=filename, kind=kind)
    if run.status != run.Status.SUCCEEDED:
        log.error("govdata demo: %s was %s: %s %s", filename, run.status, run.message, run.errors[:3])
        return 0
    return run.new_count + run.changed_count


def seed_govdata_demo() -> bool:
    """Import the demo records not there yet and give 瑞丰's partners their codes; True when anything was written."""
    companies = demo_companies()
    codes = {c["name"]: c["uscc"] for c in companies}
    have = set(RegistryRecord.objects.filter(uscc__in=codes.values()).values_list("key", flat=True))
    registry = [[c["uscc"], c["name"], c["status"], c["established"], c["capital"], c["lerep"],
                 "有限责任公司(自然人投资或控股)" if "有限公司" in c["name"] else "个人独资企业", c["division"],
                 c["industry"], MARKET if c["division"] == CIXI else "", c["established"], "9999-09-09"]
                for c in companies if c["uscc"] not in have]
    written = _import("registry", ["uniscid", "entname", "regstate", "estdate", "regcap", "lerep", "enttype",
                                   "domdistrict", "industryco", "regorg", "opfrom", "opto"], registry,
                      "demo-registry.csv")
    have = set(CreditEvent.objects.filter(key__in=[f"id:{e[1]}" for e in EVENTS]).values_list("key", flat=True))
    events = [[codes[name], name, kind, authority, number, reason, listed, removed, removal, recid]
              for name, recid, kind, authority, number, reason, listed, removed, removal in EVENTS
              if f"id:{recid}" not in have]
    written += _import("credit_events", ["uniscid", "entname", "eventtype", "authority", "docno", "reason",
                                         "listdate", "removedate", "removereason", "recid"], events,
                       "demo-credit-events.csv")
    ratings = []
    for c in companies:
        if c["tax_grade"]:
            ratings.append([c["uscc"], "纳税信用等级", "2025", c["tax_grade"], "", "", TAX])
        if c["public_score"]:
            ratings.append([c["uscc"], "公共信用评价", "2025", "", c["public_score"], "0-1000", "慈溪市发展和改革局"])
    have = set(CreditRating.objects.filter(uscc__in=codes.values()).values_list("key", flat=True))
    key = {"纳税信用等级": "tax_credit", "公共信用评价": "public_credit"}
    ratings = [r for r in ratings if f"{r[0]}:{key[r[1]]}:{r[2]}" not in have]
    written += _import("credit_ratings", ["uniscid", "scheme", "year", "grade", "score", "scale", "authority"],
                       ratings, "demo-credit-ratings.csv")
    given = demo_partner_codes_set(companies)
    if written or given:
        log.info("govdata demo: %d records written, %d partner codes given", written, given)
    return bool(written or given)


def demo_partner_codes_set(companies: list[dict] | None = None, *, slug: str = "ruifeng") -> int:
    """Give the demo partners of 瑞丰厨电's ERP (by partner code) their credit codes, where they have none and no
    other partner has the code; returns how many were given."""
    enterprise = Enterprise.objects.filter(slug=slug).first()
    if enterprise is None:
        return 0
    wanted = {c["partner_code"]: c["uscc"] for c in companies or demo_companies() if c["partner_code"]}
    given = 0
    with tenant_context(enterprise):
        taken = set(Partner.objects.filter(uscc__in=wanted.values()).values_list("uscc", flat=True))
        for partner in Partner.objects.filter(code__in=wanted, uscc=""):
            if wanted[partner.code] not in taken:
                partner_update(partner=partner, uscc=wanted[partner.code])
                given += 1
    return given

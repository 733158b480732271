"""Believable board listings for the three demo enterprises (瑞丰厨电, 甬晟轴承, 锦绣纺织).

``seed_board_demo()`` is called by the demo command after the enterprises (and 瑞丰's ERP data)
exist. Everything goes through the services, as a user would post it; running it again adds
nothing (listings are recognised by enterprise and title)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from ecommerce import services
from ecommerce.services import listing_matches_refresh
from ecommerce.models import Category, InquiryThread, Listing, Match
from ecommerce.seed import boards_ensure
from tenants.models import Enterprise, Membership, Role

log = logging.getLogger(__name__)
D = Decimal

CARDS = {
    "ruifeng": {"established_year": 2006, "main_products": "侧吸式、顶吸式吸油烟机", "share_stock": True,
                "introduction": "瑞丰厨电位于观海卫镇工业园，专业生产吸油烟机十余年，年产能30万台，"
                                "产品销往华东各地及东南亚。"},
    "yongsheng": {"established_year": 1998, "main_products": "深沟球轴承、圆锥滚子轴承", "share_stock": False,
                  "introduction": "甬晟轴承专注家电电机、摩托车用中小型轴承，拥有全自动磨加工线12条。"},
    "jinxiu": {"established_year": 2011, "main_products": "纯棉坯布、府绸、毛巾布", "share_stock": False,
               "introduction": "锦绣纺织拥有剑杆织机、喷气织机共260台，承接坯布加工与定织。"},
}

# slug, kind, category code, fields
LISTINGS = [
    ("ruifeng", "supply", "appl-kitchen-hood", {
        "title": "侧吸式吸油烟机 CXW-200-A1 厂家直供",
        "description": "大吸力侧吸式抽油烟机，18立方米/分钟风量，钢化玻璃面板，触控+挥手感应。支持贴牌加工，"
                       "整机质保三年，电机五年。",
        "attributes": [["型号", "CXW-200-A1"], ["风量", "18 m³/min"], ["电机功率", "180W"], ["噪音", "≤56 dB"],
                       ["面板", "钢化玻璃 900mm"]],
        "quantity": D("2000"), "unit": "台", "moq": D("50"), "price_min": D("680"), "price_max": D("760"),
        "delivery_terms": "ex_works", "delivery_place": "慈溪观海卫", "erp_item_code": "CXW-200-A1"}),
    ("ruifeng", "demand", "appl-parts-motor", {
        "title": "求购吸油烟机用交流电机 220V 180W",
        "description": "长期采购油烟机专用交流电机，要求低噪音、铜线绕组，配Φ250离心风轮。请报含税到厂价，"
                       "注明交期及样品周期。",
        "attributes": [["电压", "220V 50Hz"], ["功率", "180W"], ["绕组", "纯铜"], ["认证", "CCC"]],
        "quantity": D("3000"), "unit": "个", "price_min": D("100"), "price_max": D("125"),
        "delivery_terms": "delivered", "delivery_place": "慈溪观海卫", "is_rfq": True, "rfq_days": 10,
        "rfq_max_quotations": 5}),
    ("ruifeng", "demand", "brg-rolling-deepgroove", {
        "title": "求购电机用深沟球轴承 6202-2RS",
        "description": "用于油烟机电机，要求静音Z2级以上，双面橡胶密封，月用量约2万套。",
        "attributes": [["型号", "6202-2RS"], ["精度", "P6"], ["振动", "Z2"]],
        "quantity": D("20000"), "unit": "套", "price_min": D("1.2"), "price_max": D("1.8"),
        "delivery_terms": "delivered", "delivery_place": "慈溪观海卫"}),
    ("yongsheng", "supply", "brg-rolling-deepgroove", {
        "title": "深沟球轴承 6202-2RS 电机专用静音轴承",
        "description": "GCr15轴承钢，全自动磨加工线生产，Z2/Z3静音等级，适用于家电电机、电动工具。现货充足，"
                       "可提供样品。",
        "attributes": [["型号", "6202-2RS"], ["材质", "GCr15"], ["精度", "P6"], ["振动", "Z2"]],
        "quantity": D("200000"), "unit": "套", "moq": D("5000"), "price_min": D("1.35"),
        "delivery_terms": "delivered", "delivery_place": "宁波地区送货"}),
    ("yongsheng", "supply", "brg-rolling-taper", {
        "title": "圆锥滚子轴承 30205 摩托车轮毂用",
        "description": "摩托车前后轮毂、转向柱用圆锥滚子轴承，耐冲击，批量供货。",
        "attributes": [["型号", "30205"], ["内径", "25mm"], ["外径", "52mm"]],
        "quantity": D("50000"), "unit": "套", "moq": D("1000"), "price_min": D("6.8"), "price_max": D("7.5"),
        "delivery_terms": "ex_works", "delivery_place": "慈溪周巷"}),
    ("yongsheng", "demand", "brg-parts-ring", {
        "title": "采购 GCr15 轴承钢管",
        "description": "外径Φ35–Φ60，球化退火状态，需附材质证明。按月结算。",
        "attributes": [["材质", "GCr15"], ["状态", "球化退火"]],
        "quantity": D("30"), "unit": "吨", "negotiable": True, "delivery_terms": "delivered",
        "delivery_place": "慈溪周巷"}),
    ("jinxiu", "supply", "tex-fabric-cotton", {
        "title": "纯棉府绸坯布 40×40 133×72",
        "description": "喷气织机生产，布面平整，门幅63英寸，可定织其他规格。",
        "attributes": [["纱支", "40×40"], ["密度", "133×72"], ["门幅", "63英寸"]],
        "quantity": D("100000"), "unit": "米", "moq": D("3000"), "price_min": D("5.6"),
        "delivery_terms": "ex_works", "delivery_place": "慈溪宗汉"}),
    ("jinxiu", "demand", "tex-fibre-polyester", {
        "title": "求购涤纶长丝 FDY 150D/48F 半光",
        "description": "用于涤棉交织面料，要求染色均匀、毛丝少，请报价并注明品牌与批号。",
        "attributes": [["规格", "FDY 150D/48F"], ["光泽", "半光"]],
        "quantity": D("20"), "unit": "吨", "price_min": D("8200"), "price_max": D("8800"),
        "delivery_terms": "delivered", "delivery_place": "慈溪宗汉", "is_rfq": True, "rfq_days": 14}),
]


def _poster(enterprise: Enterprise):
    memberships = Membership.objects.select_related("user").filter(enterprise=enterprise)
    for role in (Role.CLERK, Role.MANAGER, Role.OWNER):
        for m in memberships:
            if m.role == role:
                return m.user
    return None


def seed_board_demo() -> int:
    """Post the demo listings (those not there yet); return how many were created."""
    boards_ensure()
    enterprises = {e.slug: e for e in Enterprise.objects.filter(slug__in=CARDS)}
    for slug, fields in CARDS.items():
        enterprise = enterprises.get(slug)
        owner = Membership.objects.filter(enterprise=enterprise, role=Role.OWNER).select_related("user").first()
        if enterprise is None or owner is None:
            continue
        card = services.enterprise_card_get(enterprise=enterprise)
        if card.established_year is None:
            services.enterprise_card_update(enterprise=enterprise, user=owner.user, **fields)
    created: list[Listing] = []
    for slug, kind, category_code, spec in LISTINGS:
        enterprise = enterprises.get(slug)
        if enterprise is None or Listing.objects.filter(enterprise=enterprise, title=spec["title"]).exists():
            continue
        user = _poster(enterprise)
        category = Category.objects.select_related("board").get(code=category_code)
        fields = dict(spec)
        rfq_days = fields.pop("rfq_days", None)
        if rfq_days:
            fields["rfq_deadline"] = timezone.now() + timedelta(days=rfq_days)
        kwargs = dict(enterprise=enterprise, user=user, kind=kind, board=category.board, category=category,
                      validity_days=30, **fields)
        try:
            listing = services.listing_create(**kwargs)
        except ValidationError as exc:
            if "erp_item_code" not in getattr(exc, "error_dict", {}):
                raise
            log.info("demo: ERP item %s not found, posting without the link", fields.get("erp_item_code"))
            kwargs["erp_item_code"] = ""
            listing = services.listing_create(**kwargs)
        created.append(listing)
    for listing in created:
        matches = listing_matches_refresh(listing=listing, notify=False)
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(notified_at=timezone.now())
    # a conversation: the bearing maker answers the range-hood maker's demand
    demand = Listing.objects.filter(enterprise=enterprises.get("ruifeng"), title="求购电机用深沟球轴承 6202-2RS").first()
    yongsheng = enterprises.get("yongsheng")
    if demand is not None and yongsheng is not None and not InquiryThread.objects.filter(
            listing=demand, asker=yongsheng).exists():
        services.inquiry_send(listing=demand, enterprise=yongsheng, user=_poster(yongsheng),
                              body="您好，我司可长期供应6202-2RS静音轴承（Z2级，双面胶封），可免费寄样。"
                                   "请问年用量和包装要求？")
    return len(created)

"""Board search speed: the boards' Chinese full-text search (jieba → 'simple' tsvector, GIN index,
ranked window) against the naive `icontains` search, on the same listings, in the same run.

    .venv/bin/python bench/board_search.py [--quick] [-n LISTINGS] [-q QUERIES]

Loads N synthetic listings (default 1,000,000; --quick 50,000) into its own database (<db>_bench_boards,
dropped and recreated; DATABASE_URL's server if set, else an embedded PostgreSQL under
BENCH_DATA_DIR or .data/bench). Titles, descriptions and specifications are generated from a
vocabulary of the four boards' products, specifications and phrases; the search vector of every
row is computed exactly as `services.listing_search_index` does (the same jieba words, the same SQL
expression), which the benchmark verifies on a sample. Then it runs 200 typical queries (words,
model numbers, words with filters) through `selectors.listing_search` and
`selectors.listing_search_icontains` (same filters, same window and page query; only the matching
differs), alternating which goes first, and prints p50/p95 of both, the ratio, the plans of three
queries and, last, one line:

    RESULT p50_ms=… p95_ms=… icontains_p50_ms=… icontains_p95_ms=… ratio=… listings=… load_s=…
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._common import bench_database_url, bench_redis_url, recreate_database  # noqa: E402

SEED = 20_261_127
N_ENTERPRISES = 3_000
CHUNK = 100_000
TOWNS = ["观海卫镇", "周巷镇", "宗汉街道", "坎墩街道", "浒山街道", "古塘街道", "白沙路街道", "庵东镇", "长河镇",
         "掌起镇", "龙山镇", "附海镇", "新浦镇", "桥头镇", "匡堰镇", "逍林镇", "胜山镇", "横河镇"]
BOARD_INDUSTRY = {"appliances": ["3854", "3853", "3857", "3851", "3855"], "textiles": ["1712", "1751", "2822", "1711"],
                  "bearings": ["3451", "3452"], "vehicles": ["3752", "3751", "3715"]}

# category code -> (products, specifications, attribute (key, values) pairs)
VOCAB = {
    "appl-kitchen-hood": (["吸油烟机", "抽油烟机", "侧吸式油烟机", "顶吸式油烟机", "集成灶", "欧式油烟机"],
                          ["CXW-200", "CXW-218", "900mm", "750mm", "18立方米", "21立方米"],
                          [("风量", ["18 m³/min", "20 m³/min", "21 m³/min"]), ("面板", ["钢化玻璃", "不锈钢"]),
                           ("噪音", ["≤56 dB", "≤58 dB"])]),
    "appl-kitchen-small": (["电饭煲", "电压力锅", "电水壶", "豆浆机", "榨汁机", "空气炸锅", "电磁炉", "微波炉"],
                           ["3L", "5L", "1.7L", "2100W", "800W"], [("功率", ["800W", "1200W", "2100W"]),
                                                                   ("容量", ["1.7L", "3L", "5L"])]),
    "appl-kitchen-disinfect": (["消毒柜", "嵌入式消毒柜", "碗柜"], ["100L", "80L"], [("容积", ["80L", "100L"])]),
    "appl-cooling-fridge": (["冰箱", "冷柜", "压缩机", "冷凝器"], ["218L", "R600a"], [("制冷剂", ["R600a", "R134a"])]),
    "appl-cooling-ac": (["空调", "空调室外机", "空调铜管"], ["1.5匹", "3匹"], [("能效", ["一级", "三级"])]),
    "appl-cooling-dehum": (["除湿机", "抽湿机"], ["20L/天", "50L/天"], [("除湿量", ["20L/天", "50L/天"])]),
    "appl-vent-fan": (["电风扇", "落地扇", "台扇", "循环扇", "壁扇"], ["16寸", "18寸", "遥控"], [("叶片", ["5叶", "7叶"])]),
    "appl-vent-exhaust": (["换气扇", "排气扇", "管道风机"], ["250mm", "300mm"], [("口径", ["250mm", "300mm"])]),
    "appl-clean-vacuum": (["吸尘器", "扫地机器人", "除螨仪"], ["无线", "手持"], [("吸力", ["12000Pa", "15000Pa"])]),
    "appl-clean-heater": (["电热水器", "即热式热水器", "储水式热水器"], ["60L", "80L", "3000W"],
                          [("容量", ["60L", "80L"]), ("功率", ["2000W", "3000W"])]),
    "appl-care-dryer": (["电吹风", "卷发器", "直发器"], ["1800W", "负离子"], [("功率", ["1200W", "1800W"])]),
    "appl-parts-motor": (["电机", "交流电机", "直流无刷电机", "罩极电机", "同步电机", "风机", "油烟机电机"],
                         ["220V", "180W", "200W", "YYJ-180", "12V", "24V"],
                         [("电压", ["220V", "110V", "24V"]), ("功率", ["180W", "200W", "90W"]),
                          ("绕组", ["纯铜", "铝线"])]),
    "appl-parts-control": (["控制板", "电源板", "触摸按键板", "温控器", "定时器", "线束"], ["V3", "PCB"],
                           [("电压", ["220V", "5V"]), ("认证", ["CCC", "CE"])]),
    "appl-parts-plastic": (["塑料外壳", "注塑件", "离心风轮", "蜗壳", "油杯"], ["PP", "ABS", "Φ250"],
                           [("材质", ["PP", "ABS", "PC"])]),
    "appl-parts-metal": (["不锈钢油网", "冲压件", "钢化玻璃面板", "弹簧", "螺钉"], ["304", "M4", "0.5mm"],
                         [("材质", ["304不锈钢", "冷轧钢板"])]),
    "tex-yarn-cotton": (["棉纱", "精梳棉纱", "气流纺棉纱", "紧密纺纱"], ["32S", "40S", "21S", "60S"],
                        [("支数", ["21S", "32S", "40S"]), ("捻向", ["Z捻", "S捻"])]),
    "tex-yarn-wool": (["毛纱", "羊毛纱", "腈纶毛纱"], ["2/48Nm", "2/32Nm"], [("成分", ["100%羊毛", "70%羊毛"])]),
    "tex-fibre-polyester": (["涤纶长丝", "涤纶短纤", "涤纶低弹丝", "再生涤纶"], ["FDY 150D/48F", "DTY 75D/36F",
                                                                            "POY 250D", "1.4D"],
                            [("光泽", ["半光", "全消光", "有光"]), ("规格", ["150D/48F", "75D/36F"])]),
    "tex-fibre-nylon": (["锦纶长丝", "锦纶弹力丝", "尼龙丝"], ["40D", "70D"], [("规格", ["40D/24F", "70D/24F"])]),
    "tex-fibre-spandex": (["氨纶丝", "氨纶包覆纱"], ["20D", "40D"], [("规格", ["20D", "40D"])]),
    "tex-fibre-cellulose": (["粘胶短纤", "莫代尔纤维", "天丝纤维"], ["1.2D", "1.5D"], [("长度", ["38mm", "51mm"])]),
    "tex-fabric-cotton": (["纯棉坯布", "府绸", "帆布", "斜纹布", "牛仔布"], ["40×40", "133×72", "63英寸"],
                          [("纱支", ["40×40", "32×32"]), ("门幅", ["63英寸", "57英寸"])]),
    "tex-fabric-synthetic": (["化纤面料", "涤纶面料", "雪纺", "春亚纺", "牛津布"], ["210T", "300D"],
                             [("克重", ["80g", "120g"])]),
    "tex-fabric-knit": (["针织布", "汗布", "卫衣布", "罗纹布"], ["180g", "320g"], [("克重", ["180g", "320g"])]),
    "tex-dyeing": (["印染加工", "染色加工", "数码印花", "定型加工"], ["来料加工"], [("工艺", ["活性染色", "分散染色"])]),
    "tex-home-bedding": (["床单", "被套", "四件套", "枕套"], ["1.8米", "1.5米"], [("面料", ["全棉", "磨毛"])]),
    "tex-home-towel": (["毛巾", "浴巾", "方巾"], ["32股", "70×140"], [("克重", ["100g", "400g"])]),
    "brg-rolling-deepgroove": (["深沟球轴承", "电机轴承", "静音轴承"], ["6200", "6201", "6202", "6203", "6204", "6205",
                                                                     "608", "6001", "6202-2RS", "6204ZZ"],
                               [("型号", ["6202-2RS", "6204-2RS", "608ZZ", "6001ZZ"]), ("精度", ["P0", "P6", "P5"]),
                                ("振动", ["Z1", "Z2", "Z3"])]),
    "brg-rolling-taper": (["圆锥滚子轴承"], ["30205", "30206", "32210", "30304"], [("型号", ["30205", "32210"])]),
    "brg-rolling-cylinder": (["圆柱滚子轴承"], ["NU205", "N206", "NJ308"], [("保持架", ["铜", "钢"])]),
    "brg-rolling-selfalign": (["调心球轴承", "调心滚子轴承"], ["1205", "22210"], [("型号", ["1205K", "22210CA"])]),
    "brg-rolling-mini": (["微型轴承", "小轴承"], ["623", "625", "688"], [("材质", ["不锈钢", "轴承钢"])]),
    "brg-plain-bush": (["自润滑轴承", "铜套", "轴套", "关节轴承"], ["SF-1", "JDB"], [("材质", ["铜基", "石墨"])]),
    "brg-parts-ball": (["钢球", "滚针", "滚子"], ["G10", "3.969mm"], [("精度", ["G10", "G16"])]),
    "brg-parts-cage": (["保持架", "尼龙保持架", "冲压保持架"], ["6204", "6305"], [("材质", ["尼龙", "钢板"])]),
    "brg-parts-ring": (["轴承套圈", "轴承钢管", "轴承钢"], ["GCr15", "Φ45"], [("材质", ["GCr15", "GCr15SiMn"])]),
    "veh-rail-brake": (["闸瓦", "制动盘", "制动缸"], ["合成闸瓦"], [("标准", ["TB/T", "UIC"])]),
    "veh-rail-bogie": (["转向架配件", "轴箱", "旁承"], ["转K2", "转K6"], [("材质", ["铸钢", "锻钢"])]),
    "veh-rail-coupler": (["车钩", "缓冲器"], ["13号", "17号"], [("型号", ["13A", "17型"])]),
    "veh-railequip": (["扣件", "道钉", "信号设备"], ["弹条", "Ⅱ型"], [("标准", ["TB/T"])]),
    "veh-moto": (["摩托车", "电动摩托车", "踏板车", "跨骑车"], ["125cc", "150cc", "72V"], [("排量", ["110cc", "125cc"])]),
    "veh-motoparts-engine": (["摩托车发动机", "活塞", "气缸", "曲轴", "离合器", "化油器"], ["125", "150", "CG125"],
                             [("适用车型", ["CG125", "GY6", "CB150"])]),
    "veh-motoparts-frame": (["车架", "减震器", "前叉"], ["后减震", "液压"], [("长度", ["320mm", "340mm"])]),
    "veh-motoparts-electric": (["摩托车大灯", "点火器", "整流器", "启动电机"], ["LED", "12V"], [("电压", ["12V"])]),
    "veh-motoparts-wheel": (["轮毂", "摩托车轮胎", "内胎"], ["3.00-18", "90/90-18"], [("规格", ["3.00-18", "2.75-17"])]),
}
SUPPLY_LEADS = ["供应", "批发", "厂家直销", "长期供应", "现货供应", "", "", ""]
DEMAND_LEADS = ["求购", "采购", "长期求购", "大量采购", "寻找"]
ADJECTIVES = ["", "", "高品质", "低噪音", "节能", "耐磨", "出口级", "优质"]
SENTENCES = [
    "本厂专业生产{p}多年", "{p}广泛用于家电及机械行业", "月产能{n}万件", "质量稳定价格优惠", "支持来样定制",
    "可提供样品和检测报告", "交货期{d}天", "欢迎来电洽谈", "产品通过{c}认证", "材质{m}",
    "需求量大请报含税价", "要求提供样品", "按月结算", "有意者请联系", "长期合作优先", "包装按客户要求",
    "现货充足当天发货", "可开增值税专用发票", "工厂位于慈溪{t}", "主要出口欧美市场",
]
FILLERS = {"n": ["1", "3", "5", "10", "20"], "d": ["3", "7", "15", "30"], "c": ["ISO9001", "CCC", "CE", "RoHS"],
           "m": ["GCr15", "304不锈钢", "PP", "纯铜", "涤纶"], "t": ["观海卫", "周巷", "宗汉", "坎墩"]}
# colloquial queries that do not appear verbatim in listings
VARIANT_QUERIES = ["抽油烟机 电机", "油烟机 风轮", "纯棉 坯布", "深沟球 轴承 6204", "涤纶 长丝 150D",
                   "摩托车 发动机 配件", "电机 轴承", "静音 轴承 6202", "不锈钢 油网", "氨纶 包覆纱"]


def _sentence(r, product: str) -> str:
    return r.choice(SENTENCES).format(p=product, **{k: r.choice(v) for k, v in FILLERS.items()})


class Segmenter:
    """The boards' segmentation (ecommerce.search.segment) with a cache per distinct text unit."""

    def __init__(self):
        from ecommerce import search

        self.segment = search.segment
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        words = self.cache.get(text)
        if words is None:
            words = self.cache[text] = " ".join(self.segment(text))
        return words


def generate_chunk(r, ages: list[float], *, categories: dict, enterprises: list, now: datetime, seg: Segmenter):
    """CSV rows for the staging table, and the texts of the first rows for the check."""
    import math

    codes = list(VOCAB)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    samples = []
    for i, age in enumerate(ages):
        code = r.choice(codes)
        products, specs, attr_pool = VOCAB[code]
        _board_code, category_id, board_id = categories[code]
        product = r.choice(products)
        kind = "supply" if r.random() < 0.65 else "demand"
        lead = r.choice(SUPPLY_LEADS if kind == "supply" else DEMAND_LEADS)
        title = f"{lead}{r.choice(ADJECTIVES)}{product} {r.choice(specs)}"
        sentences = [_sentence(r, product) for _ in range(r.randint(2, 4))]
        description = "，".join(sentences) + "。"
        attributes = [[key, r.choice(values)] for key, values in r.sample(attr_pool, r.randint(1, len(attr_pool)))]
        # the search words, composed from cached units: jieba never joins words across punctuation or
        # separate specification values, so this equals search.document_texts (checked on a sample)
        title_words = seg(title)
        attr_words = " ".join(w for w in (seg(v) for _k, v in attributes) if w)
        body_words = " ".join(w for w in (seg(s) for s in sentences) if w)
        published = now - timedelta(days=age)
        u = r.random()
        if u < 0.88:
            status, expires = "published", now + timedelta(days=1 + u * 150)
        elif u < 0.97:
            status, expires = "expired", published + timedelta(days=30)
        else:
            status, expires = "closed", published + timedelta(days=60)
        has_price = r.random() < 0.8
        price = round(math.exp(r.uniform(0, 9)), 2)
        writer.writerow([
            r.choice(enterprises), kind, board_id, category_id, title, description,
            json.dumps(attributes, ensure_ascii=False), r.randint(1, 100) * 100, "件",
            r.randint(1, 50) * 10 if kind == "supply" else "", price if has_price else "",
            round(price * 1.15, 2) if has_price else "", "f" if has_price else "t", status,
            "owner" if status == "closed" else "", expires.isoformat(), published.isoformat(),
            "t" if (kind == "demand" and r.random() < 0.05) else "f", published.isoformat(),
            title_words, attr_words, body_words])
        if i < 50:
            samples.append((title, description, attributes, (title_words, attr_words, body_words)))
    return buffer.getvalue(), samples


STAGING_COLUMNS = ["enterprise_id", "kind", "board_id", "category_id", "title", "description", "attributes",
                   "quantity", "unit", "moq", "price_min", "price_max", "negotiable", "status", "closed_reason",
                   "expires_at", "published_at", "is_rfq", "created_at", "title_words", "attr_words", "body_words"]


def load(n: int, *, seed: int) -> dict:
    from django.db import connection

    from core.uscc import uscc_make
    from ecommerce import search
    from ecommerce.models import Category, EnterpriseCard
    from tenants.models import Enterprise

    r = random.Random(seed)
    now = datetime.now(dt_timezone.utc)
    t0 = time.perf_counter()
    # enterprises (rows only: the search never enters their schemas)
    boards_for = list(BOARD_INDUSTRY)
    rows = []
    for i in range(N_ENTERPRISES):
        board = boards_for[i % 4]
        industry = BOARD_INDUSTRY[board][i % len(BOARD_INDUSTRY[board])]
        rows.append(Enterprise(name=f"慈溪市基准{i}制造有限公司", slug=f"bench{i}", uscc=uscc_make(org_body=f"{i:08d}"),
                               industry=industry, town=TOWNS[i % len(TOWNS)], status=Enterprise.Status.ACTIVE,
                               schema_name=f"e{i:014x}"))
    Enterprise.objects.bulk_create(rows, batch_size=1000)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    EnterpriseCard.objects.bulk_create([EnterpriseCard(enterprise_id=pk, credit_verified=(k % 10) < 3)
                                        for k, pk in enumerate(ids)], batch_size=1000)
    enterprises = ids
    categories = {c.code: (c.board.code, c.pk, c.board_id) for c in Category.objects.select_related("board")}
    seg = Segmenter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ecommerce_listing' "
                       "AND indexname NOT LIKE '%%_pkey'")
        index_defs = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'ecommerce_listing'::regclass AND contype = 'f'")
        fk_defs = cursor.fetchall()
        for name, _definition in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _definition in fk_defs:
            cursor.execute(f'ALTER TABLE ecommerce_listing DROP CONSTRAINT "{name}"')
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_staging (enterprise_id bigint, kind text, board_id bigint, "
            "category_id bigint, "
            "title text, description text, attributes jsonb, quantity numeric, unit text, moq numeric, "
            "price_min numeric, price_max numeric, negotiable boolean, status text, closed_reason text, "
            "expires_at timestamptz, published_at timestamptz, is_rfq boolean, created_at timestamptz, "
            "title_words text, attr_words text, body_words text)")
    samples = []
    generate_s = copy_s = 0.0
    # listings are appended as they are posted, so the table is in publication order, as in production
    ages = sorted((min(730.0, r.expovariate(1 / 90)) for _ in range(n)), reverse=True)
    raw = connection.connection
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        t = time.perf_counter()
        data, chunk_samples = generate_chunk(r, ages[start:start + size], categories=categories,
                                             enterprises=enterprises, now=now, seg=seg)
        samples += chunk_samples
        generate_s += time.perf_counter() - t
        t = time.perf_counter()
        with raw.cursor() as cur:
            with cur.copy(f"COPY bench_staging ({', '.join(STAGING_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(data)
        copy_s += time.perf_counter() - t
        print(f"  {start + size:>9,} listings generated and copied", flush=True)
    # CSV's empty fields arrive as NULL: coalesce, as the service passes '' (to_tsvector(NULL) is NULL)
    vector = search.SEARCH_VECTOR_SQL.format(title="coalesce(title_words, '')", attrs="coalesce(attr_words, '')",
                                             body="coalesce(body_words, '')")
    vector += " || " + search.facets_sql("bench_staging")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO ecommerce_listing (enterprise_id, created_by_id, kind, board_id, category_id, title,
                description, attributes, quantity, unit, moq, price_min, price_max, currency, negotiable,
                delivery_terms, delivery_place, contact_name, contact_phone, contact_email, status, closed_reason,
                expires_at, published_at, hidden_reason, featured, is_rfq, rfq_deadline, erp_item_code,
                show_stock, search_vector, created_at, updated_at)
            SELECT enterprise_id, NULL, kind, board_id, category_id, title, coalesce(description, ''), attributes,
                quantity, coalesce(unit, ''),
                moq, price_min, price_max, 'CNY', negotiable, 'negotiable', '', '联系人', '0574-63000000', '',
                status, coalesce(closed_reason, ''), expires_at, published_at, '', false, is_rfq,
                CASE WHEN is_rfq THEN expires_at END, '', true, {vector}, created_at, created_at
            FROM bench_staging""")
        insert_s = time.perf_counter() - t
        t = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in index_defs:
            cursor.execute(definition)
        for name, definition in fk_defs:
            cursor.execute(f'ALTER TABLE ecommerce_listing ADD CONSTRAINT "{name}" {definition}')
        index_s = time.perf_counter() - t
        cursor.execute("DROP TABLE bench_staging")
        cursor.execute("VACUUM ANALYZE ecommerce_listing")
        cursor.execute("VACUUM ANALYZE tenants_enterprise")
        cursor.execute("VACUUM ANALYZE ecommerce_enterprisecard")
    load_s = time.perf_counter() - t0
    # the composed words are those the service computes
    mismatches = 0
    for title, description, attributes, composed in samples:
        if search.document_texts(title=title, description=description, attributes=attributes) != composed:
            mismatches += 1
    # and the stored vectors are those services.listing_search_index writes
    vector_sql = (search.SEARCH_VECTOR_SQL.format(title="%s", attrs="%s", body="%s") + " || "
                  + search.facets_sql("ecommerce_listing"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title, description, attributes FROM ecommerce_listing "
                       "WHERE id % 4999 = 7 ORDER BY id LIMIT 200")
        for pk, title, description, attributes in cursor.fetchall():
            if isinstance(attributes, str):
                attributes = json.loads(attributes)
            texts = search.document_texts(title=title, description=description, attributes=attributes)
            cursor.execute(f"SELECT search_vector = ({vector_sql}) FROM ecommerce_listing WHERE id = %s",
                           [*texts, pk])
            mismatches += 0 if cursor.fetchone()[0] else 1
            samples.append(None)
    return {"load_s": load_s, "generate_s": generate_s, "copy_s": copy_s, "insert_s": insert_s, "index_s": index_s,
            "distinct_units": len(seg.cache), "checked": len(samples), "mismatches": mismatches}


def make_queries(count: int, *, seed: int) -> list[dict]:
    """Typical queries: product words, product + specification, model numbers, colloquial variants,
    broad single words, and a third of them with filters (board, town, credit, kind, price)."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    codes = list(VOCAB)
    board_of = {code: ("appliances" if code.startswith("appl") else "textiles" if code.startswith("tex") else
                       "bearings" if code.startswith("brg") else "vehicles") for code in codes}
    queries = []
    for i in range(count):
        code = codes[rng.integers(len(codes))]
        products, specs, attr_pool = VOCAB[code]
        u = rng.random()
        if u < 0.30:
            q = f"{products[rng.integers(len(products))]} {specs[rng.integers(len(specs))]}"
        elif u < 0.50:
            q = products[rng.integers(len(products))]
        elif u < 0.65:
            q = specs[rng.integers(len(specs))]
        elif u < 0.80:
            q = VARIANT_QUERIES[rng.integers(len(VARIANT_QUERIES))]
        elif u < 0.87:
            q = ["轴承", "电机", "面料", "配件", "摩托车"][rng.integers(5)]
        else:
            key, values = attr_pool[rng.integers(len(attr_pool))]
            q = f"{products[rng.integers(len(products))]} {values[rng.integers(len(values))]}"
        filters = {}
        if rng.random() < 0.33:
            pick = rng.integers(5)
            if pick == 0:
                filters["board"] = board_of[code]
            elif pick == 1:
                filters["town"] = TOWNS[rng.integers(len(TOWNS))]
            elif pick == 2:
                filters["credit_verified"] = True
            elif pick == 3:
                filters["kind"] = "demand"
            else:
                filters["price_max"] = int(rng.integers(50, 2000))
        queries.append({"q": q, **filters})
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50,000 listings and 60 queries")
    parser.add_argument("-n", type=int, default=None, help="listings (default 1,000,000)")
    parser.add_argument("-q", "--queries", type=int, default=None, help="queries (default 200)")
    args = parser.parse_args()
    n = args.n or (50_000 if args.quick else 1_000_000)
    n_queries = args.queries or (60 if args.quick else 200)

    bench_url, server = bench_database_url("bench_boards")
    recreate_database(bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    redis_url, redis_server = bench_redis_url()  # the search caches its slice boundaries
    os.environ["REDIS_URL"] = redis_url
    os.environ["TENANT_SPARE_POOL_SIZE"] = "0"
    import logging

    logging.disable(logging.INFO)
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from ecommerce import search, selectors
    from ecommerce.models import Board
    from ecommerce.selectors import SearchFilters

    t0 = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    print(f"database migrated in {time.perf_counter() - t0:.1f}s", flush=True)
    search.segment("预热 jieba 词典")  # load jieba's dictionary before timing anything
    print(f"loading {n:,} listings ...", flush=True)
    stats = load(n, seed=SEED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_table_size('ecommerce_listing')), "
                       "pg_size_pretty(pg_relation_size('listing_search_gin')), "
                       "(SELECT count(*) FROM ecommerce_listing WHERE status = 'published'), version()")
        table_size, gin_size, published, version = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
    print(f"loaded in {stats['load_s']:.1f}s (generate {stats['generate_s']:.1f}s, COPY {stats['copy_s']:.1f}s, "
          f"tsvector insert {stats['insert_s']:.1f}s, indexes {stats['index_s']:.1f}s); "
          f"{stats['distinct_units']:,} distinct text units segmented by jieba")
    print(f"search words and stored vectors checked against the services' on {stats['checked']} rows: "
          f"{stats['mismatches']} mismatches")
    print(f"table {table_size}, GIN index {gin_size}, {published:,} published; shared_buffers {shared_buffers}, "
          f"work_mem {work_mem}, parallel workers per gather {workers}")
    print(f"{version.split(',')[0]}; load average before the queries {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    boards = {b.code: b for b in Board.objects.all()}

    def filters_of(spec: dict) -> SearchFilters:
        return SearchFilters(q=spec["q"], board=boards.get(spec.get("board", "")), kind=spec.get("kind", ""),
                             town=spec.get("town", ""), credit_verified=spec.get("credit_verified", False),
                             price_max=Decimal(spec["price_max"]) if "price_max" in spec else None)

    queries = make_queries(n_queries, seed=SEED)
    for spec in queries[:5]:  # warm-up (plans, caches), not timed
        selectors.listing_search(filters=filters_of(spec))
        selectors.listing_search_icontains(filters=filters_of(spec))
    fts_ms, naive_ms, rows = [], [], []
    for i, spec in enumerate(queries):
        f = filters_of(spec)
        order = [("fts", selectors.listing_search), ("naive", selectors.listing_search_icontains)]
        if i % 2:
            order.reverse()
        result = {}
        for name, func in order:
            t = time.perf_counter()
            page = func(filters=f)
            result[name] = ((time.perf_counter() - t) * 1000, page)
        fts_ms.append(result["fts"][0])
        naive_ms.append(result["naive"][0])
        rows.append((spec, result["fts"], result["naive"]))

    def pct(values, p):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    print(f"\n{len(queries)} queries; each: page 1 (20 listings with their enterprise cards) and the count")
    print(f"{'':<34}{'p50':>10}{'p95':>10}{'max':>10}{'mean':>10}")
    for label, values in (("jieba + tsvector (GIN), ranked", fts_ms), ("icontains (ILIKE), newest", naive_ms)):
        print(f"{label:<34}{pct(values, 50):>8.1f}ms{pct(values, 95):>8.1f}ms{max(values):>8.1f}ms"
              f"{statistics.mean(values):>8.1f}ms")
    found_fts = sum(1 for _s, (_t, page), _n in rows if page.total)
    found_naive = sum(1 for _s, _f, (_t, page) in rows if page.total)
    print(f"queries with results: tsvector {found_fts}/{len(rows)}, icontains {found_naive}/{len(rows)}")
    slowest = sorted(rows, key=lambda r: r[1][0], reverse=True)[:5]
    print("slowest tsvector queries:")
    for spec, (ms, page), (nms, npage) in slowest:
        print(f"  {ms:7.1f} ms  (icontains {nms:7.1f} ms)  {spec}  → {page.total}{'+' if page.capped else ''} "
              f"results, tsquery {page.tsquery}")
    def explain(label: str, spec: dict) -> None:
        """EXPLAIN ANALYZE of the statements the search ran for this query (after a run that warmed them)."""
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            page = selectors.listing_search(filters=filters_of(spec))
        print(f"\nplans for {label}: {spec} → {page.tsquery} ({page.total}{'+' if page.capped else ''} results)")
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if "set_config(" in sql:
                    cursor.execute(sql)
                    print(f"    {sql}")
                elif "ts_rank(" in sql:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
                    print("\n".join(f"    {line}" for (line,) in cursor.fetchall()))

    for label, spec in (("common word", {"q": "轴承"}), ("model number", {"q": "30205"}),
                        ("colloquial two words + town", {"q": "抽油烟机 电机", "town": "周巷镇"})):
        explain(label, spec)
    for spec, _fts, _naive in slowest[:2]:
        explain("one of the slowest", spec)

    p50, p95 = pct(fts_ms, 50), pct(fts_ms, 95)
    np50, np95 = pct(naive_ms, 50), pct(naive_ms, 95)
    ratio = np95 / p95 if p95 else float("inf")
    print(f"load average after the queries {os.getloadavg()[0]:.2f}")
    print(f"\nratio icontains/tsvector at p95 = {ratio:.1f}x   (targets: p95 < 50 ms, ratio >= 20x)")
    print(f"RESULT p50_ms={p50:.1f} p95_ms={p95:.1f} icontains_p50_ms={np50:.1f} icontains_p95_ms={np95:.1f} "
          f"ratio={ratio:.1f} listings={n} queries={len(queries)} load_s={stats['load_s']:.1f}")
    connection.close()
    if redis_server is not None:
        redis_server.stop()
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

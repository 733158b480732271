"""The five boards and their category trees, mapped to GB/T 4754-2017 classes (plain data, used by
the data migrations and by ``ecommerce.seed.boards_ensure``). The fifth, 物流运力 (freight capacity: road
freight 543x and express 6020), is where an enterprise posts a shipment's need (logistics.freight) and
logistics companies quote; migration 0005 adds it to databases seeded before it.

Board: (code, name, English name, description, industry prefixes, categories)
Category: (code, name, English name, GB/T 4754 classes, children)
"""

BOARDS = [
    ("appliances", "家电", "Household appliances", "慈溪家电产业：整机、配件与材料的供应和求购", ["385"], [
        ("appl-kitchen", "厨房电器", "Kitchen appliances", ["3854"], [
            ("appl-kitchen-hood", "吸油烟机", "Range hoods", ["3854"]),
            ("appl-kitchen-small", "小厨电", "Small kitchen appliances", ["3854"]),
            ("appl-kitchen-disinfect", "消毒柜", "Disinfection cabinets", ["3854"]),
        ]),
        ("appl-cooling", "制冷与空调", "Refrigeration and air conditioning", ["3851", "3852"], [
            ("appl-cooling-fridge", "冰箱冷柜", "Refrigerators and freezers", ["3851"]),
            ("appl-cooling-ac", "空调器", "Air conditioners", ["3852"]),
            ("appl-cooling-dehum", "除湿机", "Dehumidifiers", ["3852"]),
        ]),
        ("appl-vent", "通风电器", "Ventilation appliances", ["3853"], [
            ("appl-vent-fan", "电风扇", "Electric fans", ["3853"]),
            ("appl-vent-exhaust", "换气扇", "Exhaust fans", ["3853"]),
        ]),
        ("appl-clean", "清洁卫生电器", "Cleaning and sanitary appliances", ["3855"], [
            ("appl-clean-vacuum", "吸尘器", "Vacuum cleaners", ["3855"]),
            ("appl-clean-heater", "电热水器", "Electric water heaters", ["3855"]),
        ]),
        ("appl-care", "美容保健电器", "Personal care appliances", ["3856"], [
            ("appl-care-dryer", "电吹风", "Hair dryers", ["3856"]),
        ]),
        ("appl-parts", "家电配件", "Appliance parts", ["3857"], [
            ("appl-parts-motor", "电机", "Motors", ["3857"]),
            ("appl-parts-control", "控制板与电器件", "Control boards and electrical parts", ["3857"]),
            ("appl-parts-plastic", "塑料件", "Plastic parts", ["3857"]),
            ("appl-parts-metal", "五金件", "Metal parts", ["3857"]),
        ]),
    ]),
    ("textiles", "轻纺化纤", "Textiles and chemical fibres", "纱线、化纤、面料与家纺的供求", ["17", "28"], [
        ("tex-yarn", "纱线", "Yarn", ["1711", "1721"], [
            ("tex-yarn-cotton", "棉纱", "Cotton yarn", ["1711"]),
            ("tex-yarn-wool", "毛纱", "Wool yarn", ["1721"]),
        ]),
        ("tex-fibre", "化学纤维", "Chemical fibres", ["2821", "2822", "2823", "2824", "2825", "2826", "2829"], [
            ("tex-fibre-polyester", "涤纶", "Polyester", ["2822"]),
            ("tex-fibre-nylon", "锦纶", "Nylon", ["2821"]),
            ("tex-fibre-spandex", "氨纶", "Spandex", ["2826"]),
            ("tex-fibre-cellulose", "粘胶等再生纤维", "Viscose and regenerated fibres", ["2811", "2812"]),
        ]),
        ("tex-fabric", "面料", "Fabrics", ["1712", "1751", "1761"], [
            ("tex-fabric-cotton", "棉布", "Cotton fabrics", ["1712"]),
            ("tex-fabric-synthetic", "化纤面料", "Synthetic fabrics", ["1751"]),
            ("tex-fabric-knit", "针织布", "Knitted fabrics", ["1761"]),
        ]),
        ("tex-dyeing", "印染加工", "Dyeing and finishing", ["1713", "1752"], []),
        ("tex-home", "家用纺织品", "Home textiles", ["1771", "1772", "1779"], [
            ("tex-home-bedding", "床上用品", "Bedding", ["1771"]),
            ("tex-home-towel", "毛巾", "Towels", ["1772"]),
        ]),
    ]),
    ("bearings", "轴承", "Bearings", "滚动轴承、滑动轴承及零件材料的供求", ["345"], [
        ("brg-rolling", "滚动轴承", "Rolling bearings", ["3451"], [
            ("brg-rolling-deepgroove", "深沟球轴承", "Deep groove ball bearings", ["3451"]),
            ("brg-rolling-taper", "圆锥滚子轴承", "Tapered roller bearings", ["3451"]),
            ("brg-rolling-cylinder", "圆柱滚子轴承", "Cylindrical roller bearings", ["3451"]),
            ("brg-rolling-selfalign", "调心轴承", "Self-aligning bearings", ["3451"]),
            ("brg-rolling-mini", "微型轴承", "Miniature bearings", ["3451"]),
        ]),
        ("brg-plain", "滑动轴承", "Plain bearings", ["3452"], [
            ("brg-plain-bush", "轴套与自润滑轴承", "Bushings and self-lubricating bearings", ["3452"]),
        ]),
        ("brg-parts", "轴承零件与材料", "Bearing parts and materials", ["3451"], [
            ("brg-parts-ball", "钢球与滚子", "Balls and rollers", ["3451"]),
            ("brg-parts-cage", "保持架", "Cages", ["3451"]),
            ("brg-parts-ring", "套圈与轴承钢", "Rings and bearing steel", ["3451"]),
        ]),
    ]),
    ("vehicles", "机车", "Locomotives and motorcycles", "铁路机车车辆配件与摩托车整车、零部件的供求", ["371", "375"], [
        ("veh-rail", "铁路机车车辆配件", "Railway vehicle parts", ["3712", "3714", "3715"], [
            ("veh-rail-brake", "制动部件", "Brake components", ["3715"]),
            ("veh-rail-bogie", "转向架配件", "Bogie parts", ["3715"]),
            ("veh-rail-coupler", "车钩缓冲装置", "Couplers and draft gear", ["3715"]),
        ]),
        ("veh-railequip", "铁路专用器材", "Railway equipment", ["3716"], []),
        ("veh-moto", "摩托车整车", "Motorcycles", ["3751"], []),
        ("veh-motoparts", "摩托车零部件", "Motorcycle parts", ["3752"], [
            ("veh-motoparts-engine", "发动机及配件", "Engines and engine parts", ["3752"]),
            ("veh-motoparts-frame", "车架与减震", "Frames and suspension", ["3752"]),
            ("veh-motoparts-electric", "电器与灯具", "Electrics and lamps", ["3752"]),
            ("veh-motoparts-wheel", "轮毂与轮胎", "Wheels and tyres", ["3752"]),
        ]),
    ]),
    ("freight", "物流运力", "Freight capacity", "道路货物运输与快递服务：整车、零担、快递、冷链、同城配送的运力供求",
     ["543", "602"], [
        ("frt-ftl", "整车", "Full truckload", ["5431", "5433", "5434"], []),
        ("frt-ltl", "零担", "Less than truckload", ["5431", "5439"], []),
        ("frt-express", "快递", "Express", ["6020"], []),
        ("frt-cold", "冷链", "Cold chain", ["5432"], []),
        ("frt-city", "同城配送", "City delivery", ["5437"], []),
    ]),
]

FREIGHT_BOARD = "freight"  # the board code logistics.freight posts on


def boards_write(Board, Category, *, codes=None) -> None:
    """Create or update the boards and categories (idempotent); only the boards in ``codes`` when given.
    Takes the model classes so that the data migrations can pass their historical models."""
    for order, (code, name, name_en, description, prefixes, categories) in enumerate(BOARDS):
        if codes is not None and code not in codes:
            continue
        board, _ = Board.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "description": description, "industry_prefixes": prefixes,
            "sort_order": order})
        for top_order, (ccode, cname, cname_en, classes, children) in enumerate(categories):
            top, _ = Category.objects.update_or_create(code=ccode, defaults={
                "board": board, "parent": None, "name": cname, "name_en": cname_en, "industry_codes": classes,
                "sort_order": top_order})
            for sub_order, (scode, sname, sname_en, sclasses) in enumerate(children):
                Category.objects.update_or_create(code=scode, defaults={
                    "board": board, "parent": top, "name": sname, "name_en": sname_en, "industry_codes": sclasses,
                    "sort_order": sub_order})

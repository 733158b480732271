"""Demo data as plain values: manage.py seed_demo creates these people and enterprises, manage.py
demo_logins prints their logins for the banner of `make run`."""

DEMO_PASSWORD = "demo12345"

# (email, name, platform_role, is_platform_admin)
PLATFORM_USERS = [
    ("office@cixi.demo", "慈溪市经信局信息化办公室", "office", False),
    ("admin@platform.demo", "平台管理员", "platform_admin", True),
]

# Each enterprise's credit code is built from its organisation-code body (see core.uscc.uscc_make).
DEMO_ENTERPRISES = [
    {
        "name": "慈溪市瑞丰厨房电器有限公司", "short_name": "瑞丰厨电", "slug": "ruifeng", "org_body": "73450912",
        "industry": "3854", "sales_band": "20m_100m", "address": "浙江省慈溪市观海卫镇工业园东区 18 号",
        "town": "观海卫镇", "contact_phone": "0574-63000001",
        "people": [("owner@ruifeng.demo", "陈建国", "owner"), ("manager@ruifeng.demo", "王丽", "manager"),
                   ("clerk@ruifeng.demo", "李娜", "clerk")],
    },
    {
        "name": "慈溪市甬晟轴承有限公司", "short_name": "甬晟轴承", "slug": "yongsheng", "org_body": "70461928",
        "industry": "3451", "sales_band": "5m_20m", "address": "浙江省慈溪市周巷镇兴业北路 66 号",
        "town": "周巷镇", "contact_phone": "0574-63000002",
        "people": [("owner@yongsheng.demo", "孙海涛", "owner"), ("clerk@yongsheng.demo", "周敏", "clerk")],
    },
    {
        "name": "慈溪市锦绣纺织有限公司", "short_name": "锦绣纺织", "slug": "jinxiu", "org_body": "MA2H8K3C",
        "industry": "1712", "sales_band": "lt5m", "address": "浙江省慈溪市宗汉街道新华路 230 号",
        "town": "宗汉街道", "contact_phone": "0574-63000003",
        "people": [("owner@jinxiu.demo", "胡晓燕", "owner"), ("clerk@jinxiu.demo", "徐强", "clerk")],
    },
]

# One person works with two enterprises, to show the switcher: (email, slug, role)
EXTRA_MEMBERSHIPS = [("owner@ruifeng.demo", "yongsheng", "viewer")]

"""Idempotent demo data: the informatization office, a platform admin and three Cixi enterprises."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.uscc import uscc_make
from tenants import selectors, services
from tenants.models import Enterprise, Membership, Role, User

DEMO_PASSWORD = "demo12345"

DEMO_ENTERPRISES = [
    {
        "name": "慈溪市瑞丰厨房电器有限公司", "short_name": "瑞丰厨电", "slug": "ruifeng",
        "uscc": uscc_make(org_body="73450912"), "industry": "3854", "sales_band": Enterprise.SalesBand.FROM_20M,
        "address": "浙江省慈溪市观海卫镇工业园东区 18 号", "town": "观海卫镇", "contact_phone": "0574-63000001",
        "people": [("owner@ruifeng.demo", "陈建国", Role.OWNER), ("manager@ruifeng.demo", "王丽", Role.MANAGER),
                   ("clerk@ruifeng.demo", "李娜", Role.CLERK)],
    },
    {
        "name": "慈溪市甬晟轴承有限公司", "short_name": "甬晟轴承", "slug": "yongsheng",
        "uscc": uscc_make(org_body="70461928"), "industry": "3451", "sales_band": Enterprise.SalesBand.FROM_5M,
        "address": "浙江省慈溪市周巷镇兴业北路 66 号", "town": "周巷镇", "contact_phone": "0574-63000002",
        "people": [("owner@yongsheng.demo", "孙海涛", Role.OWNER), ("clerk@yongsheng.demo", "周敏", Role.CLERK)],
    },
    {
        "name": "慈溪市锦绣纺织有限公司", "short_name": "锦绣纺织", "slug": "jinxiu",
        "uscc": uscc_make(org_body="MA2H8K3C"), "industry": "1712", "sales_band": Enterprise.SalesBand.UNDER_5M,
        "address": "浙江省慈溪市宗汉街道新华路 230 号", "town": "宗汉街道", "contact_phone": "0574-63000003",
        "people": [("owner@jinxiu.demo", "胡晓燕", Role.OWNER), ("clerk@jinxiu.demo", "徐强", Role.CLERK)],
    },
]
# One person works with two enterprises, to show the switcher.
EXTRA_MEMBERSHIPS = [("owner@ruifeng.demo", "yongsheng", Role.VIEWER)]
PLATFORM_USERS = [
    ("office@cixi.demo", "慈溪市经信局信息化办公室", User.PlatformRole.OFFICE, False),
    ("admin@platform.demo", "平台管理员", User.PlatformRole.PLATFORM_ADMIN, True),
]


def demo_user(email: str, name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, **extra)
    return user


class Command(BaseCommand):
    help = "Load demo data (safe to run again: existing rows are kept)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for email, name, role, is_admin in PLATFORM_USERS:
                demo_user(email, name, platform_role=role, is_staff=is_admin, is_superuser=is_admin)
        created = []
        for spec in DEMO_ENTERPRISES:
            spec = dict(spec)
            people = spec.pop("people")
            with transaction.atomic():
                owner = demo_user(people[0][0], people[0][1])
                enterprise = Enterprise.objects.filter(uscc=spec["uscc"]).first()
                if enterprise is None:
                    enterprise = services.enterprise_provision(owner=owner, **spec)
                    created.append(enterprise.slug)
                for email, name, role in people[1:]:
                    Membership.objects.get_or_create(user=demo_user(email, name), enterprise=enterprise,
                                                     defaults={"role": role})
        for email, slug, role in EXTRA_MEMBERSHIPS:
            Membership.objects.get_or_create(user=User.objects.get(email=email),
                                             enterprise=Enterprise.objects.get(slug=slug), defaults={"role": role})
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"demo data ready (new enterprises: {', '.join(created) or 'none'})")

    @staticmethod
    def logins() -> list[tuple[str, str, str]]:
        rows = [(email, DEMO_PASSWORD, str(role.label)) for email, _n, role, _a in PLATFORM_USERS]
        for spec in DEMO_ENTERPRISES:
            url = selectors.enterprise_base_url(slug=spec["slug"])
            rows += [(email, DEMO_PASSWORD, f"{spec['short_name']} {role.label} — {url}/")
                     for email, _n, role in spec["people"]]
        return rows

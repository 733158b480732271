"""Idempotent demo data: the informatization office, a platform admin and three Cixi enterprises, then the
modules' demo data (core.demo: ERP, boards, programmes; tenants imports none of them)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import demo_seeders
from core.uscc import uscc_make
from tenants import services
from tenants.demo import DEMO_ENTERPRISES, DEMO_PASSWORD, EXTRA_MEMBERSHIPS, PLATFORM_USERS
from tenants.models import Enterprise, Membership, User


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
            spec["uscc"] = uscc_make(org_body=spec.pop("org_body"))
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
        # then what the modules registered in core.demo, in order: the range-hood factory's ERP data in
        # 瑞丰, the board listings, the office's programmes
        module_created = [bool(seed()) for seed in demo_seeders()]
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"demo data ready (new enterprises: {', '.join(created) or 'none'}; "
                              f"modules' demo data: {'created' if any(module_created) else 'kept'})")

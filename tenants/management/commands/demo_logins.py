"""Print the demo's addresses and logins as JSON: `make run`'s banner reads them from the file the set-up
step writes (core.runner imports no domain module)."""

import json

from django.core.management.base import BaseCommand

from tenants.demo import DEMO_ENTERPRISES, DEMO_PASSWORD, PLATFORM_USERS


class Command(BaseCommand):
    help = "Print the demo enterprises and logins as JSON (for make run's banner)."

    def handle(self, *args, **options):
        logins = {
            "password": DEMO_PASSWORD,
            "platform_users": [{"email": email, "name": name} for email, name, _role, _admin in PLATFORM_USERS],
            "enterprises": [{"slug": spec["slug"], "short_name": spec["short_name"],
                             "people": [{"email": email, "role": role} for email, _name, role in spec["people"]]}
                            for spec in DEMO_ENTERPRISES],
        }
        self.stdout.write(json.dumps(logins, ensure_ascii=False))

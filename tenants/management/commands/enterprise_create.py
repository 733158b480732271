from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants import selectors, services
from tenants.models import Enterprise, User


class Command(BaseCommand):
    help = "Provision an enterprise (the same service as the sign-up page) and print its URL."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--uscc", required=True, help="Unified Social Credit Code (18 characters)")
        parser.add_argument("--industry", required=True, help="GB/T 4754-2017 class code, e.g. 3854")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", default=None, help="only used when the owner has no login yet")
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--slug", default=None, help="web address; defaults to a name made from the code")
        parser.add_argument("--short-name", default="")
        parser.add_argument("--sales-band", default=Enterprise.SalesBand.UNDER_5M,
                            choices=[c for c, _ in Enterprise.SalesBand.choices])
        parser.add_argument("--address", default="")

    def handle(self, *args, **opts):
        try:
            owner = User.objects.filter(email=opts["owner_email"].strip().lower()).first()
            slug = opts["slug"] or f"e{opts['uscc'][-8:].lower()}"
            enterprise, owner = services.enterprise_signup(
                user=owner, owner_email=opts["owner_email"], owner_password=opts["owner_password"] or "",
                owner_name=opts["owner_name"], name=opts["name"], short_name=opts["short_name"], slug=slug,
                uscc=opts["uscc"], industry=opts["industry"], sales_band=opts["sales_band"], address=opts["address"])
        except ValidationError as exc:
            lines = []
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                lines.extend(f"{field}: {m}" for m in messages)
            raise CommandError("\n".join(lines))
        self.stdout.write(f"{enterprise.name}  {enterprise.uscc}")
        self.stdout.write(f"{selectors.enterprise_base_url(slug=enterprise.slug)}/")

"""Excel import of customers and suppliers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportColumn, ImportError_, Importer, RowCheck, parse_bool, parse_int
from core.uscc import normalize_uscc, uscc_errors
from erp_modules.partners.models import Partner


class PartnerImporter(Importer):
    kind = "partners"
    title = gettext_lazy("Customers and suppliers")
    columns = [
        ImportColumn("code", gettext_lazy("Code"), required=True, example="C-GUOMEI"),
        ImportColumn("name", gettext_lazy("Name"), required=True, example="宁波某某电器销售有限公司"),
        ImportColumn("is_customer", gettext_lazy("Customer"), example="是"),
        ImportColumn("is_supplier", gettext_lazy("Supplier"), example="否"),
        ImportColumn("uscc", gettext_lazy("Unified Social Credit Code"), example=""),
        ImportColumn("contact_name", gettext_lazy("Contact person"), example="刘经理"),
        ImportColumn("phone", gettext_lazy("Phone"), example="0574-88888888"),
        ImportColumn("email", gettext_lazy("Email"), example=""),
        ImportColumn("address", gettext_lazy("Address"), example="宁波市海曙区"),
        ImportColumn("payment_terms_days", gettext_lazy("Payment terms (days)"), example="30"),
    ]

    def prepare(self) -> dict:
        return {"codes": {c.lower() for c in Partner.objects.values_list("code", flat=True)},
                "usccs": set(Partner.objects.exclude(uscc="").values_list("uscc", flat=True))}

    def validate_row(self, row, context) -> dict:
        check = RowCheck()
        if row["code"] and row["code"].lower() in context["codes"]:
            check.add("code", _("Code %(code)s already exists.") % {"code": row["code"]},
                      fix=_("Use a new code, or leave the existing partner out of the file."))
        is_customer = check(parse_bool, row.get("is_customer", ""), "is_customer")
        is_supplier = check(parse_bool, row.get("is_supplier", ""), "is_supplier")
        if not check.failed("is_customer", "is_supplier") and not (is_customer or is_supplier):
            check.add("is_customer", _("Mark the partner as a customer, a supplier or both."),
                      fix=_("Write 是 under Customer, Supplier or both."))
        uscc = normalize_uscc(row.get("uscc", ""))
        if uscc:
            problems = uscc_errors(uscc)
            if problems:
                check.add("uscc", str(problems[0][1]), fix=_("Copy the 18-character code from the business licence, "
                                                             "or leave the cell empty."))
            elif uscc in context["usccs"]:
                check.add("uscc", _("A partner with this credit code exists already."),
                          fix=_("Leave the existing partner out of the file."))
        email = row.get("email", "")
        if email and "@" not in email:
            check.add("email", _("Enter a valid email address."), fix=_("Write an address such as name@example.com."))
        clean = {"code": row["code"][:30], "name": row["name"][:200], "is_customer": is_customer,
                 "is_supplier": is_supplier, "uscc": uscc, "contact_name": row.get("contact_name", "")[:100],
                 "phone": row.get("phone", "")[:30], "email": email[:254], "address": row.get("address", "")[:255],
                 "payment_terms_days": check(parse_int, row.get("payment_terms_days", ""), "payment_terms_days",
                                             default=30)}
        check.done()
        return clean

    def validate_all(self, rows, context):
        errors, codes, usccs = [], {}, {}
        for number, row in rows:
            if row["code"].lower() in codes:
                errors.append(ImportError_(number, "code", _("Code %(code)s also appears in row %(row)d.")
                                           % {"code": row["code"], "row": codes[row["code"].lower()]}))
            codes.setdefault(row["code"].lower(), number)
            if row["uscc"]:
                if row["uscc"] in usccs:
                    errors.append(ImportError_(number, "uscc", _("This credit code also appears in row %(row)d.")
                                               % {"row": usccs[row["uscc"]]}))
                usccs.setdefault(row["uscc"], number)
        return errors

    def write(self, rows, *, user, progress) -> int:
        Partner.objects.bulk_create([Partner(**{k: v for k, v in r.items() if k != "_row"}) for r in rows])
        progress(len(rows))
        return len(rows)

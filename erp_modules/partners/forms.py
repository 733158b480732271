from django import forms

from core.forms import BootstrapMixin
from core.uscc import UsccFormField
from erp_modules.partners.models import Partner


class PartnerForm(BootstrapMixin, forms.ModelForm):
    uscc = UsccFormField(label=Partner._meta.get_field("uscc").verbose_name, required=False)

    class Meta:
        model = Partner
        fields = ["code", "name", "is_customer", "is_supplier", "uscc", "contact_name", "phone", "email", "address",
                  "bank_name", "bank_account", "payment_terms_days", "currency", "active"]

    def _post_clean(self):
        pass  # validated by the service

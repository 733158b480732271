from django import forms

from erp_modules.partners.models import Partner
from tenants.forms import BootstrapMixin


class PartnerForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["code", "name", "is_customer", "is_supplier", "uscc", "contact_name", "phone", "email", "address",
                  "payment_terms_days", "currency", "active"]

    def _post_clean(self):
        pass  # validated by the service

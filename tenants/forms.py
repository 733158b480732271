from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from core.uscc import UsccFormField
from tenants.industries import industry_choices
from tenants.models import Enterprise, Role


class IndustrySelect(forms.Select):
    """The grouped <select> of GB/T 4754 classes with a search box above it: typing a code ("3854") or a
    word ("塑料") lists the matching classes with their major and medium class (htmx, from
    /industries/search/), and a click chooses one in the select (static/js/industry-picker.js). Without
    JavaScript the box stays hidden and the select alone works; a disabled select gets no box."""

    template_name = "tenants/widgets/industry_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse("industry_search")
        return context


def industry_field_choices() -> list:
    return [("", "---------"), *industry_choices()]


class LoginForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                              "autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email = (self.cleaned_data.get("email") or "").lower()
        password = self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                raise forms.ValidationError(_("Email or password is wrong."), code="invalid_login")
        return self.cleaned_data


class EnterpriseFieldsForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Enterprise name"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": "慈溪市某某电器有限公司"}))
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    uscc = UsccFormField(label=_("Unified Social Credit Code"),
                         help_text=_("18 characters, as printed on the business licence."))
    industry = forms.ChoiceField(label=_("Industry (GB/T 4754-2017)"), choices=industry_field_choices,
                                 widget=IndustrySelect, help_text=_(
                                     "Every manufacturing class (C13–C43) and the freight classes; the boards' "
                                     "industries are listed first. Search by code or by a word of the name."))
    sales_band = forms.ChoiceField(label=_("Annual sales"), choices=Enterprise.SalesBand.choices)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    town = forms.CharField(label=_("Town / subdistrict"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)


class SignupForm(EnterpriseFieldsForm):
    slug = forms.CharField(label=_("Web address"), max_length=30,
                           help_text=_("Letters, digits and hyphens; your enterprise will work at <slug>.%(domain)s"))
    full_name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Your email (your login)"))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    field_order = ["name", "short_name", "uscc", "slug", "industry", "sales_band", "address", "town",
                   "contact_phone", "full_name", "email", "password"]

    def __init__(self, *args, user=None, base_domain="localhost", **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contact_name"]
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}
        self.fields["slug"].widget.attrs["placeholder"] = "ruifeng"
        if user is not None and user.is_authenticated:
            for name in ("full_name", "email", "password"):
                del self.fields[name]

    def clean_slug(self):
        return self.cleaned_data["slug"].strip().lower()


class EnterpriseSettingsForm(EnterpriseFieldsForm):
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    modules = forms.MultipleChoiceField(label=_("Enabled modules"), choices=Enterprise.Module.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uscc"].disabled = True
        self.fields["uscc"].help_text = _("The credit code identifies the enterprise and cannot be changed.")


class InviteForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CLERK)


class RoleForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=100)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))


class BootstrapPasswordResetForm(BootstrapMixin, PasswordResetForm):
    pass


class BootstrapSetPasswordForm(BootstrapMixin, SetPasswordForm):
    pass

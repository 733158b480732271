from django.conf import settings

from tenants import entitlements
from tenants.selectors import membership_list_for_user, site_base_url


def platform(request):
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(membership_list_for_user(user=user))
    # Only a member learns which enterprise a host belongs to (a 404 must not name it).
    enterprise = getattr(request, "enterprise", None) if getattr(request, "membership", None) else None
    return {
        "platform_name": settings.PLATFORM_NAME,
        "enterprise": enterprise,
        "membership": getattr(request, "membership", None),
        "my_memberships": memberships,
        "site_url": site_base_url(request=request),
        "base_domain": settings.BASE_DOMAIN,
        # The plan (tenants.entitlements): the menus show only the modules that are on; the banner while a
        # payment is overdue. From the enterprise already on the request: no query.
        "plan_modules": entitlements.modules_shown(enterprise) if enterprise is not None else {},
        "plan_banner": entitlements.banner_for(enterprise),
        "plan_billing_url": entitlements.BILLING_PATH,
    }

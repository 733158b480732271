from django.conf import settings

from tenants.selectors import membership_list_for_user, site_base_url


def platform(request):
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(membership_list_for_user(user=user))
    return {
        "platform_name": settings.PLATFORM_NAME,
        # Only a member learns which enterprise a host belongs to (a 404 must not name it).
        "enterprise": getattr(request, "enterprise", None) if getattr(request, "membership", None) else None,
        "membership": getattr(request, "membership", None),
        "my_memberships": memberships,
        "site_url": site_base_url(request=request),
        "base_domain": settings.BASE_DOMAIN,
    }

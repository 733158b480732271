from django.db.models import Count, Q, QuerySet, Sum

from erp_modules.files.models import Attachment


def attachment_list(*, search: str = "") -> QuerySet[Attachment]:
    qs = Attachment.objects.all()
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(original_name__icontains=search))
    return qs


def attachment_get(*, attachment_id: int) -> Attachment | None:
    """None whether the file is missing or belongs to another enterprise (it is in another schema)."""
    return Attachment.objects.filter(pk=attachment_id).first()


def attachment_stats() -> dict:
    return Attachment.objects.aggregate(count=Count("id"), total_bytes=Sum("size"))

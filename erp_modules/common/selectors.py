from django.db.models import Model, QuerySet

from erp_modules.common.models import AuditEntry


def audit_history(*, obj: Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)

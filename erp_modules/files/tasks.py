from celery import shared_task

from erp_modules.files.services import attachment_compute_checksum


@shared_task(name="files.attachment_checksum")
def attachment_checksum(attachment_id: int) -> str | None:
    attachment = attachment_compute_checksum(attachment_id=attachment_id)
    return attachment.sha256 if attachment else None

"""Celery tasks of the outbox. The work is in services; a task only decides when to try again."""
from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def deliver_mail(self, mail_id: int) -> str:
    """Send one stored mail. Retried with back-off while the mail server fails (the number of
    attempts is counted on the row, so a redelivered task does not start again at zero).

    Without a broker (tasks run in the web process) a failed attempt is not waited for: the
    mail stays in the outbox as waiting, for the sweep or for staff to send again."""
    delivery = services.deliver(mail_id=mail_id)
    if delivery.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(acks_late=True, ignore_result=True)
def deliver_mails(mail_ids: list[int]) -> int:
    """Fan a transaction's mails out, one task each (each retried on its own). Run twice (a
    redelivery), it queues them twice: harmless, each mail is sent once."""
    for mail_id in mail_ids:
        deliver_mail.delay(mail_id)
    return len(mail_ids)


@shared_task(ignore_result=True)
def sweep() -> int:
    return services.sweep()


@shared_task(ignore_result=True)
def purge() -> int:
    return services.purge()

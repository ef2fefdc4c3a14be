"""Background work of orders (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def guest_link_resend_task(number: str, email_ref: str) -> None:
    """Send a guest order's link again if the typed email matches; only a keyed hash of the
    email crosses the queue, never the address."""
    from lumeire.orders.guests import guest_link_resend_run

    guest_link_resend_run(number=number, email_ref=email_ref)

from django_tasks import task


@task()
def abandon_unpaid_requests() -> list[str]:
    """Abandon the requests not paid in time. Scheduled daily by the task
    worker; ``manage.py abandon_unpaid_requests`` runs it by hand."""
    from .services import unpaid_requests_abandon

    return unpaid_requests_abandon()

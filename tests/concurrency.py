"""Run the same action in several threads at once, each with its own database
connection, as concurrent requests to several app servers would."""

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection


def run_together(action: Callable[[], None], *, threads: int) -> list[Exception]:
    """Start ``action`` in ``threads`` threads released at the same instant;
    the errors they raised, once all are done."""
    start = threading.Barrier(threads)
    errors: list[Exception] = []

    def run():
        try:
            start.wait()
            action()
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors

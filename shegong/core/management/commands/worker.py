"""Run a background worker: django-tasks-db's ``db_worker`` plus a heartbeat for /healthz.

Run one per CPU on as many hosts as needed; they coordinate through the database.
"""

import logging
import threading
import time

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from shegong.core.schedule import enqueue_due
from shegong.core.tasks import record_worker_heartbeat, worker_identity

logger = logging.getLogger(__name__)


class Command(DBWorkerCommand):
    help = "Run a background worker (processes queued jobs) with a heartbeat for /healthz."

    def handle(self, *args, **options):
        identity, started = worker_identity(), timezone.now()
        stop = threading.Event()

        def beat():
            beats = 0
            while not stop.is_set():
                try:
                    record_worker_heartbeat(identity, started)
                    if beats % 6 == 0:  # about once a minute
                        enqueue_due()
                except Exception:  # a missed beat only makes /healthz report "down" for a while
                    logger.exception("heartbeat or schedule check failed")
                finally:
                    close_old_connections()
                beats += 1
                stop.wait(10)

        thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            time.sleep(0)

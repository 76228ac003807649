"""Start the production WSGI server (gunicorn) and a background worker together.

Used by ``make run``; Ctrl-C (or SIGTERM) stops both. In production run gunicorn and
``manage.py worker`` as separate services instead (see README).
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run gunicorn and one background worker until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host, port, web_workers, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        web = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "shegong.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            cwd=settings.BASE_DIR,
        )
        worker = subprocess.Popen([python, manage, "worker", "--interval", "1"], cwd=settings.BASE_DIR)
        children = [web, worker]

        def stop(signum=None, frame=None):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A child process exited; stopping the other.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stop()

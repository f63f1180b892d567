"""Serve the app with the dramatiq worker and the scheduler in the same process."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from crm.embedded import start_scheduler, start_worker


class Command(BaseCommand):
    help = "Serve the app for development with the in-process worker and scheduler (no Redis needed)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--threads", type=int, default=2, help="Worker threads.")

    def handle(self, *args, addrport, threads, **options):
        try:
            worker = start_worker(threads=threads)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        start_scheduler()
        self.stdout.write(self.style.SUCCESS("Worker and scheduler running in this process."))
        try:
            # No autoreloader: it would restart the server in a child process without
            # the worker and scheduler threads.
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.stop()

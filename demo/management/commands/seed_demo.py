"""python manage.py seed_demo [--seed N] [--if-empty] [--serving-at HOST:PORT]

Creates the demo IPS program in Marseille by playing ten months of a team's work
through the real services, event handlers and scheduler jobs (demo/). The same seed
gives the same data on a given day; once the program exists, running it again
creates nothing and only prints the logins."""

from django.core.management.base import BaseCommand, CommandError

from crm.models import Organisation, User
from demo.build import DEFAULT_SEED, DEMO_PASSWORD, build_demo, demo_organisation_slug, staff_usernames
from demo.catalogue import catalogue

#: Where a server bound to any address (0.0.0.0, ::) is reached from this machine.
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]", "": "127.0.0.1"}  # noqa: S104 - a lookup, not a bind


def address_to_open(bind: str) -> str:
    """The URL a person opens for a server bound to `bind` ("host:port", "[v6]:port"
    or a bare port, as runserver and gunicorn take it): a wildcard host becomes the
    loopback address. Raises CommandError for a port that is not a number."""
    host, _, port = bind.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{bind!r} is not host:port (for example 127.0.0.1:8000).")
    host = _ANY_ADDRESS.get(host, host)
    return f"http://{host}:{port}/"


class Command(BaseCommand):
    help = (
        "Create a demo IPS program in Marseille (users, job seekers, employers, employer contacts, placements and "
        "follow-along), made through the real services. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database holds no program yet (what `make run` uses).",
        )
        parser.add_argument(
            "--serving-at",
            default="127.0.0.1:8000",
            metavar="HOST:PORT",
            help="The address the server will listen on, to print the address to open (default 127.0.0.1:8000).",
        )

    def handle(self, *args, seed, if_empty=False, serving_at="127.0.0.1:8000", **options):
        self.url = address_to_open(serving_at)
        slug = demo_organisation_slug()
        demo_exists = Organisation.objects.filter(slug=slug).exists()
        if if_empty and not demo_exists and Organisation.objects.exists():
            self.stdout.write("The database already holds a program: no demo data added.")
            return
        if demo_exists:
            self.stdout.write(self.style.WARNING("The demo program already exists: nothing was created."))
            self.print_logins()
            return
        taken = User.objects.filter(username__in=staff_usernames())
        if taken.exists():
            names = ", ".join(sorted(taken.values_list("username", flat=True)))
            raise CommandError(f"These usernames are already used outside the demo program: {names}.")
        counts = build_demo(seed=seed)
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        name = catalogue().program["organisation"]["name"]
        self.stdout.write(self.style.SUCCESS(f"Created the demo program {name!r}: {summary}."))
        self.print_logins()

    def print_logins(self):
        roles = dict(User.Role.choices)
        lines = ["", "Demo logins (all share one password):", f"  {'username':<13} {'role':<24} password"]
        for member in catalogue().program["staff"]:
            lines.append(f"  {member['username']:<13} {str(roles[member['role']]):<24} {DEMO_PASSWORD}")
        lines += ["", f"Open {self.url} and sign in.", ""]
        self.stdout.write("\n".join(lines))

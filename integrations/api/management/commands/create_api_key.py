"""manage.py create_api_key --program <slug> --partner <name> --grant referrals:write
[--grant ...] [--expires-in-days N] [--name ...]: a partner key, printed once.

Program admins create keys in the app (Partners > API keys); this command is for
operators and scripts. It acts as the program (no user recorded as its creator)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from crm.models import Organisation, Partner
from integrations.api.grants import GRANTS, unknown_grants
from integrations.api.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key for a partner organisation and print it (shown once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="The program's short name (Organisation.slug).")
        parser.add_argument("--partner", required=True, help="The partner organisation's name in that program.")
        parser.add_argument(
            "--grant",
            action="append",
            required=True,
            dest="grants",
            help=f"A grant, repeatable: {', '.join(GRANTS)}.",
        )
        parser.add_argument("--expires-in-days", type=int, default=None, help="Days until it expires (default: never).")
        parser.add_argument(
            "--name", default="", help="What the key is for (default: 'Created from the command line')."
        )

    def handle(self, *args, program, partner, grants, expires_in_days, name, **options):
        organisation = Organisation.objects.filter(slug=program).first()
        if organisation is None:
            raise CommandError(f"No program with the short name {program!r}.")
        matches = list(Partner.objects.filter(organisation=organisation, name__iexact=partner.strip()))
        if len(matches) != 1:
            known = ", ".join(Partner.objects.filter(organisation=organisation).values_list("name", flat=True))
            raise CommandError(f"No single partner named {partner!r} in {program} (partners: {known or 'none'}).")
        partner_row = matches[0]
        if not partner_row.is_active:
            raise CommandError(f"{partner_row.name} is inactive.")
        if unknown := unknown_grants(grants):
            raise CommandError(f"Unknown grant(s): {', '.join(unknown)}. Grants: {', '.join(GRANTS)}.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        expires_at = timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        with transaction.atomic():
            key, plaintext = ApiKey.issue(
                partner=partner_row,
                name=(name or "Created from the command line").strip()[:120],
                grants=sorted(set(grants)),
                expires_at=expires_at,
            )
            try:
                key.full_clean(exclude=["created_by"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            key.save()
        self.stderr.write(
            f"Key {key.masked} for {partner_row.name} ({organisation.slug}), grants: {', '.join(key.grants)}"
            + (f", expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else "")
            + ". It is shown once; store it now:"
        )
        self.stdout.write(plaintext)

"""Keeping a validated plan between the preview and the confirmation."""

import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from crm.models import User
from employers.importing.planning import ImportPreview

PLAN_TTL_SECONDS = 2 * 60 * 60


def _plan_dir() -> Path:
    return Path(getattr(settings, "EMPLOYER_IMPORT_DIR", settings.BASE_DIR / "var" / "imports"))


TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _plan_path(actor: User, token: str, *, claimed: bool = False) -> Path | None:
    """A plan's file is named after its owner, so another user's token leads nowhere."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or actor.pk is None:
        return None
    return _plan_dir() / f"{actor.pk}-{token}.json{'.claimed' if claimed else ''}"


def plans_purge(*, max_age: int = PLAN_TTL_SECONDS) -> None:
    """Delete plans older than `max_age` (abandoned previews hold contact details)."""
    directory = _plan_dir()
    if not directory.is_dir():
        return
    limit = time.time() - max_age
    for path in directory.glob("*.json*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def plan_save(preview: ImportPreview, *, actor: User) -> str:
    """Keep a validated preview's plan for `actor` only; returns its token."""
    if not preview.importable:
        raise ValueError("Only a preview without errors can be imported.")
    directory = _plan_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    plan = {
        "version": 1,
        "user_id": actor.pk,
        "organisation_id": actor.organisation_id,
        "created_at": timezone.now().isoformat(),
        "filename": preview.filename,
        "row_count": preview.row_count,
        "employers": [
            {
                "key": list(group.key),
                "employer": {"name": group.name, **group.employer},
                "sites": [
                    {
                        **site,
                        "latitude": None if site["latitude"] is None else str(site["latitude"]),
                        "longitude": None if site["longitude"] is None else str(site["longitude"]),
                    }
                    for site in group.sites
                ],
                "contacts": group.contacts,
            }
            for group in preview.groups
        ],
    }
    descriptor = os.open(_plan_path(actor, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(plan, file, ensure_ascii=False, separators=(",", ":"))
    return token


def plan_claim(*, token: str, actor: User) -> dict | None:
    """Take `actor`'s plan `token` for importing, or None when there is none (unknown,
    another user's, expired, or already taken). The rename is atomic: a second
    confirmation (a double click, another tab) finds nothing."""
    path = _plan_path(actor, token)
    if path is None or actor.organisation_id is None:
        return None
    claimed = _plan_path(actor, token, claimed=True)
    try:
        if path.stat().st_mtime < time.time() - PLAN_TTL_SECONDS:
            path.unlink()
            return None
        path.rename(claimed)
    except FileNotFoundError:
        return None
    try:
        plan = json.loads(claimed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        plan = {}
    if plan.get("user_id") != actor.pk or plan.get("organisation_id") != actor.organisation_id:
        claimed.unlink(missing_ok=True)
        return None
    return plan


def plan_release(*, token: str, actor: User) -> None:
    """Give a claimed plan back (its import failed and was rolled back)."""
    claimed = _plan_path(actor, token, claimed=True)
    if claimed is not None and claimed.exists():
        claimed.rename(_plan_path(actor, token))


def plan_discard(*, token: str, actor: User) -> None:
    """Delete `actor`'s plan (after its import, or when they cancel)."""
    for claimed in (False, True):
        path = _plan_path(actor, token, claimed=claimed)
        if path is not None:
            path.unlink(missing_ok=True)

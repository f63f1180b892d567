"""Production configuration: refuses a weak SECRET_KEY, passes the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="crm.example.org", GEOCODER="ban")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_chosen_geocoder():
    result = manage(
        "check",
        DEBUG="0",
        ALLOWED_HOSTS="crm.example.org",
        SECRET_KEY="k" * 20 + "fj39Fk2-_sl3kfj4Lk2jf93kFJ2l3kjfslkdjf90",
    )
    assert result.returncode != 0
    assert "GEOCODER must be set" in result.stderr


def test_deploy_check_is_clean_with_production_variables():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        ALLOWED_HOSTS="crm.example.org",
        SECRET_KEY="k" * 20 + "fj39Fk2-_sl3kfj4Lk2jf93kFJ2l3kjfslkdjf90",
        GEOCODER="ban",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

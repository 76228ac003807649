"""Keys fail closed in production mode, `check --deploy` reports generated keys, rotation settings are read.

Settings are imported in a fresh interpreter: they are read once, from the environment, at start.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(tmp_path, *args, **variables):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SHEGONG_")}
    environ.update({"SHEGONG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shegong.settings"})
    environ.update({f"SHEGONG_{k}": v for k, v in variables.items()})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def start(tmp_path, **variables):
    return run(tmp_path, "-c", "import django; django.setup(); print('started')", **variables)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_KEY"])
def test_production_mode_refuses_to_start_without_a_key_and_names_it(tmp_path, missing):
    keys = {"SECRET_KEY": "s" * 50, "FIELD_KEY": "f" * 32}
    del keys[missing]
    result = start(tmp_path, HTTPS="true", **keys)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert f"SHEGONG_{missing} is not set" in result.stderr
    # Nothing was generated on this host in its place.
    assert not (tmp_path / missing.lower()).exists()


def test_production_mode_starts_with_both_keys(tmp_path):
    result = start(tmp_path, HTTPS="true", SECRET_KEY="s" * 50, FIELD_KEY="f" * 32)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "field_key").exists()


def test_check_deploy_reports_generated_keys(tmp_path):
    result = run(tmp_path, "manage.py", "check", "--deploy")
    assert result.returncode != 0
    assert "shegong.E001" in result.stderr
    assert "SHEGONG_SECRET_KEY is not set" in result.stderr and "SHEGONG_FIELD_KEY is not set" in result.stderr
    # In production mode it names the missing variable too (the start itself refuses).
    result = run(tmp_path, "manage.py", "check", "--deploy", HTTPS="true", SECRET_KEY="s" * 60)
    assert result.returncode != 0 and "SHEGONG_FIELD_KEY is not set" in result.stderr


def test_check_deploy_has_no_key_error_when_keys_are_set(tmp_path):
    result = run(tmp_path, "manage.py", "check", "--deploy", SECRET_KEY="s" * 60, FIELD_KEY="f" * 32)
    assert "shegong.E001" not in result.stderr + result.stdout


def test_check_deploy_warns_about_proxy_hops_in_production(tmp_path):
    keys = {"HTTPS": "true", "SECRET_KEY": "s" * 60, "FIELD_KEY": "f" * 32, "ALLOWED_HOSTS": "x.example"}
    assert "shegong.W001" in run(tmp_path, "manage.py", "check", "--deploy", **keys).stderr
    assert "shegong.W001" not in run(tmp_path, "manage.py", "check", "--deploy", PROXY_HOPS="1", **keys).stderr


def test_fallback_keys_are_read_from_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY_FALLBACKS, s.FIELD_KEY_FALLBACKS, s.PROXY_HOPS)"
    )
    result = run(
        tmp_path,
        "-c",
        code,
        SECRET_KEY_FALLBACKS="old-one, old-two",
        FIELD_KEY_FALLBACKS="field-old",
        FIELD_KEY_OLD="field-older",
        PROXY_HOPS="2",
    )
    assert result.stdout.strip() == "['old-one', 'old-two'] ['field-old', 'field-older'] 2", result.stderr

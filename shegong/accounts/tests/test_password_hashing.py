import importlib


def test_production_settings_hash_with_argon2_first():
    settings_module = importlib.import_module("shegong.settings")
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

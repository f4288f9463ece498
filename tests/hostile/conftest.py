import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """The personas get passwords; Argon2 makes each one cost ~100 ms, which these tests do not need."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

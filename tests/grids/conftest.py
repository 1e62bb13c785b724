import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Real PBKDF2 costs ~0.3 s per user; these tests check screens, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

import pytest
from django.conf import settings

from tests.factories import RegionTree


def pytest_configure(config):
    # Hashing with PBKDF2 costs seconds per user on a loaded 2-core box; tests need
    # working passwords, not slow ones. Production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db) -> RegionTree:
    return RegionTree()

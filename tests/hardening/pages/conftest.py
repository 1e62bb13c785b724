"""The disputes page test world (people)."""
from tests.disputes.views.conftest import people  # noqa: F401

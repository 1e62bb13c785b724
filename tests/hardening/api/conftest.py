"""The disputes API test world (people, category, case)."""
from tests.disputes.api.conftest import case, category, people  # noqa: F401

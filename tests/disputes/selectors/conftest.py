from tests.disputes.services import conftest as shared

# The shared fixtures of the disputes domain tests (defined once in services/conftest.py).
world = shared.world

import pytest

from tests.factories import RegionTree


@pytest.fixture
def tree(db) -> RegionTree:
    return RegionTree()

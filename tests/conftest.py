import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import RegionTree


def pytest_configure(config):
    # Hashing with PBKDF2 costs seconds per user on a loaded 2-core box; tests need
    # working passwords, not slow ones. Production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks enqueued by code under test run in-process; the real-worker suites
    # (marker celery_worker) start worker processes and send by name instead.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The second factor for administrators is tested in tests/governance/test_otp.py, which
    # turns it on; elsewhere administrators sign in with a password as before.
    settings.OTP_ENFORCED = False
    # Rate limits are tested in tests/governance/test_rate_limits.py with their real rates; the
    # rest of the suite signs in and calls the API far more often than a person would.
    settings.LOGIN_RATE = "100000/m"
    settings.API_THROTTLE_RATES = {"user": "100000/m", "anon": "100000/m", "token": "100000/m"}
    _sqlite_test_database_in_a_file(config)


def _sqlite_test_database_in_a_file(config) -> None:
    """On SQLite the test database is a fresh file per test process (in /dev/shm where there
    is one, so it costs what memory costs), never Django's in-memory default.

    With an in-memory database the live server hands the test thread's one sqlite3 connection
    to every request thread. Python's sqlite3 binds parameters and reads columns holding the
    GIL, and calls Django's SQL functions written in Python (TruncDate's
    django_datetime_cast_date, …) from inside sqlite3_step holding the connection's mutex; a
    dashboard answering parallel htmx polls then deadlocks: one thread holds the mutex and
    waits for the GIL, another holds the GIL and waits for the mutex (docs/testing.md). With
    a file each thread opens its own connection, as the embedded server does in production.
    """
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3") or database.get("TEST", {}).get("NAME"):
        return
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="zongzhi-test-", dir=shm if shm.is_dir() else None))
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site language (zh-hans). LocaleMiddleware activates a request's
    language in the test's thread and nothing deactivates it, so a test that switched to
    English left the next test on that worker rendering messages in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _grid_index_fresh():
    """Point in grid keeps its index for a few seconds between version reads; a test's rolled
    back grids must not answer the next test's lookups (grids/geometry.py)."""
    from grids.geometry import index_invalidate

    index_invalidate()


@pytest.fixture
def tree(db) -> RegionTree:
    return RegionTree()


def _seed_reference_data() -> None:
    """Re-run the idempotent data migrations (categories, risk grades, time limits,
    escalation policies, role groups) against the current database."""
    import importlib

    from django.apps import apps

    from disputes.models import TimeLimitPolicy

    def seed(name: str) -> None:
        importlib.import_module(f"disputes.migrations.{name}").seed(apps, None)

    if not TimeLimitPolicy.objects.exists():
        # Flushed: the time-limit rows in migration order (0003 looks its rows up by level and
        # step alone, which the 信访 rows of a later migration would make ambiguous).
        for name in ("0003_seed_reference_data", "0009_extension_limit_policy", "0011_rules_petition_limits",
                     "0011_rules_mediation_limit", "0014_mediation_registry"):
            seed(name)
    for name in ("0004_default_escalation_policies", "0011_rules_loop_policy", "0022_seed_warning_rules"):
        seed(name)
    # Which categories are incidents (no party needed): a flush leaves 0003's rows all disputes.
    importlib.import_module("disputes.migrations.0020_category_kind").mark_incidents(apps, None)
    for module in ("governance.migrations.0002_role_groups", "governance.migrations.0006_separation_of_duties",
                   "grids.migrations.0002_role_permissions",
                   "grids.migrations.0006_role_permissions_fieldwork", "disputes.migrations.0005_role_permissions",
                   "partybuilding.migrations.0002_role_permissions"):
        importlib.import_module(module).forwards(apps, None)
    for module in ("partybuilding.migrations.0003_rhythm_rules", "partybuilding.migrations.0005_star_criteria"):
        importlib.import_module(module).seed(apps, None)


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


@pytest.fixture(scope="session", autouse=True)
def _reference_data_present(request, django_db_setup, django_db_blocker):
    # A transactional test flushes every table, data-migration rows included, and
    # --reuse-db then keeps that empty database for the next run: put the rows back.
    # Only when a test database was set up: with no test asking for one, pytest-django sets
    # none up and the connection is the configured (development) database.
    if not any(item.get_closest_marker("django_db") or _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
               for item in request.session.items):
        return
    with django_db_blocker.unblock():
        _seed_reference_data()


@pytest.fixture
def reference_data(transactional_db) -> None:
    """For transactional tests (live server, real workers): the seed rows a previous
    transactional test's flush removed."""
    _seed_reference_data()

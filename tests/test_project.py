"""Project-level checks: production settings, migrations, intranet assets, house rules.

These read the source tree and run `manage.py` in subprocesses; they need no database of
their own. The rules they enforce are described in docs/dangerous-constructs.md.
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("governance", "grids", "disputes", "partybuilding", "assessment", "benchmarks")

# Production-like environment: every variable that must not default is set to a dummy.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "test-project-Zq8vN3kL0pR6tW2yB9dF5hJ1mX4cV7gT0sA3eU6iO9",
    "ALLOWED_HOSTS": "zongzhi.example.gov.cn",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "check-deploy.sqlite3"),
    "PARTY_DATA_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "PARTY_HASH_KEY": "test-project-party-hash-key",
    "TRUSTED_PROXY": "127.0.0.1",
}


def _manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Not inherited: the production variables (given explicitly) and switches that other
    # test modules set in this process (the e2e harness allows async-unsafe ORM calls).
    drop = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _python_files(*roots: str) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        files.extend(p for p in (ROOT / root).rglob("*.py") if "migrations" not in p.parts)
    return sorted(files)


# --- settings and migrations ------------------------------------------------------------------


def test_check_deploy_passes_without_warnings_in_production_settings():
    # Given the production environment (DEBUG off, every required variable set)
    # When the deployment checks run with warnings promoted to failures
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    # Then there is nothing to report
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_judges_the_secret_key_from_the_environment():
    # Given a production environment whose SECRET_KEY is short and guessable
    weak = {**PRODUCTION_ENV, "SECRET_KEY": "changeme"}

    # When the deployment checks run
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=weak)

    # Then the weak key from the environment is reported (security.W009)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_required_variables():
    # Given DEBUG off but no SECRET_KEY
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY"] = ""

    # When Django loads the settings
    result = _manage("check", env=env)

    # Then it fails loudly instead of falling back to the development key
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_broker_keeps_all_its_files_under_var():
    """kombu's filesystem transport writes its exchange tables to ./control unless told
    otherwise; every folder it uses must live under var/ (ignored by git)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["DJANGO_SETTINGS_MODULE"] = "governance.settings"
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_BROKER_URL); print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out[-2] == "filesystem://"
    options = json.loads(out[-1])
    folders = {k: v for k, v in options.items() if k.endswith(("_folder", "_folder_in", "_folder_out"))}
    assert {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"} <= set(folders)
    for path in folders.values():
        assert Path(path).resolve().is_relative_to(ROOT / "var"), path


def test_models_and_migrations_agree():
    # When makemigrations looks for changes without writing anything
    result = _manage("makemigrations", "--check", "--dry-run")

    # Then every model change has its migration
    assert result.returncode == 0, result.stdout + result.stderr


# --- intranet: every asset is served by the app itself --------------------------------------

EXTERNAL_ASSET = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|<(?:img|source|iframe|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//"""
    r"""|\bimport\s*\(?\s*["'](?:https?:)?//""",
    re.IGNORECASE,
)


def _our_asset_files() -> list[Path]:
    dirs = [ROOT / "templates", ROOT / "static"] + [ROOT / app / "templates" for app in APPS]
    dirs += [ROOT / app / "static" for app in APPS]
    suffixes = {".html", ".txt", ".css", ".js", ".svg", ".xml"}
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*") if p.suffix in suffixes)


def test_asset_scanner_recognises_external_urls():
    # The scanner itself: these must be caught, plain links and local paths must not.
    caught = [
        '<script src="https://cdn.example.com/htmx.js"></script>',
        "<link rel=stylesheet href='//fonts.example.com/css'>",
        "background: url(http://tiles.example.com/1.png)",
        '@import url("https://fonts.example.com/x.css");',
        '<img class="logo" src="https://example.com/logo.png">',
    ]
    passed = [
        '<script src="{% static \'vendor/htmx/htmx.min.js\' %}"></script>',
        '<a href="https://www.gov.cn/">中国政府网</a>',
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "background: url(../img/grid.png)",
    ]
    assert all(EXTERNAL_ASSET.search(s) for s in caught)
    assert not any(EXTERNAL_ASSET.search(s) for s in passed)


def test_templates_and_static_files_reference_no_external_assets():
    # Given every template and static file of ours (vendor packages come from node_modules)
    files = _our_asset_files()
    assert files, "no templates or static files found"

    # When they are scanned for http(s):// or protocol-relative asset URLs
    offenders = [
        f"{p.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for p in files
        for text in [p.read_text(encoding="utf-8", errors="replace")]
        for m in EXTERNAL_ASSET.finditer(text)
    ]

    # Then there are none: the platform runs on an intranet without CDNs
    assert offenders == []


# --- jurisdiction: unscoped managers only where the rule allows them -------------------------

# Each app's scoped models (rows that carry a region path and are read through a Scope).
SCOPED_MODELS = {
    "disputes": {"Case", "CaseParty", "CaseAssignment", "CaseEvent", "CaseTally"},
    "grids": {"Grid", "GridWorkerAssignment", "Patrol", "Screening", "HazardInspection", "Training"},
    "partybuilding": {"PartyOrganisation", "PartyGroup", "PartyMember", "ResidentUnit", "PartTimeMember",
                      "JointAgreement", "JointMeeting", "Activity", "PartyFund", "FundExpense", "StarRating"},
    "assessment": {"UnitScore", "ManualScore", "Veto", "ResponsibilityLetter"},
}
MANAGER_ATTRS = {"objects", "_default_manager", "_base_manager"}
# The rooms of an app that may use its own scoped models' managers: reads in selectors, writes
# in services, the two rooms of periodic and policy writes (the deadline sweep, threshold
# re-stamping), and its demo data (seed_demo keeps itself idempotent by reading what it wrote).
# Everything else (pages, API, forms, contract, tasks) calls them, and no module uses
# another app's scoped managers: it reads that app's contract.
MANAGER_ROOMS = ("selectors", "services", "sweep", "sweep_assists", "deadlines", "demo")


def _may_use_managers(rel: str) -> bool:
    """In a room: `<app>/<room>.py` or `<app>/<room>/…`; a module named `<topic>_selectors`
    is a selectors room of its own (grids/map_selectors.py beside grids/selectors.py)."""
    parts = rel.split("/")
    if len(parts) < 2:
        return False
    room = parts[1].removesuffix(".py")
    return room in MANAGER_ROOMS or room.endswith("_selectors")


ESCAPE_PREFIXES = ("unscoped_", "dangerously_")
ALL_SCOPED_MODELS = set().union(*SCOPED_MODELS.values())


def _unscoped_manager_uses(tree: ast.AST, *, escapes: bool = True) -> list[tuple[int, str]]:
    """(line, expression) of every `<ScopedModel>.objects` (outside an unscoped_* function
    when `escapes`)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, escaped: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            escaped = escaped or (escapes and node.name.startswith(ESCAPE_PREFIXES))
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRS and not escaped:
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if name in ALL_SCOPED_MODELS:
                found.append((node.lineno, f"{name}.{node.attr}"))
        for child in ast.iter_child_nodes(node):
            visit(child, escaped)

    visit(tree, False)
    return found


def test_unscoped_manager_lint_sees_violations_and_escape_hatches():
    source = (
        "def case_page(request):\n"
        "    return Case.objects.all()\n"
        "def unscoped_city_totals():\n"
        "    return models.CaseParty.objects.count()\n"
        "def other():\n"
        "    return CaseAssignment._default_manager.all()\n"
    )
    assert _unscoped_manager_uses(ast.parse(source)) == [(2, "Case.objects"), (6, "CaseAssignment._default_manager")]


def test_scoped_tables_are_read_only_through_selectors_and_services():
    # Given every module of the apps (migrations and the operator tooling of benchmarks/ aside)
    violations = []
    for path in _python_files(*(app for app in APPS if app != "benchmarks")):
        rel = path.relative_to(ROOT).as_posix()
        own = SCOPED_MODELS.get(rel.split("/")[0], set())
        # When the module's code (not its comments) is searched for a scoped model's manager,
        # escape hatches (unscoped_*) included
        for line, expr in _unscoped_manager_uses(ast.parse(path.read_text(encoding="utf-8")), escapes=False):
            if expr.split(".")[0] in own and _may_use_managers(rel):
                continue
            violations.append(f"{rel}:{line}: {expr}")

    # Then an app's scoped managers appear only in its own rooms (MANAGER_ROOMS): pages,
    # API, contract and tasks call a selector or a service (docs/dangerous-constructs.md)
    assert violations == []


def test_manager_rooms_are_the_selectors_services_sweep_and_deadlines():
    assert _may_use_managers("disputes/selectors/cases.py") and _may_use_managers("grids/selectors.py")
    assert _may_use_managers("grids/map_selectors.py") and not _may_use_managers("grids/geometry.py")
    assert _may_use_managers("disputes/services/intake.py") and _may_use_managers("disputes/sweep.py")
    assert _may_use_managers("disputes/sweep_assists.py") and not _may_use_managers("disputes/sweeper.py")
    assert not _may_use_managers("disputes/views.py") and not _may_use_managers("disputes/contract.py")
    assert not _may_use_managers("disputes/contract.py") and not _may_use_managers("grids/views.py")


# --- architecture: dependency direction ---------------------------------------------------

# governance ← grids ← disputes ← assessment and governance ← grids ← partybuilding ← assessment;
# benchmarks (operator tooling) sits above every app: it may import any of them, none imports it.
MAY_IMPORT = {
    "governance": set(),
    "grids": {"governance"},
    "disputes": {"governance", "grids"},
    "partybuilding": {"governance", "grids"},
    "assessment": {"governance", "grids", "disputes", "partybuilding"},
    "benchmarks": {"governance", "grids", "disputes", "partybuilding", "assessment"},
}


def _absolute_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in `tree`, inside functions too."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_apps_import_only_in_the_dependency_direction():
    # Given the allowed direction between the apps
    violations = []
    for app in APPS:
        for path in _python_files(app):
            rel = path.relative_to(ROOT).as_posix()
            # When each module's imports (including imports inside functions) are listed
            for line, module in _absolute_imports(ast.parse(path.read_text(encoding="utf-8"))):
                top = module.split(".")[0]
                if top in APPS and top != app and top not in MAY_IMPORT[app]:
                    violations.append(f"{rel}:{line}: {app} imports {module}")

    # Then no app reaches against the direction (the kernel imports no feature app)
    assert violations == []


# One job per module: a module that outgrows this has become two rooms (house style).
MODULE_LINES_MAX = 600


def test_no_module_outgrows_one_room():
    # Given every module of the apps (migrations are generated history)
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in _python_files(*APPS)
        for lines in [len(path.read_text(encoding="utf-8").splitlines())]
        if lines > MODULE_LINES_MAX
    }
    # Then none is longer than MODULE_LINES_MAX lines
    assert long == {}


# The read contract between apps: a feature app reaches another feature app only through
# that app's published `contract` module (reads, and the writes it re-exports from services),
# plus its `models` from the importing app's models (foreign keys). The kernel is imported
# freely (its toolkit is for every app); migrations are history and not checked.
CONTRACT_MODULES = ("contract",)


def _cross_app_imports(app: str, rel: str, tree: ast.AST) -> list[str]:
    """'<line>: <module>' for each import of another feature app that is not its contract."""
    found = []
    for line, module in _absolute_imports(tree):
        parts = module.split(".")
        if parts[0] not in APPS or parts[0] in (app, "governance"):
            continue
        room = parts[1] if len(parts) > 1 else ""
        in_models = rel == f"{app}/models.py" or rel.startswith(f"{app}/models/")
        if room in CONTRACT_MODULES or (room == "models" and in_models):
            continue
        found.append(f"{line}: {module}")
    return found


def test_cross_app_imports_name_only_the_published_contract():
    # Given every module of the feature apps
    violations = [
        f"{path.relative_to(ROOT).as_posix()}:{hit}"
        for app in APPS if app not in ("governance", "benchmarks")
        for path in _python_files(app)
        for hit in _cross_app_imports(app, path.relative_to(ROOT).as_posix(),
                                      ast.parse(path.read_text(encoding="utf-8")))
    ]
    # Then another app is reached only through its contract module
    assert violations == []


def test_cross_app_import_scanner_allows_contract_and_model_foreign_keys():
    source = "from grids.contract import grid_queryset\nfrom grids.selectors import grid_get\nimport grids.models\n"
    tree = ast.parse(source)
    assert _cross_app_imports("disputes", "disputes/views.py", tree) == ["2: grids.selectors", "3: grids.models"]
    assert _cross_app_imports("disputes", "disputes/models.py", tree) == ["2: grids.selectors"]


def _module_imports(module: str, tree: ast.Module) -> set[str]:
    """Project modules `module` imports, at load time or inside functions: a function-level
    import that closes a circle is still a circle (it only hides it from the interpreter)."""
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every cycle a depth-first walk meets, as 'a → b → a'."""
    cycles: list[str] = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" → ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_cycle_finder_sees_a_circle_and_not_a_diamond():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a → b → c → a"]
    assert _cycles({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) == []


def test_no_import_circles_between_modules():
    # Given the modules of every app and the imports each makes
    modules = {}
    for path in _python_files(*APPS):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        modules[name] = path
    graph = {
        name: {m for m in _module_imports(name, ast.parse(path.read_text(encoding="utf-8"))) if m in modules}
        - {name}
        for name, path in modules.items()
    }
    # When the graph is searched for a cycle
    cycles = _cycles(graph)
    # Then there is none
    assert cycles == []


# The feature apps, built or planned: the kernel may not name them, by import or by string.
FEATURE_APPS = ("grids", "disputes", "partybuilding", "assessment", "benchmarks")
FEATURE_APP_NAME = re.compile(rf"\b({'|'.join(FEATURE_APPS)})\b")
# Exempt: governance/settings.py is the project's configuration, and these settings name apps
# by dotted path by nature — the app list, the task routes and the beat schedule (kept in
# settings, in one place, by the house style) and the schema's shared enum names. The rest of
# settings.py is checked like any kernel module; migrations are not checked (history).
SETTINGS_THAT_NAME_APPS = {"INSTALLED_APPS", "CELERY_TASK_ROUTES", "CELERY_BEAT_SCHEDULE", "SPECTACULAR_SETTINGS"}


def _feature_app_mentions(source: str, *, exempt_settings: bool = False) -> list[tuple[int, str]]:
    """(line, name) of every feature app named in `source`: code, strings and comments alike."""
    exempt: set[int] = set()
    if exempt_settings:
        for node in ast.parse(source).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign | ast.AugAssign) else []
            if any(isinstance(t, ast.Name) and t.id in SETTINGS_THAT_NAME_APPS for t in targets):
                exempt.update(range(node.lineno, node.end_lineno + 1))
    return [
        (number, match.group(1))
        for number, line in enumerate(source.splitlines(), start=1)
        if number not in exempt
        for match in FEATURE_APP_NAME.finditer(line)
    ]


def test_feature_app_scanner_sees_imports_strings_and_only_the_exempt_settings():
    source = (
        'INSTALLED_APPS = ["governance", "grids"]\n'
        'path("cases/", include("disputes.urls"))\n'
        "from assessment import rankings  # noqa\n"
        'NAV = "gridsmine grid disputed"\n'
        'CELERY_BEAT_SCHEDULE = {"sweep": {"task": "disputes.tasks.sweep"}}\n'
        'ROOT_URLCONF = "partybuilding.urls"\n'
    )
    assert _feature_app_mentions(source) == [(1, "grids"), (2, "disputes"), (3, "assessment"), (5, "disputes"),
                                             (6, "partybuilding")]
    assert _feature_app_mentions(source, exempt_settings=True) == [(2, "disputes"), (3, "assessment"),
                                                                   (6, "partybuilding")]


def test_kernel_names_no_feature_app():
    # Given every kernel module (governance/, migrations aside) and the shared templates
    files = _python_files("governance") + sorted((ROOT / "templates").rglob("*.html"))

    # When each is searched for a feature app's name, as an import, a string or a comment
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {name}"
        for path in files
        for line, name in _feature_app_mentions(
            path.read_text(encoding="utf-8"), exempt_settings=path == ROOT / "governance" / "settings.py")
    ]

    # Then there is none: apps register their URLs (AppConfig.urls_module / api_urls_module),
    # navigation and landing pages (governance.navigation) and actions themselves
    assert found == []


def test_operator_tooling_uses_only_public_names_of_the_apps():
    # Given the benchmarks app (which may import any app)
    private = []
    for path in _python_files("benchmarks"):
        rel = path.relative_to(ROOT).as_posix()
        # When its imports from our apps (itself included) are listed
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] in APPS:
                private += [f"{rel}:{node.lineno}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]

    # Then none is a private name: what it needs, the owning module publishes
    assert private == []


# --- product code holds no test doubles --------------------------------------------------------

NOT_PRODUCT = {".venv", "node_modules", "tests", "var", ".git"}


def _product_python_files() -> list[Path]:
    """Every Python file of ours outside tests/ (apps, migrations, tools, deploy, manage.py)."""
    return sorted(p for p in ROOT.rglob("*.py") if not NOT_PRODUCT & set(p.relative_to(ROOT).parts))


def _mock_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "mock"
                      or a.name.startswith("unittest.mock")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "unittest" and any(a.name == "mock" for a in node.names):
                found.append((node.lineno, "unittest.mock"))
            elif node.module.startswith("unittest.mock") or node.module.split(".")[0] == "mock":
                found.append((node.lineno, node.module))
    return found


def test_mock_import_lint_sees_every_spelling():
    source = "from unittest import mock\nimport unittest.mock\nfrom unittest.mock import patch\nimport mock\n" \
             "from unittest import TestCase\n"
    assert [line for line, _ in _mock_imports(ast.parse(source))] == [1, 2, 3, 4]


def test_no_product_module_imports_unittest_mock():
    # Given every Python module outside tests/
    files = _product_python_files()
    assert ROOT / "governance" / "clock.py" in files

    # When their imports are listed
    offenders = [f"{p.relative_to(ROOT)}:{line}: {name}"
                 for p in files for line, name in _mock_imports(ast.parse(p.read_text(encoding="utf-8")))]

    # Then none imports a test double: product code that must act "as of" another moment uses
    # governance.clock.frozen_at (docs/dangerous-constructs.md)
    assert offenders == []


CLOCK_MODULE = "governance/clock.py"


def _wall_clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, expression) of every `timezone.now` / `from django.utils.timezone import now`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "now" and isinstance(node.value, ast.Name) \
                and node.value.id == "timezone":
            found.append((node.lineno, "timezone.now"))
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone" \
                and any(a.name == "now" for a in node.names):
            found.append((node.lineno, "from django.utils.timezone import now"))
    return found


def test_product_code_reads_time_through_the_kernel_clock():
    # Given every module of the apps except the clock itself (migrations and tests may read
    # Django's clock)
    offenders = []
    for path in _python_files(*APPS):
        rel = path.relative_to(ROOT).as_posix()
        if rel == CLOCK_MODULE:
            continue
        # When its reads of Django's wall clock are listed
        offenders += [f"{rel}:{line}: {expr}"
                      for line, expr in _wall_clock_reads(ast.parse(path.read_text(encoding="utf-8")))]

    # Then there are none: governance.clock.now() is the one clock, so clock.frozen_at (the
    # demo history) dates everything the services, the sweep and the notifications write
    assert offenders == []
    assert _wall_clock_reads(ast.parse("from django.utils.timezone import now\nx = timezone.now()\n")) == [
        (1, "from django.utils.timezone import now"), (2, "timezone.now")]


# --- dependencies -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_pin_every_dependency_exactly(name):
    # Given a requirements file: every line is a comment, an include or name==version
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    requirement = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-\[\],]*==[A-Za-z0-9.!+\-]+$")
    unpinned = [
        line
        for line in (raw.split(" #")[0].strip() for raw in lines)
        if line and not line.startswith(("#", "-r ")) and not requirement.match(line)
    ]
    assert unpinned == []


# --- documentation stays true ---------------------------------------------------------------


def _settings_env_names() -> set[str]:
    """Names of every environment variable governance/settings.py reads."""
    tree = ast.parse((ROOT / "governance" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        ) or (isinstance(func, ast.Name) and func.id == "_required")
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_every_environment_variable_is_documented():
    # Given the variables the settings read
    names = _settings_env_names()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names

    # Then each appears in the README's configuration table and in .env.example
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert sorted(n for n in names if f"`{n}`" not in readme) == []
    assert sorted(n for n in names if not re.search(rf"^#?\s*{n}=", example, re.MULTILINE)) == []


def test_documentation_links_point_at_existing_files():
    # Given the README and every page under docs/
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")

    # Then every relative link resolves to a file of the repository
    broken = [
        f"{page.relative_to(ROOT)} → {target}"
        for page in pages
        for target in link.findall(page.read_text(encoding="utf-8"))
        if "://" not in target and not (page.parent / target).exists()
    ]
    assert broken == []


def test_readme_and_make_run_show_the_real_demo_logins():
    # Given the demo accounts seed_demo creates
    demo = (ROOT / "governance" / "demo.py").read_text(encoding="utf-8")
    password = re.search(r'^DEMO_PASSWORD = "([^"]+)"', demo, re.MULTILINE).group(1)
    usernames = set(re.findall(r'DemoUser\("([a-z_]+)"', demo))
    shown = ["hongqi_clerk", "hongqi_sfs", "wangyi_dispatcher", "city_leader", "hongqi_grid", "admin"]

    # Then the README's first screen and the `make run` banner name accounts that exist,
    # with the password that works
    readme_top = (ROOT / "README.md").read_text(encoding="utf-8")[:1200]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert set(shown) <= usernames
    assert password in readme_top
    assert password in makefile
    assert all(name in readme_top and name in makefile for name in shown)


# --- production set (no Docker engine here: structure only, see docs/deployment.md) ------------


def test_compose_file_describes_the_production_set():
    import yaml  # PyYAML comes with drf-spectacular

    # Given docker-compose.yml parsed as YAML
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]

    # Then it holds the production pieces of DESIGN §5
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "governance", "worker"]
    assert "default,sweeps,notifications" in services["worker"]["command"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "governance", "beat"]
    # exactly one beat
    assert services["beat"]["deploy"]["replicas"] == 1
    assert all("healthcheck" in services[name] for name in ("postgres", "redis", "web", "worker"))
    # the app services start after the migrations ran
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_dockerfile_builds_a_slim_non_root_image_with_cjk_fonts():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "fonts-noto-cjk" in dockerfile and "libharfbuzz-subset0" in dockerfile
    assert "npm ci" in dockerfile and "collectstatic" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}


def test_collectstatic_builds_the_production_manifest(tmp_path):
    """What the Dockerfile runs: every served file, post-processed by the manifest storage
    (a CSS file pointing at a missing file fails the build), and the pages' vendor assets."""
    result = _manage("collectstatic", "--noinput", "-v", "0",
                     env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/tabler/css/tabler.min.css", "vendor/tabler/js/tabler.min.js",
                 "vendor/htmx/htmx.min.js", "vendor/echarts/echarts.min.js", "vendor/leaflet/leaflet.js",
                 "vendor/leaflet/leaflet.css", "vendor/leaflet/images/layers.png"):
        assert name in manifest, name
    assert not any(path.startswith("vendor/tabler/libs/") for path in manifest)


def _po_entries(path: Path) -> list[dict[str, str]]:
    """msgid/msgstr pairs of a .po file (continuation lines joined; the header skipped)."""
    entries, current, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append(current)
            current, key = {}, None
        elif line.startswith("#, "):
            current["flags"] = line[3:]
        elif line.startswith(("msgid ", "msgstr ")):
            key, _sep, rest = line.partition(" ")
            current[key] = rest[1:-1]
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    return entries


def test_english_catalogue_translates_every_message():
    entries = _po_entries(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert untranslated == [] and fuzzy == []
    # placeholders survive translation
    for e in entries:
        assert sorted(re.findall(r"%\(\w+\)s", e["msgid"])) == sorted(re.findall(r"%\(\w+\)s", e["msgstr"])), e

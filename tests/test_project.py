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

SCOPED_MODELS = {"Case", "CaseParty", "CaseAssignment"}
MANAGER_ATTRS = {"objects", "_default_manager", "_base_manager"}
ALLOWED_MODULES = {
    "disputes/services.py",
    "disputes/selectors.py",
    "disputes/escalation.py",
    "disputes/stats.py",
    "disputes/demo/__init__.py",
}
# Operator tooling: the bodies of `seed_scale` and `bench` write and read the case tables of the
# whole synthetic city (city-scale data, raw-SQL floors); no request path reaches them.
ALLOWED_PACKAGES = ("benchmarks/",)
ESCAPE_PREFIXES = ("unscoped_", "dangerously_")


def _unscoped_manager_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, expression) of every `<ScopedModel>.objects` outside an unscoped_* function."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, escaped: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            escaped = escaped or node.name.startswith(ESCAPE_PREFIXES)
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRS and not escaped:
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if name in SCOPED_MODELS:
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


def test_scoped_case_tables_are_read_only_through_selectors_and_services():
    # Given every module of ours except the places the rule allows (services, selectors,
    # escalation, statistics, demo data, management commands, migrations, tests)
    violations = []
    for path in _python_files(*APPS):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED_MODULES or rel.startswith(ALLOWED_PACKAGES) or "/management/commands/" in rel:
            continue
        # When the module's code (not its comments) is searched for Case/CaseParty/CaseAssignment managers
        for line, expr in _unscoped_manager_uses(ast.parse(path.read_text(encoding="utf-8"))):
            violations.append(f"{rel}:{line}: {expr}")

    # Then there are none: scoped reads go through scope.filter() in a selector, and reads
    # that must cross jurisdictions live in functions named unscoped_* (docs/dangerous-constructs.md)
    assert violations == []


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
# The one place that wires all apps together (DESIGN §2).
WIRING_MODULES = {"governance/urls.py", "governance/api_urls.py", "governance/web_urls.py"}


def test_apps_import_only_in_the_dependency_direction():
    # Given the allowed direction between the apps
    violations = []
    for app in APPS:
        for path in _python_files(app):
            rel = path.relative_to(ROOT).as_posix()
            if rel in WIRING_MODULES:
                continue
            # When each module's imports (including imports inside functions) are listed
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in APPS and top != app and top not in MAY_IMPORT[app]:
                        violations.append(f"{rel}:{node.lineno}: {app} imports {module}")

    # Then no app reaches against the direction (the kernel imports no feature app)
    assert violations == []


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
                 "vendor/htmx/htmx.min.js", "vendor/echarts/echarts.min.js"):
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

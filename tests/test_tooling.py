"""The code keeps the house rules: lint, security lint, and every command and setting documented."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from survey import create_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_finds_nothing():
    result = subprocess.run(["ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_format_would_change_nothing():
    result = subprocess.run(
        ["ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_nothing_of_medium_or_high_severity():
    pytest.importorskip("bandit")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "survey", "-q", "-ll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_survey():
    """Every annotation in survey/ is checked (settings in pyproject.toml): none is decoration."""
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def cli_commands(app) -> list[str]:
    names = []
    for name, command in app.cli.commands.items():
        if name in ("run", "shell", "routes"):
            continue
        sub = getattr(command, "commands", None)
        names += [f"{name} {s}" for s in sub] if sub else [name]
    return sorted(names)


def test_every_command_is_in_the_readme(tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(tmp_path / "db"), "TESTING": True})
    commands = cli_commands(app)
    assert len(commands) >= 9
    missing = [c for c in commands if f"flask --app app {c}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme(tmp_path):
    source = (ROOT / "survey" / "config.py").read_text(encoding="utf-8")
    block = source.split("app.config.from_mapping(")[1].split(")\n")[0]
    settings = re.findall(r"^\s+([A-Z_]+)=", block, flags=re.M)
    documented = {"DATABASE", "CONTENT", "PUBLIC_URL", "RETENTION_MONTHS", "TIME_ZONE"}
    documented |= {"ERASE_WAIT_SECONDS", "CENTRE_CONTENT"}
    documented |= {"WORKPLACE_LINK_DAYS", "WORKPLACE_RETENTION_MONTHS"}
    documented |= {f"PROXY_FIX_X_{k}" for k in ("FOR", "PROTO", "HOST", "PREFIX")}
    assert documented <= set(settings)
    for name in documented:
        assert f"FLASK_{name}" in README, name


def test_readme_gives_the_two_commands():
    assert "pip install -r requirements.txt && flask --app app run --host 0.0.0.0" in README
    assert "pip install -r requirements-dev.txt && python -m pytest" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -r requirements-dev.txt && python -m pytest" in ci


PURE = (
    "content",
    "rules",
    "scoring",
    "planner",
    "profile",
    "evidence_plan",
    "ledger",
    "journey",
    "starting_point",
    "gaps",
    "qr",
    "library",
    "plans",
    "export",
    "dates",
    "drafts",
    "workplace",
    "testimonies",
)
NOT_PURE = {"flask", "flask_wtf", "werkzeug", "jinja2", "sqlite3", "sqlite_utils"}
UPWARDS = {"db", "store", "migrations", "views", "forms", "auth", "cli", "errors", "export"}
UPWARDS |= {"web", "config", "qualifications", "https", "compress", "logs"}


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_flask_no_database_and_nothing_above_them(module):
    tree = ast.parse((ROOT / "survey" / f"{module}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(("." if node.level else "") + (node.module or "").split(".")[0])
    assert not imported & NOT_PURE, imported
    assert not imported & {f".{m}" for m in UPWARDS}, imported


def _imports(path: Path) -> set[str]:
    """What a module imports: absolute names, and relative ones with their leading dots."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found |= {base} if node.module else {base + a.name for a in node.names}
    return found


@pytest.mark.parametrize(
    "view", sorted(p.name for p in (ROOT / "survey" / "views").glob("*.py") if p.stem != "__init__")
)
def test_no_blueprint_imports_another(view):
    imported = _imports(ROOT / "survey" / "views" / view)
    siblings = {name for name in imported if name.startswith(".") and not name.startswith("..")}
    assert siblings == set()

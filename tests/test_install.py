"""A real install: the console script and ``python -m bot`` are the same
program, every command explains itself, dev tools stay out of the wheel, and
an installed bot keeps its data in the working directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bot.config
from conftest import ROOT

COMMANDS = ("ingest", "add", "remove", "console", "ask", "run")


@pytest.mark.parametrize("program", [["-m", "bot"], [str(ROOT / "bot.py")]], ids=["python -m bot", "bot.py"])
@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS)], ids=["program", *COMMANDS])
def test_help_says_what_each_command_does(program: list[str], command: tuple[str, ...]) -> None:
    done = subprocess.run([sys.executable, *program, *command, "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert 0 == done.returncode, done.stderr
    usage, _, description = done.stdout.partition("\n\n")
    assert usage.startswith("usage: ") and len(description.split()) >= 8, done.stdout


def test_the_console_script_runs_the_same_program() -> None:
    script = Path(sys.executable).parent / "lianghui-bot"
    if not script.exists():
        pytest.skip("lianghui-bot is not installed in this environment")
    done = subprocess.run([str(script), "ask", "--help"], capture_output=True, text=True, timeout=60)
    assert 0 == done.returncode and done.stdout.startswith("usage: lianghui-bot ask")


def test_the_wheel_holds_the_bot_and_its_data_and_no_dev_tools(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert 0 == built.returncode, built.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert {"bot/cli.py", "bot/__main__.py", "bot/ingest/data/cities.toml", "bot/ingest/data/topics.toml"} <= set(names)
    assert [] == [name for name in names if name.startswith(("tests/", "seeds/", "store/")) or "bench" in name or "corpus" in name]
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "lianghui-bot = bot.cli:main" in zipfile.ZipFile(next(tmp_path.glob("*.whl"))).read(entry_points).decode()


def test_an_installed_bot_keeps_its_data_in_the_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert ROOT == bot.config.data_root()  # run from the checkout: its seeds/ and store/
    site_packages = tmp_path / "site-packages"
    (site_packages / "bot").mkdir(parents=True)
    working = tmp_path / "bot-data"
    working.mkdir()
    monkeypatch.setattr(bot.config, "CHECKOUT", site_packages)  # the package's parent, as installed: no pyproject.toml
    monkeypatch.chdir(working)
    assert working == bot.config.data_root()

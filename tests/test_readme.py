"""The README's promises: its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block, "the README has a bash block with the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_the_readme_has_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("autograd-mini demo")
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci_lines


def test_every_file_the_readme_links_to_exists() -> None:
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#]+)\)", text)
    local = [t for t in targets if "://" not in t]
    assert len(local) >= 5, "the README links its pictures, notebooks and benchmark notes"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == []


def test_the_readme_pictures_are_committed_pngs() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", (ROOT / "README.md").read_text())
    assert len(pictures) == 4
    for picture in pictures:
        assert (ROOT / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture

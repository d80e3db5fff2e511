"""The house file: it loads, its rule list is well formed, and a broken file says what is wrong where."""

from __future__ import annotations

import pytest
import yaml

from plume.errors import InputError
from plume.house import load_house, parse_house
from plume.lint.plan import rules_of
from plume.lint.rules import KINDS
from plume.paths import house_file


def _data():
    return yaml.safe_load(house_file().read_text(encoding="utf-8"))


def _broken(tmp_path, mutate):
    data = _data()
    mutate(data)
    path = tmp_path / "house.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_house_loads_with_audiences_formats_and_rules():
    house = load_house()
    assert set(house.audiences) == {"pme", "cos", "coo"}
    assert set(house.formats) == {"linkedin", "landing"}
    assert [d.name for d in house.dimensions] == ["Sparring Partner", "Architecte", "Éclaireur"]
    assert house.verbs == ["prendre du recul", "prioriser", "structurer", "piloter", "débloquer"]
    assert {r.kind for r in rules_of(house)} == set(KINDS)
    assert house.note_role("001-chief-of-staff-version-initiale").superseded_by == "000-chief-of-staff"


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda d: d["rules"][0].update(kind="substitutio"), "rules.0", "substitutio"),
        (lambda d: d["rules"][0].pop("fix"), "rules.0.substitution.fix", "Field required"),
        (lambda d: d["rules"][1].update(severity="fatal"), "rules.1.banned.severity", "error"),
        (lambda d: d["rules"][1].update(regex=["(unclosed"]), "rules.1.banned.regex", "invalid regex"),
        (lambda d: d["rules"][1].update(terms=[], regex=[]), "rules.1.banned", "terms"),
        (lambda d: d["rules"][2].update(colour="red"), "rules.2.banned.colour", "Extra inputs"),
        (lambda d: d["rules"][2].update(id="Bad Id"), "rules.2.banned.id", "pattern"),
        (lambda d: d.pop("audiences"), "audiences", "Field required"),
    ],
)
def test_broken_house_error_names_file_field_and_problem(tmp_path, mutate, field, problem):
    path = _broken(tmp_path, mutate)
    with pytest.raises(InputError) as info:
        rules_of(load_house(path))  # the rules are validated by the linter, the rest by the house
    message = str(info.value)
    assert message.startswith(str(path)) and field in message and problem in message
    assert "\n" not in message


def test_duplicate_rule_ids_and_unknown_scope_are_rejected(tmp_path):
    path = _broken(tmp_path, lambda d: d["rules"].append(dict(d["rules"][0])))
    with pytest.raises(InputError, match="duplicate rule id 'designation-externe'"):
        rules_of(load_house(path))
    path = _broken(tmp_path, lambda d: d["rules"][1]["scope"].update(audiences=["ceo"]))
    with pytest.raises(InputError, match=r"rules\.1.*unknown audience 'ceo'"):
        rules_of(load_house(path))


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "house.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"house.yaml: invalid YAML \(line"):
        load_house(bad)
    with pytest.raises(InputError, match="house file not found"):
        load_house(tmp_path / "none.yaml")


def test_parse_house_from_text():
    house = parse_house(house_file().read_text(encoding="utf-8"), house_file())
    assert house.rules[0]["id"] == "designation-externe"


def test_house_does_not_depend_on_the_linter():
    """house.py is positioning data: it imports nothing of plume.lint (the linter reads the house)."""
    import subprocess
    import sys

    code = "import sys, plume.house; print(sorted(m for m in sys.modules if m.startswith('plume.lint')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert not hasattr(load_house(), "_lint_cache")

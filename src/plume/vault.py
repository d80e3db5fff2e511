"""`plume init`: make a folder of notes (an Obsidian vault) the house — plume.toml and an editable house folder.

The house folder is seeded from the shipped one: house.yaml (with an empty `notes:`, since the shipped
notes are not in the vault: every note of the vault is then an exemplar) and eval/. Templates are not
copied: the shipped ones are the fallback for any template the house folder lacks (copy one into
HOUSE/prompts/ to change it; `templates=True` copies them all).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from plume import files
from plume.config import CONFIG_NAME
from plume.errors import InputError

HOUSE_FOLDER = "plume-house"
OUTPUT_FOLDER = "Plume"
_NOTES_BLOCK = re.compile(r"^notes:\n(?:(?:[ \t].*)?\n)*", re.MULTILINE)
NOTES_HELP = """\
# Every note of the corpus is an exemplar for every audience, unless listed here, e.g.:
#   my-old-bio:  {status: earlier, superseded_by: my-bio, use: [before_after]}
#   my-bio:      {use: [exemplar, before_after], audiences: [pme]}
#   a-draft:     {use: []}          # never shown to the model
notes: {}

"""


@dataclass
class Init:
    vault: Path
    config: Path
    house: Path
    written: list[Path] = field(default_factory=list)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(author: str, headline: str) -> str:
    return (
        "# Plume's settings for this vault; found from any folder below it.\n"
        "[house]\n"
        f'dir = "{HOUSE_FOLDER}"   # house.yaml, templates you override, eval briefs\n'
        'corpus = "."           # your notes: the style corpus (see `plume corpus`)\n\n'
        "[output]\n"
        f'dir = "{OUTPUT_FOLDER}"         # keep Plume\'s outputs here; never read as your notes\n\n'
        "[author]               # shown by plume preview\n"
        f"name = {_toml_string(author)}\n"
        f"headline = {_toml_string(headline)}\n\n"
        "# [lint]\n# audience = \"pme\"     # default audience for plume lint\n\n"
        "# [backend]\n# model = \"gpt-4o-mini\" # or base_url = \"http://localhost:11434/v1\"\n"
    )


def seeded_house_yaml(shipped: str) -> str:
    """The shipped house file with its `notes:` block (about the shipped notes) replaced by an empty one."""
    if _NOTES_BLOCK.search(shipped):
        return _NOTES_BLOCK.sub(lambda _m: NOTES_HELP, shipped, count=1)
    return shipped.rstrip() + "\n\n" + NOTES_HELP


def init_vault(vault: Path, *, author: str | None = None, force: bool = False, templates: bool = False) -> Init:
    """Write VAULT/plume.toml and VAULT/plume-house/ from the shipped house; refuse to overwrite unless `force`."""
    from plume.house import load_house
    from plume.paths import shipped_root

    vault = Path(vault).expanduser()
    if not vault.is_dir():
        raise InputError(f"{vault}: no such folder (the vault to set up)")
    config = vault / CONFIG_NAME
    house = vault / HOUSE_FOLDER
    for existing in (config, house / "prompts" / "house.yaml"):
        if existing.exists() and not force:
            raise InputError(f"{existing}: already exists (use --force to overwrite)")
    shipped = shipped_root()
    shipped_house = load_house(shipped / "prompts" / "house.yaml")
    done = Init(vault=vault, config=config, house=house)
    text = (shipped / "prompts" / "house.yaml").read_text(encoding="utf-8")
    done.written.append(files.write_atomic(house / "prompts" / "house.yaml", seeded_house_yaml(text)))
    if templates:
        for template in sorted((shipped / "prompts").glob("*.j2")):
            target = house / "prompts" / template.name
            if force or not target.exists():
                done.written.append(files.write_atomic(target, template.read_text(encoding="utf-8")))
    eval_target = house / "eval"
    if not eval_target.exists():
        shutil.copytree(shipped / "eval", eval_target)
        done.written.append(eval_target)
    (vault / OUTPUT_FOLDER).mkdir(exist_ok=True)
    done.written.append(files.write_atomic(config, config_text(author or shipped_house.author.name,
                                                              shipped_house.author.designation)))
    return done

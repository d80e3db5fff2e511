#!/usr/bin/env bash
# Plume's set-up, for the README's first command and for CI (.ci/run):
#   bash install.sh [EXTRAS]        EXTRAS: comma-separated, default "local" (the embedded offline model)
# - a virtual environment in .venv (works where the system Python refuses `pip install`, PEP 668),
#   made with `python3 -m venv` (Debian's python3-venv is installed when missing and apt is there),
#   or with uv when it is installed and venv cannot be used;
# - Plume installed editable from this checkout, with EXTRAS;
# - Grammalecte (apt package grammalecte-cli, the French grammar checker) where apt-get is available;
#   elsewhere it is skipped with a note: `plume lint` then says the grammar check did not run.
# PLUME_VENV overrides the folder of the virtual environment.
set -euo pipefail
cd "$(dirname "$0")"

EXTRAS="${1-local}"
VENV="${PLUME_VENV:-.venv}"
note() { echo "plume-install: $*" >&2; }

# --- privileges for apt-get: root as is, else sudo when it is there ---------------------------------
SUDO=""
can_apt=0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    can_apt=1
  elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    SUDO="sudo"
    can_apt=1
  fi
fi
apt_updated=0
apt_install() {  # apt_install PACKAGE… : installs the missing ones; returns 1 when apt cannot be used
  [ "$can_apt" = 1 ] || return 1
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  if [ "$apt_updated" = 0 ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    apt_updated=1
  fi
  note "apt-get install ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- a Python >= 3.11 -----------------------------------------------------------------------------
PY=""
for candidate in python3 python3.13 python3.12 python3.11 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="$(command -v "$candidate")"
    break
  fi
done

# --- the virtual environment ------------------------------------------------------------------------
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  note "using the virtual environment $VENV"
elif [ -n "$PY" ] && "$PY" -m venv "$VENV" >/dev/null 2>&1; then
  note "created $VENV with $PY"
elif [ -n "$PY" ] && apt_install "python3-venv" && rm -rf "$VENV" && "$PY" -m venv "$VENV"; then
  note "created $VENV with $PY (after installing python3-venv)"
elif command -v uv >/dev/null 2>&1; then
  rm -rf "$VENV"
  uv venv -q --seed --python ">=3.11" "$VENV"
  note "created $VENV with uv"
else
  if [ -z "$PY" ]; then
    note "error: Plume needs Python 3.11 or newer (found none on PATH); install it, or install uv, then re-run"
  else
    note "error: $PY cannot create a virtual environment; install your system's venv package (Debian/Ubuntu: python3-venv) or uv, then re-run"
  fi
  exit 2
fi

# --- Plume and its extras ---------------------------------------------------------------------------
target="."
[ -n "$EXTRAS" ] && target=".[$EXTRAS]"
note "installing Plume (${EXTRAS:-no extras}) into $VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install -q -e "$target"

# --- Grammalecte, the grammar checker `plume lint` runs as a separate process ------------------------
if command -v grammalecte-server >/dev/null 2>&1; then
  :
elif apt_install grammalecte-cli; then
  :
else
  note "Grammalecte not installed (no apt-get, or no root/sudo): the grammar check is skipped; on Debian/Ubuntu: apt-get install grammalecte-cli"
fi
note "done: $VENV/bin/plume"

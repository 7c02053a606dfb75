#!/usr/bin/env bash
# Install Floorcast and its bundled plugins into .venv at the repo root.
# Idempotent: run it again after every pull. --dev adds the test dependencies.
#   ./installer/install.sh          # the appliance
#   ./installer/install.sh --dev    # + pytest, the glTF-Validator, ...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*" >&2; }

need_apt=()
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  need_apt+=(python3 python3-venv python3-dev)
fi
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# Browser tests drive Debian's Chromium through Playwright (no browser download).
((dev)) && [[ ! -x /usr/bin/chromium ]] && need_apt+=(chromium)
# Korean UI text in the screenshots the browser tests save for review.
((dev)) && [[ ! -d /usr/share/fonts/truetype/nanum ]] && need_apt+=(fonts-nanum)
if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    say "installing system packages: ${need_apt[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}"
  else
    echo "install.sh: please install Python >= 3.11 with venv, and Node.js with npm" >&2
    exit 1
  fi
fi
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "install.sh: Python >= 3.11 is required" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv"
  "$python" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade "pip>=23" "setuptools>=68" wheel
extras=""
((dev)) && extras="[dev]"
plugins=()
for dir in plugins/*/; do [[ -f "$dir/setup.cfg" ]] && plugins+=(-e "${dir%/}"); done
say "installing floorcast${extras} and bundled plugins"
"${pip[@]}" install -e ".${extras}" "${plugins[@]}"
say "compiling the translations"
.venv/bin/pybabel -q compile -d web/translations  # the .mo files are built here, not kept in git

say "installing browser libraries from the lockfile"
export SCARF_ANALYTICS=false  # swagger-ui-dist pulls in an analytics postinstall: keep it quiet
if ((dev)); then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
fi

say "done: .venv/bin/floorcast is ready"

#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter for the bot environment, or fail clearly.
set -euo pipefail
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix 3.10 2>/dev/null || true)
  [ -n "$prefix" ] && candidates+=("$prefix/bin/python")
fi
candidates+=(python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
for c in "${candidates[@]}"; do
  if p=$(command -v "$c" 2>/dev/null) && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$p"; exit 0
  fi
done
cat >&2 <<'MSG'
ERROR: Rasa 3.6.21 needs Python 3.10, and none was found.
Install one, then run make again:
  - with pyenv:   pyenv install 3.10   (this machine's setup looks at `pyenv prefix 3.10`)
  - on Debian:    apt-get install python3.10 python3.10-venv
  - or point to one:  make PYTHON310=/path/to/python3.10
MSG
exit 1

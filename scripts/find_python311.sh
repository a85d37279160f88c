#!/usr/bin/env bash
# Print the path of a Python >= 3.11 interpreter for the app environment, or fail clearly.
set -euo pipefail
for c in "${PYTHON_APP:-}" python3.13 python3.12 python3.11 python3; do
  [ -z "$c" ] && continue
  if p=$(command -v "$c" 2>/dev/null) && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "$p"; exit 0
  fi
done
echo "ERROR: the backend needs Python 3.11 or newer; none found (set PYTHON_APP=/path/to/python3.11)." >&2
exit 1

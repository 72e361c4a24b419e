#!/usr/bin/env bash
# Install the GeoPandas + Shapely + pyproj baseline into bench/.venv (pip from PyPI).
# Run once; bench/compare.sh calls it when the venv is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$venv/bin/python" -c 'import geopandas, shapely, pyproj, scipy; print("baseline:", "geopandas", geopandas.__version__, "shapely", shapely.__version__, "pyproj", pyproj.__version__)'

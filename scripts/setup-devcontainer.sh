#!/usr/bin/env bash
# Sets up a dev container (Codespaces, VS Code) for the lab, and CI the same way:
# Debian's Jupyter, the npm packages, and both notebook kernels registered for the user,
# so that VS Code offers them when notebooks/streaming.ipynb is opened. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

sh scripts/install-jupyter.sh
npm ci --no-audit --no-fund
npm run kernels -- --user
# What a notebook will be offered: both kernels, from the user's Jupyter folder.
# (PYDEVD_...: ipykernel's debugger warns about frozen modules at every Python start.)
PYDEVD_DISABLE_FILE_VALIDATION=1 jupyter kernelspec list

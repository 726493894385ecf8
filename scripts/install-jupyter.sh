#!/bin/sh
# Installs what `npm run test:kernels` (and the dev container) needs from Debian (no PyPI): Jupyter's nbconvert,
# nbclient (which drives the kernel), jupyter-client (kernel specs, ZeroMQ messaging) and
# ipykernel (Jupyter's default Python kernel; the tslab and Deno kernels themselves come
# from node_modules). About 20 s and 57 packages on a fresh Debian 12 machine.
# Idempotent: does nothing when they are already installed.
set -eu

PACKAGES="jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client"

if /usr/bin/python3 -c 'import nbconvert, nbclient, ipykernel, jupyter_client' 2>/dev/null \
   && [ -x /usr/bin/jupyter-nbconvert ] && [ -x /usr/bin/jupyter-kernelspec ]; then
  echo "install-jupyter.sh: Jupyter packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $PACKAGES
echo "install-jupyter.sh: installed $PACKAGES in $(( $(date +%s) - start ))s"

#!/bin/sh
# Installs what `npm run test:kernels` (and the dev container) needs from Debian (no PyPI): Jupyter's nbconvert,
# nbclient (which drives the kernel), jupyter-client (kernel specs, ZeroMQ messaging) and
# ipykernel (Jupyter's default Python kernel; the tslab and Deno kernels themselves come
# from node_modules). About 20 s and 57 packages on a fresh Debian 12 machine.
#
# With --ui, also what `npm run test:ui` needs: the classic Jupyter Notebook, Chromium for
# puppeteer-core to drive, python3-ipywidgets (what a plain `apt install jupyter-notebook`
# brings: its widgets extension sends the comm_open messages the tslab kernel must take
# quietly) and a colour emoji font for the screenshots. About 30 s, 55 packages, 500 MB.
# Idempotent: does nothing when they are already installed.
set -eu

PACKAGES="jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client"
UI_PACKAGES="jupyter-notebook chromium python3-ipywidgets fonts-noto-color-emoji"

ui=""
if [ "${1:-}" = "--ui" ]; then ui=1; fi

have_kernels() {
  /usr/bin/python3 -c 'import nbconvert, nbclient, ipykernel, jupyter_client' 2>/dev/null \
    && [ -x /usr/bin/jupyter-nbconvert ] && [ -x /usr/bin/jupyter-kernelspec ]
}
have_ui() {
  [ -x /usr/bin/jupyter-notebook ] && [ -x /usr/bin/chromium ] \
    && /usr/bin/python3 -c 'import ipywidgets' 2>/dev/null && [ -d /usr/share/fonts/truetype/noto ]
}

if have_kernels && { [ -z "$ui" ] || have_ui; }; then
  echo "install-jupyter.sh: Jupyter packages already installed${ui:+ (with the browser test's)}"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

all="$PACKAGES${ui:+ $UI_PACKAGES}"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $all
echo "install-jupyter.sh: installed $all in $(( $(date +%s) - start ))s"

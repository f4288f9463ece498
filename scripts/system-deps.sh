#!/usr/bin/env bash
# Install the system packages the service and its tests need, only when absent (Debian/Ubuntu).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
if [ "${WITH_BROWSER:-1}" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium)
fi
# An embeddable (TrueType) Chinese font for PDF documents such as the 审核意见书.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
# The buffering reverse proxy `make run` puts in front of gunicorn (nginx/zhifa-proxy.conf); /usr/sbin may not
# be on a non-root PATH.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v apt-get >/dev/null; then
  echo "please install ${need[*]} with your system's package manager" >&2
  exit 1
fi
# Debian's nginx package starts (and enables) a system-wide nginx on port 80 when it is installed; `make run`
# runs its own. A temporary policy-rc.d (the documented Debian switch) keeps the package from starting it.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ " ${need[*]} " == *" nginx "* ]] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && own_policy=1
fi
trap '[ "$own_policy" = 1 ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

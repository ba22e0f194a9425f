#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Qt needs beyond a minimal image (../shared/PLATFORM.md):
# QtMultimedia links libpulse, the xcb platform plugin needs icccm/keysyms, and Chinese labels
# need a CJK font; the keyboard-only test drives the console on Xvfb under openbox with xdotool.
# The hub's package (make dist-hub, tests/deploy) is built with dpkg-dev, binutils, patchelf and
# the system's Python 3.11, checked with lintian and its unit with systemd-analyze (systemd).
# When the packages cannot be installed here, stop with the exact command.
set -euo pipefail
packages=(libpulse0 libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 libxkbcommon-x11-0 libegl1
          libgl1 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libasound2
          libfontconfig1 libdbus-1-3 fonts-noto-cjk xvfb xauth openssl openbox xdotool
          dpkg-dev binutils patchelf python3.11 lintian systemd)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "Linkage Console needs these system packages, and this is not a Debian/Ubuntu system:" >&2
    echo "  ${missing[*]}" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
echo "Installing the system packages the project needs: ${missing[*]}"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/linkage-apt.log 2>&1; then
    echo "Could not install the system packages the project needs (log: /tmp/linkage-apt.log). Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# The README's install command: everything a fresh Debian/Ubuntu machine needs to run the
# project and its tests. System packages first (Chromium and a CJK font: the review page is
# tested in a real headless browser, and its CJK text printed to PDF needs a font with CJK
# glyphs), then the project with its dev tools into the active Python.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# each checked on its own: a machine may have a browser and no font for Chinese (any will do)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
python3 -m pip install -e '.[dev]'

#!/usr/bin/env bash
# Regenerates every icon from icon.svg (Debian: apt-get install -y librsvg2-bin icoutils icnsutils).
# The outputs are committed, so packaging never needs these tools.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32 48 64 128 256 512 1024; do rsvg-convert -w "$s" -h "$s" icon.svg -o "$tmp/$s.png"; done
cp "$tmp/512.png" icon.png          # window icon (Linux) and generic source
cp "$tmp/512.png" 512x512.png       # linux.icon is this folder: NxN.png files
cp "$tmp/256.png" 256x256.png
icotool -c -o icon.ico "$tmp"/{16,24,32,48,64,128}.png -r "$tmp/256.png"   # Windows (256 stored as PNG)
png2icns icon.icns "$tmp"/{16,32,48,128,256,512,1024}.png >/dev/null      # macOS
echo "icons written to $(pwd)"

#!/usr/bin/env bash
# Re-fetch the web assets that ship under src/ketenradar/web/static/vendor/ from the npm
# registry (`npm pack`), check the tarball against the pinned sha256 and write only the files
# the pages use, with the package's LICENSE and a SOURCE.txt.
#
# plotly.js itself is served from the plotly Python package (/vendor/plotly.min.js). Its geo
# charts (the world map of dependence) need plotly's topojson file `world_110m.json`, which
# plotly.js would otherwise fetch from cdn.plot.ly: the npm package plotly.js ships all its
# topojson files inside dist/plotly-geo-assets.js (5 MB); we extract world_110m only.
# PLOTLY_JS must equal the plotly.js version inside the installed plotly Python package
# (tests/web/test_country.py checks it).
#
# Usage: scripts/vendor-web-assets.sh        (needs node and npm; run from anywhere)
set -euo pipefail

PLOTLY_JS=4.1.1
PLOTLY_JS_SHA256=601a93ad96b7b533deb02f8d1e01928b1e675b8eec1941c828aa46b18e7942b9

repo="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$repo/src/ketenradar/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version> <sha256>: npm pack into $work, verify, unpack
    local pkg="$1" version="$2" sha="$3" tgz
    (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
    tgz="$work/$(echo "$pkg" | sed 's|^@||; s|/|-|')-$version.tgz"
    echo "$sha  $tgz" | sha256sum --check --quiet
    mkdir -p "$work/$pkg"
    tar -xzf "$tgz" -C "$work/$pkg"
}

# --- plotly.js: the world topojson of its geo charts -------------------------------------
fetch plotly.js "$PLOTLY_JS" "$PLOTLY_JS_SHA256"
out="$vendor/plotly.js"
rm -rf "$out"
mkdir -p "$out"
cp "$work/plotly.js/package/LICENSE" "$out/LICENSE"
node -e '
  globalThis.window = globalThis;  // the bundle assigns window.Plotly
  const assets = require(process.argv[1]);
  const name = "world_110m";
  if (!assets.topojson || !assets.topojson[name]) throw new Error("no " + name + " in " + process.argv[1]);
  require("fs").writeFileSync(process.argv[2], JSON.stringify(assets.topojson[name]));
' "$work/plotly.js/package/dist/plotly-geo-assets.js" "$out/world_110m.json"
cat > "$out/SOURCE.txt" <<EOF
package: plotly.js@$PLOTLY_JS (npm registry), licence MIT (LICENSE in this folder)
tarball: plotly.js-$PLOTLY_JS.tgz sha256 $PLOTLY_JS_SHA256
files:
  world_110m.json  topojson.world_110m of dist/plotly-geo-assets.js (the file plotly.js
                   fetches from https://cdn.plot.ly/un/world_110m.json), written with
                   JSON.stringify by scripts/vendor-web-assets.sh
                   sha256 $(sha256sum "$out/world_110m.json" | cut -d' ' -f1)
  LICENSE          package/LICENSE
geometry: plotly's build of UN Geospatial's simplified map geodata and Natural Earth
(public domain) 1:110m vectors; boundaries shown do not imply endorsement by the UN.
EOF
echo "wrote $out"

#!/usr/bin/env bash
# Re-fetch the web assets that ship under src/ketenradar/interfaces/web/static/vendor/ from the npm
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
# swagger-ui-dist: the API documentation at /docs (the app's CSP allows no CDN); only the
# bundle, its stylesheet and their licence files are kept.
#
# Usage: scripts/vendor-web-assets.sh        (needs node and npm; run from anywhere)
set -euo pipefail

PLOTLY_JS=4.1.1
PLOTLY_JS_SHA256=601a93ad96b7b533deb02f8d1e01928b1e675b8eec1941c828aa46b18e7942b9
SWAGGER_UI=5.36.0
SWAGGER_UI_SHA256=685a2b38b5d6eab2dbc096a8596db11cc7409cdb671d2e3bec8f9b017d0d566b

repo="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$repo/src/ketenradar/interfaces/web/static/vendor"
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

# --- swagger-ui-dist: the API docs at /docs ------------------------------------------------
fetch swagger-ui-dist "$SWAGGER_UI" "$SWAGGER_UI_SHA256"
out="$vendor/swagger-ui"
rm -rf "$out"
mkdir -p "$out"
pkg="$work/swagger-ui-dist/package"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
    cp "$pkg/$f" "$out/$f"
done
{
    echo "package: swagger-ui-dist@$SWAGGER_UI (npm registry), licence Apache-2.0 (LICENSE, NOTICE;"
    echo "         the licences of the libraries inside the bundle: swagger-ui-bundle.js.LICENSE.txt)"
    echo "tarball: swagger-ui-dist-$SWAGGER_UI.tgz sha256 $SWAGGER_UI_SHA256"
    echo "files (unchanged copies of package/<file>):"
    for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
        echo "  $f  sha256 $(sha256sum "$out/$f" | cut -d' ' -f1)"
    done
    echo "used by: /docs (ketenradar.interfaces.web.app), started by static/swagger-init.js"
} > "$out/SOURCE.txt"
echo "wrote $out"

# --- axe-core: the accessibility checker of the browser tests (not shipped with the app) -----
AXE_CORE=4.14.1
AXE_CORE_SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
fetch axe-core "$AXE_CORE" "$AXE_CORE_SHA256"
out="$repo/tests/browser/vendor/axe-core"
rm -rf "$out"
mkdir -p "$out"
for f in axe.min.js LICENSE LICENSE-3RD-PARTY.txt; do
    cp "$work/axe-core/package/$f" "$out/$f"
done
cat > "$out/SOURCE.txt" <<EOT
package: axe-core@$AXE_CORE (npm registry), licence MPL-2.0 (LICENSE in this folder); the bundled
third-party code's licences (MIT, Apache-2.0, ...) are in LICENSE-3RD-PARTY.txt
tarball: axe-core-$AXE_CORE.tgz sha256 $AXE_CORE_SHA256
files (unmodified, from package/):
  axe.min.js              sha256 $(sha256sum "$out/axe.min.js" | cut -d' ' -f1)
  LICENSE                 package/LICENSE
  LICENSE-3RD-PARTY.txt   package/LICENSE-3RD-PARTY.txt
used by: tests/browser/test_a11y_browser.py (injected into each page with add_script_tag);
not shipped with the application. Re-fetch: scripts/vendor-web-assets.sh
EOT
echo "wrote $out"

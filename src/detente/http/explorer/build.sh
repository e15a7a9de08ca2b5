#!/usr/bin/env bash
# Install the explorer's front-end dependencies from npm (exact versions from
# package-lock.json) and copy what the pages load into static/vendor, with each package's
# licence, so the served pages need no CDN and work offline. The copied files are
# committed; run this to update them. Install scripts are not run (none of these packages
# needs one; swagger-ui-dist's @scarf/scarf dependency would only report the install).
set -euo pipefail
cd "$(dirname "$0")"
SCARF_ANALYTICS=false npm ci --no-audit --no-fund --ignore-scripts
vendor=static/vendor
rm -rf "$vendor" && mkdir -p "$vendor"
# cytoscape-fcose's UMD bundle finds its dependencies as globals (coseBase, layoutBase):
# the page loads them in this order.
declare -A bundles=(
  [cytoscape]=dist/cytoscape.min.js
  [layout-base]=layout-base.js
  [cose-base]=cose-base.js
  [cytoscape-fcose]=cytoscape-fcose.js
  [jspdf]=dist/jspdf.umd.min.js
  [svg2pdf.js]=dist/svg2pdf.umd.min.js
)
notice="$vendor/NOTICE"
echo "Third-party code bundled with detente's explorer page and API docs (from npm, see build.sh)." > "$notice"
# jsPDF and svg2pdf.js turn the briefing SVG into a vector PDF in the page; the page loads
# them only when a PDF is asked for. Their bundles include small MIT libraries (fflate,
# fast-png and Babel's runtime; cssesc, specificity, svg-pathdata, font-family-papandreou).
for package in cytoscape layout-base cose-base cytoscape-fcose jspdf svg2pdf.js; do
  file=${package%.js}
  cp "node_modules/$package/${bundles[$package]}" "$vendor/$file.js"
  cp "node_modules/$package/LICENSE" "$vendor/$file.LICENSE"
  version=$(node -p "require('./node_modules/$package/package.json').version")
  licence=$(node -p "require('./node_modules/$package/package.json').license")
  echo "$package $version ($licence): $file.js, licence in $file.LICENSE" >> "$notice"
done
# Swagger UI for /docs (the page where people paste the write token): served from here, not
# from a CDN. Its bundle's own notices (the libraries inside it) and its Apache NOTICE go
# with it.
swagger=node_modules/swagger-ui-dist
mkdir -p "$vendor/swagger-ui"
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css \
  favicon-32x32.png LICENSE NOTICE; do
  cp "$swagger/$file" "$vendor/swagger-ui/$file"
done
version=$(node -p "require('./$swagger/package.json').version")
licence=$(node -p "require('./$swagger/package.json').license")
echo "swagger-ui-dist $version ($licence): swagger-ui/, licence in swagger-ui/LICENSE," \
  "notices in swagger-ui/NOTICE and swagger-ui/swagger-ui-bundle.js.LICENSE.txt" >> "$notice"
cat "$notice"

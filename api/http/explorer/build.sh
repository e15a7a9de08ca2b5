#!/usr/bin/env bash
# Install the explorer's front-end dependencies from npm (exact versions from
# package-lock.json) and copy what the page loads into static/vendor, with each package's
# licence, so the served page needs no CDN and works offline. The copied files are
# committed; run this to update them.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
vendor=static/vendor
rm -rf "$vendor" && mkdir -p "$vendor"
# cytoscape-fcose's UMD bundle finds its dependencies as globals (coseBase, layoutBase):
# the page loads them in this order.
declare -A bundles=(
  [cytoscape]=dist/cytoscape.min.js
  [layout-base]=layout-base.js
  [cose-base]=cose-base.js
  [cytoscape-fcose]=cytoscape-fcose.js
)
notice="$vendor/NOTICE"
echo "Third-party code bundled with detente's explorer page (from npm, see build.sh)." > "$notice"
for package in cytoscape layout-base cose-base cytoscape-fcose; do
  cp "node_modules/$package/${bundles[$package]}" "$vendor/$package.js"
  cp "node_modules/$package/LICENSE" "$vendor/$package.LICENSE"
  version=$(node -p "require('./node_modules/$package/package.json').version")
  licence=$(node -p "require('./node_modules/$package/package.json').license")
  echo "$package $version ($licence): $package.js, licence in $package.LICENSE" >> "$notice"
done
cat "$notice"

#!/usr/bin/env bash
# Install the explorer's front-end dependencies from npm (exact versions from
# package-lock.json) and copy what the page loads into static/vendor, so the served page
# needs no CDN. The copied files are committed; run this to update them.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
cp node_modules/cytoscape/dist/cytoscape.min.js static/vendor/
cp node_modules/cytoscape/LICENSE static/vendor/cytoscape.LICENSE
echo "cytoscape $(node -p "require('./node_modules/cytoscape/package.json').version") copied to static/vendor"

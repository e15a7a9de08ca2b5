"""Where the tests find the project's files, defined once (the tests live in folders that
mirror the package, at different depths)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "detente"
EXAMPLES = PACKAGE / "examples"
GAZETTEER = PACKAGE / "ontology" / "gazetteer"
LEXICON = PACKAGE / "extract" / "lexicon"
STATIC = PACKAGE / "http" / "explorer" / "static"
TOOLS = ROOT / "tools"
NOTEBOOKS = ROOT / "notebooks"
SHARED = ROOT.parent / "shared"
# The browser of the page tests (Debian's chromium; .ci/run installs it).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

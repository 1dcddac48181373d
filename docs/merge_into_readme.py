"""Merge the feature sections (docs/<topic>.md) into README.md, in issue order, (the topic files stay the source; rerun after editing one)."""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
readme = (root / "README.md").read_text(encoding="utf-8")
marker = "\n<!-- feature sections: generated from docs/<topic>.md by docs/merge_into_readme.py -->\n"
if marker in readme:
    readme = readme[: readme.index(marker)]
order = ["sentence_level", "syntax", "srl", "glyce_bert", "benchmarks", "reliability"]
parts = [readme.rstrip() + "\n", marker]
for name in order:
    path = root / "docs" / f"{name}.md"
    if not path.exists():
        continue
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\*\(README section[^\n]*\)\*\n", "\n", text)
    text = text.replace("](docs/", "](docs/").replace("](../", "](")
    parts.append("\n" + text.strip() + "\n")
(root / "README.md").write_text("".join(parts), encoding="utf-8")
print("merged", [n for n in order if (root / "docs" / f"{n}.md").exists()])

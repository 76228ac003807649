"""The README, the docs and the code cite only documents that are in the repository.

A comment that cites a document a reader cannot open (a note kept outside the repository) sends the
reader nowhere; every rule the code cites is written down in docs/architecture.md or docs/domain.md.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = ("static/vendor/", "node_modules/", "package-lock.json", "locale/")
TEXT = (".py", ".md", ".html", ".txt", ".toml", ".cfg", ".yml", ".yaml", ".js", ".css", ".sh")
CITED = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.md)\b")
OUTSIDE = re.compile(r"steering notes|/work/shared|shared/(?:DESIGN|domain|peers)", re.IGNORECASE)


def repository_files():
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in out.splitlines():
        path = ROOT / name
        if name.startswith(SKIP) or not path.is_file():
            continue
        if path.suffix in TEXT or path.name in {"Makefile", "Dockerfile"}:
            yield path


def exists(reference, citing):
    return (ROOT / reference).is_file() or (citing.parent / reference).is_file()


def test_every_cited_document_is_in_the_repository():
    missing = []
    for path in repository_files():
        if path == Path(__file__):  # its own examples
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for reference in CITED.findall(line):
                if not exists(reference, path):
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {reference}")
            if OUTSIDE.search(line):
                missing.append(f"{path.relative_to(ROOT)}:{number}: a note outside the repository")
    assert not missing, "Cite docs/architecture.md or docs/domain.md instead:\n" + "\n".join(missing)


def test_the_check_finds_a_document_that_is_not_there(tmp_path):
    citing = tmp_path / "x.py"
    assert CITED.findall('"""The rule of DESIGN.md §2 and docs/domain.md."""') == ["DESIGN.md", "docs/domain.md"]
    assert not exists("DESIGN.md", citing)
    assert exists("docs/domain.md", citing) and exists("README.md", citing)

#!/usr/bin/env python3
"""Check that the Chinese catalogue is complete: every entry translated, none fuzzy, placeholders kept.

    python scripts/check_translations.py [path/to/django.po ...]

Without arguments it checks locale/zh_Hans/LC_MESSAGES/*.po. Exits 1 and lists the entries to fix.
Update the catalogues first with ``make messages`` (manage.py makemessages), which adds new msgids
untranslated and marks changed ones fuzzy. Standard library only (no polib).
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOGUES = sorted((ROOT / "locale" / "zh_Hans" / "LC_MESSAGES").glob("*.po"))
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
# %(name)s and bare %s / %d placeholders (python-format), and {name} placeholders (python-brace-format).
PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
BRACE = re.compile(r"\{(\w*)[^{}]*\}")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict = field(default_factory=dict)  # plural index -> text; index 0 for singular entries
    flags: set = field(default_factory=set)
    references: list = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self):
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        return bool(self.msgstr) and all(text.strip() for text in self.msgstr.values())

    def where(self):
        return self.references[0] if self.references else f"line {self.line}"


def unquote(text):
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse(path):
    """Parse a .po file (as written by the gettext tools: one blank line between entries) into Entry objects.

    Obsolete (#~) entries are returned marked ``obsolete``; previous-msgid comments (#|) are ignored.
    """
    entries = []
    block_start = 1
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    blocks, block = [], []
    for lineno, raw in enumerate(lines + [""], start=1):
        if raw.strip():
            if not block:
                block_start = lineno
            block.append(raw.strip())
        elif block:
            blocks.append((block_start, block))
            block = []
    for block_start, block in blocks:
        entry, key = Entry(line=block_start), None
        has_msgid = False
        for offset, line in enumerate(block):
            where = f"{path}:{block_start + offset}"
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
                if line.startswith("|"):
                    continue
            elif line.startswith("#"):
                if line.startswith("#,"):
                    entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
                elif line.startswith("#:"):
                    entry.references.extend(line[2:].split())
                continue
            if line.startswith('"'):
                if key is None:
                    raise ValueError(f"{where}: continuation line outside an entry")
                kind, index = key
                if kind == "msgstr":
                    entry.msgstr[index] += unquote(line)
                else:
                    setattr(entry, kind, getattr(entry, kind) + unquote(line))
                continue
            keyword, _, rest = line.partition(" ")
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural or keyword == "msgstr":
                key = ("msgstr", int(plural.group(1)) if plural else 0)
                entry.msgstr[key[1]] = unquote(rest)
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                key = (keyword, None)
                setattr(entry, keyword, unquote(rest))
                has_msgid = has_msgid or keyword == "msgid"
            else:
                raise ValueError(f"{where}: unknown keyword {keyword!r}")
        if has_msgid:
            entries.append(entry)
    return entries


def placeholders(text):
    percent = sorted(m.group(0) if m.group(1) is None else f"%({m.group(1)})" for m in PERCENT.finditer(text))
    named = sorted({p for p in percent if p.startswith("%(")})
    bare = sorted(p for p in percent if not p.startswith("%(") and p != "%%")
    return named, len(bare)


def header_fields(entry):
    text = entry.msgstr.get(0, "")
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def problems(path, nplurals=1):
    """Human-readable problems of one catalogue: untranslated, fuzzy, broken placeholders, wrong header."""
    found = []
    entries = [entry for entry in parse(path) if not entry.obsolete]
    header = next((entry for entry in entries if entry.is_header), None)
    if header is None:
        found.append(f"{path}: no header entry")
    else:
        if header.fuzzy:
            found.append(f"{path}: the header is marked fuzzy")
        plural_forms = header_fields(header).get("Plural-Forms", "")
        if f"nplurals={nplurals};" not in plural_forms.replace(" ", ""):
            found.append(f"{path}: Plural-Forms should have nplurals={nplurals} (found {plural_forms.strip()!r})")
    for entry in entries:
        if entry.is_header:
            continue
        label = f"{entry.where()}: {entry.msgid!r}"
        if entry.fuzzy:
            found.append(f"fuzzy        {label}")
        if not entry.translated:
            found.append(f"untranslated {label}")
            continue
        if entry.msgid_plural is not None and sorted(entry.msgstr) != list(range(nplurals)):
            found.append(f"plural forms {label}: expected msgstr[0..{nplurals - 1}], found {sorted(entry.msgstr)}")
        if "python-format" in entry.flags:
            # With one plural form, the only msgstr must carry the plural msgid's placeholders (the count).
            wanted = placeholders(entry.msgid_plural if entry.msgid_plural is not None else entry.msgid)
            for text in entry.msgstr.values():
                if placeholders(text) != wanted:
                    found.append(f"placeholders {label}: {text!r} should use {wanted[0]} and {wanted[1]} positional")
        if "python-brace-format" in entry.flags:
            wanted = {m.group(1) for m in BRACE.finditer(entry.msgid)}
            for text in entry.msgstr.values():
                if {m.group(1) for m in BRACE.finditer(text)} != wanted:
                    found.append(f"placeholders {label}: braces differ in {text!r}")
    return found


def main(argv):
    paths = [Path(arg) for arg in argv] or DEFAULT_CATALOGUES
    if not paths:
        print("no catalogue found under locale/zh_Hans/LC_MESSAGES/", file=sys.stderr)
        return 1
    failures = []
    count = 0
    for path in paths:
        count += sum(1 for entry in parse(path) if not entry.obsolete and not entry.is_header)
        failures.extend(problems(path))
    if failures:
        print(f"{len(failures)} problem(s) in the Chinese catalogue:", file=sys.stderr)
        for line in failures:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"OK: {count} entries translated in {', '.join(str(p.relative_to(ROOT)) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

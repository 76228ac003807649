"""The zh_Hans catalogue follows docs/glossary.md: no forbidden word, 您 throughout, Chinese punctuation.

When a test here fails: change the msgstr named in the message to the glossary's word (or, if the
glossary is wrong, change docs/glossary.md first and say why in the commit).
"""

import re

from tests.test_translations import ROOT, ZH, checker

GLOSSARY = ROOT / "docs/glossary.md"
CJK = "[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
HAN = "[\u3400-\u9fff\uf900-\ufaff]"
# An ASCII , ; : ? ! with a Chinese character on at least one side (spaces allowed in between).
ASCII_PUNCTUATION = re.compile(rf"(?<={HAN})\s*[,;:?!]|[,;:?!]\s*(?={HAN})")
# Placeholders are not text: %(name)s, %d, {name}, and HTML tags.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[^}]*\}|<[^>]+>")


def forbidden_words():
    """The first column of the glossary's 禁用词 table."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## 禁用词", 1)[1].split("\n## ", 1)[0]
    words = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0] not in ("禁用", "") and not set(cells[0]) <= {"-"}:
            words.append(cells[0])
    return words


def translations():
    for entry in checker.parse(ZH):
        if entry.is_header or entry.obsolete:
            continue
        for text in entry.msgstr.values():
            if text:
                yield entry, text


def where(entry):
    return f"{entry.msgid[:70]!r} ({', '.join(entry.references[:2])})"


def test_the_glossary_names_the_forbidden_words():
    words = forbidden_words()
    assert {"必填", "你"} <= set(words), words


def test_no_forbidden_word_in_the_catalogue():
    words = forbidden_words()
    problems = [
        f"{word!r} in {where(entry)}: {text}" for entry, text in translations() for word in words if word in text
    ]
    assert not problems, "Words docs/glossary.md forbids:\n" + "\n".join(problems)


def test_the_user_is_addressed_as_nin():
    problems = [f"{where(entry)}: {text}" for entry, text in translations() if "你" in text]
    assert not problems, "Address the user as 您, never 你:\n" + "\n".join(problems)


def test_chinese_punctuation_between_chinese_characters():
    problems = []
    for entry, text in translations():
        bare = PLACEHOLDER.sub("X", text)
        if ASCII_PUNCTUATION.search(bare):
            problems.append(f"{where(entry)}: {text}")
    assert not problems, "Use ，；：？！ inside Chinese sentences (docs/glossary.md):\n" + "\n".join(problems)


def test_one_name_for_the_captcha():
    """The picture CAPTCHA is 图形验证码 wherever a form names it."""
    names = {
        text
        for entry, text in translations()
        if entry.msgid in ("Verification code", "Characters in the picture", "CAPTCHA")
    }
    assert names and names <= {"图形验证码"}, names


REVIEW_SOURCES = ("shegong/core/workflow/", "shegong/core/templates/workflow/", "shegong/registration/")


def test_a_review_decision_is_not_a_refusal():
    """A reviewer's decision says 不予通过; 拒绝 is the system refusing input (docs/glossary.md)."""
    problems = [
        f"{where(entry)}: {text}"
        for entry, text in translations()
        if "拒绝" in text and any(reference.startswith(REVIEW_SOURCES) for reference in entry.references)
    ]
    assert not problems, "A reviewer's rejection is 不予通过, not 拒绝:\n" + "\n".join(problems)

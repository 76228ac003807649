"""zh-hans is the default language: its catalogue must be complete and match the sources.

When a test here fails after a change of user-visible text: ``make messages``, translate the new or
fuzzy entries in locale/zh_Hans/LC_MESSAGES/django.po, then ``python scripts/check_translations.py``.
"""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.commands import makemessages

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The same exclusions as `make messages`.
IGNORED = [".venv", "node_modules", "var", "static/vendor", "test-results"]


def load_checker():
    spec = importlib.util.spec_from_file_location("check_translations", ROOT / "scripts" / "check_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = load_checker()


def keys(entries):
    return {(entry.msgctxt, entry.msgid) for entry in entries if not entry.obsolete and not entry.is_header}


def test_chinese_catalogue_is_complete():
    problems = checker.problems(ZH, nplurals=1)
    assert not problems, "Untranslated, fuzzy or broken entries in the zh_Hans catalogue:\n" + "\n".join(problems)


def test_english_catalogue_lists_the_same_messages():
    """The English catalogue keeps empty msgstr (the msgids are English) but follows the same sources."""
    zh, en = keys(checker.parse(ZH)), keys(checker.parse(EN))
    assert zh == en, f"only in zh_Hans: {sorted(zh - en)[:20]}; only in en: {sorted(en - zh)[:20]}"
    assert all(not text for entry in checker.parse(EN) if not entry.is_header for text in entry.msgstr.values())


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_catalogues_compile_cleanly():
    for path in (ZH, EN):
        result = subprocess.run(
            ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


class ExtractOnly(makemessages.Command):
    """makemessages that writes its .pot into a temporary directory and touches no catalogue."""

    target = None

    def process_locale_dir(self, locale_dir, files):
        super().process_locale_dir(str(self.target), files)

    def write_po_file(self, potfile, locale):
        pass


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_message_in_the_sources_is_in_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    command = ExtractOnly()
    command.target = tmp_path
    call_command(command, locale=["zh_Hans"], ignore_patterns=IGNORED, verbosity=0)
    extracted = keys(checker.parse(tmp_path / "django.pot"))
    assert len(extracted) > 100
    missing = sorted(extracted - keys(checker.parse(ZH)), key=lambda key: (key[0] or "", key[1]))
    assert not missing, (
        f"{len(missing)} message(s) of the sources are not in locale/zh_Hans (run `make messages` and translate):\n"
        + "\n".join(f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid in missing[:50])
    )


def test_checker_reports_untranslated_fuzzy_and_placeholder_errors(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: a.py:1
msgid "Sign in"
msgstr "登录"

#: a.py:2
msgid "Sign out"
msgstr ""

#: a.py:3
#, fuzzy
msgid "Divisions"
msgstr "行政区划"

#: a.py:4
#, python-format
msgid "Welcome, %(name)s"
msgstr "欢迎，%(nom)s"

#: a.py:5
#, python-format
msgid "%(counter)s division"
msgid_plural "%(counter)s divisions"
msgstr[0] "共 %(counter)s 个"

#: a.py:6
msgctxt "certificate level"
msgid "Social worker"
msgstr ""
"社会工作师"
""",
        encoding="utf-8",
    )
    problems = checker.problems(po, nplurals=1)
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "untranslated a.py:2: 'Sign out'" in text
    assert "fuzzy        a.py:3: 'Divisions'" in text
    assert "placeholders a.py:4" in text
    entries = {entry.msgid: entry for entry in checker.parse(po)}
    assert entries["Social worker"].msgctxt == "certificate level"
    assert entries["Social worker"].msgstr == {0: "社会工作师"}
    assert entries["%(counter)s division"].msgid_plural == "%(counter)s divisions"

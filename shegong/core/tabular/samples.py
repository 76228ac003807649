"""Sample import files with a known share of each kind of faulty row (written by ``seed_national``).

Each app contributes its files through core.seeding (``SAMPLES`` steps, in order: workers/samples.py,
organizations/samples.py): a step writes its files for a county administrator of 440106 (天河区; the
demo account th_admin) and returns their manifest entries: per file, the count of each kind of row and
what the import must report (rows, new, rejected, rows with warnings), so a test can check the engine
against it. This module holds the writers they share and puts the manifest together.
"""

import csv

import xlsxwriter

SAMPLE_COUNTY = "440106"


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(rows)


def write_xlsx(path, rows, *, title=None):
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    offset = 0
    if title:
        sheet.write_string(0, 0, title)
        offset = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value in ("", None):
                continue
            if isinstance(value, float):
                sheet.write_number(r + offset, c, value)
            else:
                sheet.write_string(r + offset, c, str(value))
    workbook.close()


def write_samples(generator, target, rows=10_000):
    """Every registered sample file in ``target``; returns the manifest."""
    from shegong.core import seeding

    target.mkdir(parents=True, exist_ok=True)
    files = {}
    for step in seeding.steps(seeding.SAMPLES):
        files.update(step.func(generator, target, rows))
    return {
        "import_as": f"th_admin (天河区 {SAMPLE_COUNTY}), or: manage.py import TABLE FILE --region {SAMPLE_COUNTY}",
        "files": files,
    }

"""The Excel template of a table spec, written with xlsxwriter.

Sheet 1 (the data sheet): the Chinese headers (required ones marked with *), each with a comment
holding the column's note, its English name and format; dropdowns for enumerations; identifier
columns formatted as text ("@") so Excel never turns an ID number into a number; date columns in
yyyy-mm-dd; one example row (an import skips it when it is left unchanged). Sheet 2: the
instructions, one line per column. A hidden sheet holds long dropdown lists.
"""

import io

import xlsxwriter
from django.utils.translation import gettext as _

from .columns import DateColumn


def template_bytes(spec):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    data = workbook.add_worksheet(_("Data")[:31])
    notes = workbook.add_worksheet(_("Instructions")[:31])
    lists = workbook.add_worksheet("lists")
    lists.hide()
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    required_format = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top", "font_color": "#C00000"}
    )
    text = workbook.add_format({"num_format": "@"})
    example_text = workbook.add_format({"num_format": "@", "italic": True, "font_color": "#808080"})
    example = workbook.add_format({"italic": True, "font_color": "#808080"})
    example_date = workbook.add_format({"num_format": "yyyy-mm-dd", "italic": True, "font_color": "#808080"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    columns = spec.import_columns()
    list_column = 0
    for index, column in enumerate(columns):
        header = f"{column.header}*" if column.required else column.header
        data.write_string(0, index, header, required_format if column.required else bold)
        comment = "\n".join(
            part
            for part in (
                str(column.label) + f" ({column.name})",
                _("Required") if column.required else _("Optional"),
                str(column.type_label),
                str(column.format_note() or ""),
                str(column.help or ""),
            )
            if part
        )
        data.write_comment(0, index, comment, {"x_scale": 2.2, "y_scale": 2.2})
        column_format = text if column.text_format else (date_format if isinstance(column, DateColumn) else None)
        data.set_column(index, index, column.width, column_format)
        choices = column.dropdown() if hasattr(column, "dropdown") else None
        if choices:
            source = choices
            if len(",".join(choices)) > 200:
                for r, word in enumerate(choices):
                    lists.write_string(r, list_column, word)
                letter = xlsxwriter.utility.xl_col_to_name(list_column)
                source = f"=lists!${letter}$1:${letter}${len(choices)}"
                list_column += 1
            data.data_validation(
                1,
                index,
                1_048_575,
                index,
                {
                    "validate": "list",
                    "source": source,
                    "error_title": str(column.header),
                    "error_message": _("Choose one of the listed values."),
                },
            )
        value = column.example
        if value not in ("", None):
            if isinstance(column, DateColumn):
                from datetime import date

                data.write_datetime(1, index, date.fromisoformat(str(value)), example_date)
            elif column.text_format or isinstance(value, str):
                data.write_string(1, index, str(value), example_text if column.text_format else example)
            else:
                data.write_number(1, index, value, example)
    data.freeze_panes(1, 0)
    data.set_row(0, 32)

    notes.set_column(0, 0, 20)
    notes.set_column(1, 1, 24)
    notes.set_column(2, 3, 14)
    notes.set_column(4, 4, 90)
    notes.write_string(0, 0, str(spec.title), workbook.add_format({"bold": True, "font_size": 14}))
    line = 1
    for paragraph in [str(spec.description), *[str(n) for n in spec.notes]]:
        if paragraph:
            notes.write_string(line, 0, paragraph)
            line += 1
    notes.write_string(
        line, 0, _("Rows are matched on: %(key)s.") % {"key": "、".join(spec.by_name[k].header for k in spec.key)}
    )
    line += 1
    notes.write_string(
        line, 0, _("The grey row on the data sheet is an example: replace it or leave it as it is (it is skipped).")
    )
    line += 2
    for c, title in enumerate((_("Column"), _("English name"), _("Required"), _("Type"), _("Notes"))):
        notes.write_string(line, c, title, bold)
    for column in columns:
        line += 1
        allowed = column.dropdown() if hasattr(column, "dropdown") else []
        note = " ".join(
            part
            for part in (
                str(column.help or ""),
                str(column.format_note() or ""),
                (_("Allowed values: %(values)s.") % {"values": "、".join(allowed)}) if allowed else "",
            )
            if part
        )
        notes.write_string(line, 0, column.header)
        notes.write_string(line, 1, column.name)
        notes.write_string(line, 2, _("Yes") if column.required else _("No"))
        notes.write_string(line, 3, str(column.type_label))
        notes.write_string(line, 4, note, wrap)
    workbook.close()
    return buffer.getvalue()

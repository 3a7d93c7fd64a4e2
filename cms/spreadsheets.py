"""Cells of the spreadsheets the admin exports, and the exports themselves."""

import csv
import datetime
import itertools
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from wagtail.admin.views.mixins import Echo, ExcelDateFormatter, SpreadsheetExportMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PHONE_NUMBER = re.compile(r"\+?[\d .()-]+")
#: What a spreadsheet opened with a double click needs to read a CSV file
#: written in UTF-8 and separate its columns in a French locale.
CSV_BYTE_ORDER_MARK = "\ufeff"
CSV_DELIMITER = ";"
#: Characters a sheet's name may not hold, and its length at most.
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
#: Rows read to size the columns of an XLSX sheet.
ROWS_SIZING_COLUMNS = 200
COLUMN_WIDTH = (10, 60)


def spreadsheet_text(value) -> str:
    """Citizens type their own names: a CSV cell that a spreadsheet would run
    as a formula is prefixed with an apostrophe (phone numbers stay as they are)."""
    value = force_str(value)
    if value[:1] in FORMULA_STARTS and not PHONE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def decimal_text(value: Decimal) -> str:
    """An amount as a French spreadsheet reads a number: a decimal comma."""
    return f"{value:.2f}".replace(".", ",")


def datetime_text(value: datetime.datetime) -> str:
    """A date and time in the commune's time, as a spreadsheet reads it."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def sheet_name(title) -> str:
    """A name an XLSX sheet accepts."""
    return SHEET_NAME_REFUSED.sub(" ", force_str(title)).strip()[:SHEET_NAME_LENGTH] or "Export"


def column_width(texts: list[str]) -> int:
    """The width of a column that shows its longest text, within bounds."""
    low, high = COLUMN_WIDTH
    return min(max(max(len(text) for text in texts) + 2, low), high)


class SpreadsheetMixin:
    """Wagtail's spreadsheet exports, as a spreadsheet opened with a double
    click in a French locale reads them: the CSV file starts with a UTF-8
    byte-order mark, separates its columns with ``;`` and writes amounts with
    a decimal comma; the XLSX sheet has a name (``get_sheet_name``: the
    model's plural name by default) and columns as wide as their contents.

    Placed before the view class that brings ``SpreadsheetExportMixin``."""

    custom_value_preprocess = {
        **SpreadsheetExportMixin.custom_value_preprocess,
        Decimal: {SpreadsheetExportMixin.FORMAT_CSV: decimal_text},
        datetime.datetime: {
            **SpreadsheetExportMixin.custom_value_preprocess[datetime.datetime],
            SpreadsheetExportMixin.FORMAT_CSV: datetime_text,
        },
    }

    def get_sheet_name(self) -> str:
        model = getattr(self, "model", None)
        if model is not None:
            return capfirst(force_str(model._meta.verbose_name_plural))
        return self.get_filename()

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export, delimiter=CSV_DELIMITER)
        yield CSV_BYTE_ORDER_MARK.encode()
        yield writer.writerow(
            {field: self.get_heading(queryset, field) for field in self.list_export}
        )
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_xlsx(self, queryset, output):
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=sheet_name(self.get_sheet_name()))
        headings = [self.get_heading(queryset, field) for field in self.list_export]
        items = iter(queryset)
        first_rows = [self.to_row_dict(i) for i in itertools.islice(items, ROWS_SIZING_COLUMNS)]
        for index, field in enumerate(self.list_export):
            texts = [headings[index]] + [
                force_str(self.preprocess_field_value(field, row[field], self.FORMAT_CSV))
                for row in first_rows
            ]
            letter = get_column_letter(index + 1)
            worksheet.column_dimensions[letter].width = column_width(texts)
        worksheet.append(headings)
        date_format = ExcelDateFormatter().get()
        rows = itertools.chain(first_rows, (self.to_row_dict(item) for item in items))
        for row in rows:
            worksheet.append(self.generate_xlsx_row(worksheet, row, date_format=date_format))
        workbook.save(output)

"""Files to download: an attachment, and a CSV a spreadsheet opens as text."""
import csv
import io

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@")


def attachment(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_text(headings, rows):
    """A CSV for a spreadsheet: a BOM so it reads UTF-8, and a text cell that starts like
    a formula quoted, so it is shown, never run."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(heading) for heading in headings])
    for row in rows:
        writer.writerow(["'" + cell if isinstance(cell, str) and cell[:1] in FORMULA_STARTS else cell
                         for cell in row])
    return "\ufeff" + out.getvalue()


def csv_attachment(headings, rows, filename):
    return attachment(csv_text(headings, rows), "text/csv", filename)

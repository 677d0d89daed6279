"""Fulfilment files: the export of a campaign's confirmed orders with their address copy,
and the import of shipments (order id, carrier, tracking number).

An import is read whole before anything is written, within bounds (size, lines, cell
length); any encoding, BOM, delimiter or garbage gives a report, never a 500. Each line is
its own transaction: a refused line changes nothing and the others still go through.
Importing the same file again marks nothing twice (service.ship is idempotent).
"""

import csv
import io

from flask_babel import gettext as _

from community.forum.moderation import ensure_staff
from community.kernel.errors import DomainError, ValidationError

from . import service

MAX_BYTES = 1024 * 1024  # also the app's MAX_CONTENT_LENGTH: a larger upload is a 413
MAX_LINES = 5000
MAX_CELL = 200
COLUMNS = ("order_id", "carrier", "tracking_number")
EXPORT_COLUMNS = ("order_id", "confirmed_at", "buyer", "email", "tier", "quantity",
                  "ship_name", "ship_phone", "ship_country", "ship_region", "ship_city",
                  "ship_address", "ship_postal_code", "fulfilment_status", "carrier",
                  "tracking_number")
# What a spreadsheet would run as a formula (CSV injection): written with a leading quote.
_FORMULA_STARTS = ("=", "@", "\t", "\r")


def _safe(value):
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    if text.startswith(("+", "-")) and not text[1:].replace(" ", "").isdigit():
        return "'" + text  # "+44 20..." stays a phone number, "-1+1" does not run
    return text


def export_row(order):
    return [order.id, order.confirmed_at.isoformat(timespec="seconds") if order.confirmed_at
            else "", order.buyer.username, order.buyer.email, order.tier.name, order.quantity,
            order.ship_name, order.ship_phone, order.ship_country, order.ship_region,
            order.ship_city, (order.ship_address or "").replace("\n", ", "),
            order.ship_postal_code, order.fulfilment_status, order.carrier,
            order.tracking_number]


def export_lines(campaign_id):
    """The CSV text in pieces, a UTF-8 BOM first (so spreadsheets read Chinese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for order in service.confirmed_orders(campaign_id):
        writer.writerow([_safe(cell) for cell in export_row(order)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


class BadFile(ValidationError):
    code = "bad_file"

    def __init__(self, message):
        super().__init__(message, field="file")


def decode(data):
    """Bytes as text: UTF-8 (with or without a BOM), else GB18030 (Excel in Chinese)."""
    if len(data) > MAX_BYTES:
        raise BadFile(_("The file is larger than %(n)d MB.", n=MAX_BYTES // (1024 * 1024)))
    if b"\x00" in data:
        raise BadFile(_("This is not a CSV text file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(_("The file is neither UTF-8 nor GB18030 text."))


def rows(text):
    """(line number, [cells]) of the text, at most MAX_LINES lines with content."""
    text = text.lstrip("\ufeff")
    first = text[:4096].partition("\n")[0]
    # A spreadsheet saved in some locales separates with ";" or a tab.
    delimiter = next((d for d in ",;\t" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    taken = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            taken += 1
            if taken > MAX_LINES:
                raise BadFile(_("The file has more than %(n)d lines: split it.", n=MAX_LINES))
            yield reader.line_num, [cell.strip()[:MAX_CELL + 1] for cell in cells]
    except csv.Error as error:
        raise BadFile(_("The file is not valid CSV near line %(n)d.", n=reader.line_num)) \
            from error


def _columns(header):
    """Where order_id, carrier and tracking_number are, from a header line (our export's
    too), or None when the first line is data."""
    names = [cell.strip().lower().lstrip("\ufeff") for cell in header]
    if "order_id" not in names:
        return None
    return tuple(names.index(n) if n in names else None for n in COLUMNS)


def _entry(line, order_id, outcome, code=None, message=None):
    return {"line": line, "order_id": order_id, "outcome": outcome, "code": code,
            "message": message}


def parse(data):
    """The file's shipments: [(line, order id or None, carrier, tracking number, problem)],
    or BadFile for the whole file."""
    lines = list(rows(decode(data)))
    if not lines:
        raise BadFile(_("The file is empty."))
    positions = _columns(lines[0][1])
    if positions is None:
        positions = (0, 1, 2)
    else:
        lines = lines[1:]
    if positions[1] is None or positions[2] is None:
        raise BadFile(_("The header needs the columns order_id, carrier and tracking_number."))
    shipments = []
    for line, cells in lines:
        order_cell, carrier, tracking = (cells[i] if i < len(cells) else "" for i in positions)
        order_cell = order_cell.lstrip("#'")
        order_id = int(order_cell) if order_cell.isascii() and order_cell.isdigit() \
            and len(order_cell) <= 18 else None
        shipments.append((line, order_id, order_cell, carrier, tracking))
    return shipments


def import_shipments(campaign_id, actor, data):
    """Mark shipped what each line says. Returns the report: {"lines": [...], "shipped",
    "unchanged", "refused"}, each line with its outcome and, if refused, why."""
    ensure_staff(actor)
    service.get_campaign(campaign_id)
    report = []
    for line, order_id, order_cell, carrier, tracking in parse(data):
        if order_id is None:
            code, message = (("missing_order_id", _("The order id is missing."))
                             if not order_cell else
                             ("unknown_order", _("“%(value)s” is not an order id.",
                                                 value=order_cell[:20])))
            report.append(_entry(line, None, "refused", code, message))
            continue
        try:
            _order, changed = service.ship(order_id, actor, carrier, tracking,
                                           campaign_id=campaign_id)
        except DomainError as error:
            report.append(_entry(line, order_id, "refused", error.code, error.message))
        else:
            report.append(_entry(line, order_id, "shipped" if changed else "unchanged"))
    totals = {outcome: sum(1 for e in report if e["outcome"] == outcome)
              for outcome in ("shipped", "unchanged", "refused")}
    return {"lines": report, **totals}

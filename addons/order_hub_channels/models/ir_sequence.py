from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

# Sequences whose numbering restarts every month (ranges of one calendar month).
MONTHLY_SEQUENCE_CODES = ("order.hub.serial",)


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    def _create_date_range_seq(self, date):
        """Monthly ranges, created on demand, for the sequences of
        ``MONTHLY_SEQUENCE_CODES``; Odoo creates yearly ones for the others."""
        if self.code not in MONTHLY_SEQUENCE_CODES:
            return super()._create_date_range_seq(date)
        first = fields.Date.to_date(date).replace(day=1)
        last = first + relativedelta(months=1, days=-1)
        # Two workers opening the month at the same moment would each create
        # a range and number from 1 twice: writing the sequence row makes the
        # second one wait, then fail with a serialization error and retry,
        # when it sees the range the first one created.
        self.env.cr.execute(SQL("UPDATE ir_sequence SET write_date = write_date WHERE id = %s", self.id))
        ranges = self.env["ir.sequence.date_range"].sudo()
        existing = ranges.search(
            [("sequence_id", "=", self.id), ("date_from", "<=", first), ("date_to", ">=", first)], limit=1
        )
        if existing:  # created by an earlier call in this transaction
            return existing
        return ranges.create({"date_from": first, "date_to": last, "sequence_id": self.id})

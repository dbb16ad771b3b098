import json
import logging

import psycopg2

from odoo import Command, models
from odoo.tools import SQL

from odoo.addons.base_exception.exceptions import BaseExceptionError

_logger = logging.getLogger(__name__)


def write_exceptions(records):
    """Detect the exception rules of ``records`` (orders or order lines) and
    write them in the current transaction; returns (all rule ids, rules added)."""
    all_exception_ids, rules_to_remove, rules_to_add = records._get_exceptions()
    for rule_id, found in rules_to_remove.items():
        found.write({"exception_ids": [Command.unlink(rule_id)]})
    for rule_id, found in rules_to_add.items():
        found.write({"exception_ids": [Command.link(rule_id)]})
    return all_exception_ids, rules_to_add


class SaleOrder(models.Model):
    """Exception detection that cannot wait on its own transaction.

    OCA ``base_exception`` writes the exceptions it finds through a second
    database connection, so that they survive the rollback of the refused
    confirmation.  When the current transaction has already changed the orders
    (an import job, an "approve and confirm" button, the fast lane), that
    second connection waits for the current transaction's row locks, which are
    only released when it finishes: the worker hangs for ever.  In that case
    the exceptions are detected and written in the current transaction, as
    base_exception itself does when tests run.
    """

    _inherit = "sale.order"

    def detect_exceptions(self):
        # hub_exceptions_inline: the caller handles the refusal itself in this
        # transaction (bulk confirmations, see _hub_record_exceptions)
        if self and (self.env.context.get("hub_exceptions_inline") or self._hub_rows_locked()):
            return self._hub_detect_exceptions_inline()
        return super().detect_exceptions()

    def _hub_rows_locked(self):
        """True when another connection cannot lock these orders right now,
        typically because the current transaction has written them."""
        with self.env.registry.cursor() as probe:
            try:
                probe.execute(
                    SQL(
                        "SELECT id FROM sale_order WHERE id IN %s FOR UPDATE NOWAIT",
                        tuple(self.ids),
                    ),
                    log_exceptions=False,
                )
            except psycopg2.errors.LockNotAvailable:
                return True
            finally:
                probe.rollback()
        return False

    def _hub_detect_exceptions_inline(self):
        all_exception_ids, rules_to_add = write_exceptions(self)
        if rules_to_add or self._get_main_records()._must_raise_exception_after_detection():
            raise BaseExceptionError(json.dumps(self._detect_exception_get_exc_class_values()))
        return all_exception_ids

    def _hub_record_exceptions(self):
        """List the exceptions of these orders (and of their lines) in the
        current transaction, without raising: used after a refused
        confirmation was rolled back together with what it had written."""
        if self:
            write_exceptions(self)
            write_exceptions(self.order_line)

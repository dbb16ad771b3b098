"""Order Hub's gates check the orders in its scope and survive module updates.

The gate rules are ``noupdate`` data: databases installed before 18.0.1.1.0
keep their old rule code (which fails with AttributeError while a module
update loads sale_exception before Order Hub) and would check every order.
Rules a manager has not rewritten get the new code and "Order Hub orders only".
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

GATES = {
    "exception_rule_credit_limit": "_hub_gate_credit_limit_exceeded",
    "exception_rule_stock_short": "_hub_gate_stock_short",
    "exception_rule_province_not_covered": "_hub_gate_province_not_covered",
    "exception_rule_special_invoice_incomplete": "_hub_detect_special_invoice_incomplete",
    "exception_rule_gift_without_promise": "_hub_detect_gift_without_promise",
}
CODE = 'failed = "hub_in_scope" in self._fields and self._hub_gate("%s")'


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, method in GATES.items():
        rule = env.ref(f"order_hub.{xmlid}", raise_if_not_found=False)
        if not rule:
            continue
        old_code = f"failed = self.{method}()"
        untouched = (rule.exception_type == "by_py_code" and (rule.code or "").strip() == old_code) or (
            rule.exception_type == "by_method" and rule.method == method
        )
        if not untouched:
            _logger.info("Order Hub gate %s was changed by hand: left as it is.", xmlid)
            continue
        rule.write({"exception_type": "by_py_code", "code": CODE % method, "hub_only": True})

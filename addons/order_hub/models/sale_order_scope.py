"""Which orders Order Hub manages: the hub's scope.

Installing Order Hub must change nothing for the company's other sales: the
hub's confirmation gates (exception rules marked "Order Hub orders only"), SLA
clocks and escalation, review queue, health score and duplicate checks apply
to orders whose ``hub_in_scope`` is set.  An order is in scope when it came
through the hub (``hub_source``: a sales channel, a file, a chat or a phone
call; the channels addon adds its ``channel_id``) or belongs to a sales team
the company puts in scope (Settings > Order Hub).  Managers may tick or untick
it on an order by hand; nobody else can change it.

Extension point: ``_hub_scope_origin()`` (extend it together with
``_compute_hub_in_scope``'s ``@api.depends`` in the extending addon).
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)
MANAGER_GROUP = "order_hub.group_order_hub_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_in_scope = fields.Boolean(
        string="Order Hub Order",
        compute="_compute_hub_in_scope",
        store=True,
        readonly=False,
        index=True,
        copy=False,
        help="Order Hub's gates, SLA clocks, review queue and health score apply to this order. "
        "Set for orders from a sales channel, a file, a chat or a phone call and for orders of "
        "the sales teams put in scope in the settings; only Order Hub managers can change it.",
    )

    @api.depends("hub_source", "team_id", "company_id.order_hub_scope_team_ids")
    def _compute_hub_in_scope(self):
        for order in self:
            order.hub_in_scope = bool(
                order._hub_scope_origin() or order.team_id in order.company_id.order_hub_scope_team_ids
            )

    def _hub_scope_origin(self):
        """True when the order came through the hub (extension point)."""
        self.ensure_one()
        return bool(self.hub_source)

    def _hub_check_scope_change(self, vals_list, records=None):
        """Only Order Hub managers set the scope by hand (internal code runs as
        superuser, and the compute itself does not go through write)."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        for vals in vals_list:
            if "hub_in_scope" not in vals:
                continue
            wanted = bool(vals["hub_in_scope"])
            if records is None or any(order.hub_in_scope != wanted for order in records):
                raise AccessError(
                    _("Only Order Hub managers can put an order in or out of Order Hub's scope.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._hub_check_scope_change([vals for vals in vals_list if vals.get("hub_in_scope")])
        return super().create(vals_list)

    def write(self, vals):
        if "hub_in_scope" in vals:
            self._hub_check_scope_change([vals], records=self)
        return super().write(vals)

    # -- confirmation gates --------------------------------------------------
    def _detect_exceptions(self, rule_info):
        # rules marked "Order Hub orders only" leave the other orders alone
        if getattr(rule_info, "hub_only", False):
            in_scope = self.filtered("hub_in_scope")
            if not in_scope:
                return self.browse()
            return super(SaleOrder, in_scope)._detect_exceptions(rule_info)
        return super()._detect_exceptions(rule_info)

    def _hub_gate(self, check):
        """Evaluate the gate method ``check`` (e.g. ``"_hub_gate_stock_short"``)
        for the rule code of an exception rule; returns True when it fires.

        While the registry is loading (a module update), an addon that defines
        ``check`` may not be loaded yet: the gate is then not evaluated (logged)
        instead of failing the confirmation.  The rule code itself guards the
        case where Order Hub is not loaded at all (``"hub_in_scope" in self._fields``).
        """
        method = getattr(self, check, None)
        if method is None:
            if self.env.registry.ready:
                raise AttributeError(f"sale.order has no gate method {check!r}")
            _logger.warning(
                "Order Hub gate %s not evaluated on %s: the registry is still loading.", check, self
            )
            return False
        return bool(method())

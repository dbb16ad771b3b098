"""The desk's logistics facts and quick actions.

* a carrier-refused address change (a failed intercept) is an address anomaly
  until logistics resolves it;
* *Track* (查物流): the carrier timeline in a dialog, refreshed from
  Kuaidi100 first when the last check is older than 15 minutes;
* *Change Address* (改地址): the address-change request (customer
  authorisation required, the carrier's intercept when already shipped).

Each action checks the order first and writes the audit trail.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

TRACK_REFRESH_AFTER = timedelta(minutes=15)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_first_scan_at = fields.Datetime(
        string="First Scan", compute="_compute_hub_first_scan_at", help="The carrier's first scan."
    )

    @api.depends("hub_tracking_event_ids.event_time")
    def _compute_hub_first_scan_at(self):
        for order in self:
            times = order.sudo().hub_tracking_event_ids.mapped("event_time")
            order.hub_first_scan_at = min(times) if times else False

    # -- the address fact ------------------------------------------------
    def _hub_desk_address_facts(self):
        refused = self.sudo().hub_address_change_ids.filtered(lambda c: c.state == "failed")
        return super()._hub_desk_address_facts() or bool(refused)

    @api.depends(
        "hub_desk_open",
        "hub_address_to_check",
        "hub_ticket_ids.state",
        "hub_ticket_ids.type_id",
        "hub_address_change_ids.state",
    )
    def _compute_hub_desk_address(self):
        return super()._compute_hub_desk_address()

    # -- Track -------------------------------------------------------------
    def _hub_track_pickings(self):
        self.ensure_one()
        return self.sudo().picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done" and p.carrier_tracking_ref
        )

    def action_hub_desk_track(self):
        """查物流: refuse an order without a shipped parcel; refresh the
        parcels from the carrier when last checked more than 15 minutes ago."""
        self.ensure_one()
        self._hub_desk_check_agent()
        self.check_access("read")
        pickings = self._hub_track_pickings()
        if not pickings:
            raise UserError(
                _("Order %(order)s has no shipped parcel with a tracking number yet.", order=self.name)
            )
        threshold = fields.Datetime.now() - TRACK_REFRESH_AFTER
        stale = pickings.filtered(
            lambda p: p.carrier_id._hub_has_tracking()
            and (not p.hub_tracking_checked_at or p.hub_tracking_checked_at < threshold)
        )
        # the timeline is the hub's own bookkeeping: customer service has no
        # right on transfers, the order's access was checked above
        for carrier in stale.carrier_id:
            stale.filtered(lambda p, c=carrier: p.carrier_id == c)._hub_poll_tracking()
        errors = [p.hub_tracking_error for p in stale if p.hub_tracking_error]
        self.env["order.hub.audit.log"]._record(
            self,
            "hub_tracking_event_ids",
            False,
            _("Refreshed from the carrier") if stale else _("Viewed (checked less than 15 minutes ago)"),
            note="; ".join(errors) or None,
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Tracking of %(order)s", order=self.name),
            "res_model": "sale.order",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("order_hub_logistics.sale_order_view_form_desk_track").id, "form")],
            "target": "new",
        }

    # -- Change address ----------------------------------------------------
    def action_hub_desk_change_address(self):
        """改地址: the address-change request of an order still to deliver."""
        self.ensure_one()
        self._hub_desk_check_agent()
        if self.state == "cancel" or self.hub_stage_code in ("done", "cancelled"):
            raise UserError(
                _("Order %(order)s is closed: its address can no longer change.", order=self.name)
            )
        return self.action_hub_change_address()


class OrderHubAddressChange(models.Model):
    _inherit = "order.hub.address.change"

    def action_apply(self):
        """Every attempt leaves an audit line with its outcome (an applied
        address is also audited on the order's delivery address)."""
        result = super().action_apply()
        states = dict(self._fields["state"]._description_selection(self.env))
        for change in self:
            # formatted outside _(): Babel (which extracts the terms) cannot read f-strings
            error = f" ({change.carrier_error})" if change.carrier_error else ""
            self.env["order.hub.audit.log"]._record(
                change.order_id,
                "hub_address_change_ids",
                change.original_address,
                change._new_address_text(),
                note=_(
                    "%(state)s: %(reason)s%(error)s",
                    state=states.get(change.state, change.state),
                    reason=change.reason,
                    error=error,
                ),
            )
        return result

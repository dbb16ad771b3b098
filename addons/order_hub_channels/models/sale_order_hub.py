from odoo import _, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _job_prepare_context_before_enqueue_keys(self):
        # the audit source of a webhook import follows its confirmation job
        return (*super()._job_prepare_context_before_enqueue_keys(), "order_hub_source")

    def _hub_enqueue_channel_action(self, action):
        """Run a confirming platform status action in its own job, once the
        import that created the order has committed."""
        for sale in self:
            sale.with_delay(
                channel=sale.channel_id._job_channel() if sale.channel_id else None,
                identity_key=f"order_hub_channel_action_{sale.id}_{action}",
                description=_("Apply the platform status of %(order)s", order=sale.name),
            )._job_hub_channel_action(action)

    def _job_hub_channel_action(self, action):
        """Job: confirm (and mark shipped or completed) an imported order."""
        self.ensure_one()
        if self.state in ("draft", "sent") and self.hub_review_state != "approved":
            # order rules first: a suspected duplicate or a low health score
            # waits for a manual review instead of being confirmed
            self._hub_flag_duplicate()
            reasons = self._hub_review_reasons()
            if reasons:
                self._hub_send_to_review(reasons)
                return _("Order %(order)s waits for a manual review.", order=self.name)
        importer = self.env["order.hub.order.importer"]
        blocked = importer._do_status_action(self, action)
        if blocked:
            message = importer._blocked_message()
            self.inbound_order_ids.filtered(lambda r: r.state == "done").write({"error": message})
            return message
        return _("Order %(order)s: %(state)s", order=self.name, state=self.state)

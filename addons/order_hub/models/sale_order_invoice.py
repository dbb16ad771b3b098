"""Invoice type of an order and the buyer data a Chinese VAT invoice needs.

A special VAT invoice (专票) needs the buyer's company name, tax id, registered
address and phone, bank name and account; the exception rule
``order_hub.exception_rule_special_invoice_incomplete`` blocks the
confirmation and lists what is missing.  The data is copied to the customer
invoice by ``_prepare_invoice``.  ``_hub_apply_invoice_request`` fills the
fields from a channel's invoice request.
"""

from odoo import _, api, fields, models

from . import tax_id

INVOICE_TYPES = [
    ("none", "No Invoice"),
    ("normal", "Normal VAT Invoice"),
    ("special", "Special VAT Invoice"),
]
# order field -> account.move field holding the copy on the invoice
INVOICE_FIELDS = {
    "hub_invoice_type": "hub_invoice_type",
    "hub_invoice_title": "hub_invoice_title",
    "hub_invoice_tax_id": "hub_invoice_tax_id",
    "hub_invoice_address": "hub_invoice_address",
    "hub_invoice_phone": "hub_invoice_phone",
    "hub_invoice_email": "hub_invoice_email",
}
# computed from the buyer when the invoice address changes, then editable
_FROM_BUYER = {
    "compute": "_compute_hub_invoice_data",
    "store": True,
    "readonly": False,
    "precompute": True,
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_invoice_type = fields.Selection(
        INVOICE_TYPES,
        string="Invoice Type",
        **_FROM_BUYER,
        index=True,
    )
    hub_invoice_title = fields.Char(
        string="Invoice Title",
        **_FROM_BUYER,
        help="Company name (or personal title) printed on the invoice.",
    )
    hub_invoice_tax_id = fields.Char(
        string="Buyer Tax ID",
        **_FROM_BUYER,
        help="18-character unified social credit code, or a 15/17/20-character legacy taxpayer id.",
    )
    hub_invoice_address = fields.Char(
        string="Registered Address",
        **_FROM_BUYER,
    )
    hub_invoice_phone = fields.Char(
        string="Registered Phone",
        **_FROM_BUYER,
    )
    hub_invoice_email = fields.Char(
        string="Invoice Email",
        **_FROM_BUYER,
    )
    hub_invoice_bank_id = fields.Many2one(
        "res.partner.bank",
        string="Buyer Bank Account",
        **_FROM_BUYER,
        domain="[('partner_id', 'child_of', hub_invoice_buyer_id)]",
    )
    hub_invoice_buyer_id = fields.Many2one(
        related="partner_invoice_id.commercial_partner_id", string="Invoice Buyer"
    )
    hub_invoice_missing = fields.Char(
        string="Missing Invoice Data",
        compute="_compute_hub_invoice_missing",
        help="What the special VAT invoice still needs before the order can be confirmed.",
    )

    @api.depends("partner_invoice_id")
    def _compute_hub_invoice_data(self):
        for order in self:
            buyer = order.partner_invoice_id.commercial_partner_id
            order.hub_invoice_type = buyer.hub_invoice_type or "none"
            order.hub_invoice_title = buyer.name or False
            order.hub_invoice_tax_id = buyer.vat or False
            order.hub_invoice_address = (
                " ".join(part for part in (buyer.city, buyer.street, buyer.street2) if part) or False
            )
            order.hub_invoice_phone = buyer.phone or buyer.mobile or False
            order.hub_invoice_email = order.partner_invoice_id.email or buyer.email or False
            order.hub_invoice_bank_id = buyer.bank_ids[:1]

    @api.depends(
        "hub_invoice_type",
        "hub_invoice_title",
        "hub_invoice_tax_id",
        "hub_invoice_address",
        "hub_invoice_phone",
        "hub_invoice_bank_id",
    )
    def _compute_hub_invoice_missing(self):
        for order in self:
            order.hub_invoice_missing = ", ".join(order._hub_special_invoice_missing()) or False

    def _hub_special_invoice_missing(self):
        """Labels of what a special VAT invoice still lacks (empty when complete or not special)."""
        self.ensure_one()
        if self.hub_invoice_type != "special":
            return []
        missing = [] if (self.hub_invoice_title or "").strip() else [_("company name")]
        verdict = tax_id.check(self.hub_invoice_tax_id)
        if verdict == tax_id.EMPTY:
            missing.append(_("tax id"))
        elif verdict == tax_id.BAD_CHECK:
            missing.append(
                _(
                    "a valid tax id (the check character of %(tax_id)s is wrong)",
                    tax_id=self.hub_invoice_tax_id,
                )
            )
        elif verdict == tax_id.BAD_FORMAT:
            missing.append(
                _(
                    "a valid tax id (%(tax_id)s is neither an 18-character credit code nor a 15, 17 or "
                    "20-character taxpayer id)",
                    tax_id=self.hub_invoice_tax_id,
                )
            )
        bank = self.hub_invoice_bank_id
        required = [
            ((self.hub_invoice_address or "").strip(), _("registered address")),
            ((self.hub_invoice_phone or "").strip(), _("registered phone")),
            (bank.bank_id.name, _("bank name")),
            (bank.acc_number, _("bank account")),
        ]
        return missing + [label for value, label in required if not value]

    def _hub_detect_special_invoice_incomplete(self):
        """Gate of an exception rule: quotations whose special invoice data is incomplete."""
        return self.filtered(
            lambda order: order.state in ("draft", "sent") and order._hub_special_invoice_missing()
        )

    def _hub_exception_details(self):
        details = super()._hub_exception_details()
        rule = self.env.ref("order_hub.exception_rule_special_invoice_incomplete", raise_if_not_found=False)
        if rule and rule in self.exception_ids:
            details[rule.id] = _(
                "Fill in before confirming: %(missing)s.",
                missing=", ".join(self._hub_special_invoice_missing()),
            )
        return details

    def _hub_audited_fields(self):
        # lifecycle audit trail: who changed the invoice data, when and from where
        return super()._hub_audited_fields() + [*INVOICE_FIELDS, "hub_invoice_bank_id"]

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        for order_field, move_field in INVOICE_FIELDS.items():
            values[move_field] = self[order_field] or False
        values["hub_invoice_bank_name"] = self.hub_invoice_bank_id.bank_id.name or False
        values["hub_invoice_bank_account"] = self.hub_invoice_bank_id.acc_number or False
        return values

    # -- channel invoice requests ------------------------------------------
    def _hub_apply_invoice_request(self, values):
        """Fill the invoice fields from a channel's invoice request.

        ``values`` has the keys of the channels addon's canonical
        ``InvoiceRequest`` (``invoice_type`` "normal"/"special", ``title``,
        ``tax_id``, ``address``, ``phone``, ``bank_name``, ``bank_account``,
        ``email``).  Only the values present are applied, so data already on
        the order is never erased; the bank account is found or created on
        the buyer.  Nothing is validated here: an incomplete special invoice
        shows up as an exception at confirmation.
        """
        self.ensure_one()
        if not values:
            return
        vals = {}
        if values.get("invoice_type") in ("normal", "special"):
            vals["hub_invoice_type"] = values["invoice_type"]
        mapping = {
            "title": "hub_invoice_title",
            "address": "hub_invoice_address",
            "phone": "hub_invoice_phone",
            "email": "hub_invoice_email",
        }
        for key, field_name in mapping.items():
            value = (values.get(key) or "").strip()
            if value:
                vals[field_name] = value
        if (values.get("tax_id") or "").strip():
            vals["hub_invoice_tax_id"] = tax_id.compact(values["tax_id"])
        bank = self._hub_find_or_create_bank_account(
            (values.get("bank_name") or "").strip(), (values.get("bank_account") or "").strip()
        )
        if bank:
            vals["hub_invoice_bank_id"] = bank.id
        if vals:
            self.write(vals)

    def _hub_find_or_create_bank_account(self, bank_name, account):
        self.ensure_one()
        if not account:
            return self.env["res.partner.bank"]
        buyer = self.partner_invoice_id.commercial_partner_id or self.partner_id.commercial_partner_id
        banks = self.env["res.partner.bank"].sudo()
        sanitized = "".join(account.split()).upper()
        bank_account = banks.search(
            [("partner_id", "=", buyer.id), ("sanitized_acc_number", "=", sanitized)], limit=1
        )
        bank = self.env["res.bank"].sudo()
        if bank_name:
            bank = bank.search([("name", "=", bank_name)], limit=1) or bank.create({"name": bank_name})
        if not bank_account:
            bank_account = banks.create({"partner_id": buyer.id, "acc_number": account, "bank_id": bank.id})
        elif bank and bank_account.bank_id != bank:
            bank_account.bank_id = bank
        return bank_account.sudo(False)

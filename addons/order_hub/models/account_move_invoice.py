from odoo import fields, models

from .sale_order_invoice import INVOICE_TYPES


class AccountMove(models.Model):
    _inherit = "account.move"

    # A copy of the order's buyer data as it was when invoicing, so that a
    # later change on the customer does not alter an issued invoice.
    hub_invoice_type = fields.Selection(INVOICE_TYPES, string="Invoice Type", copy=False)
    hub_invoice_title = fields.Char(string="Invoice Title", copy=False)
    hub_invoice_tax_id = fields.Char(string="Buyer Tax ID", copy=False)
    hub_invoice_address = fields.Char(string="Registered Address", copy=False)
    hub_invoice_phone = fields.Char(string="Registered Phone", copy=False)
    hub_invoice_email = fields.Char(string="Invoice Email", copy=False)
    hub_invoice_bank_name = fields.Char(string="Buyer Bank", copy=False)
    hub_invoice_bank_account = fields.Char(string="Buyer Bank Account", copy=False)

"""Phones and addresses whose orders must not ship without a look."""

import re

from odoo import api, fields, models

BLACKLIST_KINDS = [("phone", "Phone"), ("address", "Address")]


def normalise_phone(value):
    """Digits of a Chinese phone number without the +86/0086 prefix ('' when none)."""
    digits = re.sub(r"\D", "", value or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    return digits


def normalise_address(value):
    """Address without spaces and punctuation, lower case, for comparisons."""
    return re.sub(r"[\s,，.。;；:：#\-/()（）]", "", value or "").lower()


class OrderHubBlacklist(models.Model):
    _name = "order.hub.blacklist"
    _description = "Blacklisted Phone or Address"
    _order = "kind, value"

    kind = fields.Selection(BLACKLIST_KINDS, required=True, default="phone")
    value = fields.Char(required=True)
    normalised = fields.Char(compute="_compute_normalised", store=True, index=True)
    reason = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("normalised_unique", "UNIQUE(kind, normalised)", "This phone or address is already blacklisted."),
    ]

    @api.depends("kind", "value")
    def _compute_normalised(self):
        for entry in self:
            normalise = normalise_phone if entry.kind == "phone" else normalise_address
            entry.normalised = normalise(entry.value)

    @api.model
    def _hub_matches(self, phones, address):
        """Blacklist entries matching one of the phones or the address."""
        phones = [phone for phone in (normalise_phone(p) for p in phones) if phone]
        address = normalise_address(address)
        entries = (
            self.search([("kind", "=", "phone"), ("normalised", "in", phones)]) if phones else self.browse()
        )
        if address:
            entries |= self.search([("kind", "=", "address")]).filtered(
                lambda entry: entry.normalised and entry.normalised in address
            )
        return entries

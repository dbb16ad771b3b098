from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .order_hub_channel import PLATFORM_SELECTION


class OrderHubFieldMap(models.Model):
    _name = "order.hub.field.map"
    _description = "Platform Field Mapping"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    platform = fields.Selection(
        PLATFORM_SELECTION, help="Leave empty to apply the mapping to every platform."
    )
    source = fields.Char(
        required=True,
        help="Field of the canonical order: buyer_remark, seller_remark, invoice.title, "
        "or extra.<name> for platform-specific fields (e.g. extra.installation_service).",
    )
    label = fields.Char(help="Label written in front of the value in the notes.")
    target = fields.Selection(
        [("field", "Sale Order Field"), ("note", "Platform Notes")],
        required=True,
        default="note",
    )
    target_field_id = fields.Many2one(
        "ir.model.fields",
        domain="[('model', '=', 'sale.order'), ('store', '=', True), "
        "('ttype', 'in', ('char', 'text', 'boolean', 'integer', 'float'))]",
        ondelete="cascade",
    )

    @api.constrains("target", "target_field_id")
    def _check_target(self):
        for rec in self:
            if rec.target == "field" and (
                not rec.target_field_id or rec.target_field_id.model != "sale.order"
            ):
                raise ValidationError(
                    _("Choose the sale order field that receives %(source)s.", source=rec.source)
                )

    @staticmethod
    def _source_value(order, source):
        """Value of a dotted ``source`` on a canonical order, or None."""
        head, _dot, rest = source.partition(".")
        if head == "extra":
            return order.extra.get(rest) if rest else None
        value = getattr(order, head, None)
        if rest and value is not None:
            value = getattr(value, rest, None)
        return value

    def _apply(self, order, platform):
        """Sale-order values for ``order`` from the mappings in ``self``."""
        vals, notes = {}, []
        for rec in self:
            if rec.platform and rec.platform != platform:
                continue
            value = self._source_value(order, rec.source)
            if value in (None, "", False, {}, ()):
                continue
            if rec.target == "field":
                field = rec.target_field_id
                vals[field.name] = bool(value) if field.ttype == "boolean" else value
            else:
                label = rec.label or rec.source
                notes.append(f"{label}: {value}")
        if notes:
            vals["channel_notes"] = "\n".join(notes)
        return vals

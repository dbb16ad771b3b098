"""18.0.1.1.0: provinces as records, platform fields as properties, monthly serial.

1. Channel buyers and delivery addresses written by earlier imports hold the
   province as text in ``street2`` ("浙江省 西湖区 文三路"): the province
   becomes ``state_id`` (and the city ``city_id`` when the city data is
   installed); what cannot be matched keeps its text and is flagged.
2. JD's installation flag was a column of sale.order: its values move to the
   order's platform fields, and its mapping targets that platform field.
3. The serial now restarts every month: the current month continues from the
   number the yearless sequence had reached, so no serial is given twice.
"""

from odoo import SUPERUSER_ID, api, fields
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"]._hub_migrate_channel_addresses()
    _migrate_installation_flag(env)
    _continue_serial(env)


def _migrate_installation_flag(env):
    mapping = env.ref("order_hub_channels.field_map_jd_installation", raise_if_not_found=False)
    if mapping:
        mapping.write(
            {
                "target": "property",
                "target_field_id": False,
                "property_name": "installation_service",
                "property_type": "boolean",
                "label": mapping.label or "Installation Service",
            }
        )
    env["order.hub.channel"].with_context(active_test=False).search([])._sync_order_properties()
    if not column_exists(env.cr, "sale_order", "installation_service"):
        return
    env.cr.execute(
        SQL(
            """UPDATE sale_order
                  SET channel_properties = COALESCE(channel_properties, '{}'::jsonb)
                      || jsonb_build_object('installation_service', true)
                WHERE installation_service"""
        )
    )  # Odoo drops the column with the field at the end of the upgrade


def _continue_serial(env):
    sequence = env.ref("order_hub_channels.seq_order_hub_serial", raise_if_not_found=False)
    if not sequence or sequence.date_range_ids:
        return
    today = fields.Date.context_today(sequence.with_context(tz="Asia/Shanghai"))
    month = sequence._create_date_range_seq(today)
    month.number_next_actual = sequence.number_next_actual

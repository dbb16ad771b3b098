from . import (
    order_hub_portal_attempt,
    order_hub_ticket,
    order_hub_ticket_type,
    order_hub_settings,
    order_hub_dashboard,
    sale_order,
)

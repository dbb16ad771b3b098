from . import (
    order_hub_address_change,
    order_hub_notification,
    order_hub_notify_template,
    order_hub_settings,
    order_hub_tracking_event,
    queue_job,
    res_company,
    sale_order,
    stock_picking,
)

{
    "name": "Order Hub Channels",
    "summary": "Pull and receive orders from Douyin, JD, WeChat Shop, Shopify and "
    "Shopee; map them onto sale orders exactly once",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub", "queue_job"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/order_hub_channels_security.xml",
        "security/ir.model.access.csv",
        "data/order_hub_channels_data.xml",
        "data/queue_job_data.xml",
        "data/order_hub_status_map_data.xml",
        "data/order_hub_field_map_data.xml",
        "views/order_hub_channel_views.xml",
        "views/order_hub_inbound_order_views.xml",
        "views/order_hub_map_views.xml",
        "views/sale_order_views.xml",
        "views/order_hub_channels_menus.xml",
    ],
    "demo": [
        "demo/order_hub_channel_demo.xml",
    ],
    "installable": True,
}

{
    "name": "Order Hub Write-back",
    "summary": "Push carrier and tracking number of shipped deliveries, and seller "
    "cancellations, back to Douyin, JD, WeChat Shop, Shopify and Shopee",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub_channels", "order_hub_logistics"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/order_hub_writeback_security.xml",
        "data/queue_job_data.xml",
        "data/order_hub_carrier_code_data.xml",
        "views/order_hub_writeback_views.xml",
        "views/order_hub_carrier_code_views.xml",
        "views/sale_order_views.xml",
        "views/order_hub_writeback_menus.xml",
    ],
    "installable": True,
    "auto_install": True,
}

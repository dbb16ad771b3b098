{
    "name": "Order Hub Logistics",
    "summary": "Flash-sale virtual warehouses, warehouse and carrier routing, "
    "stock locks, waybills, tracking and address changes",
    "version": "18.0.1.0.0",
    "category": "Inventory/Delivery",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub", "stock", "delivery", "stock_delivery", "stock_picking_batch", "barcodes"],
    "external_dependencies": {"python": ["requests", "openpyxl"]},
    "data": [
        "security/ir.model.access.csv",
        "security/order_hub_logistics_security.xml",
        "data/ir_cron_data.xml",
        "data/order_hub_region_data.xml",
        "views/sale_order_views.xml",
        "views/sale_order_desk_views.xml",
        "views/stock_views.xml",
        "views/delivery_carrier_views.xml",
        "views/order_hub_rule_views.xml",
        "views/order_hub_address_change_views.xml",
        "views/order_hub_logistics_menus.xml",
        "views/portal_templates.xml",
        "views/order_hub_ship_wizard_views.xml",
        "views/order_hub_settings_views.xml",
        "views/order_hub_scan_station_views.xml",
    ],
    "demo": ["demo/order_hub_logistics_demo.xml", "demo/order_hub_scan_station_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "order_hub_logistics/static/src/scan_station/*",
        ],
        "web.assets_tests": [
            "order_hub_logistics/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}

{
    "name": "Order Hub Logistics",
    "summary": "Flash-sale virtual warehouses, warehouse and carrier routing, "
    "stock locks, waybills, tracking and address changes",
    "version": "18.0.1.0.0",
    "category": "Inventory/Delivery",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub", "stock", "delivery"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "views/order_hub_logistics_menus.xml",
    ],
    "demo": [],
    "installable": True,
}

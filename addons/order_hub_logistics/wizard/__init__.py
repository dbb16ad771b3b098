from . import order_hub_flash_import

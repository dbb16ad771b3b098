from . import order_hub_flash_import
from . import order_hub_ship_wizard

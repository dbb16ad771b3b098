from . import order_hub_channel
from . import order_hub_inbound_order
from . import order_hub_status_map
from . import order_hub_product_map
from . import order_hub_field_map
from . import order_hub_order_importer
from . import res_partner
from . import sale_order

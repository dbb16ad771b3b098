from . import order_hub_carrier_code
from . import order_hub_writeback
from . import queue_job
from . import sale_order
from . import stock_picking

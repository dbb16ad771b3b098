from . import order_hub_stage
from . import order_hub_ticket_type
from . import order_hub_ticket
from . import order_hub_audit_log
from . import sale_order
from . import sale_order_line
from . import stock_move
from . import stock_picking

from . import order_hub_stage
from . import order_hub_ticket_type
from . import order_hub_ticket
from . import order_hub_audit_log
from . import sale_order
from . import sale_order_line
from . import stock_move
from . import stock_picking

# sale_order_rules first: it holds the base of the hooks the other sale.order files extend
from . import sale_order_rules
from . import res_company_rules
from . import res_partner_rules
from . import exception_rule_hub
from . import sale_order_invoice
from . import sale_order_gift
from . import sale_order_line_gift
from . import sale_order_health
from . import sale_order_duplicate
from . import account_move_invoice
from . import stock_picking_gift
from . import order_hub_gift
from . import order_hub_health_rule
from . import order_hub_blacklist
from . import order_hub_surge_log

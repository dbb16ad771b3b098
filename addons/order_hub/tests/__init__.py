from . import test_demo_data, test_i18n, test_menus, test_security
from . import test_lifecycle_transitions, test_ticket, test_audit_log, test_sla
from . import test_gates, test_escalation, test_pay_confirm, test_audit_rpc, test_workbench
from . import test_exception_cursor
from . import test_invoice_type, test_gift_pool, test_health_score, test_duplicate_orders, test_surge_mode
from . import test_request_body
from . import test_stock_scheduler
from . import test_stage_facts
from . import test_login_throttle
from . import test_settings, test_tours
from . import test_desk
from . import test_refund
from . import test_desk_access

from . import test_security
from . import test_warehouse_routing
from . import test_flash_sale
from . import test_stock_concurrency
from . import test_carriers
from . import test_tracking
from . import test_carrier_routing
from . import test_address_change

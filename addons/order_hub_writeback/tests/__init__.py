from . import test_security
from . import test_writeback
from . import test_conflict
from . import test_conflict_concurrency
from . import test_receiver_decrypt
from . import test_stock_sync
from . import test_inventory_sentinel

from . import test_security
from . import test_import
from . import test_rpc
from . import test_secrets
from . import test_pull
from . import test_webhook
from . import test_concurrency
from . import test_channel

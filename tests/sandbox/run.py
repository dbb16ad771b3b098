"""Serve platform sandboxes from the command line (used by setup/run).

    python tests/sandbox/run.py --platform douyin --port 8801 [--orders 200] [--seed 1]
    python tests/sandbox/run.py --all --port 8801      # douyin 8801, jd 8802, wechat_shop 8803, ...
    python tests/sandbox/run.py --all --port 8801 --credentials var/sandboxes.json
    python tests/sandbox/run.py --all --demo             # what setup/run starts: ports 18801-18805 and
                                                         # the credentials of the demo channels, and the
                                                         # carrier sandboxes of the demo carriers: 18811-18813
                                                         # and the demo company's Aliyun SMS sandbox: 18814

Prints each sandbox's URL and credentials (JSON) and serves until interrupted.
``--trickle N`` adds N new orders every minute so that a demo keeps receiving orders.
"""

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox import SANDBOXES, demo_credentials, start_sandbox  # noqa: E402

# The demo carriers (order_hub_logistics demo data) point at these ports, with
# the sandboxes' default accounts (SF OH_TEST, ZTO oh-app, Kuaidi100 OHCUSTOMER).
DEMO_CARRIER_PORTS = {"sf": 18811, "zto": 18812, "kuaidi100": 18813}
# The demo company's customer SMS (order_hub_notify demo data) goes to this
# Aliyun SMS sandbox, with this AccessKey and signature name (demo values only).
DEMO_SMS = {
    "port": 18814,
    "key_id": "LTAI-order-hub-demo",
    "secret": "order-hub-demo-sms-secret",
    "sign": "订单中枢",
}


class _DemoSms:
    """The Aliyun SMS sandbox with the demo company's key, stoppable like the others."""

    name = "aliyun_sms"

    def __init__(self):
        from sandbox.aliyun_sms import AliyunSmsSandbox

        self.box = AliyunSmsSandbox(
            keys={DEMO_SMS["key_id"]: DEMO_SMS["secret"]},
            sign_names={DEMO_SMS["sign"]},
            port=DEMO_SMS["port"],
        ).__enter__()
        self.url = self.box.url

    def stop(self):
        self.box.__exit__(None, None, None)


def start_demo_carriers():
    from sandbox.carrier_kuaidi100 import Kuaidi100Sandbox
    from sandbox.carrier_sf import SfSandbox
    from sandbox.carrier_zto import ZtoSandbox

    return [
        SfSandbox().start(DEMO_CARRIER_PORTS["sf"]),
        ZtoSandbox().start(DEMO_CARRIER_PORTS["zto"]),
        Kuaidi100Sandbox().start(DEMO_CARRIER_PORTS["kuaidi100"]),
        _DemoSms(),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--platform", choices=sorted(SANDBOXES))
    group.add_argument("--all", action="store_true", help="every platform on consecutive ports")
    parser.add_argument("--port", type=int, help="first port (default 8801, with --demo 18801)")
    parser.add_argument("--demo", action="store_true", help="demo-channel credentials, tokens valid 30 days")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trickle", type=int, default=0, help="new orders per minute")
    parser.add_argument("--credentials", help="also write the URLs and credentials to this JSON file")
    args = parser.parse_args(argv)

    platforms = list(SANDBOXES) if args.all else [args.platform]
    port = args.port or (18801 if args.demo else 8801)
    if args.demo and not args.all and not args.port:
        port += list(SANDBOXES).index(args.platform)
    boxes = [
        start_sandbox(
            name,
            orders=args.orders,
            seed=args.seed + index,
            port=port + index,
            host=args.host,
            credentials=demo_credentials(name) if args.demo else None,
            token_ttl=30 * 86400 if args.demo else None,
        )
        for index, name in enumerate(platforms)
    ]
    summary = {box.platform: box.client_config() | {"webhook": box.credentials} for box in boxes}
    carrier_boxes = start_demo_carriers() if args.demo and args.all else []
    summary.update({box.name: {"url": box.url} for box in carrier_boxes})
    print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
    if args.credentials:
        Path(args.credentials).write_text(json.dumps(summary, ensure_ascii=False, indent=2))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(60):
            for box in boxes:
                if args.trickle:
                    box.add_orders(args.trickle, spread=60)
    except KeyboardInterrupt:
        pass
    finally:
        for box in [*boxes, *carrier_boxes]:
            box.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

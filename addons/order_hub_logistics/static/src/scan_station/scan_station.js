/** @odoo-module **/
/* The warehouse scan station: today's deliveries, then scan a delivery (or a
 * batch, then an order of it) and its products. Every scan goes to the server
 * (order.hub.scan.station.scan), which keeps the counts; the client only shows
 * them and alerts on a refused scan. */

import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";

let audioContext = null;

function beep(ok) {
    // audible alert: a short high tone for a good scan, two low ones for a refusal
    try {
        audioContext = audioContext || new (window.AudioContext || window.webkitAudioContext)();
        const tones = ok ? [[880, 0, 0.08]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
        for (const [frequency, start, duration] of tones) {
            const oscillator = audioContext.createOscillator();
            const gain = audioContext.createGain();
            oscillator.type = ok ? "sine" : "square";
            oscillator.frequency.value = frequency;
            gain.gain.value = 0.2;
            oscillator.connect(gain).connect(audioContext.destination);
            const at = audioContext.currentTime + start;
            oscillator.start(at);
            oscillator.stop(at + duration);
        }
    } catch {
        // no audio device (e.g. a headless browser): the visible alert remains
    }
    if (!ok && navigator.vibrate) {
        navigator.vibrate([200, 100, 200]);
    }
}

export class OrderHubScanStation extends Component {
    static template = "order_hub_logistics.ScanStation";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.barcode = useService("barcode");
        this.manualInput = useRef("manualInput");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({
            pickings: [],
            batches: [],
            picking: null,
            batch: null,
            alert: null,
            busy: false,
        });
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onScan(ev.detail.barcode));
        onWillStart(() => this.loadToday());
    }

    async loadToday() {
        const result = await this.orm.call("order.hub.scan.station", "get_today", []);
        this.state.pickings = result.pickings;
        this.state.batches = result.batches;
    }

    formatShipBy(value) {
        return value ? formatDateTime(deserializeDateTime(value), { format: "MM-dd HH:mm" }) : "";
    }

    async onScan(barcode) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const result = await this.orm.call("order.hub.scan.station", "scan", [barcode], {
                picking_id: this.state.picking?.id || false,
                batch_id: this.state.batch?.id || false,
            });
            await this.applyResult(result);
        } finally {
            this.state.busy = false;
        }
    }

    async applyResult(result) {
        if (result.batch) {
            this.state.batch = result.batch;
            this.state.picking = null;
        }
        if (result.picking) {
            this.state.picking = result.picking;
        }
        this.state.alert = {
            ok: result.ok,
            message: result.message || "",
            key: (this.state.alert?.key || 0) + 1,
        };
        beep(result.ok);
        if (result.action) {
            await this.actionService.doAction(result.action, {
                onClose: () => this.reloadPicking(),
            });
        }
        if (result.picking?.done) {
            await this.afterShipped();
        }
    }

    async afterShipped() {
        await this.loadToday();
        if (this.state.batch) {
            const batch = await this.orm.call("order.hub.scan.station", "scan", [this.state.batch.name], {});
            if (batch.batch) {
                this.state.batch = batch.batch;
            }
        }
    }

    async reloadPicking() {
        if (!this.state.picking) {
            return;
        }
        const result = await this.orm.call("order.hub.scan.station", "get_picking", [this.state.picking.id]);
        if (result.picking) {
            this.state.picking = result.picking;
            if (result.picking.done) {
                this.state.alert = {
                    ok: true,
                    message: _t("%s shipped.", result.picking.name),
                    key: (this.state.alert?.key || 0) + 1,
                };
                await this.afterShipped();
            }
        }
    }

    async onManualKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            ev.stopPropagation();
            const code = ev.target.value.trim();
            ev.target.value = "";
            if (code) {
                await this.onScan(code);
            }
        }
    }

    async onCamera() {
        let code;
        try {
            code = await scanBarcode(this.env);
        } catch (error) {
            this.state.alert = { ok: false, message: error.message || String(error), key: Date.now() };
            beep(false);
            return;
        }
        if (code) {
            await this.onScan(code);
        }
    }

    async openPicking(picking) {
        await this.onScan(picking.name);
    }

    async onValidate() {
        const result = await this.orm.call("order.hub.scan.station", "validate", [this.state.picking.id]);
        await this.applyResult(result);
    }

    onPrint() {
        const print = this.state.picking.print;
        this.actionService.doAction({ type: "ir.actions.act_url", url: print.url, target: "new" });
    }

    backToList() {
        this.state.picking = null;
        this.state.alert = null;
        if (!this.state.batch) {
            this.loadToday();
        }
    }

    leaveBatch() {
        this.state.batch = null;
        this.state.picking = null;
        this.state.alert = null;
        this.loadToday();
    }
}

registry.category("actions").add("order_hub_scan_station", OrderHubScanStation);

/** @odoo-module **/
/**
 * The warehouse scan station, in Chinese (the demo picker's language). The
 * Python side (order_hub_logistics/tests/test_scan_tours.py) creates a hub
 * order whose delivery is TOUR-SCAN-PICK: one BRK-2026-01 (6920261000011) and
 * one BRK-2026-02 (6920261000028).
 */
import { registry } from "@web/core/registry";

/** A hardware scanner: fast key presses ending with Enter, read by Odoo's barcodes service. */
function scan(barcode, content) {
    return {
        content: content || `scan ${barcode}`,
        trigger: ".o_hub_scan_station",
        run() {
            for (const key of [...barcode, "Enter"]) {
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
            }
        },
    };
}

const steps = () => [
    {
        content: "the picker lands on today's shipping list, in Chinese",
        trigger: ".o_hub_scan_today h2:contains(今日发货)",
    },
    {
        content: "the tour's delivery is listed with its product barcodes",
        trigger: ".o_hub_scan_row:contains(TOUR-SCAN-PICK):contains(6920261000028)",
    },
    {
        content: "type the delivery's barcode (a phone without scanner)",
        trigger: ".o_hub_scan_input",
        run: "edit TOUR-SCAN-PICK && press Enter",
    },
    {
        content: "the delivery opens with its lines to scan",
        trigger: ".o_hub_scan_picking_name:contains(TOUR-SCAN-PICK)",
    },
    scan("6920261999999", "a wrong barcode"),
    {
        content: "is refused with a visible alert",
        trigger: ".o_hub_scan_refused",
    },
    {
        content: "and counts nothing",
        trigger: ".o_hub_scan_picking:not(:has(.o_hub_scan_line_done)) .o_hub_scan_line[data-barcode='6920261000028']:contains(0 / 1)",
    },
    scan("6920261000028", "a right product"),
    {
        content: "is counted",
        trigger: ".o_hub_scan_ok ~ .o_hub_scan_picking .o_hub_scan_line_done[data-barcode='6920261000028']:contains(1 / 1)",
    },
    scan("6920261000028", "the same product once more"),
    {
        content: "is an over-scan: refused",
        trigger: ".o_hub_scan_refused:contains(超扫)",
    },
    {
        content: "the count stays at the demand",
        trigger: ".o_hub_scan_line[data-barcode='6920261000028']:contains(1 / 1)",
    },
    scan("6920261000011", "the last product"),
    {
        content: "the delivery is validated: the order is shipped and the slip can be printed",
        trigger: ".o_hub_scan_picking:has(.o_hub_scan_stage:contains(已发货)) .o_hub_scan_print",
    },
    {
        content: "back to the list",
        trigger: ".o_hub_scan_back",
        run: "click",
    },
    {
        content: "the shipped delivery left today's list",
        trigger: ".o_hub_scan_today:not(:has(.o_hub_scan_row:contains(TOUR-SCAN-PICK)))",
    },
];

registry.category("web_tour.tours").add("order_hub_scan_station", { steps });

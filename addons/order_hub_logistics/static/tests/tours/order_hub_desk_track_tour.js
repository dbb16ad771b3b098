/** @odoo-module **/
/**
 * 查物流 from the customer-service desk, in Chinese
 * (order_hub_logistics/tests/test_desk_track_tour.py ships "Desk Track Buyer"'s
 * order with a tracking number whose scans the Kuaidi100 sandbox holds).
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("order_hub_desk_track", {
    steps: () => [
        {
            content: "look for the shipped order",
            trigger: ".o_searchview_input",
            run: "edit Desk Track Buyer",
        },
        {
            content: "search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "open it from the desk",
            trigger: ".o_data_row:contains(Desk Track Buyer) td[name=partner_id]",
            run: "click",
        },
        {
            content: "查物流",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_hub_desk_track]:contains(查物流)",
            run: "click",
        },
        {
            content: "the dialog shows the carrier's latest scan",
            trigger: ".modal .o_field_widget[name=hub_tracking_event_ids] .o_data_row:contains(快件到达 杭州转运中心)",
        },
        {
            content: "and its first scan",
            trigger: ".modal .o_field_widget[name=hub_tracking_event_ids] .o_data_row:contains(顺丰速运 已收取快件)",
        },
        {
            content: "with the first scan's time, in Chinese",
            trigger: ".modal .o_form_label:contains(首次揽收)",
        },
        {
            content: "close the dialog",
            trigger: ".modal .modal-footer button:contains(关闭)",
            run: "click",
        },
        {
            content: "back on the order",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=partner_id]:contains(Desk Track Buyer)",
        },
    ],
});

/** @odoo-module **/
/**
 * The customer-service desk, in Chinese (order_hub/tests/test_desk_tours.py
 * makes four "Desk ..." orders: overdue, address anomaly, gift not shipped,
 * nothing urgent, plus a done and a cancelled one).
 */
import { registry } from "@web/core/registry";

// B listed after A (other hub orders of the demo database may be on the desk too)
const after = (a, b, item = ".o_data_row") => `${item}:contains(${a}) ~ ${item}:contains(${b})`;

registry.category("web_tour.tours").add("order_hub_desk", {
    steps: () => [
        {
            content: "look for the desk orders of this test",
            trigger: ".o_searchview_input",
            run: "edit Desk",
        },
        {
            content: "search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "the overdue order is tagged",
            trigger: ".o_data_row:contains(Desk Overdue Buyer):contains(逾期未响应)",
        },
        {
            content: "the address anomaly comes after it, tagged",
            trigger: `${after("Desk Overdue Buyer", "Desk Address Buyer")}:contains(地址异常)`,
        },
        {
            content: "then the gift not shipped",
            trigger: `${after("Desk Address Buyer", "Desk Gift Buyer")}:contains(赠品未发)`,
        },
        {
            content: "then the order with nothing urgent",
            trigger: after("Desk Gift Buyer", "Desk Plain Buyer"),
        },
        {
            content: "done and cancelled orders are not on the desk",
            trigger: ".o_content:not(:has(:contains(Desk Done Buyer))):not(:has(:contains(Desk Cancelled Buyer)))",
        },
        {
            content: "open the address anomaly",
            trigger: ".o_data_row:contains(Desk Address Buyer) td[name=partner_id]",
            run: "click",
        },
        {
            content: "the phone is a click-to-call link",
            trigger: ".o_field_widget[name=hub_desk_phone] a[href^='tel:']",
        },
        {
            content: "the customer's other order is one click away",
            trigger: "button[name=action_view_hub_customer_orders]",
        },
        {
            content: "改地址: open the address change",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_hub_change_address]",
            run: "click",
        },
        {
            content: "the new receiver",
            trigger: ".modal div[name=new_name] input",
            run: "edit 李四",
        },
        {
            content: "the new street",
            trigger: ".modal div[name=new_street] input",
            run: "edit 西湖路 1 号",
        },
        {
            content: "the reason",
            trigger: ".modal div[name=reason] textarea",
            run: "edit 客户搬家",
        },
        {
            content: "attach the customer's authorisation",
            trigger: ".modal div[name=attachment_ids] input[type=file]:not(:visible)",
            async run() {
                const input = document.querySelector(".modal div[name=attachment_ids] input[type=file]");
                const files = new DataTransfer();
                files.items.add(new File(["customer agrees"], "authorisation.png", { type: "image/png" }));
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "the authorisation is uploaded",
            trigger: ".modal div[name=attachment_ids]:contains(authorisation.png)",
        },
        {
            content: "apply",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "the order delivers to the new address: no more address to check",
            trigger: ".o_form_view:not(:has(.modal)):not(:has(.alert-warning:contains(Province not found)))",
        },
        {
            content: "back to the desk",
            trigger: ".o_breadcrumb a:contains(待处理订单)",
            run: "click",
        },
        {
            content: "the address tag is gone with its cause",
            trigger: ".o_data_row:contains(Desk Address Buyer):not(:contains(地址异常))",
        },
        {
            content: "it is no longer ranked above the gift not shipped",
            trigger: after("Desk Gift Buyer", "Desk Address Buyer"),
        },
    ],
});

registry.category("web_tour.tours").add("order_hub_desk_phone", {
    steps: () => [
        {
            content: "on a phone the desk shows cards, the overdue one first",
            trigger: `${after("Desk Overdue Buyer", "Desk Address Buyer", ".o_kanban_record")}:contains(地址异常)`,
        },
        {
            content: "each card has its quick actions",
            trigger: ".o_kanban_record:contains(Desk Overdue Buyer) button[name=action_hub_desk_change_address]",
        },
        {
            content: "the overdue card is tagged",
            trigger: ".o_kanban_record:contains(Desk Overdue Buyer):contains(逾期未响应)",
        },
        {
            content: "closed orders are not shown",
            trigger: ".o_content:not(:has(:contains(Desk Done Buyer))):not(:has(:contains(Desk Cancelled Buyer)))",
        },
    ],
});

registry.category("web_tour.tours").add("order_hub_desk_refund", {
    steps: () => [
        {
            content: "look for the paid order",
            trigger: ".o_searchview_input",
            run: "edit Desk Refund Buyer",
        },
        {
            content: "search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "open it",
            trigger: ".o_data_row:contains(Desk Refund Buyer) td[name=partner_id]",
            run: "click",
        },
        {
            content: "退差价",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_hub_desk_refund]",
            run: "click",
        },
        {
            content: "more than the customer paid",
            trigger: ".modal div[name=amount] input",
            run: "edit 9999",
        },
        {
            content: "a reason from the list",
            trigger: ".modal div[name=reason] select",
            run: 'select "price_drop"',
        },
        {
            content: "refund",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "refused, with the bound",
            trigger: ".modal .modal-body:contains(最多可退)",
        },
        {
            content: "a readable message, not a traceback",
            trigger:
                ".modal:contains(最多可退):not(:has(.o_error_detail)):not(:contains(Traceback)):not(:contains(odoo.exceptions))",
        },
        {
            content: "close the message",
            trigger: ".modal:contains(最多可退) .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "a difference within the bound",
            trigger: ".modal div[name=amount] input",
            run: "edit 10",
        },
        {
            content: "refund",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "refunded: the dialog closes and the order says so",
            trigger: ".o_form_view:not(:has(.modal)) .o-mail-Message:contains(已退差价)",
        },
    ],
});

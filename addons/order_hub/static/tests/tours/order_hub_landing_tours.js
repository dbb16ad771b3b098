/** @odoo-module **/
/**
 * Landing pages of the demo roles, in Chinese (the demo users' language).
 * The Python side (order_hub/tests/test_tours.py) creates a hub order of
 * "Tour Hub Buyer" (confirmed, on time), orders at risk and breached for
 * customer service, and an order outside the hub for "Outside The Hub"; the
 * tours fail on any JavaScript error (HttpCase.start_tour).
 */
import { registry } from "@web/core/registry";

const onlyHubOrders = [
    {
        content: "Odoo's own sales (other flows, Odoo's demo) are out of the hub's views",
        trigger: ".o_content:not(:has(:contains(Outside The Hub))):not(:has(:contains(Deco Addict)))",
    },
];

registry.category("web_tour.tours").add("order_hub_cs_landing", {
    steps: () => [
        {
            content: "customer service lands on its list, titled in Chinese",
            trigger: ".o_control_panel:contains(待处理订单)",
        },
        {
            content: "the columns speak Chinese",
            trigger: ".o_list_view th:contains(订单阶段)",
        },
        {
            content: "a hub order that needs the agent is listed with its amount in CNY",
            trigger: ".o_data_row:contains(Tour At Risk Buyer) td:contains(¥)",
        },
        {
            content: "an order at risk is coloured and tagged on the desk",
            trigger: ".o_data_row.text-warning:contains(Tour At Risk Buyer):contains(SLA 有风险)",
        },
        {
            content: "a confirmed hub order on time is the warehouse's work: not on the desk",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Tour Hub Buyer)))",
        },
        ...onlyHubOrders,
    ],
});

registry.category("web_tour.tours").add("order_hub_warehouse_landing", {
    steps: () => [
        {
            content: "the warehouse lands on its shipments, titled in Chinese (navbar on a phone)",
            trigger: ".o_main_navbar:contains(待备货发货单), .o_control_panel:contains(待备货发货单)",
        },
        {
            content: "the delivery of the hub order is there (buyer names are masked: the delivery's name)",
            trigger: ".o_content :contains(TOUR-HUB-PICK)",
        },
        {
            content: "deliveries of sales outside the hub are not",
            trigger: ".o_content:not(:has(:contains(TOUR-OUTSIDE-PICK)))",
        },
    ],
});

registry.category("web_tour.tours").add("order_hub_manager_settings", {
    steps: () => [
        {
            content: "the manager lands on all orders by stage, titled in Chinese",
            trigger: ".o_control_panel:contains(全部订单)",
        },
        {
            content: "the hub order's card shows its amount in CNY",
            trigger: ".o_kanban_record:contains(Tour Hub Buyer):contains(¥)",
        },
        ...onlyHubOrders,
        {
            content: "open the Configuration menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains(配置)",
            run: "click",
        },
        {
            content: "open the Order Hub settings (no administration rights needed)",
            trigger: ".o-dropdown-item:contains(Order Hub 设置)",
            run: "click",
        },
        {
            content: "the breadcrumb reads the screen's title, not New",
            trigger: ".o_breadcrumb .active:contains(Order Hub 设置)",
        },
        {
            content: "change the surge threshold",
            trigger: ".o_form_view div[name=surge_threshold] input",
            run: "edit 321",
        },
        {
            content: "save",
            trigger: ".o_form_view button[name=action_save]",
            run: "click",
        },
        {
            content: "the settings are saved",
            trigger: ".o_notification:contains(Order Hub 设置已保存)",
        },
    ],
});

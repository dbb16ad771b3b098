/** @odoo-module **/
/**
 * The manager dashboard, in Chinese: it renders (the tour fails on any
 * JavaScript error), changes period and opens the orders behind a figure.
 * The Python side (order_hub/tests/test_dashboard_tour.py) creates a
 * confirmed hub order of "Tour Hub Buyer" and an exception ticket on it.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("order_hub_manager_dashboard", {
    steps: () => [
        {
            content: "the dashboard is titled in Chinese",
            trigger: ".o_order_hub_dashboard h2:contains(经理看板)",
        },
        {
            content: "the health light is lit",
            trigger: ".o_order_hub_light[data-state]",
        },
        {
            content: "the exception pie is drawn",
            trigger: ".o_order_hub_pie canvas",
        },
        {
            content: "KPIs are there; self-service measured by the tracking page, else honestly not measured",
            trigger:
                ".o_order_hub_kpi[data-kpi='self_service'] a.o_order_hub_figure, " +
                ".o_order_hub_kpi[data-kpi='self_service']:contains(未衡量)",
        },
        {
            content: "choose the last 7 days",
            trigger: ".o_order_hub_period[data-period='7d']",
            run: "click",
        },
        {
            content: "the period is chosen",
            trigger: ".o_order_hub_period.btn-primary[data-period='7d']",
        },
        {
            content: "open the orders received",
            trigger: ".o_order_hub_funnel a[data-step='received']",
            run: "click",
        },
        {
            content: "the order behind the figure is listed",
            trigger: ".o_list_view .o_data_row:contains(Tour Hub Buyer)",
        },
    ],
});

/** @odoo-module **/

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const REFRESH_MS = 30000;
const PIE_COLORS = ["#d9534f", "#f0ad4e", "#5bc0de", "#5cb85c", "#428bca", "#9b59b6", "#95a5a6", "#e67e22"];

export class OrderHubDashboard extends Component {
    static template = "order_hub.Dashboard";
    static props = ["*"];

    /** the time of the last refresh, in the user's time zone and format */
    get refreshedAt() {
        const value = this.state.data && this.state.data.refreshed_at;
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.pieRef = useRef("pie");
        this.chart = null;
        this.state = useState({ period: "30d", data: null, error: null, loading: true });
        this.periods = [
            ["today", _t("Today")],
            ["7d", _t("7 days")],
            ["30d", _t("30 days")],
            ["90d", _t("90 days")],
            ["365d", _t("12 months")],
        ];
        this.healthTitles = {
            open: _t("Open orders with an SLA clock"),
            at_risk: _t("At risk or breached"),
            breached: _t("Past SLA deadline"),
            unhandled: _t("Unhandled for more than 2 hours"),
        };
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        onMounted(() => {
            this.renderPie();
            this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => {
            clearInterval(this.timer);
            if (this.chart) {
                this.chart.destroy();
            }
        });
    }

    async load() {
        try {
            this.state.data = await this.orm.call("order.hub.dashboard", "get_dashboard_data", [], {
                period: this.state.period,
            });
            this.state.error = null;
        } catch (error) {
            this.state.error = error.data?.message || error.message || String(error);
        }
        this.state.loading = false;
    }

    async refresh() {
        await this.load();
        this.renderPie();
    }

    async setPeriod(period) {
        this.state.period = period;
        await this.refresh();
    }

    renderPie() {
        const canvas = this.pieRef.el;
        if (!canvas || !this.state.data) {
            return;
        }
        const tickets = this.state.data.tickets;
        const config = {
            type: "pie",
            data: {
                labels: tickets.map((t) => t.label),
                datasets: [
                    {
                        data: tickets.map((t) => t.count),
                        backgroundColor: tickets.map((t, i) => PIE_COLORS[i % PIE_COLORS.length]),
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                plugins: { legend: { position: "bottom" } },
                onClick: (event, elements) => {
                    if (elements.length) {
                        const ticket = this.state.data.tickets[elements[0].index];
                        this.openOrders(ticket.domain, ticket.label);
                    }
                },
            },
        };
        if (this.chart) {
            this.chart.destroy();
        }
        this.chart = new window.Chart(canvas, config);
    }

    openOrders(domain, name) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: name,
            res_model: "sale.order",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: domain,
            context: { create: false },
            target: "current",
        });
    }

    get healthLabel() {
        const labels = {
            green: _t("Green: every open order within its SLA"),
            yellow: _t("Yellow: orders at risk or past their SLA"),
            red: _t("Red: a breached order unhandled for more than 2 hours"),
        };
        return labels[this.state.data.health.state];
    }

    kpiValue(kpi) {
        if (!kpi.measured) {
            return _t("Not measured");
        }
        if (kpi.percent === undefined || kpi.percent === null) {
            return kpi.count !== undefined ? String(kpi.count) : "–";
        }
        return `${kpi.percent}%`;
    }

    kpiDetail(kpi) {
        if (!kpi.measured || kpi.denominator === undefined) {
            return "";
        }
        return `${kpi.numerator} / ${kpi.denominator}`;
    }

    stepPercent(row, index) {
        const first = row.steps[0].count;
        return first ? Math.round((100 * row.steps[index].count) / first) : 0;
    }

    formatHours(hours) {
        return hours.toFixed(1);
    }
}

registry.category("actions").add("order_hub_dashboard", OrderHubDashboard);

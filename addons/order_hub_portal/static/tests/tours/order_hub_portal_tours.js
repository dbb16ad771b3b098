/** @odoo-module **/
/**
 * The public tracking page, in Chinese (order_hub_portal/tests/test_tours.py
 * creates order D209901-0001 whose receiver's phone ends with 5678, in the
 * Preparing stage). Fails on any JavaScript error.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("order_hub_portal_track", {
    steps: () => [
        {
            content: "the page speaks Chinese",
            trigger: "h1:contains(查询订单)",
        },
        {
            content: "type the serial",
            trigger: "input[name=serial]",
            run: "edit D209901-0001",
        },
        {
            content: "type the last 4 digits of the phone",
            trigger: "input[name=phone]",
            run: "edit 5678",
        },
        {
            content: "look the order up",
            trigger: ".o_hub_track_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the stage in plain words",
            trigger: ".o_hub_track_phrase:contains(仓库打包中)",
        },
        {
            content: "the timeline marks the current step",
            trigger: ".o_hub_track_steps li.fw-bold:contains(仓库打包中)",
        },
        {
            content: "open the address change form",
            trigger: ".o_hub_track_requests summary:contains(修改收货地址)",
            run: "click",
        },
        {
            content: "write the new address",
            trigger: ".o_hub_track_requests textarea[name=message]",
            run: "edit 浙江省杭州市西湖区文三路 200 号 张三 13812345678",
        },
        {
            content: "send the request",
            trigger: ".o_hub_track_requests details[open] button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "customer service has the request",
            trigger: ".o_hub_track_notice:contains(客服)",
        },
    ],
});

package io.couchwork.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import org.apache.camel.Exchange;

/** The JSON answers of the dashboard's API: {ok, message, ...}, with their HTTP status. */
final class ActionReply {

    private ActionReply() {}

    static ObjectNode ok(String message) {
        return Json.object().put("ok", true).put("message", message);
    }

    static ObjectNode error(String message) {
        return Json.object().put("ok", false).put("message", message);
    }

    static void send(Exchange exchange, int status, ObjectNode reply) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setBody(reply.toString());
    }
}

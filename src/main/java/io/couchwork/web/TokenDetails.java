package io.couchwork.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * The token view's data (GET /api/tokens/{id}): the token document as stored, attachments as stubs (name, type,
 * length; their content comes through {@link TokenAttachments}). Only tokens, as the attachment proxy: never a design
 * document or another document of the database.
 */
public class TokenDetails {

    private final CouchDatabase database;

    public TokenDetails(CouchDatabase database) {
        this.database = database;
    }

    public void fetch(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        exchange.getMessage().removeHeaders("*");
        Optional<ObjectNode> token = id == null || id.isEmpty() || id.startsWith("_") ? Optional.empty()
                : database.get(id).filter(TokenAttachments::isToken);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        if (token.isEmpty()) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setBody(ActionReply.error("No token '" + id + "'").toString());
            return;
        }
        exchange.getMessage().setBody(token.get().toString());
    }
}

package io.couchwork.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.cloud.cloudant.v1.model.GetAttachmentOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.TokenFields;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * The attachment proxy behind the dashboard's log links: serves a token's attachment with Couchwork's own credentials,
 * so a browser never needs CouchDB's. Only tokens' attachments, and always as plain text or a download, never as a page.
 */
public class TokenAttachments {

    private final CouchDatabase database;

    public TokenAttachments(CouchDatabase database) {
        this.database = database;
    }

    /** GET /api/tokens/{id}/attachments/{name}. */
    public void fetch(Exchange exchange) throws IOException {
        String id = exchange.getMessage().getHeader("id", String.class);
        String name = exchange.getMessage().getHeader("name", String.class);
        exchange.getMessage().removeHeaders("*");
        Optional<String> contentType = attachmentType(id, name);
        if (contentType.isEmpty()) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getMessage().setBody("No attachment '" + name + "' on token '" + id + "'\n");
            return;
        }
        try (InputStream in = database.client().getAttachment(new GetAttachmentOptions.Builder(database.name(), id, name)
                .build()).execute().getResult()) {
            exchange.getMessage().setBody(in.readAllBytes());
        }
        boolean text = contentType.get().startsWith("text/") || contentType.get().startsWith("application/json");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, text ? "text/plain; charset=utf-8"
                : "application/octet-stream");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        if (!text) {
            exchange.getMessage().setHeader("Content-Disposition", "attachment");
        }
    }

    /** A token document (PiCaS's lock and done fields), not a design, presence, workflow or control document. */
    static boolean isToken(JsonNode doc) {
        return doc.has(TokenFields.LOCK) && doc.has(TokenFields.DONE) && !doc.path("_id").asText().startsWith("_");
    }

    /** The attachment's stored content type, when {@code id} is a token (not a design or other document) that has it. */
    private Optional<String> attachmentType(String id, String name) {
        if (id == null || id.isEmpty() || id.startsWith("_") || name == null) {
            return Optional.empty();
        }
        return database.get(id).filter(TokenAttachments::isToken)
                .map(doc -> doc.path(TokenFields.ATTACHMENTS).path(name)).filter(JsonNode::isObject)
                .map(attachment -> attachment.path("content_type").asText("application/octet-stream"));
    }
}

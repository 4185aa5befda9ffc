package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.Json;
import io.couchwork.token.NewTokens;
import io.couchwork.token.TokenFields;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns the items of token files into PiCaS-format token documents: PiCaS's fields, then the template's, then the
 * item's own (objects merged field by field), with content ids from {@link TokenIds}; or, with a group size, one token
 * per N items holding them as a list (GRID_LRT's TokenSet).
 */
public final class TokenBuilder {

    private static final Set<String> NOT_ALLOWED = Set.of("_rev", "_deleted", "_attachments", "_conflicts");

    private final String set;
    private final ObjectNode template;
    private final int perToken;
    private final String field;
    private final NewTokens newTokens;
    private final TokenIds ids;
    private final boolean ownIds;

    /**
     * @param perToken 0: one token per item; N: one token per N items, as a list in {@code field}
     * @param salt     null for content ids that repeat across loads; anything else makes every token new
     */
    public TokenBuilder(String set, ObjectNode template, int perToken, String field, String salt, Clock clock) {
        this(set, template, perToken, field, new TokenIds(set, salt), true, clock);
    }

    private TokenBuilder(String set, ObjectNode template, int perToken, String field, TokenIds ids, boolean ownIds,
            Clock clock) {
        this.set = set;
        this.template = template == null ? Json.object() : template;
        this.perToken = perToken;
        this.field = field;
        this.newTokens = new NewTokens(set, clock);
        this.ids = ids;
        this.ownIds = ownIds;
        check(this.template, "template");
        if (this.template.has("_id")) {
            throw new InvalidTokenFileException("template", "_id is not allowed in a template: every token would get it");
        }
    }

    /**
     * Tokens of one run of a recurring set, one per item of the file: ids {@link TokenIds#ofRun}, so that loading the
     * run again (another worker, a retry) meets the same ids, and an {@code _id} of the file's own is refused, since
     * every run would write it again.
     */
    public static TokenBuilder forRun(String set, String run, Clock clock) {
        return new TokenBuilder(set, null, 0, TokenFields.INPUT, TokenIds.ofRun(set, run), false, clock);
    }

    /** The tokens of one file's items, in file order; throws on the first item that cannot be a token. */
    public List<ObjectNode> build(List<TokenInput> inputs) {
        List<ObjectNode> tokens = new ArrayList<>();
        if (perToken > 0) {
            for (int from = 0; from < inputs.size(); from += perToken) {
                List<TokenInput> group = inputs.subList(from, Math.min(inputs.size(), from + perToken));
                ArrayNode list = Json.MAPPER.createArrayNode();
                group.forEach(input -> list.add(input.item()));
                ObjectNode item = Json.object();
                item.set(field, list);
                tokens.add(token(item, group.get(0).where()));
            }
        } else {
            for (TokenInput input : inputs) {
                ObjectNode item;
                if (input.item().isObject()) {
                    item = (ObjectNode) input.item();
                } else if (input.item().isNull()) {
                    throw new InvalidTokenFileException(input.where(), "null is not a token");
                } else {
                    item = Json.object();
                    item.set(field, input.item());
                }
                tokens.add(token(item, input.where()));
            }
        }
        return tokens;
    }

    private ObjectNode token(ObjectNode item, String where) {
        check(item, where);
        if (!ownIds && item.has("_id")) {
            throw new InvalidTokenFileException(where, "_id is not allowed in a recurring token set: every run would"
                    + " write the same id (ids are made per run)");
        }
        ObjectNode doc = newTokens.token(Json.object(), 0); // PiCaS's Task: input {} unless given
        doc.remove("_id");
        merge(doc, template);
        merge(doc, item);
        JsonNode explicitId = item.get("_id");
        ObjectNode content = doc.deepCopy();
        TokenIds.NOT_CONTENT.forEach(content::remove);
        ObjectNode token = Json.object();
        token.put("_id", explicitId != null ? explicitId.asText() : ids.next(content));
        doc.remove("_id");
        token.setAll(doc);
        return token;
    }

    private void check(ObjectNode fields, String where) {
        for (String name : NOT_ALLOWED) {
            if (fields.has(name)) {
                throw new InvalidTokenFileException(where, "field '" + name + "' is not allowed in a new token");
            }
        }
        JsonNode id = fields.get("_id");
        if (id != null && (!id.isTextual() || id.asText().isEmpty() || id.asText().startsWith("_"))) {
            throw new InvalidTokenFileException(where, "_id must be a text not starting with _, not " + id);
        }
        JsonNode type = fields.get(TokenFields.TYPE);
        if (type != null && !set.equals(type.asText())) {
            throw new InvalidTokenFileException(where, "type " + type + " but loading into set '" + set
                    + "' (drop the field or use --set " + type.asText() + ")");
        }
    }

    /** Objects merge field by field; anything else replaces. */
    private static void merge(ObjectNode target, ObjectNode source) {
        source.fields().forEachRemaining(entry -> {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue() instanceof ObjectNode sourceObject) {
                merge(existingObject, sourceObject);
            } else {
                target.set(entry.getKey(), entry.getValue().deepCopy());
            }
        });
    }
}

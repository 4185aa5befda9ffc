package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Token ids from content: {@code <set>_<hash>}, so loading the same file again meets the same ids (CouchDB answers 409)
 * instead of duplicating the tokens, and no id is ever reused for other work (PiCaS's token_<count+i> is, after
 * deletions). Identical tokens within one load get distinct ids by their occurrence; a salt makes a deliberate reload new.
 */
public final class TokenIds {

    private final String prefix;
    private final String salt;
    private final Map<String, Integer> occurrences = new HashMap<>();

    /** {@code salt} null: the same content always gets the same id. */
    public TokenIds(String set, String salt) {
        this.prefix = set;
        this.salt = salt;
    }

    /** Ids {@code <set>_<run>_<hash>}: the same for the same run and content, new for every other run. */
    public static TokenIds ofRun(String set, String run) {
        return new TokenIds(set + "_" + run, null);
    }

    /** The id of the next token with this content (fields other than _id and created). */
    public String next(ObjectNode content) {
        String canonical = Json.text(canonical(content));
        int occurrence = occurrences.merge(canonical, 1, Integer::sum) - 1;
        String input = canonical + "\n" + occurrence + (salt == null ? "" : "\n" + salt);
        return prefix + "_" + HexFormat.of().formatHex(sha256(input), 0, 16);
    }

    /** The same value with object fields sorted by name at every level: equal content, equal text. */
    static JsonNode canonical(JsonNode value) {
        if (value.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            value.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonical(e.getValue())));
            ObjectNode result = Json.object();
            sorted.forEach(result::set);
            return result;
        }
        if (value.isArray()) {
            ArrayNode result = Json.MAPPER.createArrayNode();
            value.forEach(element -> result.add(canonical(element)));
            return result;
        }
        return value;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fields left out of the hash: the id itself and the creation time, which differs between loads. */
    static final List<String> NOT_CONTENT = List.of("_id", "created");
}

package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reports each token a worker cannot run with one warning naming it and what is wrong, once per revision. */
public final class InvalidTokens {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidTokens.class);
    private static final int REMEMBERED = 10_000;

    private final Map<String, String> reported = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });

    /** True (after warning, the first time for this revision) when the document cannot be run. */
    public boolean check(JsonNode doc) {
        Optional<String> problem = TokenProblems.of(doc);
        if (problem.isEmpty()) {
            return false;
        }
        String id = doc.path("_id").asText();
        String rev = doc.path("_rev").asText("");
        if (!rev.equals(reported.put(id, rev))) {
            LOG.warn("Token {} (type {}) cannot be run and is left untouched: {}; fix the document to have it run",
                    id, doc.path(TokenFields.TYPE).asText(), problem.get());
        }
        return true;
    }

    /** Tokens reported so far (remembered ones). */
    public int count() {
        return reported.size();
    }
}

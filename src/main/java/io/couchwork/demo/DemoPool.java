package io.couchwork.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.token.NewTokens;
import io.couchwork.token.TokenFields;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The demo's pool: N tokens whose input is a number; every 100th fails its first attempt to show retries. */
public final class DemoPool {

    /** Squares the token's input; every 100th token fails its first attempt, so the demo shows a retry. */
    public static final String COMMAND = "if [ $((TOKEN_INPUT % 100)) -eq 0 ] && [ -z \"$TOKEN_ATTEMPTS\" ]; then"
            + " echo 'flaky on first try' >&2; exit 1; fi; echo $((TOKEN_INPUT * TOKEN_INPUT))";
    private static final int BATCH = 500;

    private DemoPool() {}

    /** Creates the tokens with _bulk_docs; returns how many were written. */
    public static int create(CouchDatabase database, int count, Clock clock) {
        NewTokens tokens = new NewTokens("token", clock);
        int written = 0;
        for (int start = 1; start <= count; start += BATCH) {
            List<ObjectNode> batch = new ArrayList<>();
            for (int i = start; i < start + BATCH && i <= count; i++) {
                // a few urgent tokens jump the queue
                batch.add(tokens.token(IntNode.valueOf(i), i % 50 == 0 ? 10 : 0));
            }
            for (WriteResult result : database.bulkWrite(batch)) {
                if (result.ok()) {
                    written++;
                }
            }
        }
        return written;
    }

    /** Executions beyond the first, summed over the tokens (from their run history). */
    public static long retries(List<JsonNode> docs) {
        long retries = 0;
        for (JsonNode doc : docs) {
            retries += Math.max(0, doc.path(TokenFields.RUNS).size() - 1);
        }
        return retries;
    }
}

package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.Token;
import io.couchwork.token.TokenState;
import java.util.HashSet;
import java.util.Set;

/**
 * Waits for tokens to be finished by following the _changes feed, not a view: a view read while workers drain the pool
 * would cost the server an index update of its own and slow down what is being measured.
 */
final class DoneWatch {

    private final LongpollFeed feed;
    private final Set<String> finished = new HashSet<>();
    private final Set<String> failed = new HashSet<>();
    private String since = "0";

    DoneWatch(CouchDatabase database) {
        this.feed = new LongpollFeed(database);
    }

    /** Returns once at least {@code count} tokens are done or in error; reads at most every 100 ms, in big batches. */
    void awaitFinished(int count) {
        boolean first = true;
        while (finished.size() < count) {
            if (!first) {
                pause();
            }
            first = false;
            JsonNode result;
            try {
                result = feed.read(since, 1000);
            } catch (RuntimeException timeout) {
                continue; // a longpoll that timed out: ask again
            }
            since = result.path("last_seq").asText(since);
            for (JsonNode change : result.path("results")) {
                JsonNode doc = change.path("doc");
                if (doc.isObject()) {
                    TokenState state = new Token((com.fasterxml.jackson.databind.node.ObjectNode) doc).state();
                    if (state == TokenState.DONE || state == TokenState.ERROR) {
                        finished.add(doc.path("_id").asText());
                    }
                    if (state == TokenState.ERROR) {
                        failed.add(doc.path("_id").asText());
                    }
                }
            }
        }
    }

    /** Tokens seen in the error state. */
    int errors() {
        return failed.size();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

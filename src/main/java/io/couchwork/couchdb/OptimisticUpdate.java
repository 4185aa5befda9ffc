package io.couchwork.couchdb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A read-modify-write of one document under CouchDB's optimistic concurrency: decide on the current revision, write the
 * decision with that revision's _rev, and after a conflict read the document again and decide again, a bounded number
 * of times.
 */
public final class OptimisticUpdate {

    /** Writes per update before giving up: a document that changes this often under us is contended, not unlucky. */
    public static final int DEFAULT_MAX_WRITES = 5;

    private final CouchDatabase database;
    private final int maxWrites;

    public OptimisticUpdate(CouchDatabase database) {
        this(database, DEFAULT_MAX_WRITES);
    }

    public OptimisticUpdate(CouchDatabase database, int maxWrites) {
        if (maxWrites < 1) {
            throw new IllegalArgumentException("an update needs at least one write, not " + maxWrites);
        }
        this.database = database;
        this.maxWrites = maxWrites;
    }

    /**
     * What to make of the document as read: a new version to write ({@code next}), or none; with the caller's result
     * either way.
     */
    public record Decision<T>(ObjectNode next, T result) {

        /**
         * Write {@code next}, a changed copy of the document as read (with its _rev; without one for a document that
         * does not exist); once written it carries its new _rev, and the update ends with {@code result}.
         */
        public static <T> Decision<T> write(ObjectNode next, T result) {
            return new Decision<>(Objects.requireNonNull(next, "next"), result);
        }

        /** Write nothing: the update ends with {@code result}. */
        public static <T> Decision<T> keep(T result) {
            return new Decision<>(null, result);
        }

        public boolean writes() {
            return next != null;
        }
    }

    /**
     * Reads document {@code id} (empty when it does not exist or was deleted) and updates it as {@code decide} says,
     * until a write goes through or there is nothing left to write; returns that decision's result. {@code decide}
     * must not change the document it is given, and may run several times.
     *
     * @throws DocumentKeptChangingException when the last write allowed conflicted too and the document as read
     *     after it still needs a write
     * @throws DocumentRejectedException when the server refused a write for another reason than a conflict
     */
    public <T> T update(String id, Function<Optional<ObjectNode>, Decision<T>> decide) {
        return update(id, database.get(id), decide);
    }

    /**
     * As {@link #update(String, Function)}, starting from a revision in hand (from a changes feed, say): the
     * document is read only after a conflict. The first decision is made on {@code current} itself.
     */
    public <T> T update(ObjectNode current, Function<Optional<ObjectNode>, Decision<T>> decide) {
        return update(current.path("_id").asText(), Optional.of(current), decide);
    }

    private <T> T update(String id, Optional<ObjectNode> current, Function<Optional<ObjectNode>, Decision<T>> decide) {
        int writes = 0;
        while (true) {
            Decision<T> decision = decide.apply(current);
            if (!decision.writes()) {
                return decision.result();
            }
            // decided once more after the last conflict: a document that meanwhile needs no write ends it well
            if (writes == maxWrites) {
                throw new DocumentKeptChangingException(id, writes);
            }
            WriteResult result = database.put(decision.next());
            writes++;
            if (result.ok()) {
                decision.next().put("_rev", result.rev());
                return decision.result();
            }
            if (!result.conflict()) {
                throw new DocumentRejectedException(id, result);
            }
            current = database.get(id);
        }
    }
}

package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.WriteResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Applies a {@link TokenChange} to selected tokens in batches: each batch is read fresh (_all_docs with keys), re-checked
 * against the selection (a token that moved on meanwhile is skipped), changed and written in one _bulk_docs request;
 * or, in a dry run, only described.
 */
public final class TokenUpdater {

    /** Keeps requests with inline attachments well under CouchDB's limits. */
    static final long MAX_REQUEST_BYTES = 8L * 1024 * 1024;

    private final CouchDatabase database;
    private final int batchSize;
    private final Clock clock;
    private final OpsProgress progress;

    public TokenUpdater(CouchDatabase database, int batchSize, Clock clock, OpsProgress progress) {
        this.database = database;
        this.batchSize = batchSize;
        this.clock = clock;
        this.progress = progress;
    }

    /** Changes the tokens and writes them. */
    public WriteSummary apply(List<String> ids, TokenSelection selection, TokenChange change) {
        return run(ids, selection, change, null);
    }

    /** Describes, one line per token, what {@link #apply} would write; writes nothing. Skipped: unchanged tokens. */
    public WriteSummary dryRun(List<String> ids, TokenSelection selection, TokenChange change, Consumer<String> lines) {
        return run(ids, selection, change, lines);
    }

    private WriteSummary run(List<String> ids, TokenSelection selection, TokenChange change, Consumer<String> preview) {
        WriteSummary summary = new WriteSummary();
        BulkWriter writer = new BulkWriter(database, Integer.MAX_VALUE);
        int size = batchSize(change);
        for (int from = 0; from < ids.size(); from += size) {
            List<ObjectNode> changed = new ArrayList<>();
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + size));
            List<ObjectNode> tokens = database.getAll(batch);
            for (int gone = tokens.size(); gone < batch.size(); gone++) {
                summary.skip(); // deleted since it was selected
            }
            for (ObjectNode token : tokens) {
                Optional<ObjectNode> next = selection.matches(token, clock.instant()) ? change.apply(token)
                        : Optional.empty();
                if (next.isEmpty()) {
                    summary.skip();
                } else if (preview != null) {
                    preview.accept(token.path("_id").asText() + ": " + FieldDiff.describe(token, next.get()));
                    summary.add(new WriteResult(token.path("_id").asText(), null, null, null));
                } else {
                    changed.add(next.get());
                }
            }
            if (!changed.isEmpty()) {
                writer.writeBatch(changed, summary);
            }
            progress.update(change.verb(), Math.min(ids.size(), from + size), ids.size());
        }
        progress.finish();
        return summary;
    }

    private int batchSize(TokenChange change) {
        long extra = change.extraBytesPerDocument();
        if (extra == 0) {
            return batchSize;
        }
        return (int) Math.max(1, Math.min(batchSize, MAX_REQUEST_BYTES / extra));
    }
}

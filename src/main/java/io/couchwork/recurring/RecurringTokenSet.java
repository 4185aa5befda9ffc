package io.couchwork.recurring;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.InvalidTokenFileException;
import io.couchwork.ops.OpsProgress;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.TokenBuilder;
import io.couchwork.ops.TokenFileFormat;
import io.couchwork.ops.TokenFileReader;
import io.couchwork.ops.TokenLoader;
import io.couchwork.ops.WriteSummary;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.apache.camel.Header;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a token file into the pool at every firing of a schedule, as {@code couchwork load} loads it, under ids made
 * from the firing's run: every worker that fires for the same run writes the same ids, and CouchDB keeps one copy.
 */
public final class RecurringTokenSet {

    private static final Logger LOG = LoggerFactory.getLogger(RecurringTokenSet.class);
    private static final int BATCH_SIZE = 500;
    private static final int FAILURES_LISTED = 5;

    private final CouchDatabase database;
    private final Path file;
    private final String set;
    private final Clock clock;

    public RecurringTokenSet(CouchDatabase database, Path file, String set, Clock clock) {
        this.database = database;
        this.file = file;
        this.set = set;
        this.clock = clock;
    }

    /** For a quartz: route: loads the run of this firing (see {@link CronRun}). */
    public RecurringRun loadFiring(@Header("scheduledFireTime") Date scheduledFireTime, @Header("trigger") Trigger trigger) {
        if (scheduledFireTime == null) {
            throw new IllegalArgumentException("recurringTokenSet.loadFiring needs a quartz: endpoint (its headers"
                    + " scheduledFireTime and trigger name the run)");
        }
        return load(CronRun.of(scheduledFireTime, trigger));
    }

    /**
     * Loads the file, read anew, as the tokens of this run. A file that cannot be loaded is logged and reported, not
     * thrown: retrying would not mend it, and the next firing reads it again. Server failures are thrown, for the route
     * to retry: the ids make a retry write only what is missing.
     */
    public RecurringRun load(Instant run) {
        String stamp = CronRun.stamp(run);
        List<ObjectNode> tokens;
        try {
            tokens = TokenBuilder.forRun(set, stamp, clock).build(TokenFileReader.read(file, TokenFileFormat.AUTO));
        } catch (InvalidTokenFileException e) {
            return notLoaded(stamp, e.getMessage());
        } catch (UncheckedIOException e) {
            return notLoaded(stamp, file + ": cannot read: " + e.getCause().getMessage());
        }
        if (tokens.isEmpty()) {
            LOG.warn("Run {} of token set '{}': {} holds no tokens; nothing loaded", stamp, set, file);
            return new RecurringRun(stamp, new WriteSummary(), null);
        }
        WriteSummary written;
        try {
            written = new TokenLoader(database, BATCH_SIZE).load(set, tokens, OpsProgress.QUIET);
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, "loading run " + stamp + " of token set '" + set + "'");
        }
        report(stamp, written);
        return new RecurringRun(stamp, written, null);
    }

    private RecurringRun notLoaded(String stamp, String problem) {
        LOG.error("Run {} of token set '{}' not loaded: {} (couchwork.recurring.file)", stamp, set, problem);
        return RecurringRun.notLoaded(stamp, problem);
    }

    private void report(String stamp, WriteSummary written) {
        int already = written.conflicts().size();
        LOG.info("Run {} of token set '{}' from {}: {} created, {} already loaded{}", stamp, set, file, written.ok(),
                already, written.ok() == 0 && already > 0 ? " (by another worker or an earlier firing)" : "");
        List<String> failures = written.failures();
        if (!failures.isEmpty()) {
            LOG.error("Run {} of token set '{}': {} tokens not written: {}{}", stamp, set, failures.size(),
                    String.join(", ", failures.subList(0, Math.min(FAILURES_LISTED, failures.size()))),
                    failures.size() > FAILURES_LISTED ? " and " + (failures.size() - FAILURES_LISTED) + " more" : "");
        }
    }
}

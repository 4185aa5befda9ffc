package io.couchwork.status;

import java.util.List;
import java.util.Map;

/**
 * A token pool at one moment: whether claiming is paused, counts, throughput and drain estimate per token set, workers,
 * errors grouped by message, dead letters and workflow documents per flow and state.
 * Times are epoch seconds; serialized with snake_case names, as `status --json` and `GET /api/status` give it.
 */
public record PoolStatus(String database, long generated, Claiming claiming, List<SetStatus> sets, List<WorkerSeen> workers,
        List<ErrorCount> errorSummary, List<RecentError> recentErrors, DeadLetterSummary deadLetters,
        List<FlowStatus> flows) {

    /** Claiming paused for every worker on the pool (io.couchwork.token.ClaimingSwitch), by whom and since when. */
    public record Claiming(boolean paused, String pausedBy, Long pausedAt) {}

    /**
     * One token set (token type). {@code duplicateExecutions}: executions that ran although another run of the same
     * token had or would finish it (replicas that both ran it, a lease that ran out while its worker lived), as the
     * tokens' runs record them.
     */
    public record SetStatus(String type, Map<String, Long> counts, long total, long pending, Throughput throughput,
            Long drainSeconds, OldestLock oldestLock, long duplicateExecutions) {}

    /** Tokens done per minute over the last minutes, and per minute for the chart (oldest first, minute start times). */
    public record Throughput(double perMinute, int windowMinutes, List<MinuteCount> series) {}

    public record MinuteCount(long minute, long done) {}

    public record OldestLock(String token, long since, long ageSeconds) {}

    /**
     * A running worker: one whose presence document was refreshed within the last leases ({@code presence} "live", or
     * "late" once it missed its promised refreshes), or one without any (a PiCaS pilot: "none") that holds tokens.
     * {@code claimingPaused}: what its presence document says, null when it says nothing.
     */
    public record WorkerSeen(String workerId, String hostname, long inFlight, long lastSeen, String presence,
            Boolean claimingPaused) {}

    /**
     * Tokens of a set in the error state whose last messages normalize to {@code message} (ids, numbers and paths'
     * variable parts replaced, see {@link MessageNormalizer}); {@code example}: one of those messages as it is.
     */
    public record ErrorCount(String type, String message, long count, String example) {}

    public record RecentError(String token, String type, String state, long time, String message,
            List<String> attachments) {}

    /**
     * Documents of one flow per state: its declared states first (zeros included), then any other state they are in
     * (dead_letter, say). A document type with states but no states file is listed as a flow of its own name,
     * {@code declared} false.
     */
    public record FlowStatus(String flow, List<String> types, Map<String, Long> counts, long total,
            boolean declared) {}

    public record DeadLetterSummary(long count, DeadLetter latest) {}

    public record DeadLetter(String id, String docId, String docType, String state, String route, String cause,
            long time) {}
}

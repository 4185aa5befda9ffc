package io.couchwork.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.flow.FlowCounts;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.flow.FlowStates;
import io.couchwork.flow.FlowViews;
import io.couchwork.status.PoolStatus.Claiming;
import io.couchwork.status.PoolStatus.DeadLetter;
import io.couchwork.status.PoolStatus.DeadLetterSummary;
import io.couchwork.status.PoolStatus.ErrorCount;
import io.couchwork.status.PoolStatus.FlowStatus;
import io.couchwork.status.PoolStatus.MinuteCount;
import io.couchwork.status.PoolStatus.OldestLock;
import io.couchwork.status.PoolStatus.RecentError;
import io.couchwork.status.PoolStatus.SetStatus;
import io.couchwork.status.PoolStatus.Throughput;
import io.couchwork.status.PoolStatus.WorkerSeen;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.TokenCounts;
import io.couchwork.token.TokenFields;
import io.couchwork.token.TokenState;
import io.couchwork.token.TokenViews;
import io.couchwork.token.WorkerPresence;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Computes a {@link PoolStatus} from Couchwork's states and activity views: a handful of view reads per token set. */
public class PoolStatusReader {

    private static final Logger LOG = LoggerFactory.getLogger(PoolStatusReader.class);
    /** Minutes the throughput rate (and so the drain estimate) is averaged over. */
    static final int RATE_MINUTES = 5;
    /** Minutes of per-minute counts for the chart. */
    static final int SERIES_MINUTES = 15;
    /** A worker is listed until this many leases passed without a refresh of its presence document. */
    static final int WORKER_AGE_OUT_LEASES = 3;
    /** A worker renews its leases, and refreshes its presence, every third of a lease. */
    private static final int REFRESHES_PER_LEASE = 3;
    static final int RECENT_ERRORS = 10;
    static final int ERROR_MESSAGES = 10;

    private final CouchDatabase database;
    private final Clock clock;
    private final ActivityView activity;
    private final FlowDefinitions flows;
    private volatile boolean viewsChecked;

    public PoolStatusReader(CouchDatabase database, Clock clock) {
        this(database, clock, FlowDefinitions.none());
    }

    public PoolStatusReader(CouchDatabase database, Clock clock, FlowDefinitions flows) {
        this.database = database;
        this.clock = clock;
        this.activity = new ActivityView(database);
        this.flows = flows;
    }

    /** The status of every token set. */
    public PoolStatus read() {
        return read(Optional.empty());
    }

    /** The status of one token set, or of every one when {@code onlySet} is empty. */
    public PoolStatus read(Optional<String> onlySet) {
        ensureViews();
        long now = clock.instant().getEpochSecond();
        TokenCounts counts = TokenCounts.read(database);
        List<String> types = onlySet.map(List::of).orElseGet(() -> new ArrayList<>(counts.byType().keySet()));
        List<SetStatus> sets = new ArrayList<>();
        Map<String, WorkerSeen> workers = new LinkedHashMap<>();
        List<ErrorCount> messages = new ArrayList<>();
        List<RecentError> recent = new ArrayList<>();
        for (String type : types) {
            sets.add(set(type, counts, now));
            workers(type, workers);
            messages.addAll(errorGroups(type));
            recent.addAll(recentErrors(type));
        }
        messages.sort(Comparator.comparingLong(ErrorCount::count).reversed().thenComparing(ErrorCount::message));
        recent.sort(Comparator.comparingLong(RecentError::time).reversed().thenComparing(RecentError::token));
        return new PoolStatus(database.name(), now, claiming(), sets, running(workers, now),
                limit(messages, ERROR_MESSAGES), limit(recent, RECENT_ERRORS), deadLetters(), flows());
    }

    private Claiming claiming() {
        ClaimingSwitch.State state = ClaimingSwitch.read(database);
        return new Claiming(state.paused(), state.pausedBy(), state.pausedAt());
    }

    /**
     * The workers still running: those whose presence document was refreshed within the last few leases (a stopped
     * worker deletes its own; a dead one's ages out), and those without one that hold tokens (PiCaS pilots).
     */
    private List<WorkerSeen> running(Map<String, WorkerSeen> fromTokens, long now) {
        Map<String, WorkerSeen> byId = new HashMap<>();
        fromTokens.values().forEach(w -> byId.merge(w.workerId(), w, (a, b) -> a.inFlight() >= b.inFlight() ? a : b));
        List<WorkerSeen> running = new ArrayList<>();
        Set<String> announced = new TreeSet<>();
        for (JsonNode doc : database.withIdPrefix(WorkerPresence.ID_PREFIX)) {
            String workerId = doc.path(TokenFields.WORKER_ID).asText(
                    doc.path("_id").asText().substring(WorkerPresence.ID_PREFIX.length()));
            announced.add(workerId);
            long seen = doc.path("seen").asLong(0);
            long lease = WorkerPresence.refreshSeconds(doc) * REFRESHES_PER_LEASE;
            if (now > seen + WORKER_AGE_OUT_LEASES * lease) {
                continue;
            }
            WorkerSeen tokens = byId.get(workerId);
            running.add(new WorkerSeen(workerId, doc.path(TokenFields.HOSTNAME).asText(""),
                    tokens == null ? 0 : tokens.inFlight(), Math.max(seen, tokens == null ? 0 : tokens.lastSeen()),
                    now <= doc.path("alive_until").asLong(0) ? "live" : "late",
                    doc.has(ClaimingSwitch.PAUSED) ? doc.path(ClaimingSwitch.PAUSED).asBoolean() : null));
        }
        fromTokens.values().stream().filter(w -> w.inFlight() > 0 && !announced.contains(w.workerId()))
                .forEach(running::add);
        running.sort(Comparator.comparing(WorkerSeen::hostname).thenComparing(WorkerSeen::workerId));
        return running;
    }

    /** Every declared flow's documents per state, then each undeclared document type's. */
    public List<FlowStatus> flows() {
        ensureViews();
        FlowCounts counts = FlowCounts.read(database);
        List<FlowStatus> result = new ArrayList<>();
        Set<String> undeclared = new TreeSet<>(counts.byType().keySet());
        for (FlowStates flow : flows.all()) {
            Map<String, Long> byState = new LinkedHashMap<>();
            flow.states().forEach(state -> byState.put(state, 0L));
            byState.putAll(counts.of(flow.types()));
            undeclared.removeAll(flow.types());
            result.add(new FlowStatus(flow.name(), flow.types(), byState, total(byState), true));
        }
        for (String type : undeclared) {
            Map<String, Long> byState = counts.of(List.of(type));
            result.add(new FlowStatus(type, List.of(type), byState, total(byState), false));
        }
        return result;
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private SetStatus set(String type, TokenCounts counts, long now) {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (TokenState state : TokenState.values()) {
            byState.put(state.viewName(), counts.count(type, state));
        }
        long pending = counts.pending(type);
        Throughput throughput = throughput(type, now);
        Long drain = pending == 0 ? Long.valueOf(0)
                : throughput.perMinute() > 0 ? Long.valueOf(Math.round(pending * 60 / throughput.perMinute())) : null;
        return new SetStatus(type, byState, counts.total(type), pending, throughput, drain, oldestLock(type, now),
                activity.total(type, TokenViews.DUPLICATES).path("sum").asLong(0));
    }

    /** Done tokens per minute: the chart's series and the rate over the last {@link #RATE_MINUTES} minutes. */
    private Throughput throughput(String type, long now) {
        long currentMinute = now / 60 * 60;
        long firstMinute = currentMinute - (SERIES_MINUTES - 1) * 60L;
        long[] perMinute = new long[SERIES_MINUTES];
        long inRateWindow = 0;
        for (JsonNode row : activity.grouped(type, TokenViews.DONE_AT, firstMinute, now, 3)) {
            long doneAt = row.path("key").path(2).asLong();
            long count = row.path("value").path("count").asLong();
            int bucket = (int) ((doneAt / 60 * 60 - firstMinute) / 60);
            if (bucket >= 0 && bucket < SERIES_MINUTES) {
                perMinute[bucket] += count;
            }
            if (doneAt > now - RATE_MINUTES * 60L) {
                inRateWindow += count;
            }
        }
        List<MinuteCount> series = new ArrayList<>(SERIES_MINUTES);
        for (int i = 0; i < SERIES_MINUTES; i++) {
            series.add(new MinuteCount(firstMinute + i * 60L, perMinute[i]));
        }
        double rate = Math.round(inRateWindow * 100.0 / RATE_MINUTES) / 100.0;
        return new Throughput(rate, RATE_MINUTES, series);
    }

    private OldestLock oldestLock(String type, long now) {
        List<JsonNode> rows = activity.rows(type, TokenViews.LOCKED_AT, false, 1, false);
        if (rows.isEmpty()) {
            return null;
        }
        long since = rows.get(0).path("key").path(2).asLong();
        return new OldestLock(rows.get(0).path("id").asText(), since, Math.max(0, now - since));
    }

    /** Adds this set's workers: tokens in flight and when each was last seen claiming or finishing. */
    private void workers(String type, Map<String, WorkerSeen> workers) {
        for (JsonNode row : activity.grouped(type, TokenViews.WORKER, null, null, 5)) {
            JsonNode key = row.path("key");
            String workerId = key.path(2).asText();
            String hostname = key.path(3).asText();
            boolean locked = TokenViews.LOCKED_AT.equals(key.path(4).asText());
            long count = row.path("value").path("count").asLong();
            long last = row.path("value").path("max").asLong();
            workers.merge(workerId + "\n" + hostname,
                    new WorkerSeen(workerId, hostname, locked ? count : 0, last, "none", null),
                    (a, b) -> new WorkerSeen(workerId, hostname, a.inFlight() + b.inFlight(),
                            Math.max(a.lastSeen(), b.lastSeen()), "none", null));
        }
    }

    /** The set's error-state tokens per normalized last message, each group with its most frequent message. */
    private List<ErrorCount> errorGroups(String type) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, String> examples = new HashMap<>();
        Map<String, Long> exampleCounts = new HashMap<>();
        for (JsonNode row : activity.grouped(type, TokenViews.ERROR_MESSAGE, null, null, 3)) {
            String message = row.path("key").path(2).asText();
            long count = row.path("value").path("count").asLong();
            String group = MessageNormalizer.normalize(message);
            counts.merge(group, count, Long::sum);
            if (count > exampleCounts.getOrDefault(group, 0L)) {
                examples.put(group, message);
                exampleCounts.put(group, count);
            }
        }
        List<ErrorCount> groups = new ArrayList<>();
        counts.forEach((group, count) -> groups.add(new ErrorCount(type, group, count, examples.get(group))));
        return groups;
    }

    /** The ids and last messages of a set's error-state tokens whose message normalizes to {@code group}. */
    public Map<String, String> errorTokens(String type, String group, int max) {
        ensureViews();
        Map<String, String> tokens = new LinkedHashMap<>();
        for (JsonNode row : activity.rows(type, TokenViews.ERROR_MESSAGE)) {
            String message = row.path("key").path(2).asText();
            if (tokens.size() < max && MessageNormalizer.normalize(message).equals(group)) {
                tokens.put(row.path("id").asText(), message);
            }
        }
        return tokens;
    }

    private List<RecentError> recentErrors(String type) {
        List<RecentError> errors = new ArrayList<>();
        for (JsonNode row : activity.rows(type, TokenViews.ERROR_AT, true, RECENT_ERRORS, true)) {
            JsonNode doc = row.path("doc");
            if (!doc.isObject()) {
                continue;
            }
            JsonNode list = doc.path("error");
            JsonNode last = list.isArray() && list.size() > 0 ? list.get(list.size() - 1) : null;
            String message = last == null ? "" : last.has("message") ? last.path("message").asText() : last.asText();
            List<String> attachments = new ArrayList<>();
            doc.path("_attachments").fieldNames().forEachRemaining(attachments::add);
            errors.add(new RecentError(row.path("id").asText(), type, TokenState.of(doc).viewName(),
                    row.path("key").path(2).asLong(), message, attachments));
        }
        return errors;
    }

    private DeadLetterSummary deadLetters() {
        long count = activity.total(TokenViews.DEAD_LETTER_TYPE, TokenViews.DEAD_LETTER_AT).path("count").asLong();
        DeadLetter latest = null;
        for (JsonNode row : activity.rows(TokenViews.DEAD_LETTER_TYPE, TokenViews.DEAD_LETTER_AT, true, 1, true)) {
            JsonNode doc = row.path("doc");
            latest = new DeadLetter(row.path("id").asText(), doc.path("doc_id").asText(null),
                    doc.path("doc_type").asText(null), doc.path("state").asText(null), doc.path("route").asText(null),
                    doc.path("cause").asText(null), doc.path("time").asLong());
        }
        return new DeadLetterSummary(count, latest);
    }

    /** Installs the views once; a reader without the right to write design documents uses them if they are there. */
    private void ensureViews() {
        if (viewsChecked) {
            return;
        }
        try {
            new DesignDocuments(database).ensureViews(TokenViews.COUCHWORK_DESIGN, TokenViews.couchworkViews());
            new DesignDocuments(database).ensureViews(FlowViews.DESIGN, FlowViews.views());
        } catch (RuntimeException e) {
            LOG.warn("Cannot install the status views in {} ({}); reading them as they are", database,
                    Failures.describe(e));
        }
        viewsChecked = true;
    }

    private static <T> List<T> limit(List<T> list, int max) {
        return list.size() <= max ? list : List.copyOf(list.subList(0, max));
    }
}

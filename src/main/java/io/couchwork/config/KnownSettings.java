package io.couchwork.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.BiConsumer;
import org.quartz.CronExpression;

/** Every couchwork.* setting Couchwork reads, with the check its value must pass; the reference for key validation. */
public final class KnownSettings {

    private static final BiConsumer<SettingsReader, String> TEXT = (r, k) -> { };
    private static final BiConsumer<SettingsReader, String> BOOLEAN = (r, k) -> r.bool(k, false);
    private static final BiConsumer<SettingsReader, String> DURATION = (r, k) -> r.duration(k, "0s");
    private static final BiConsumer<SettingsReader, String> PORT = (r, k) -> r.integer(k, 1, 1, 65535);
    private static final BiConsumer<SettingsReader, String> EXIT_CODES = (r, k) -> r.integerList(k);

    private static final Map<String, BiConsumer<SettingsReader, String>> CHECKS = new LinkedHashMap<>();

    static {
        add("couchwork.home", TEXT);
        add("couchwork.dev", BOOLEAN);
        add("couchwork.couchdb.url", TEXT); // checked with the other CouchDB settings
        add("couchwork.couchdb.user", TEXT);
        add("couchwork.couchdb.password", TEXT);
        add("couchwork.couchdb.database", TEXT);
        add("couchwork.couchdb.create-database", BOOLEAN);
        add("couchwork.couchdb.wait-for-server", DURATION);
        add("couchwork.couchdb.connect-timeout", DURATION);
        add("couchwork.couchdb.read-timeout", DURATION);
        add("couchwork.couchdb.max-retries", atLeast(0));
        add("couchwork.pool.enabled", BOOLEAN);
        add("couchwork.pool.types", TEXT);
        add("couchwork.pool.concurrency", atLeast(1));
        add("couchwork.pool.prefetch", (r, k) -> {
            if (!"auto".equalsIgnoreCase(r.string(k, "auto").strip())) {
                r.integer(k, 0, 0, Integer.MAX_VALUE);
            }
        });
        add("couchwork.pool.lease-duration", DURATION);
        add("couchwork.pool.poll-interval", DURATION);
        add("couchwork.pool.max-attempts", atLeast(1));
        add("couchwork.pool.max-lease-expiries", atLeast(1));
        add("couchwork.pool.retry-delay", DURATION);
        add("couchwork.pool.max-retry-delay", DURATION);
        add("couchwork.pool.non-retryable-exit-codes", EXIT_CODES);
        add("couchwork.pool.reap-interval", DURATION);
        add("couchwork.pool.write-interval", DURATION);
        add("couchwork.pool.unleased-lock-timeout", DURATION);
        add("couchwork.pool.shutdown-grace", DURATION);
        add("couchwork.pilot.until-empty", BOOLEAN);
        add("couchwork.pilot.max-tokens", atLeast(0));
        add("couchwork.pilot.idle-timeout", DURATION);
        add("couchwork.pilot.max-time", DURATION);
        add("couchwork.pilot.margin", DURATION);
        add("couchwork.exec.command", TEXT);
        add("couchwork.exec.shell", TEXT);
        add("couchwork.exec.timeout", DURATION);
        add("couchwork.exec.working-directory", TEXT);
        add("couchwork.exec.max-log-bytes", atLeast(0));
        add("couchwork.flows.concurrency", atLeast(1));
        add("couchwork.flows.handler-lease", DURATION);
        add("couchwork.flows.on-crash", (r, k) -> r.choice(k, "park", "rerun"));
        add("couchwork.flows.maximum-redeliveries", atLeast(0));
        add("couchwork.flows.redelivery-delay", atLeast(0));
        add("couchwork.flows.server-fault-max-delay", atLeast(0));
        add("couchwork.flows.schemas", TEXT);
        add("couchwork.flows.states", TEXT);
        add("couchwork.flows.channels.enabled", BOOLEAN);
        add("couchwork.flows.devices.enabled", BOOLEAN);
        add("couchwork.flows.pipeline.enabled", BOOLEAN);
        add("couchwork.flows.pipeline.move-command", TEXT);
        add("couchwork.flows.pipeline.analysis-command", TEXT);
        add("couchwork.flows.pipeline.timeout", DURATION);
        add("couchwork.flows.devices.code-lifetime", DURATION);
        add("couchwork.flows.devices.expiry-sweep", DURATION);
        add("couchwork.flows.devices.confirm-url", TEXT);
        add("couchwork.recurring.enabled", BOOLEAN);
        add("couchwork.recurring.cron", (r, k) -> r.matching(k, "0 0 2 * * ?", CronExpression::isValidExpression,
                "a Quartz cron expression such as 0 0 2 * * ? (second minute hour day-of-month month day-of-week)"));
        add("couchwork.recurring.time-zone", (r, k) -> r.matching(k, "UTC", KnownSettings::isTimeZone,
                "a time zone ID such as UTC or Europe/Amsterdam"));
        add("couchwork.recurring.file", TEXT);
        add("couchwork.recurring.set", TEXT);
        add("couchwork.mail.host", TEXT);
        add("couchwork.mail.port", PORT);
        add("couchwork.mail.from", TEXT);
        add("couchwork.errors.maximum-redeliveries", atLeast(0));
        add("couchwork.errors.redelivery-delay", atLeast(0));
        add("couchwork.http.enabled", BOOLEAN);
        add("couchwork.http.host", TEXT);
        add("couchwork.http.port", PORT);
        add("couchwork.http.user", TEXT);
        add("couchwork.http.password", TEXT);
        add("couchwork.http.metrics-refresh", DURATION);
        add("couchwork.report.interval", DURATION);
    }

    private KnownSettings() {}

    private static void add(String key, BiConsumer<SettingsReader, String> check) {
        CHECKS.put(key, check);
    }

    private static BiConsumer<SettingsReader, String> atLeast(int min) {
        return (r, k) -> r.integer(k, min, min, Integer.MAX_VALUE);
    }

    /** Quartz takes a time zone Java does not know for GMT, silently: a typo would move the schedule. */
    private static boolean isTimeZone(String id) {
        return id.equals("GMT") || !TimeZone.getTimeZone(id).getID().equals("GMT");
    }

    public static Map<String, BiConsumer<SettingsReader, String>> checks() {
        return Collections.unmodifiableMap(CHECKS);
    }

    public static boolean isKnown(String key) {
        return CHECKS.containsKey(key);
    }

    /** The known key closest to a misspelt one, when it is close enough to be what was meant. */
    public static Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : CHECKS.keySet()) {
            int d = distance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 5) ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

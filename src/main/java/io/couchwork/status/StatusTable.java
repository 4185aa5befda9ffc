package io.couchwork.status;

import io.couchwork.status.PoolStatus.DeadLetter;
import io.couchwork.status.PoolStatus.ErrorCount;
import io.couchwork.status.PoolStatus.FlowStatus;
import io.couchwork.status.PoolStatus.RecentError;
import io.couchwork.status.PoolStatus.SetStatus;
import io.couchwork.status.PoolStatus.WorkerSeen;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The human form of a {@link PoolStatus}: compact tables, one screen for a pool of any size. */
public final class StatusTable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private StatusTable() {}

    public static String render(PoolStatus status) {
        StringBuilder out = new StringBuilder();
        out.append("Pool '").append(status.database()).append("' at ").append(TIME.format(Instant.ofEpochSecond(
                status.generated()))).append('\n');
        if (status.claiming().paused()) {
            out.append("Claiming paused").append(status.claiming().pausedBy() == null ? ""
                    : " by " + status.claiming().pausedBy()).append(status.claiming().pausedAt() == null ? ""
                    : " since " + TIME.format(Instant.ofEpochSecond(status.claiming().pausedAt())))
                    .append(": workers finish what they hold and claim nothing new\n");
        }
        if (status.sets().isEmpty()) {
            out.append("No tokens.\n");
        } else {
            out.append(String.format(Locale.ROOT, "%-16s %8s %8s %8s %8s %8s %9s %9s  %s%n", "set", "todo", "locked",
                    "done", "error", "invalid", "done/min", "drain", "oldest lock"));
            for (SetStatus set : status.sets()) {
                out.append(String.format(Locale.ROOT, "%-16s %8d %8d %8d %8d %8d %9.1f %9s  %s%n", set.type(),
                        set.counts().get("todo"), set.counts().get("locked"), set.counts().get("done"),
                        set.counts().get("error"), set.counts().get("invalid"), set.throughput().perMinute(),
                        set.drainSeconds() == null ? "?" : duration(set.drainSeconds()),
                        set.oldestLock() == null ? "-" : duration(set.oldestLock().ageSeconds()) + " ("
                                + set.oldestLock().token() + ")"));
            }
            String duplicates = status.sets().stream().filter(set -> set.duplicateExecutions() > 0)
                    .map(set -> set.type() + " " + set.duplicateExecutions()).collect(Collectors.joining(", "));
            if (!duplicates.isEmpty()) {
                out.append("Duplicate executions (recorded in the tokens' runs): ").append(duplicates).append('\n');
            }
        }
        List<FlowStatus> flows = status.flows().stream().filter(f -> f.total() > 0).toList();
        if (!flows.isEmpty()) {
            out.append("\nWorkflow documents per flow and state\n");
            for (FlowStatus flow : flows) {
                out.append(String.format(Locale.ROOT, "  %-24s %6d  %s%n", flow.flow() + (flow.declared() ? ""
                        : " (no states file)"), flow.total(), flow.counts().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
            }
        }
        out.append("\nWorkers seen recently: ").append(status.workers().size()).append('\n');
        for (WorkerSeen worker : status.workers()) {
            out.append(String.format(Locale.ROOT, "  %-24s %-40s %4d in flight, last seen %s ago%s%s%n",
                    worker.hostname(), worker.workerId(), worker.inFlight(),
                    duration(Math.max(0, status.generated() - worker.lastSeen())),
                    "late".equals(worker.presence()) ? " (presence late)" : "",
                    Boolean.TRUE.equals(worker.claimingPaused()) ? " (claiming paused)" : ""));
        }
        if (!status.errorSummary().isEmpty()) {
            out.append("\nMost common errors (tokens in error state, by message with ids and numbers left out)\n");
            for (ErrorCount error : status.errorSummary()) {
                out.append(String.format(Locale.ROOT, "  %6d  %s: %s%n", error.count(), error.type(), error.message()));
            }
        }
        if (!status.recentErrors().isEmpty()) {
            out.append("\nRecent errors\n");
            for (RecentError error : status.recentErrors()) {
                out.append(String.format(Locale.ROOT, "  %s  %-24s %-6s %s%s%n", TIME.format(Instant.ofEpochSecond(
                        error.time())), error.token(), error.state(), oneLine(error.message()),
                        error.attachments().isEmpty() ? "" : "  " + error.attachments()));
            }
        }
        out.append("\nDead letters: ").append(status.deadLetters().count());
        DeadLetter latest = status.deadLetters().latest();
        if (latest != null) {
            out.append(" (latest ").append(TIME.format(Instant.ofEpochSecond(latest.time()))).append(": ")
                    .append(latest.docId()).append(" in state ").append(latest.state()).append(", ")
                    .append(oneLine(latest.cause())).append(')');
        }
        return out.append('\n').toString();
    }

    /** 42s, 3m05s, 2h10m, 3d4h. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%dh", seconds / 86400, seconds % 86400 / 3600);
    }

    private static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\s*\\n\\s*", " ").strip();
        return line.length() <= 100 ? line : line.substring(0, 99) + "…";
    }
}

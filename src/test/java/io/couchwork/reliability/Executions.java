package io.couchwork.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The executions a recording job logged: one per claim, with start and (unless interrupted) end. */
final class Executions {

    record Execution(String tokenId, String claimId, long startMillis, Long endMillis) {}

    /** The processes of one execution: the worker that ran it, the job's shell and the child it waits for. */
    record Processes(String claimId, String worker, long shell, long child) {}

    private final Map<String, Execution> byClaim = new LinkedHashMap<>();
    private final List<String> overlaps = new ArrayList<>();
    private final List<Processes> processes = new ArrayList<>();

    static Executions read(Path log) throws IOException {
        Executions executions = new Executions();
        if (!Files.exists(log)) {
            return executions;
        }
        for (String line : Files.readAllLines(log)) {
            String[] f = line.strip().split(" ");
            if (f.length < 4 && !line.startsWith("overlap")) {
                continue; // a line cut short by a kill
            }
            switch (f[0]) {
                case "start" -> executions.byClaim.put(f[2], new Execution(f[1], f[2], Long.parseLong(f[3]), null));
                case "end" -> executions.byClaim.computeIfPresent(f[2],
                        (k, e) -> new Execution(e.tokenId(), e.claimId(), e.startMillis(), Long.parseLong(f[3])));
                case "overlap" -> executions.overlaps.add(line);
                case "pids" -> {
                    if (f.length == 6) {
                        executions.processes.add(new Processes(f[2], f[3], Long.parseLong(f[4]),
                                Long.parseLong(f[5])));
                    }
                }
                default -> { }
            }
        }
        return executions;
    }

    /** From a log of "tokenId claimId" lines, one per execution (no times). */
    static Executions fromClaimLog(Path log) throws IOException {
        Executions executions = new Executions();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                String[] f = line.strip().split(" ");
                if (f.length == 2) {
                    executions.byClaim.put(f[1], new Execution(f[0], f[1], 0, null));
                }
            }
        }
        return executions;
    }

    List<Execution> all() {
        return new ArrayList<>(byClaim.values());
    }

    Set<String> tokens() {
        Set<String> tokens = new HashSet<>();
        byClaim.values().forEach(e -> tokens.add(e.tokenId()));
        return tokens;
    }

    List<String> overlaps() {
        return overlaps;
    }

    /** The job processes of the executions the worker with this id ran. */
    List<Long> processesOf(String worker) {
        List<Long> pids = new ArrayList<>();
        for (Processes p : processes) {
            if (p.worker().equals(worker)) {
                pids.add(p.shell());
                pids.add(p.child());
            }
        }
        return pids;
    }

    /**
     * Pairs of executions of one token whose times overlap by the jobs' own records: a later one started before an
     * earlier one logged its end. (An execution killed with its worker logs no end and overlaps nothing.)
     */
    List<String> overlapsInTime() {
        Map<String, List<Execution>> byToken = new LinkedHashMap<>();
        byClaim.values().forEach(e -> byToken.computeIfAbsent(e.tokenId(), k -> new ArrayList<>()).add(e));
        List<String> found = new ArrayList<>();
        for (List<Execution> runs : byToken.values()) {
            runs.sort(java.util.Comparator.comparingLong(Execution::startMillis));
            for (int i = 0; i < runs.size(); i++) {
                for (int j = i + 1; j < runs.size(); j++) {
                    Execution earlier = runs.get(i);
                    Execution later = runs.get(j);
                    if (earlier.endMillis() != null && earlier.endMillis() > later.startMillis()) {
                        found.add(earlier.tokenId() + ": " + earlier.claimId() + " ended " + (earlier.endMillis()
                                - later.startMillis()) + " ms after " + later.claimId() + " started");
                    }
                }
            }
        }
        return found;
    }

    /** Executions that logged an end later than their start plus {@code millis}: jobs that outlived a lease. */
    long longerThan(long millis) {
        return byClaim.values().stream().filter(e -> e.endMillis() != null && e.endMillis() - e.startMillis() > millis)
                .count();
    }
}

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

    private final Map<String, Execution> byClaim = new LinkedHashMap<>();
    private final List<String> overlaps = new ArrayList<>();

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
}

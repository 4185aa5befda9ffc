package io.couchwork.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** A scenario's cases: each with what was expected and what was observed, reported as a table, then asserted. */
final class Cases {

    private record Case(String name, String expected, String observed, boolean passed) {}

    private final List<Case> cases = new ArrayList<>();

    synchronized Cases add(String name, String expected, boolean passed, Object observed) {
        cases.add(new Case(name, expected, String.valueOf(observed), passed));
        return this;
    }

    synchronized int size() {
        return cases.size();
    }

    synchronized long passed() {
        return cases.stream().filter(Case::passed).count();
    }

    synchronized String markdown() {
        StringBuilder md = new StringBuilder("| case | expected | observed | pass |\n|---|---|---|---|\n");
        for (Case c : cases) {
            md.append("| ").append(cell(c.name())).append(" | ").append(cell(c.expected())).append(" | ")
                    .append(cell(c.observed())).append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" |\n");
        }
        return md.toString();
    }

    private static String cell(String text) {
        String oneLine = text.replace("|", "\\|").replace("\n", " ").replace("`", "'");
        return oneLine.length() > 400 ? oneLine.substring(0, 400) + "…" : oneLine;
    }

    synchronized void assertAllPassed() {
        List<String> failed = cases.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.observed()).toList();
        assertThat(failed).as("failed cases").isEmpty();
    }
}

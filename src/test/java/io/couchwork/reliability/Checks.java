package io.couchwork.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** A scenario's checks: each recorded with what was observed, reported as a table, then asserted all at once. */
final class Checks {

    private record Check(String what, boolean passed, String observed) {}

    private final List<Check> checks = new ArrayList<>();

    Checks check(String what, boolean passed, Object observed) {
        checks.add(new Check(what, passed, String.valueOf(observed)));
        return this;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("| check | observed | result |\n|---|---|---|\n");
        for (Check c : checks) {
            md.append("| ").append(c.what()).append(" | ").append(c.observed().replace("|", "\\|").replace("\n", " "))
                    .append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" |\n");
        }
        return md.toString();
    }

    void assertAllPassed() {
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.what() + ": " + c.observed()).toList();
        assertThat(failed).as("failed checks").isEmpty();
    }
}

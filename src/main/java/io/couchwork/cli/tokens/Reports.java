package io.couchwork.cli.tokens;

import io.couchwork.ops.WriteSummary;
import java.io.PrintWriter;

/** The closing report of a bulk operation: one summary line, then one line per document that was not written. */
final class Reports {

    private Reports() {}

    static void print(PrintWriter out, String headline, WriteSummary summary) {
        out.println(headline + ": " + summary.counts());
        summary.conflicts().forEach(id -> out.println("conflict: " + id + " (changed meanwhile; not written)"));
        summary.failures().forEach(failure -> out.println("failed: " + failure));
        out.flush();
    }
}

package io.couchwork.ops;

import io.couchwork.couchdb.WriteResult;
import java.util.ArrayList;
import java.util.List;

/** Per-document outcomes of a bulk operation: written, conflicts (someone else changed it), failed, skipped. */
public final class WriteSummary {

    private long ok;
    private long skipped;
    private final List<String> conflicts = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    public void add(WriteResult result) {
        if (result.ok()) {
            ok++;
        } else if (result.conflict()) {
            conflicts.add(result.id());
        } else {
            failures.add(result.id() + " (" + result.error() + (result.reason() == null ? "" : ": " + result.reason()) + ")");
        }
    }

    public void skip() {
        skipped++;
    }

    public long ok() {
        return ok;
    }

    public long skipped() {
        return skipped;
    }

    public List<String> conflicts() {
        return conflicts;
    }

    /** Ids of failed documents, each with the server's error. */
    public List<String> failures() {
        return failures;
    }

    public boolean allWritten() {
        return conflicts.isEmpty() && failures.isEmpty();
    }

    /** "12 ok, 1 conflict, 0 failed" (and skipped ones when any). */
    public String counts() {
        return ok + " ok, " + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s") + ", " + failures.size()
                + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
    }
}

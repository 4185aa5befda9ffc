package io.couchwork.recurring;

import io.couchwork.ops.WriteSummary;

/** What one run of a recurring token set did: the tokens written, or the problem that kept its file from loading. */
public record RecurringRun(String stamp, WriteSummary written, String problem) {

    static RecurringRun notLoaded(String stamp, String problem) {
        return new RecurringRun(stamp, new WriteSummary(), problem);
    }

    public boolean loaded() {
        return problem == null;
    }

    /** Tokens this run created. */
    public long created() {
        return written.ok();
    }

    /** Tokens that were there already: written by another worker's firing of the same run, or an earlier try. */
    public int alreadyLoaded() {
        return written.conflicts().size();
    }
}

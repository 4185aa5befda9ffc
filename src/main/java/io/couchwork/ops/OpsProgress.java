package io.couchwork.ops;

/** Where a long operation reports how far it got and what an operator should know; quiet by default. */
public interface OpsProgress {

    OpsProgress QUIET = new OpsProgress() {};

    /** {@code done} of {@code total} (total < 0: unknown) in the phase named by {@code what}. */
    default void update(String what, long done, long total) {}

    /** The phase ended. */
    default void finish() {}

    /** Something worth a line on stderr even when piped (a fallback, a skipped document). */
    default void note(String message) {}
}

package io.couchwork.bench;

import java.util.List;
import java.util.Map;

/**
 * One step of the cheap shell path turned off as a user could turn it off (a setting, or the command's form), so that
 * the bench measures what each step is worth in the same run: {@code settings} go on the worker's command line, and
 * {@code ownShell} makes the command read {@code $$}, for which the job shell starts a shell program per job instead of
 * forking itself.
 */
record ShellStep(String name, String how, Map<String, String> settings, boolean ownShell) {

    static final ShellStep AS_SHIPPED = new ShellStep("none (as shipped)", "every setting at its default", Map.of(),
            false);

    /** The steps, each turned off on its own. */
    static final List<ShellStep> OFF = List.of(
            new ShellStep("no program start saved", "the command reads `$$` (`: $$; ` before it), so the job shell"
                    + " starts `/bin/sh` for each job rather than forking itself", Map.of(), true),
            new ShellStep("results not gathered", "`couchwork.pool.write-interval = 0s`: each result write goes out as"
                    + " soon as the one before is answered", Map.of("couchwork.pool.write-interval", "0s"), false),
            new ShellStep("no tokens claimed ahead", "`couchwork.pool.prefetch = 0`: a slot claims its next token when"
                    + " it frees", Map.of("couchwork.pool.prefetch", "0"), false));

    /** The command this step runs, from the one the rows run. */
    String command(String rowCommand) {
        return ownShell ? ": $$; " + rowCommand : rowCommand;
    }
}

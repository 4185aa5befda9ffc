package io.couchwork.cli;

import io.couchwork.pilot.PilotEnding;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** couchwork run: starts the app with the workers and flows configured in config/ and routes/, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start Couchwork with the workers and flows configured in config/ and routes/.",
            "Runs until Ctrl-C or SIGTERM, which stop it gracefully, or as a pilot job until one of the options below"
                + " ends it: exit code 0 when the pool is drained or the tokens are done, 3 after the idle timeout,"
                + " 75 when the time limit left work undone."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Option(names = "--until-empty", description = "Exit once nothing this worker may claim is left and its jobs are"
            + " done (couchwork.pilot.until-empty).")
    boolean untilEmpty;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Claim at most N tokens, exit once they are done"
            + " (couchwork.pilot.max-tokens).")
    Integer maxTokens;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Exit after DURATION (e.g. 10m) with"
            + " nothing to run (couchwork.pilot.idle-timeout).")
    String idleTimeout;

    @Option(names = "--max-time", paramLabel = "DURATION", description = "Stop after DURATION (e.g. 4h), claiming only"
            + " tokens whose timeout fits (couchwork.pilot.max-time); Slurm's and PBS's walltime count too.")
    String maxTime;

    @Override
    public Integer call() throws Exception {
        Main main = app.createMain(pilotSettings());
        PilotEnding ending = new PilotEnding(main::completed);
        main.bind("pilotEnding", ending);
        int exitCode = app.run(main);
        return ending.end().map(end -> end.exitCode().code()).orElse(exitCode);
    }

    private Map<String, String> pilotSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (untilEmpty) {
            settings.put("couchwork.pilot.until-empty", "true");
        }
        if (maxTokens != null) {
            settings.put("couchwork.pilot.max-tokens", maxTokens.toString());
        }
        if (idleTimeout != null) {
            settings.put("couchwork.pilot.idle-timeout", idleTimeout);
        }
        if (maxTime != null) {
            settings.put("couchwork.pilot.max-time", maxTime);
        }
        return settings;
    }
}

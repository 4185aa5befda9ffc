package io.couchwork.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** couchwork run: starts the app with the workers and flows configured in config/ and routes/, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start Couchwork with the workers and flows configured in config/ and routes/.",
            "Runs until Ctrl-C or SIGTERM, which stop it gracefully."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Override
    public Integer call() throws Exception {
        return app.runApp(Map.of());
    }
}

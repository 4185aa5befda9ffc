package io.couchwork.pilot;

import io.couchwork.token.PilotEnd;
import java.util.Optional;
import java.util.function.Consumer;

/** Where a run learns that its pilot ended: records why, for the exit code, and stops the app. */
public final class PilotEnding implements Consumer<PilotEnd> {

    private final Runnable stopApp;
    private volatile PilotEnd end;

    public PilotEnding(Runnable stopApp) {
        this.stopApp = stopApp;
    }

    @Override
    public void accept(PilotEnd why) {
        end = why;
        stopApp.run();
    }

    public Optional<PilotEnd> end() {
        return Optional.ofNullable(end);
    }
}

package io.couchwork.cli.tokens;

import io.couchwork.ops.OpsProgress;
import java.io.PrintStream;

/** A progress bar on stderr, redrawn in place, only when stderr is a terminal; notes are printed either way. */
public final class TerminalProgress implements OpsProgress {

    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean terminal;
    private boolean drawn;

    TerminalProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** A bar when this process has a terminal (System.console()), quiet when piped. */
    public static TerminalProgress forThisProcess() {
        return new TerminalProgress(System.err, System.console() != null);
    }

    @Override
    public void update(String what, long done, long total) {
        if (!terminal) {
            return;
        }
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(done, total) / total);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + what);
        } else {
            err.print("\r" + what + " " + done + " ...");
        }
        err.flush();
        drawn = true;
    }

    @Override
    public void finish() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    @Override
    public void note(String message) {
        finish();
        err.println("couchwork: " + message);
    }
}

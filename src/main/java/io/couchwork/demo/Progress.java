package io.couchwork.demo;

import io.couchwork.token.TokenCounts;
import io.couchwork.token.TokenState;
import java.io.PrintWriter;
import java.time.Duration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Shows the demo's progress: a bar redrawn in place on a terminal, a line every few seconds when piped. */
public final class Progress {

    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private long lastLine;

    public Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Camel's INFO lines would scroll the progress away. */
    public static void quietFramework(boolean verbose) {
        if (!verbose) {
            Configurator.setLevel("org.apache.camel", Level.WARN);
            Configurator.setLevel("io.couchwork.token.DesignDocuments", Level.WARN);
            Configurator.setLevel("io.couchwork.couchdb.StartupCheck", Level.WARN);
            Configurator.setLevel("io.couchwork.app", Level.WARN);
            Configurator.setLevel("io.couchwork.camel", Level.WARN);
            Configurator.setLevel("io.couchwork.changes", Level.WARN);
            Configurator.setLevel("io.couchwork.tokens", Level.WARN); // a line per token: failures only
        }
    }

    public void show(TokenCounts counts, Duration elapsed) {
        long total = counts.total("token");
        long finished = counts.count("token", TokenState.DONE) + counts.count("token", TokenState.ERROR);
        if (terminal) {
            int filled = total == 0 ? 0 : (int) (WIDTH * finished / total);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + line(counts, elapsed));
            out.flush();
        } else if (elapsed.toMillis() - lastLine >= 2000) {
            lastLine = elapsed.toMillis();
            out.println(line(counts, elapsed));
            out.flush();
        }
    }

    public void done(TokenCounts counts, Duration elapsed, long retries) {
        if (terminal) {
            out.println();
        }
        long done = counts.count("token", TokenState.DONE);
        double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
        out.printf("Drained in %.1f s: %d done, %d error, %d todo, %d locked; %.0f tokens/s; %d retries%n", seconds, done,
                counts.count("token", TokenState.ERROR), counts.count("token", TokenState.TODO),
                counts.count("token", TokenState.LOCKED), (done + counts.count("token", TokenState.ERROR)) / seconds,
                retries);
        out.flush();
    }

    private static String line(TokenCounts counts, Duration elapsed) {
        return String.format("%5.1f s  todo %d  locked %d  done %d  error %d", elapsed.toMillis() / 1000.0,
                counts.count("token", TokenState.TODO), counts.count("token", TokenState.LOCKED),
                counts.count("token", TokenState.DONE), counts.count("token", TokenState.ERROR));
    }
}

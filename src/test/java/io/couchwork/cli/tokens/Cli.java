package io.couchwork.cli.tokens;

import io.couchwork.Couchwork;
import io.couchwork.testing.TestCouch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the couchwork command in-process against a test database, capturing stdout and stderr. */
final class Cli {

    record Result(int code, String out, String err) {}

    private final Map<String, String> properties;

    private Cli(Map<String, String> properties) {
        this.properties = properties;
    }

    /** The commands pointed at this database of the test server (as -D settings, which win over the environment). */
    static Cli on(TestCouch couch, String database) {
        return new Cli(couch.properties(database));
    }

    /** The commands pointed at a server URL (a proxy, an unreachable port) with the test server's credentials. */
    static Cli on(TestCouch couch, String url, String database) {
        Map<String, String> properties = new java.util.HashMap<>(couch.properties(database));
        properties.put("couchwork.couchdb.url", url);
        return new Cli(properties);
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        properties.forEach((key, value) -> all.addAll(List.of("-D", key + "=" + value)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var command = Couchwork.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }
}

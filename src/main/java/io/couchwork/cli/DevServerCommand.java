package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.devserver.BundledCouchServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** couchwork dev-server: runs the bundled CouchDB-API server in the foreground, for trying Couchwork without CouchDB. */
@Command(name = "dev-server", mixinStandardHelpOptions = true,
        description = {"Run the bundled CouchDB-API server (PouchDB Server) on 127.0.0.1 until Ctrl-C.",
            "For trying Couchwork without a CouchDB; installs it with npm on first use."})
public final class DevServerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "5984", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", paramLabel = "DIR", description = "Keep data on disk in DIR (default: in memory).")
    Path data;

    @Override
    public Integer call() throws Exception {
        BundledCouchServer.Options options = BundledCouchServer.Options.inMemory().onPort(port);
        if (data != null) {
            options = options.onDisk(data);
        }
        BundledCouchServer server = BundledCouchServer.start(CouchworkHome.current().testServerDirectory(), options);
        System.out.println("Bundled CouchDB-API server listening on " + server.url() + " (PID " + server.pid() + ", "
                + (data == null ? "in memory" : "data in " + data) + "); Ctrl-C stops it.");
        System.out.println("Point Couchwork at it with: COUCHDB_URL=" + server.url() + " bin/couchwork run");
        return server.waitFor() == 0 ? 0 : 1;
    }
}

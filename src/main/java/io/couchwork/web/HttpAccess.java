package io.couchwork.web;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;

/**
 * Guards the embedded HTTP server before Camel creates it: bound to a loopback address it may go without credentials;
 * bound to any other address it needs couchwork.http.user and .password, and then serves everything behind HTTP basic
 * authentication (Camel's own, fed a credentials file only this process can read). Refuses to start exposed without.
 */
public final class HttpAccess extends MainListenerSupport {

    public static final String PREFIX = "couchwork.http.";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        SettingsReader settings = SettingsReader.of(main.getCamelContext().getPropertiesComponent());
        if (!settings.bool(PREFIX + "enabled", false)) {
            return;
        }
        String host = settings.string(PREFIX + "host", "127.0.0.1");
        String user = settings.string(PREFIX + "user", "");
        String password = settings.string(PREFIX + "password", "");
        boolean exposed = !isLoopback(host);
        if (user.isEmpty() != password.isEmpty()) {
            throw new CouchworkException("Set both " + PREFIX + "user and " + PREFIX + "password, or neither",
                    ExitCode.CONFIGURATION);
        }
        if (exposed && user.isEmpty()) {
            throw new CouchworkException("Refusing to serve the dashboard on " + host + " without credentials: set "
                    + PREFIX + "user and " + PREFIX + "password, or bind " + PREFIX + "host to 127.0.0.1",
                    ExitCode.CONFIGURATION);
        }
        if (!user.isEmpty()) {
            requireBasicAuth(main.configure().httpServer(), user, password);
        }
    }

    private static void requireBasicAuth(HttpServerConfigurationProperties server, String user, String password) {
        // Vert.x's property-file format: user.<name> = <password>[,<role>...], one line, trimmed
        if (!user.matches("[^\\s=,#]+")) {
            throw new CouchworkException("Invalid setting " + PREFIX + "user: use no spaces, '=', ',' or '#'",
                    ExitCode.CONFIGURATION);
        }
        if (password.contains(",") || password.contains("\n") || password.contains("\r")
                || !password.equals(password.strip())) {
            throw new CouchworkException("Invalid setting " + PREFIX + "password: it may not contain commas or line "
                    + "breaks, nor start or end with a space", ExitCode.CONFIGURATION);
        }
        server.setAuthenticationEnabled(true);
        server.setAuthenticationRealm("couchwork");
        server.setBasicPropertiesFile(credentialsFile(user, password).toString());
    }

    private static Path credentialsFile(String user, String password) {
        try {
            Path file = Files.createTempFile("couchwork-http-", ".properties",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.writeString(file, "user." + user + " = " + password + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the HTTP credentials file", e);
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new CouchworkException("Invalid setting " + PREFIX + "host = '" + host + "': unknown host",
                    ExitCode.CONFIGURATION);
        }
    }
}

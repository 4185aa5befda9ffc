package io.couchwork.camel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import io.couchwork.exec.CommandFailedException;
import io.couchwork.exec.CommandTemplate;
import io.couchwork.exec.CommandResult;
import io.couchwork.exec.CommandRunner;
import io.couchwork.exec.TokenEnvironment;
import io.couchwork.token.Token;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** Runs the endpoint's command for the token in the exchange; a non-zero exit code fails the exchange. */
public class ShellProducer extends DefaultProducer {

    private final ShellEndpoint endpoint;
    private final CommandRunner runner;
    // the endpoint's options, read once: they stay as they are while the route runs
    private final CommandTemplate command;
    private final CommandTemplate workingDirectory;
    private final Duration timeout;

    public ShellProducer(ShellEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.runner = new CommandRunner(endpoint.getMaxLogBytes(), endpoint.getTailBytes(), endpoint.getShell());
        this.command = endpoint.template();
        this.workingDirectory = endpoint.workingDirectoryTemplate();
        this.timeout = endpoint.getTimeout();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        ObjectNode token = exchange.getProperty(CouchworkHeaders.TOKEN_PROPERTY, ObjectNode.class);
        if (token == null) {
            token = Json.MAPPER.readValue(exchange.getMessage().getMandatoryBody(String.class), ObjectNode.class);
        }
        String filled = command.fill(token);
        long tokenTimeout = new Token(token).timeoutSeconds();
        Duration timeout = tokenTimeout > 0 ? Duration.ofSeconds(tokenTimeout) : this.timeout;
        boolean kept = workingDirectory == null && endpoint.isKeepWorkingDirectory();
        try (CommandRunner.RunDirectory run = runner.reserve()) {
            // a fresh, empty directory: the run directory's own (emptied after the job), or one left for inspection
            // absolute: the job shell runs elsewhere, and a pilot's "./process_task.sh" means the pilot's directory
            Path directory = workingDirectory != null ? Path.of(workingDirectory.fillPath(token)).toAbsolutePath()
                    : kept ? Files.createTempDirectory("couchwork-job-") : run.workDirectory();
            byte[] json = exchange.getProperty(CouchworkHeaders.TOKEN_JSON_PROPERTY, byte[].class);
            run.write("token.json", json != null ? json : Json.bytes(token));
            Map<String, String> env = TokenEnvironment.of(token, run.file("token.json").toString());
            CommandResult result = runner.run(run, filled, directory, env, timeout);
            exchange.getMessage().setHeader(CouchworkHeaders.EXIT_CODE, result.exitCode());
            exchange.setProperty(CouchworkHeaders.LOGS_PROPERTY, result.logs());
            exchange.getMessage().setBody(result.stdoutTail());
            if (result.timedOut()) {
                throw new CommandFailedException("timed out after " + timeout.toSeconds() + "s", result);
            }
            if (result.exitCode() != 0) {
                throw new CommandFailedException("exit code " + result.exitCode() + lastLine(result.stderrTail()), result);
            }
        }
    }

    private static String lastLine(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        return ": " + trimmed.substring(trimmed.lastIndexOf('\n') + 1);
    }
}

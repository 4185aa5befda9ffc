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

    public ShellProducer(ShellEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.runner = new CommandRunner(endpoint.getMaxLogBytes(), endpoint.getTailBytes(), endpoint.getShell());
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        ObjectNode token = exchange.getProperty(CouchworkHeaders.TOKEN_PROPERTY, ObjectNode.class);
        if (token == null) {
            token = Json.MAPPER.readValue(exchange.getMessage().getMandatoryBody(String.class), ObjectNode.class);
        }
        String command = endpoint.template().fill(token);
        long tokenTimeout = new Token(token).timeoutSeconds();
        Duration timeout = tokenTimeout > 0 ? Duration.ofSeconds(tokenTimeout) : endpoint.timeoutDuration();
        boolean kept = endpoint.getWorkingDirectory() == null && endpoint.isKeepWorkingDirectory();
        try (CommandRunner.RunDirectory run = runner.reserve()) {
            // a fresh, empty directory: the run directory's own (emptied after the job), or one left for inspection
            Path workingDirectory = endpoint.getWorkingDirectory() != null
                    ? Path.of(new CommandTemplate(endpoint.getWorkingDirectory()).fillPath(token))
                    : kept ? Files.createTempDirectory("couchwork-job-") : run.workDirectory();
            run.write("token.json", Json.bytes(token));
            Map<String, String> env = TokenEnvironment.of(token, run.file("token.json").toString());
            CommandResult result = runner.run(run, command, workingDirectory, env, timeout);
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

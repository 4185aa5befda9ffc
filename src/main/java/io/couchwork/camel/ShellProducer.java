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
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
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
        boolean temporary = endpoint.getWorkingDirectory() == null;
        Path workingDirectory = temporary ? Files.createTempDirectory("couchwork-job-")
                : Path.of(new CommandTemplate(endpoint.getWorkingDirectory()).fillPath(token));
        try (CommandRunner.RunDirectory run = runner.reserve()) {
            Path tokenFile = run.file("token.json");
            Files.write(tokenFile, Json.bytes(token));
            Map<String, String> env = TokenEnvironment.of(token, tokenFile.toString());
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
        } finally {
            if (temporary && !endpoint.isKeepWorkingDirectory()) {
                deleteTree(workingDirectory);
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

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

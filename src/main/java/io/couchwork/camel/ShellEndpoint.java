package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.exec.CommandRunner;
import io.couchwork.exec.CommandTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** Runs a shell command filled from the token in the exchange: {@code shell:job?command=./process.sh {input}&timeout=1h}. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "shell", title = "Couchwork Shell Job", syntax = "shell:name",
        producerOnly = true, category = {Category.CORE}, headersClass = CouchworkHeaders.class)
public class ShellEndpoint extends DefaultEndpoint {

    @UriPath(defaultValue = "job", description = "A name for the job, for logs")
    private String name;
    @UriParam @Metadata(required = true, description = "The command, run by the shell with -c; {field} placeholders"
            + " are filled from the token, shell-quoted")
    private String command;
    @UriParam(defaultValue = CommandRunner.DEFAULT_SHELL, description = "The shell that runs the command with -c (a"
            + " POSIX shell such as dash, bash or busybox sh)")
    private String shell = CommandRunner.DEFAULT_SHELL;
    @UriParam(defaultValue = "0s", description = "Time limit per execution (0s: none); a token's own timeout field"
            + " (seconds) wins")
    private Duration timeout = Duration.ZERO;
    @UriParam(description = "Working directory, may hold {field} placeholders; created when missing, never emptied;"
            + " relative to the worker's current directory; default: a fresh, empty directory per execution")
    private String workingDirectory;
    @UriParam(defaultValue = "false", label = "advanced", description = "Keep the temporary working directory after"
            + " the job (default: delete it)")
    private boolean keepWorkingDirectory;
    @UriParam(defaultValue = "1048576", label = "advanced", description = "Largest log attachment (stdout.log,"
            + " stderr.log) per execution; longer logs keep their tail")
    private long maxLogBytes = 1024 * 1024;
    @UriParam(defaultValue = "4096", label = "advanced", description = "Size of the stdout tail stored as the token's"
            + " output")
    private long tailBytes = 4096;
    @Metadata(skip = true)
    private CommandTemplate template;
    @Metadata(skip = true)
    private CommandTemplate workingDirectoryTemplate;

    public ShellEndpoint(String uri, ShellComponent component, String name) {
        super(uri, component);
        this.name = name.isEmpty() ? "job" : name;
    }

    /** Checks the options once and parses the templates the producer fills for every token. */
    void validate() {
        try {
            template = new CommandTemplate(command);
            // blank, as an unset placeholder gives it: a fresh directory per execution
            workingDirectoryTemplate = workingDirectory == null || workingDirectory.isBlank() ? null
                    : new CommandTemplate(workingDirectory.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage() + " (set the command parameter)");
        }
        if (shell == null || !Files.isExecutable(Path.of(shell))) {
            throw invalid("the shell " + shell + " is not an executable file (set the shell parameter,"
                    + " couchwork.exec.shell)");
        }
        if (maxLogBytes < 0 || tailBytes < 0) {
            throw invalid("maxLogBytes and tailBytes must be at least 0");
        }
    }

    private CouchworkException invalid(String what) {
        return new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + what, ExitCode.CONFIGURATION);
    }

    @Override
    public Producer createProducer() {
        return new ShellProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("shell: is a producer only: use it in to:");
    }

    CommandTemplate template() {
        return template;
    }

    /** The working directory's template, or null for a fresh directory per execution. */
    CommandTemplate workingDirectoryTemplate() {
        return workingDirectoryTemplate;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getCommand() {
        return command;
    }

    public void setCommand(String command) {
        this.command = command;
    }

    public String getShell() {
        return shell;
    }

    public void setShell(String shell) {
        this.shell = shell;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public String getWorkingDirectory() {
        return workingDirectory;
    }

    public void setWorkingDirectory(String workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    public boolean isKeepWorkingDirectory() {
        return keepWorkingDirectory;
    }

    public void setKeepWorkingDirectory(boolean keepWorkingDirectory) {
        this.keepWorkingDirectory = keepWorkingDirectory;
    }

    public long getMaxLogBytes() {
        return maxLogBytes;
    }

    public void setMaxLogBytes(long maxLogBytes) {
        this.maxLogBytes = maxLogBytes;
    }

    public long getTailBytes() {
        return tailBytes;
    }

    public void setTailBytes(long tailBytes) {
        this.tailBytes = tailBytes;
    }
}

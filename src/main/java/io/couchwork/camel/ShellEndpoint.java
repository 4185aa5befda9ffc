package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import io.couchwork.exec.CommandRunner;
import io.couchwork.exec.CommandTemplate;
import java.time.Duration;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code shell:job?command=./process.sh {input}&timeout=1h}: how a token's shell command runs. */
public class ShellEndpoint extends DefaultEndpoint {

    private String command;
    private String shell = CommandRunner.DEFAULT_SHELL;
    private String timeout = "0s";
    private String workingDirectory;
    private boolean keepWorkingDirectory;
    private long maxLogBytes = 1024 * 1024;
    private long tailBytes = 4096;

    public ShellEndpoint(String uri, ShellComponent component) {
        super(uri, component);
    }

    void validate() {
        try {
            new CommandTemplate(command);
        } catch (IllegalArgumentException e) {
            throw new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + e.getMessage()
                    + " (set the command parameter)", ExitCode.CONFIGURATION);
        }
        timeoutDuration();
        if (shell == null || !java.nio.file.Files.isExecutable(java.nio.file.Path.of(shell))) {
            throw new CouchworkException("Invalid endpoint " + getEndpointUri() + ": the shell " + shell
                    + " is not an executable file (set the shell parameter, couchwork.exec.shell)",
                    ExitCode.CONFIGURATION);
        }
        if (maxLogBytes < 0 || tailBytes < 0) {
            throw new CouchworkException("Invalid endpoint " + getEndpointUri()
                    + ": maxLogBytes and tailBytes must be at least 0", ExitCode.CONFIGURATION);
        }
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
        return new CommandTemplate(command);
    }

    Duration timeoutDuration() {
        try {
            return SettingsReader.parseDuration("timeout", timeout);
        } catch (CouchworkException e) {
            throw new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + e.getMessage(),
                    ExitCode.CONFIGURATION);
        }
    }

    String getWorkingDirectory() {
        return workingDirectory;
    }

    boolean isKeepWorkingDirectory() {
        return keepWorkingDirectory;
    }

    String getShell() {
        return shell;
    }

    long getMaxLogBytes() {
        return maxLogBytes;
    }

    long getTailBytes() {
        return tailBytes;
    }

    /** The command, run by the shell with -c; {field} placeholders are filled from the token, shell-quoted. */
    public void setCommand(String command) {
        this.command = command;
    }

    /** The shell that runs the command with -c (default /bin/sh; a POSIX shell such as dash, bash or busybox sh). */
    public void setShell(String shell) {
        this.shell = shell;
    }

    /** Time limit per execution (0s: none); a token's own {@code timeout} field (seconds) wins. */
    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    /** Working directory, may hold {field} placeholders; default: a fresh temporary directory per execution. */
    public void setWorkingDirectory(String workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    /** Keep the temporary working directory after the job (default: delete it). */
    public void setKeepWorkingDirectory(boolean keepWorkingDirectory) {
        this.keepWorkingDirectory = keepWorkingDirectory;
    }

    /** Largest log attachment (stdout.log, stderr.log) per execution; longer logs keep their tail. */
    public void setMaxLogBytes(long maxLogBytes) {
        this.maxLogBytes = maxLogBytes;
    }

    /** Size of the stdout tail stored as the token's output. */
    public void setTailBytes(long tailBytes) {
        this.tailBytes = tailBytes;
    }
}

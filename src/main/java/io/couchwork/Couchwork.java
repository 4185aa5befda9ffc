package io.couchwork;

import io.couchwork.cli.AddDataFilesCommand;
import io.couchwork.cli.BenchCommand;
import io.couchwork.cli.CliErrorHandler;
import io.couchwork.cli.DemoCommand;
import io.couchwork.cli.DevServerCommand;
import io.couchwork.cli.RunCommand;
import io.couchwork.cli.StatusCommand;
import io.couchwork.cli.VersionProvider;
import io.couchwork.cli.tokens.DeadLettersCommand;
import io.couchwork.cli.tokens.LoadCommand;
import io.couchwork.cli.tokens.TokensCommand;
import io.couchwork.cli.tokens.ViewsCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.ScopeType;

/** The couchwork command: entry point of the launcher bin/couchwork. */
@Command(name = "couchwork",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Token pools and document workflows on Apache CouchDB, as Apache Camel routes.",
        subcommands = {RunCommand.class, DemoCommand.class, DevServerCommand.class, BenchCommand.class,
            AddDataFilesCommand.class, LoadCommand.class, ViewsCommand.class, TokensCommand.class,
            DeadLettersCommand.class,
            StatusCommand.class,
            CommandLine.HelpCommand.class})
public final class Couchwork implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    void setVerbose(boolean verbose) {
        CliErrorHandler.setVerbose(verbose);
    }

    /** Bare couchwork: a usage error, so that a script that forgot its command does not pass for a success. */
    @Override
    public Integer call() {
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println("couchwork: a command is missing; the commands are:");
        spec.commandLine().usage(err);
        return ExitCode.USAGE.code();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Couchwork()).setExecutionExceptionHandler(new CliErrorHandler())
                .setParameterExceptionHandler(new io.couchwork.cli.CliUsageErrorHandler());
    }
}

package io.couchwork.cli.tokens;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.CustomViews;
import io.couchwork.ops.ServerErrors;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** couchwork views: lists, adds and deletes the named views of a token set (GRID_LRT's TokenView). */
@Command(name = "views", mixinStandardHelpOptions = true,
        description = "List, add and delete views of a token set: _design/Monitor for 'token', _design/<set> for others.",
        subcommands = {ViewsCommand.ListViews.class, ViewsCommand.AddView.class, ViewsCommand.DeleteView.class})
public final class ViewsCommand {

    /** Options every views subcommand takes. */
    abstract static class ViewCommand implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Spec
        CommandSpec spec;

        @Option(names = "--set", defaultValue = "token", paramLabel = "TYPE",
                description = "Token set (default: ${DEFAULT-VALUE}).")
        String set;

        @Override
        public Integer call() {
            CouchDatabase database = connection.open(false);
            try {
                return run(new CustomViews(database, set), spec.commandLine().getOut());
            } catch (RuntimeException e) {
                throw ServerErrors.translate(e, database, "working on the views of set '" + set + "'");
            }
        }

        abstract int run(CustomViews views, PrintWriter out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The set's views with their row counts.")
    static final class ListViews extends ViewCommand {
        @Option(names = "--show-map", description = "Print each view's map function too.")
        boolean showMap;

        @Override
        int run(CustomViews views, PrintWriter out) {
            out.println("Views of set '" + set + "' in " + views.designId() + ":");
            for (CustomViews.View view : views.list()) {
                out.printf("  %-20s %10d rows%s%n", view.name(), view.rows(), view.builtIn() ? "  (PiCaS)" : "");
                if (showMap) {
                    view.map().lines().forEach(line -> out.println("      " + line));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a view of the set's tokens for which a JavaScript condition holds.",
                "Example: views add multicore 'doc.cores >= 4' --set lofar"})
    static final class AddView extends ViewCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "CONDITION", description = "JavaScript on doc, e.g. doc.cores == 4")
        String condition;

        @Override
        int run(CustomViews views, PrintWriter out) {
            boolean written = views.add(name, condition);
            out.println(written ? "Added view '" + name + "' to " + views.designId() + ": " + condition
                    : "View '" + name + "' in " + views.designId() + " is already exactly this; nothing written");
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a view added with views add (PiCaS's views cannot be deleted).")
    static final class DeleteView extends ViewCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(CustomViews views, PrintWriter out) {
            if (!views.delete(name)) {
                out.println("No view '" + name + "' in " + views.designId() + "; nothing deleted");
                out.flush();
                return 1;
            }
            out.println("Deleted view '" + name + "' from " + views.designId());
            out.flush();
            return 0;
        }
    }
}

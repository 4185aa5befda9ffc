package io.couchwork.camel;

import io.couchwork.couchdb.Json;
import io.couchwork.exec.CommandFailedException;
import io.couchwork.token.LogAttachment;
import io.couchwork.token.Outcome;
import io.couchwork.token.PeriodicTasks;
import io.couchwork.token.Token;
import io.couchwork.token.TokenClaimer;
import io.couchwork.token.TokenWorker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.DefaultConsumer;

/**
 * Drains a token pool into a route: a {@link TokenWorker} on Camel's thread pools whose job hands each token to the
 * route as an exchange and reads the route's answer back as the token's outcome.
 */
public class TokenPoolConsumer extends DefaultConsumer implements ShutdownAware {

    private final TokenPoolEndpoint endpoint;
    private TokenWorker worker;
    private ReplyOutput output;
    private ScheduledExecutorService scheduler;

    public TokenPoolConsumer(TokenPoolEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        TokenPoolComponent component = endpoint.getComponent();
        output = new ReplyOutput(getEndpoint().getCamelContext().getTypeConverter(), endpoint.getMaxOutputBytes());
        ExecutorServiceManager pools = getEndpoint().getCamelContext().getExecutorServiceManager();
        // two threads: a reap that waits for a slow server never holds up the renewals and lease checks
        scheduler = pools.newScheduledThreadPool(this, "couchwork-lease-" + endpoint.name(), 2);
        worker = new TokenWorker(component.database(), component.worker(), component.clock(),
                endpoint.workerSettings(), this::runRoute,
                pools.newFixedThreadPool(this, "couchwork-job-" + endpoint.name(), endpoint.getConcurrency()),
                PeriodicTasks.on(scheduler), component.getMetrics());
        worker.obey(component.pilot());
        worker.resolveConflictsWith(component.conflictResolver());
        worker.start();
    }

    /** The token through the route: its document as the body, its id, type and attempt as headers. */
    private Outcome runRoute(Token token) throws Exception {
        Exchange exchange = createExchange(false);
        try {
            byte[] json = Json.bytes(token.document());
            exchange.getMessage().setBody(new String(json, StandardCharsets.UTF_8));
            exchange.setProperty(CouchworkHeaders.TOKEN_JSON_PROPERTY, json);
            exchange.getMessage().setHeader(CouchworkHeaders.TOKEN_ID, token.id());
            exchange.getMessage().setHeader(CouchworkHeaders.TOKEN_TYPE, token.type());
            exchange.getMessage().setHeader(CouchworkHeaders.ATTEMPT, token.attempts() + 1);
            exchange.setProperty(CouchworkHeaders.TOKEN_PROPERTY, token.document());
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            return outcomeOf(exchange);
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** The route's answer; an exception other than a failed command is the worker's to judge, so it is thrown on. */
    @SuppressWarnings("unchecked")
    private Outcome outcomeOf(Exchange exchange) throws Exception {
        Exception error = exchange.getException();
        if (error == null) {
            Object codeHeader = exchange.getMessage().getHeader(CouchworkHeaders.EXIT_CODE);
            int exitCode = codeHeader instanceof Number n ? n.intValue() : 0;
            List<LogAttachment> logs = exchange.getProperty(CouchworkHeaders.LOGS_PROPERTY, List.class);
            return new Outcome.Finished(exitCode, output.of(exchange.getMessage().getBody()), logs, null);
        }
        CommandFailedException failedCommand = exchange.getException(CommandFailedException.class);
        if (failedCommand == null || worker.stoppedBy(error)) {
            throw error;
        }
        return new Outcome.Finished(failedCommand.exitCode(), output.of(failedCommand.stdoutTail()), failedCommand.logs(),
                failedCommand.getMessage());
    }

    /** Running jobs, for statistics. */
    public int inFlight() {
        return worker.inFlight();
    }

    public TokenClaimer claimer() {
        return worker.claimer();
    }

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return 0;
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        if (worker != null) {
            worker.stopClaiming();
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (worker != null) {
            worker.stop();
        }
        if (scheduler != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
        }
        super.doStop();
    }
}

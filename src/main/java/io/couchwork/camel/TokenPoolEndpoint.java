package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import io.couchwork.token.OutcomeApplier;
import io.couchwork.token.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code tokens:name?types=token&concurrency=4&leaseDuration=5m...}: where and how a worker takes tokens. */
public class TokenPoolEndpoint extends DefaultEndpoint {

    private final String name;
    private String types = "token";
    private int concurrency = 1;
    private String prefetch = "auto";
    private int claimBatch = 50;
    private String leaseDuration = "5m";
    private String pollInterval = "30s";
    private int maxAttempts = 3;
    private int maxLeaseExpiries = OutcomeApplier.DEFAULT_MAX_LEASE_EXPIRIES;
    private String retryDelay = "10s";
    private String maxRetryDelay = "1h";
    private String nonRetryableExitCodes = "";
    private String reapInterval = "30s";
    private String writeInterval = "20ms";
    private String unleasedLockTimeout = "0s";
    private String shutdownGrace = "25s";
    private int maxOutputBytes = 65536;
    private boolean followChanges = true;

    public TokenPoolEndpoint(String uri, TokenPoolComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    @Override
    public TokenPoolComponent getComponent() {
        return (TokenPoolComponent) super.getComponent();
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        TokenPoolConsumer consumer = new TokenPoolConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("tokens: is a consumer only: use it in from:");
    }

    void validate() {
        if (concurrency < 1 || claimBatch < 1 || maxAttempts < 1 || maxLeaseExpiries < 1 || maxOutputBytes < 0) {
            throw invalid("concurrency, claimBatch, maxAttempts and maxLeaseExpiries must be at least 1; maxOutputBytes"
                    + " at least 0");
        }
        prefetchDepth();
        if (typeList().isEmpty()) {
            throw invalid("types must name at least one token type");
        }
        if (lease().toSeconds() < 3) {
            throw invalid("leaseDuration must be at least 3s");
        }
        retryPolicy();
        duration("pollInterval", pollInterval);
        duration("reapInterval", reapInterval);
        duration("writeInterval", writeInterval);
        duration("unleasedLockTimeout", unleasedLockTimeout);
        duration("shutdownGrace", shutdownGrace);
    }

    String name() {
        return name;
    }

    List<String> typeList() {
        return Arrays.stream(types.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    Duration lease() {
        return duration("leaseDuration", leaseDuration);
    }

    Duration poll() {
        return duration("pollInterval", pollInterval);
    }

    Duration reap() {
        return duration("reapInterval", reapInterval);
    }

    Duration writeInterval() {
        return duration("writeInterval", writeInterval);
    }

    Duration unleasedLock() {
        return duration("unleasedLockTimeout", unleasedLockTimeout);
    }

    Duration grace() {
        return duration("shutdownGrace", shutdownGrace);
    }

    RetryPolicy retryPolicy() {
        Set<Integer> codes;
        try {
            codes = Arrays.stream(nonRetryableExitCodes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Integer::valueOf).collect(Collectors.toSet());
        } catch (NumberFormatException e) {
            throw invalid("nonRetryableExitCodes must be a comma-separated list of integers, not '"
                    + nonRetryableExitCodes + "'");
        }
        return RetryPolicy.of(maxAttempts, duration("retryDelay", retryDelay), duration("maxRetryDelay", maxRetryDelay),
                codes);
    }

    private Duration duration(String option, String value) {
        try {
            return SettingsReader.parseDuration(option, value);
        } catch (CouchworkException e) {
            throw invalid(e.getMessage().replace("Invalid setting ", "option "));
        }
    }

    private CouchworkException invalid(String what) {
        return new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + what, ExitCode.CONFIGURATION);
    }

    public int getConcurrency() {
        return concurrency;
    }

    /** A new prefetch policy for a consumer: "auto", or a fixed count of tokens claimed ahead. */
    public io.couchwork.token.PrefetchDepth prefetchDepth() {
        if ("auto".equalsIgnoreCase(prefetch.strip())) {
            return io.couchwork.token.PrefetchDepth.auto(concurrency, writeInterval());
        }
        try {
            int fixed = Integer.parseInt(prefetch.strip());
            if (fixed >= 0) {
                return io.couchwork.token.PrefetchDepth.fixed(concurrency, fixed);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw invalid("prefetch must be auto or a number of tokens, at least 0 (it is " + prefetch + ")");
    }

    public int getClaimBatch() {
        return claimBatch;
    }

    public int getMaxLeaseExpiries() {
        return maxLeaseExpiries;
    }

    public int getMaxOutputBytes() {
        return maxOutputBytes;
    }

    public boolean isFollowChanges() {
        return followChanges;
    }

    /** Comma-separated token types (token sets) this worker serves; "token" is PiCaS's. */
    public void setTypes(String types) {
        this.types = types;
    }

    /** Executions in parallel in this worker. */
    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    /**
     * Tokens claimed ahead of free execution slots (they hold a lease while they wait): a number, or auto (the default):
     * as many as two claim round trips take at the pace jobs finish, up to 100; none for long jobs.
     */
    public void setPrefetch(String prefetch) {
        this.prefetch = prefetch;
    }

    /** Most tokens claimed in one _bulk_docs request. */
    public void setClaimBatch(int claimBatch) {
        this.claimBatch = claimBatch;
    }

    /** How long a claim holds without renewal; renewed every third of it while the job runs. */
    public void setLeaseDuration(String leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    /** Safety-net poll of the views when the changes feed says nothing. */
    public void setPollInterval(String pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** Executions a token gets before it lands in the error state. */
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /**
     * Leases of a token that may run out (its worker died, hung or lost the server) before it lands in the error
     * state; they do not count as attempts.
     */
    public void setMaxLeaseExpiries(int maxLeaseExpiries) {
        this.maxLeaseExpiries = maxLeaseExpiries;
    }

    /** Wait before the first retry; doubles per failure, with jitter. */
    public void setRetryDelay(String retryDelay) {
        this.retryDelay = retryDelay;
    }

    /** Longest wait between retries. */
    public void setMaxRetryDelay(String maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    /** Exit codes that go straight to the error state, comma-separated. */
    public void setNonRetryableExitCodes(String nonRetryableExitCodes) {
        this.nonRetryableExitCodes = nonRetryableExitCodes;
    }

    /** How often this worker looks for expired leases. */
    public String getWriteInterval() {
        return writeInterval;
    }

    public void setWriteInterval(String writeInterval) {
        this.writeInterval = writeInterval;
    }

    public void setReapInterval(String reapInterval) {
        this.reapInterval = reapInterval;
    }

    /** Age after which a lock without lease (a PiCaS pilot's) counts as expired; 0s: never. */
    public void setUnleasedLockTimeout(String unleasedLockTimeout) {
        this.unleasedLockTimeout = unleasedLockTimeout;
    }

    /** On shutdown, how long running jobs get to finish before they are stopped and their tokens released. */
    public void setShutdownGrace(String shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
    }

    /** Largest reply body stored as a token's output; longer ones keep their tail. */
    public void setMaxOutputBytes(int maxOutputBytes) {
        this.maxOutputBytes = maxOutputBytes;
    }

    /** Wake up on the _changes feed (true) or rely on the view poll alone. */
    public void setFollowChanges(boolean followChanges) {
        this.followChanges = followChanges;
    }
}

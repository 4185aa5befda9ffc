package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.token.OutcomeApplier;
import io.couchwork.token.RetryPolicy;
import io.couchwork.token.WorkerSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** Claims tokens from a CouchDB token pool (PiCaS-compatible), hands each to the route and records its outcome: {@code tokens:name?types=token&concurrency=4}. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "tokens", title = "Couchwork Token Pool", syntax = "tokens:name",
        consumerOnly = true, remote = true, category = {Category.DATABASE, Category.WORKFLOW},
        headersClass = CouchworkHeaders.class)
public class TokenPoolEndpoint extends DefaultEndpoint {

    @UriPath(defaultValue = "pool", description = "The pool's name in logs and metrics")
    private String name;
    @UriParam(defaultValue = "token", description = "Token types (token sets) this worker serves, comma-separated;"
            + " token is PiCaS's")
    private String types = "token";
    @UriParam(defaultValue = "1", description = "Executions in parallel in this worker")
    private int concurrency = 1;
    @UriParam(defaultValue = "auto", description = "Tokens claimed ahead of free execution slots (they hold a lease"
            + " while they wait): a number, or auto: as many as two claim round trips take at the pace jobs finish, up"
            + " to 100; none for long jobs")
    private String prefetch = "auto";
    @UriParam(defaultValue = "50", label = "advanced", description = "Most tokens claimed in one _bulk_docs request")
    private int claimBatch = 50;
    @UriParam(defaultValue = "5m", description = "How long a claim holds without renewal; renewed every third of it"
            + " while the job runs")
    private Duration leaseDuration = Duration.ofMinutes(5);
    @UriParam(defaultValue = "30s", label = "advanced", description = "Safety-net poll of the views when the"
            + " changes feed says nothing")
    private Duration pollInterval = Duration.ofSeconds(30);
    @UriParam(defaultValue = "3", label = "retry", description = "Executions a token gets before it lands in the"
            + " error state")
    private int maxAttempts = 3;
    @UriParam(defaultValue = "" + OutcomeApplier.DEFAULT_MAX_LEASE_EXPIRIES, label = "retry", description = "Leases of"
            + " a token that may run out (its worker died, hung or lost the server) before it lands in the error state;"
            + " they do not count as attempts")
    private int maxLeaseExpiries = OutcomeApplier.DEFAULT_MAX_LEASE_EXPIRIES;
    @UriParam(defaultValue = "10s", label = "retry", description = "Wait before the first retry; doubles per failure,"
            + " with jitter")
    private Duration retryDelay = Duration.ofSeconds(10);
    @UriParam(defaultValue = "1h", label = "retry", description = "Longest wait between retries")
    private Duration maxRetryDelay = Duration.ofHours(1);
    @UriParam(label = "retry", description = "Exit codes that go straight to the error state, comma-separated")
    private String nonRetryableExitCodes = "";
    @UriParam(defaultValue = "30s", label = "advanced", description = "How often this worker looks for expired"
            + " leases")
    private Duration reapInterval = Duration.ofSeconds(30);
    @UriParam(defaultValue = "20ms", label = "advanced", description = "Results, renewals and claims go to CouchDB"
            + " together at most this often (0s: each at once)")
    private Duration writeInterval = Duration.ofMillis(20);
    @UriParam(defaultValue = "0s", label = "advanced", description = "Age after which a lock without lease (a PiCaS"
            + " pilot's) counts as expired; 0s: never")
    private Duration unleasedLockTimeout = Duration.ZERO;
    @UriParam(defaultValue = "25s", description = "On shutdown, how long running jobs get to finish before they are"
            + " stopped and their tokens released")
    private Duration shutdownGrace = Duration.ofSeconds(25);
    @UriParam(defaultValue = "65536", label = "advanced", description = "Largest reply body stored as a token's"
            + " output; longer ones keep their tail")
    private int maxOutputBytes = 65536;
    @UriParam(defaultValue = "true", label = "advanced", description = "Wake up on the _changes feed (true) or rely"
            + " on the view poll alone")
    private boolean followChanges = true;
    @Metadata(skip = true)
    private List<String> typeList = List.of("token");
    @Metadata(skip = true)
    private RetryPolicy retryPolicy;

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

    /** Checks the options together, once, and derives what the consumer reads on every pass. */
    void validate() {
        atLeast("concurrency", concurrency, 1);
        atLeast("claimBatch", claimBatch, 1);
        atLeast("maxAttempts", maxAttempts, 1);
        atLeast("maxLeaseExpiries", maxLeaseExpiries, 1);
        atLeast("maxOutputBytes", maxOutputBytes, 0);
        prefetchCount();
        typeList = Arrays.stream(types.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (typeList.isEmpty()) {
            throw invalid("types must name at least one token type");
        }
        if (leaseDuration.toSeconds() < 3) {
            throw invalid("leaseDuration must be at least 3s");
        }
        if (pollInterval.isZero() || reapInterval.isZero()) {
            throw invalid("pollInterval and reapInterval must be more than 0s");
        }
        Set<Integer> codes;
        try {
            codes = Arrays.stream(nonRetryableExitCodes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Integer::valueOf).collect(Collectors.toSet());
        } catch (NumberFormatException e) {
            throw invalid("nonRetryableExitCodes must be a comma-separated list of integers, not '"
                    + nonRetryableExitCodes + "'");
        }
        retryPolicy = RetryPolicy.of(maxAttempts, retryDelay, maxRetryDelay, codes);
    }

    private void atLeast(String option, long value, long min) {
        if (value < min) {
            throw invalid(option + " must be at least " + min + ", not " + value);
        }
    }

    private CouchworkException invalid(String what) {
        return new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + what, ExitCode.CONFIGURATION);
    }

    String name() {
        return name;
    }

    List<String> typeList() {
        return typeList;
    }

    Duration lease() {
        return leaseDuration;
    }

    Duration poll() {
        return pollInterval;
    }

    Duration reap() {
        return reapInterval;
    }

    Duration writeInterval() {
        return writeInterval;
    }

    Duration unleasedLock() {
        return unleasedLockTimeout;
    }

    Duration grace() {
        return shutdownGrace;
    }

    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The worker's settings, from the options checked by {@link #validate}. */
    WorkerSettings workerSettings() {
        return new WorkerSettings(name, typeList, concurrency, leaseDuration, pollInterval, reapInterval,
                writeInterval, unleasedLockTimeout, shutdownGrace, maxLeaseExpiries, retryPolicy, prefetchCount(),
                claimBatch, followChanges);
    }

    /** Tokens claimed ahead, or {@link WorkerSettings#AUTO_PREFETCH}. */
    private int prefetchCount() {
        if ("auto".equalsIgnoreCase(prefetch.strip())) {
            return WorkerSettings.AUTO_PREFETCH;
        }
        try {
            int fixed = Integer.parseInt(prefetch.strip());
            if (fixed >= 0) {
                return fixed;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw invalid("prefetch must be auto or a number of tokens, at least 0 (it is " + prefetch + ")");
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getTypes() {
        return types;
    }

    public void setTypes(String types) {
        this.types = types;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public String getPrefetch() {
        return prefetch;
    }

    public void setPrefetch(String prefetch) {
        this.prefetch = prefetch;
    }

    public int getClaimBatch() {
        return claimBatch;
    }

    public void setClaimBatch(int claimBatch) {
        this.claimBatch = claimBatch;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public int getMaxLeaseExpiries() {
        return maxLeaseExpiries;
    }

    public void setMaxLeaseExpiries(int maxLeaseExpiries) {
        this.maxLeaseExpiries = maxLeaseExpiries;
    }

    public Duration getRetryDelay() {
        return retryDelay;
    }

    public void setRetryDelay(Duration retryDelay) {
        this.retryDelay = retryDelay;
    }

    public Duration getMaxRetryDelay() {
        return maxRetryDelay;
    }

    public void setMaxRetryDelay(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    public String getNonRetryableExitCodes() {
        return nonRetryableExitCodes;
    }

    public void setNonRetryableExitCodes(String nonRetryableExitCodes) {
        this.nonRetryableExitCodes = nonRetryableExitCodes;
    }

    public Duration getReapInterval() {
        return reapInterval;
    }

    public void setReapInterval(Duration reapInterval) {
        this.reapInterval = reapInterval;
    }

    public Duration getWriteInterval() {
        return writeInterval;
    }

    public void setWriteInterval(Duration writeInterval) {
        this.writeInterval = writeInterval;
    }

    public Duration getUnleasedLockTimeout() {
        return unleasedLockTimeout;
    }

    public void setUnleasedLockTimeout(Duration unleasedLockTimeout) {
        this.unleasedLockTimeout = unleasedLockTimeout;
    }

    public Duration getShutdownGrace() {
        return shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
    }

    public int getMaxOutputBytes() {
        return maxOutputBytes;
    }

    public void setMaxOutputBytes(int maxOutputBytes) {
        this.maxOutputBytes = maxOutputBytes;
    }

    public boolean isFollowChanges() {
        return followChanges;
    }

    public void setFollowChanges(boolean followChanges) {
        this.followChanges = followChanges;
    }
}

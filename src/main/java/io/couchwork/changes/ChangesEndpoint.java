package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code changes:name?types=device&states=new&concurrency=4}: which changed documents a flow handles, and how. */
public class ChangesEndpoint extends DefaultEndpoint {

    private final String name;
    private String types = "";
    private String states = "";
    private int concurrency = 1;
    private int batchSize = 100;
    private String startFrom = "beginning";
    private boolean includeDeleted;
    private Set<String> typeSet = Set.of();
    private Set<String> stateSet = Set.of();

    public ChangesEndpoint(String uri, ChangesComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    @Override
    public ChangesComponent getComponent() {
        return (ChangesComponent) super.getComponent();
    }

    void validate() {
        // split once here, not for every change of the feed
        typeSet = split(types);
        stateSet = split(states);
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw invalid("the consumer name (" + name + ") names its checkpoint: letters, digits, _ . - only");
        }
        if (concurrency < 1 || batchSize < 1) {
            throw invalid("concurrency and batchSize must be at least 1");
        }
        if (!startFrom.equals("beginning") && !startFrom.equals("now")) {
            throw invalid("startFrom is beginning or now, not '" + startFrom + "'");
        }
    }

    private CouchworkException invalid(String what) {
        return new CouchworkException("Invalid endpoint " + getEndpointUri() + ": " + what, ExitCode.CONFIGURATION);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ChangesConsumer consumer = new ChangesConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("changes: is a consumer only: use it in from:");
    }

    String name() {
        return name;
    }

    /** True for a changed document this flow handles: its type and state are among those asked for. */
    boolean matches(JsonNode doc) {
        if (doc.path("_deleted").asBoolean(false)) {
            return includeDeleted;
        }
        if (doc.path("_id").asText().startsWith("_design/")) {
            return false;
        }
        return (typeSet.isEmpty() || typeSet.contains(doc.path("type").asText(null)))
                && (stateSet.isEmpty() || stateSet.contains(doc.path("state").asText(null)));
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    public int getConcurrency() {
        return concurrency;
    }

    public int getBatchSize() {
        return batchSize;
    }

    boolean startsAtBeginning() {
        return startFrom.equals("beginning");
    }

    /** Document types handled, comma-separated (empty: all). */
    public void setTypes(String types) {
        this.types = types;
    }

    /** Document states handled, comma-separated (empty: all). */
    public void setStates(String states) {
        this.states = states;
    }

    /** Changes handled in parallel; the checkpoint only passes changes that are all finished. */
    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    /** Changes read per request. */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Without a checkpoint: "beginning" (every document, the default) or "now" (only later changes). */
    public void setStartFrom(String startFrom) {
        this.startFrom = startFrom;
    }

    /** Hand deleted documents to the flow too (default: skip them). */
    public void setIncludeDeleted(boolean includeDeleted) {
        this.includeDeleted = includeDeleted;
    }
}

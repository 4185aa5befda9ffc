package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.util.Arrays;
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

/** Follows a CouchDB database's _changes feed with a checkpoint, handing changed documents of some types and states to the route: {@code changes:name?types=device&states=new}. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "changes", title = "Couchwork Changes", syntax = "changes:name",
        consumerOnly = true, remote = true, category = {Category.DATABASE, Category.WORKFLOW},
        headersClass = ChangesHeaders.class)
public class ChangesEndpoint extends DefaultEndpoint {

    @UriPath @Metadata(required = true, description = "The consumer's name, which names its checkpoint document:"
            + " letters, digits, _ . - only")
    private String name;
    @UriParam(description = "Document types handled, comma-separated (empty: all)")
    private String types = "";
    @UriParam(description = "Document states handled, comma-separated (empty: all)")
    private String states = "";
    @UriParam(defaultValue = "1", description = "Changes handled in parallel; the checkpoint only passes changes"
            + " that are all finished")
    private int concurrency = 1;
    @UriParam(defaultValue = "100", label = "advanced", description = "Changes read per request")
    private int batchSize = 100;
    @UriParam(defaultValue = "beginning", enums = "beginning,now", description = "Without a checkpoint: beginning"
            + " (every document) or now (only later changes)")
    private String startFrom = "beginning";
    @UriParam(defaultValue = "false", description = "Hand deleted documents to the flow too (default: skip them)")
    private boolean includeDeleted;
    @Metadata(skip = true)
    private Set<String> typeSet = Set.of();
    @Metadata(skip = true)
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
            throw invalid("concurrency and batchSize must be at least 1, not " + concurrency + " and " + batchSize);
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
        return matchesType(doc) && (stateSet.isEmpty() || stateSet.contains(doc.path("state").asText(null)));
    }

    /** True for a live document of a type this flow handles, whatever its state. */
    boolean matchesType(JsonNode doc) {
        return !doc.path("_deleted").asBoolean(false) && !doc.path("_id").asText().startsWith("_design/")
                && (typeSet.isEmpty() || typeSet.contains(doc.path("type").asText(null)));
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

    public String getStates() {
        return states;
    }

    public void setStates(String states) {
        this.states = states;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public String getStartFrom() {
        return startFrom;
    }

    public void setStartFrom(String startFrom) {
        this.startFrom = startFrom;
    }

    public boolean isIncludeDeleted() {
        return includeDeleted;
    }

    public void setIncludeDeleted(boolean includeDeleted) {
        this.includeDeleted = includeDeleted;
    }
}

package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.CouchworkHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Exchange;

/**
 * EDELWEISS-style processing pipeline: one document per data file with a {@code process} history; each stage appends
 * {name, hostname, time, result} and sets the state to its own name, which hands the file to the next stage. Keeps
 * EDELWEISS's {@code _design/process} views (lastproc, status) for the tools that read them.
 */
public class Pipeline {

    /** The flow in config/flows/ whose states this bean uses. */
    static final String FLOW = "pipeline";

    private static final String LASTPROC = """
            function (doc) {
              if (doc.type === 'datafile' && Array.isArray(doc.process)) {
                var last = doc.process.length > 0 ? doc.process[doc.process.length - 1].name : 0;
                emit([last, doc._id], 1);
              }
            }
            """;
    private static final String STATUS = """
            function (doc) {
              if (doc.type === 'datafile') emit(doc.status, 1);
            }
            """;

    private final CouchDatabase database;
    private final Clock clock;
    private final WorkerIdentity worker;
    private final String newFile;

    public Pipeline(CouchDatabase database, Clock clock, WorkerIdentity worker) {
        this(database, clock, worker, FlowDefinitions.none());
    }

    public Pipeline(CouchDatabase database, Clock clock, WorkerIdentity worker, FlowDefinitions flows) {
        this.database = database;
        this.clock = clock;
        this.worker = worker;
        this.newFile = flows.state(FLOW, "new", "Pipeline");
    }

    /** Installs _design/process (lastproc with _count, status with _sum), as EDELWEISS's tools expect. */
    public void installViews() {
        Map<String, ObjectNode> views = new LinkedHashMap<>();
        ObjectNode lastproc = Json.object();
        lastproc.put("map", LASTPROC);
        lastproc.put("reduce", "_count");
        views.put("lastproc", lastproc);
        ObjectNode status = Json.object();
        status.put("map", STATUS);
        status.put("reduce", "_sum");
        views.put("status", status);
        new DesignDocuments(database).ensureViews("process", views);
    }

    /** Appends this stage to the file's process history (from the step's exit code and output) and names it next. */
    public void recordStep(Exchange exchange) {
        ObjectNode file = StateHandlers.document(exchange);
        String name = exchange.getMessage().getHeader(FlowHeaders.STEP, String.class);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("recordStep needs the " + FlowHeaders.STEP + " header (the stage's name)");
        }
        ArrayNode process = file.path("process").isArray() ? ((ArrayNode) file.get("process")).deepCopy()
                : Json.MAPPER.createArrayNode();
        ObjectNode step = process.addObject();
        step.put("name", name);
        step.put("hostname", worker.hostname());
        step.put("time", clock.instant().getEpochSecond());
        step.put("exit_code", exchange.getMessage().getHeader(CouchworkHeaders.EXIT_CODE, 0, Integer.class));
        step.put("result", exchange.getMessage().getBody(String.class) == null ? ""
                : exchange.getMessage().getBody(String.class).strip());
        ObjectNode changes = Json.object();
        changes.set("process", process);
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, name);
        exchange.getMessage().setBody(changes);
    }

    /** Creates example data-file documents as EDELWEISS's make_metadata.py does; returns their ids. */
    public List<String> addExampleFiles(int count) {
        List<ObjectNode> docs = new ArrayList<>();
        String run = "ma" + (22 + ThreadLocalRandom.current().nextInt(9)) + "a" + String.format("%03d",
                ThreadLocalRandom.current().nextInt(1000));
        for (int i = 0; i < count; i++) {
            ObjectNode doc = Json.object();
            String id = run + "_" + String.format("%03d", i) + "_" + UUID.randomUUID().toString().substring(0, 6);
            doc.put("_id", id);
            doc.put("type", "datafile");
            doc.put("state", newFile);
            doc.put("status", "good");
            doc.put("run", run);
            doc.put("md5sum", UUID.randomUUID().toString().replace("-", ""));
            doc.put("datecreated", clock.millis() / 1000.0);
            doc.put("original_file", "/mnt/data/" + id + ".root");
            ObjectNode conditions = doc.putObject("conditions");
            conditions.put("temperature", 0.015 + ThreadLocalRandom.current().nextDouble() / 1000);
            doc.putArray("process");
            docs.add(doc);
        }
        List<String> ids = new ArrayList<>();
        List<WriteResult> results = database.bulkWrite(docs);
        for (WriteResult result : results) {
            if (!result.ok()) {
                throw new IllegalStateException("cannot create " + result.id() + ": " + result.error());
            }
            ids.add(result.id());
        }
        return ids;
    }

    static JsonNode lastStep(JsonNode file) {
        JsonNode process = file.path("process");
        return process.isArray() && process.size() > 0 ? process.get(process.size() - 1) : null;
    }
}

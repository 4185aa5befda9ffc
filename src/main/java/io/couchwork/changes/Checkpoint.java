package io.couchwork.changes;

import com.ibm.cloud.cloudant.v1.model.Document;
import com.ibm.cloud.cloudant.v1.model.GetLocalDocumentOptions;
import com.ibm.cloud.cloudant.v1.model.PutLocalDocumentOptions;
import com.ibm.cloud.sdk.core.service.exception.ConflictException;
import com.ibm.cloud.sdk.core.service.exception.NotFoundException;
import io.couchwork.couchdb.CouchDatabase;
import java.util.Optional;

/** A feed consumer's checkpoint: the last fully processed sequence, in a _local document (never replicated). */
public final class Checkpoint {

    private final CouchDatabase database;
    private final String docId;
    private String rev;
    private String saved;

    public Checkpoint(CouchDatabase database, String consumerName) {
        this.database = database;
        this.docId = "couchwork-changes-" + consumerName;
    }

    public String id() {
        return "_local/" + docId;
    }

    public Optional<String> load() {
        try {
            Document doc = database.client().getLocalDocument(new GetLocalDocumentOptions.Builder(database.name(), docId)
                    .build()).execute().getResult();
            rev = doc.getRev();
            Object seq = doc.get("seq");
            saved = seq == null ? null : seq.toString();
            return Optional.ofNullable(saved);
        } catch (NotFoundException none) {
            return Optional.empty();
        }
    }

    /** Saves the sequence unless it is already saved; another writer of the same checkpoint is re-read and overwritten. */
    public void save(String seq) {
        if (seq == null || seq.equals(saved)) {
            return;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Document doc = new Document();
            doc.put("seq", seq);
            if (rev != null) {
                doc.setRev(rev);
            }
            try {
                rev = database.client().putLocalDocument(new PutLocalDocumentOptions.Builder(database.name(), docId)
                        .document(doc).build()).execute().getResult().getRev();
                saved = seq;
                return;
            } catch (ConflictException conflict) {
                load();
            }
        }
    }
}

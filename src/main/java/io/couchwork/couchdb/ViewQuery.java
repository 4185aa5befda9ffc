package io.couchwork.couchdb;

import java.util.List;

/**
 * A view read: key range, limit, whether to include the documents (and with them their {@code _conflicts}), reduce and
 * group level.
 */
public record ViewQuery(Object startKey, Object endKey, List<Object> keys, Long limit, boolean includeDocs,
        Boolean reduce, Long groupLevel, boolean conflicts) {

    public ViewQuery(Object startKey, Object endKey, List<Object> keys, Long limit, boolean includeDocs, Boolean reduce,
            Long groupLevel) {
        this(startKey, endKey, keys, limit, includeDocs, reduce, groupLevel, false);
    }

    public static ViewQuery range(Object startKey, Object endKey) {
        return new ViewQuery(startKey, endKey, null, null, false, false, null);
    }

    public static ViewQuery grouped(int groupLevel) {
        return new ViewQuery(null, null, null, null, false, true, (long) groupLevel);
    }

    public ViewQuery limit(long value) {
        return new ViewQuery(startKey, endKey, keys, value, includeDocs, reduce, groupLevel, conflicts);
    }

    public ViewQuery withDocs() {
        return new ViewQuery(startKey, endKey, keys, limit, true, reduce, groupLevel, conflicts);
    }

    /** With the documents, each with its {@code _conflicts} when it has any. */
    public ViewQuery withDocsAndConflicts() {
        return new ViewQuery(startKey, endKey, keys, limit, true, reduce, groupLevel, true);
    }
}

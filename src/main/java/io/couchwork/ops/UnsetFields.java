package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/** Removes top-level fields from every token that has them. */
public final class UnsetFields implements TokenChange {

    private final List<String> fields;

    public UnsetFields(List<String> fields) {
        fields.forEach(FieldNames::checkWritable);
        this.fields = List.copyOf(fields);
    }

    @Override
    public String verb() {
        return "unset";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        if (fields.stream().noneMatch(token::has)) {
            return Optional.empty();
        }
        ObjectNode changed = token.deepCopy();
        changed.remove(fields);
        return Optional.of(changed);
    }
}

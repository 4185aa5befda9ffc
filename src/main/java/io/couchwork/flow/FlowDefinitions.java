package io.couchwork.flow;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Every flow's declared states, read once at start from the states folder ({@code config/flows/<flow>.yaml}). */
public final class FlowDefinitions {

    private final Map<String, FlowStates> byName;
    private final Map<String, FlowStates> byType;

    private FlowDefinitions(Map<String, FlowStates> byName, Map<String, FlowStates> byType) {
        this.byName = byName;
        this.byType = byType;
    }

    /** No declared flows: every transition is allowed, as before states files. */
    public static FlowDefinitions none() {
        return new FlowDefinitions(Map.of(), Map.of());
    }

    /** Reads every *.yaml and *.yml file of {@code directory} (none when it does not exist), in name order. */
    public static FlowDefinitions load(Path directory) {
        Map<String, FlowStates> byName = new LinkedHashMap<>();
        Map<String, FlowStates> byType = new LinkedHashMap<>();
        if (!Files.isDirectory(directory)) {
            return new FlowDefinitions(byName, byType);
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new CouchworkException("Cannot list the flow states folder " + directory + ": " + e.getMessage(),
                    ExitCode.CONFIGURATION, e);
        }
        for (Path file : files) {
            FlowStates flow = FlowStatesFile.read(file);
            FlowStates sameName = byName.putIfAbsent(flow.name(), flow);
            if (sameName != null) {
                throw new CouchworkException("Invalid flow states file " + file + ": flow " + flow.name()
                        + " is declared in " + sameName.file() + " already", ExitCode.CONFIGURATION);
            }
            for (String type : flow.types()) {
                FlowStates sameType = byType.putIfAbsent(type, flow);
                if (sameType != null) {
                    throw new CouchworkException("Invalid flow states file " + file + ": documents of type " + type
                            + " are driven by flow " + sameType.name() + " (" + sameType.file() + ") already",
                            ExitCode.CONFIGURATION);
                }
            }
        }
        return new FlowDefinitions(byName, byType);
    }

    /** The flow that drives documents of {@code type}, if one declares it. */
    public Optional<FlowStates> forType(String type) {
        return Optional.ofNullable(type == null ? null : byType.get(type));
    }

    /** The flows in file name order. */
    public List<FlowStates> all() {
        return new ArrayList<>(byName.values());
    }

    /**
     * {@code state} of flow {@code flow}, checked against its states file when there is one (failing at start when the
     * file lacks it); unchecked when the flow has no states file, so a bean works without one.
     */
    public String state(String flow, String state, String usedBy) {
        FlowStates declared = byName.get(flow);
        return declared == null ? state : declared.state(state, usedBy);
    }
}

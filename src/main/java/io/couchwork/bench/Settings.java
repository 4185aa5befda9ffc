package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The worker settings a run used: the pool and job keys of the shipped configuration file, as written there. */
final class Settings {

    private Settings() {}

    static Map<String, String> of(Path configFile) {
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(configFile)) {
                String text = line.strip();
                int eq = text.indexOf('=');
                if (text.startsWith("#") || eq < 0) {
                    continue;
                }
                String key = text.substring(0, eq).strip();
                if (key.startsWith("couchwork.pool.") || key.startsWith("couchwork.exec.")
                        || key.equals("couchwork.report.interval")) {
                    settings.put(key, text.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            settings.put("(unreadable)", configFile + ": " + e.getMessage());
        }
        return settings;
    }
}

package org.pointe4j.catalog;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The list of official models ({@code models/catalog.json}, packaged into the jar): model configs
 * are data, not code, so base300M and base1B differ from base40M only by their catalog rows.
 */
public final class Catalog {
    private static final String RESOURCE = "/org/pointe4j/io/catalog.json";
    private static volatile Catalog instance;

    private final Map<String, CatalogEntry> entries;

    private Catalog(Map<String, CatalogEntry> entries) {
        this.entries = entries;
    }

    /** The catalog shipped with this version. */
    public static Catalog get() {
        Catalog c = instance;
        if (c == null) {
            try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("catalog resource " + RESOURCE + " is missing from the classpath");
                }
                c = parse(new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance = c;
        }
        return c;
    }

    /** Parses a catalog document. */
    public static Catalog parse(Reader reader) {
        JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
        Map<String, CatalogEntry> map = new LinkedHashMap<>();
        for (JsonElement e : root.getAsJsonArray("models")) {
            CatalogEntry entry = new CatalogEntry(e.getAsJsonObject());
            map.put(entry.name(), entry);
        }
        return new Catalog(map);
    }

    /** All entries in catalog order. */
    public List<CatalogEntry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** True if a model of that name is listed. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The entry of a model.
     *
     * @throws IllegalArgumentException listing the known names when there is no such model
     */
    public CatalogEntry entry(String name) {
        CatalogEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", entries.keySet()));
        }
        return e;
    }
}

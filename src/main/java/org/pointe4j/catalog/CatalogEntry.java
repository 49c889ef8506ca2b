package org.pointe4j.catalog;

import com.google.gson.JsonObject;

/**
 * One official model of the system as the catalog ({@code models/catalog.json}) lists it: where
 * it comes from, how big it is, and its architecture and diffusion configs exactly as the official
 * code's config dicts give them.
 */
public final class CatalogEntry {
    private final String name;
    private final String stage;
    private final String file;
    private final String url;
    private final long sizeBytes;
    private final boolean sizeExact;
    private final String sha256;
    private final long params;
    private final String format;
    private final String description;
    private final String bundled;
    private final JsonObject config;
    private final JsonObject diffusion;

    /** An entry from its catalog JSON object (tests and tools build their own). */
    public CatalogEntry(JsonObject o) {
        this.name = o.get("name").getAsString();
        this.stage = o.get("stage").getAsString();
        this.file = o.get("file").getAsString();
        this.url = o.get("url").getAsString();
        this.sizeBytes = o.get("size_bytes").getAsLong();
        this.sizeExact = o.has("size_exact") && o.get("size_exact").getAsBoolean();
        this.sha256 = o.has("sha256") && !o.get("sha256").isJsonNull() ? o.get("sha256").getAsString() : null;
        this.params = o.has("params") ? o.get("params").getAsLong() : -1;
        this.format = o.has("format") ? o.get("format").getAsString() : "state_dict";
        this.description = o.has("description") ? o.get("description").getAsString() : "";
        this.bundled = o.has("bundled") ? o.get("bundled").getAsString() : null;
        this.config = o.has("config") ? o.getAsJsonObject("config") : null;
        this.diffusion = o.has("diffusion") ? o.getAsJsonObject("diffusion") : null;
    }

    /** The official name, e.g. {@code base40M-textvec}. */
    public String name() {
        return name;
    }

    /** Pipeline stage: base, upsample, sdf, eval, clip, glide. */
    public String stage() {
        return stage;
    }

    /** File name in the models folder, as the official code caches it. */
    public String file() {
        return file;
    }

    /** Official download address. */
    public String url() {
        return url;
    }

    /** Expected size in bytes (exact when {@link #sizeExact()}, otherwise an estimate). */
    public long sizeBytes() {
        return sizeBytes;
    }

    public boolean sizeExact() {
        return sizeExact;
    }

    /** Recorded SHA-256 (hex), or null when none is recorded yet. */
    public String sha256() {
        return sha256;
    }

    /** Parameter count of the architecture (-1 when not listed). */
    public long params() {
        return params;
    }

    /** {@code state_dict} or {@code torchscript}. */
    public String format() {
        return format;
    }

    public String description() {
        return description;
    }

    /** Classpath resource holding this file when the jar ships it, else null. */
    public String bundled() {
        return bundled;
    }

    /** The architecture config dict (a copy), or null. */
    public JsonObject config() {
        return config == null ? null : config.deepCopy();
    }

    /** The diffusion config dict (a copy), or null. */
    public JsonObject diffusion() {
        return diffusion == null ? null : diffusion.deepCopy();
    }

    /** Human-readable size such as {@code 161 MB} (prefixed with ~ when estimated). */
    public String sizeLabel() {
        return (sizeExact ? "" : "~") + formatBytes(sizeBytes);
    }

    /** Formats a byte count with a decimal unit. */
    public static String formatBytes(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format("%.2f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return String.format("%.0f MB", bytes / 1e6);
        }
        if (bytes >= 1_000L) {
            return String.format("%.0f kB", bytes / 1e3);
        }
        return bytes + " B";
    }

    @Override
    public String toString() {
        return name + " (" + file + ", " + sizeLabel() + ")";
    }
}

package io.flock.privacy.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The federation's admission list: SHA-256 fingerprints of the ML-DSA-65 public keys allowed to
 * join (see {@link NodeIdentity#fingerprint()}), each optionally bound to the one node id it may
 * join as. File format: one entry per line, {@code FINGERPRINT [NODE-ID]} (64 hex digits, then
 * optionally the node's id); blank lines and text after {@code #} are ignored. A bound key
 * admits only its node: a stolen key cannot join under other names.
 */
public final class Allowlist {

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  // fingerprint -> bound node id, or "" when the key may join under any name
  private final Map<String, String> entries;

  private Allowlist(Map<String, String> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** An allowlist of entries {@code "FINGERPRINT"} or {@code "FINGERPRINT NODE-ID"} (validated). */
  public static Allowlist of(List<String> entries) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String e : entries) {
      String problem = add(map, e);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    return new Allowlist(map);
  }

  /** Reads an allowlist file; the error names the file and line of a malformed entry. */
  public static Allowlist load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String v = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (v.isEmpty()) {
        continue;
      }
      String problem = add(map, v);
      if (problem != null) {
        throw new IOException(file + ":" + (i + 1) + ": " + problem);
      }
    }
    return new Allowlist(map);
  }

  private static String add(Map<String, String> map, String entry) {
    String[] parts = entry.trim().split("\\s+");
    String fingerprint = parts[0].toLowerCase(Locale.ROOT);
    if (!HEX64.matcher(fingerprint).matches()) {
      return "'" + parts[0] + "' is not a SHA-256 fingerprint (64 hex digits)";
    }
    if (parts.length > 2 || (parts.length == 2 && !NODE_ID.matcher(parts[1]).matches())) {
      return "'" + entry.trim() + "' is not FINGERPRINT [NODE-ID]";
    }
    map.put(fingerprint, parts.length == 2 ? parts[1] : "");
    return null;
  }

  /** Whether the encoded public key's fingerprint is on the list. */
  public boolean admits(byte[] encodedPublicKey) {
    return entries.containsKey(NodeIdentity.fingerprint(encodedPublicKey));
  }

  /** The node id the key is bound to, or null when it is unbound or not on the list. */
  public String boundNode(byte[] encodedPublicKey) {
    String node = entries.get(NodeIdentity.fingerprint(encodedPublicKey));
    return node == null || node.isEmpty() ? null : node;
  }

  /** The entries as {@link #of} reads them ({@code "FINGERPRINT"} or {@code "FINGERPRINT NODE-ID"}), sorted. */
  public List<String> entries() {
    return entries.entrySet().stream()
        .map(e -> e.getValue().isEmpty() ? e.getKey() : e.getKey() + " " + e.getValue())
        .sorted()
        .toList();
  }

  /** Number of admitted keys. */
  public int size() {
    return entries.size();
  }
}

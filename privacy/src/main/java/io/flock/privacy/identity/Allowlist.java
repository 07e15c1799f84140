package io.flock.privacy.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The federation's admission list: SHA-256 fingerprints of the ML-DSA-65 public keys allowed to
 * join (see {@link NodeIdentity#fingerprint()}). File format: one 64-hex-digit fingerprint per
 * line; blank lines and text after {@code #} are ignored.
 */
public final class Allowlist {

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final Set<String> fingerprints;

  private Allowlist(Set<String> fingerprints) {
    this.fingerprints = Set.copyOf(fingerprints);
  }

  /** An allowlist of the given fingerprints (validated). */
  public static Allowlist of(List<String> fingerprints) {
    Set<String> set = new LinkedHashSet<>();
    for (String f : fingerprints) {
      String v = f.trim().toLowerCase(java.util.Locale.ROOT);
      if (!HEX64.matcher(v).matches()) {
        throw new IllegalArgumentException(
            "'" + f + "' is not a SHA-256 fingerprint (64 hex digits)");
      }
      set.add(v);
    }
    return new Allowlist(set);
  }

  /** Reads an allowlist file; the error names the file and line of a malformed entry. */
  public static Allowlist load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    Set<String> set = new LinkedHashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String v = (hash >= 0 ? line.substring(0, hash) : line).trim().toLowerCase(java.util.Locale.ROOT);
      if (v.isEmpty()) {
        continue;
      }
      if (!HEX64.matcher(v).matches()) {
        throw new IOException(
            file + ":" + (i + 1) + ": '" + v + "' is not a SHA-256 fingerprint (64 hex digits)");
      }
      set.add(v);
    }
    return new Allowlist(set);
  }

  /** Whether the encoded public key's fingerprint is on the list. */
  public boolean admits(byte[] encodedPublicKey) {
    return fingerprints.contains(NodeIdentity.fingerprint(encodedPublicKey));
  }

  /** The fingerprints, sorted. */
  public java.util.List<String> fingerprints() {
    return fingerprints.stream().sorted().toList();
  }

  /** Number of admitted keys. */
  public int size() {
    return fingerprints.size();
  }
}

package io.flock.cli;

import io.flock.privacy.identity.NodeIdentity;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock identities}: ML-DSA-65 identity keys for training nodes, and the allowlist. */
@Command(name = "identities", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Create ML-DSA-65 identity keys for training nodes node-FROM .. node-(FROM+COUNT-1):",
        "DIR/<node>.mldsa (secret: copy each to the member hosting the node) and their fingerprints,",
        "appended to DIR/allowlist.txt (public: give it to `flock seed --allowlist`). A node proves its key",
        "by signing a fresh challenge of the coordinator; keys not on the list never train. Existing keys",
        "are kept."})
final class IdentitiesCommand implements Callable<Integer> {

  /** Suffix of a node's identity file. */
  static final String SUFFIX = ".mldsa";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory of the key files.")
  Path out;

  @Option(names = "--nodes", required = true, paramLabel = "COUNT", description = "How many node keys.")
  int count;

  @Option(names = "--from", defaultValue = "0", description = "Index of the first node (default: ${DEFAULT-VALUE}).")
  int from;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || from < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be >= 1 and --from >= 0");
    }
    PrintWriter w = spec.commandLine().getOut();
    SecureRandom random = new SecureRandom();
    Files.createDirectories(out);
    Path allowlist = out.resolve("allowlist.txt");
    StringBuilder lines = new StringBuilder();
    for (int i = from; i < from + count; i++) {
      String node = String.format("node-%04d", i);
      Path file = out.resolve(node + SUFFIX);
      if (Files.exists(file)) {
        w.println(node + ": kept " + file);
        continue;
      }
      NodeIdentity id = NodeIdentity.generate(random);
      id.save(file);
      lines.append(id.fingerprint()).append(" ").append(node).append('\n');
      w.println(node + ": " + file + " (" + id.fingerprint() + ")");
    }
    Files.writeString(allowlist, lines.toString(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    w.println("allowlist: " + allowlist);
    w.flush();
    return 0;
  }

  /** The identity of {@code nodeId} in {@code dir}, or a clear error. */
  static NodeIdentity load(Path dir, String nodeId) {
    Path file = dir.resolve(nodeId + SUFFIX);
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--identities: no key for " + nodeId + " in " + dir + " (expected "
          + file.getFileName() + "; create it with `flock identities --out " + dir + " --nodes N`)");
    }
    try {
      return NodeIdentity.load(file);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("--identities: " + e.getMessage(), e);
    }
  }
}

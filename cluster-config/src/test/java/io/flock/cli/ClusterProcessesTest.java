package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster: one seed and member JVMs as separate processes on 127.0.0.1, started with the
 * `flock seed` / `flock member` commands, training the 2NN on MNIST (0.8 MB of weights: the global
 * model, every update and every checkpoint replica are streamed between JVMs). A member is
 * killed with SIGKILL mid-round (a dropout, the round completes through quorum, the restarted
 * member participates again), and the coordinator's JVM is killed (a standby member takes over
 * from its own replica of the checkpoint: no completed round lost or repeated).
 *
 * <p>No sleeps: the test waits on the processes' output lines, each wait bounded.
 */
class ClusterProcessesTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Pattern ROUND = Pattern.compile("^round (\\d+)/(\\d+)(.*)$");

  @TempDir Path dir;
  private final List<Jvm> jvms = new ArrayList<>();

  @AfterEach
  void killAll() {
    jvms.forEach(Jvm::kill);
  }

  /** On a failure, every JVM's last output lines go to the test report: what each one was doing. */
  @RegisterExtension
  final TestWatcher printOutputsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      for (Jvm jvm : jvms) {
        List<String> lines = jvm.lines();
        System.out.println("---- " + jvm.name + ": last " + Math.min(80, lines.size()) + " of " + lines.size()
            + " lines");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
      }
    }
  };

  /** The run: 500 MNIST samples per node, 5 local epochs: a round takes about a second. */
  private static List<String> run() {
    return List.of("--model", "mlp-2nn", "--train-limit", "3000", "--rounds", "500", "--nodes", "6",
        "--min-nodes", "3", "--min-fraction", "0.5", "--await-nodes", "6", "--fraction", "1.0",
        "--local-epochs", "5", "--target-accuracy", "0", "--round-timeout", "30");
  }

  private static List<String> data() {
    return List.of("--model", "mlp-2nn", "--train-limit", "3000");
  }

  /**
   * One cluster, both failures: 1 seed (the coordinator) and 3 members with 2 nodes each; member
   * m0 is a standby coordinator with its own work directory (no shared disk).
   */
  @Test
  void onlyAllowlistedNodesTrainKilledMemberRejoinsKilledCoordinatorResumesOnTheStandbyAndAfterAFullRestart() throws IOException {
    // A quicker failure detector and downing than the production defaults, through --cluster-config.
    Path fast = dir.resolve("fast.conf");
    java.nio.file.Files.writeString(fast, "pekko.cluster.split-brain-resolver.stable-after = 2 s\n"
        + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2 s\n");
    // Signed admission: the six nodes' ML-DSA keys are on the seed's allowlist; an intruder with
    // a key of its own joins the cluster but never trains.
    Path keys = dir.resolve("keys");
    Path strangers = dir.resolve("strangers");
    assertEquals(0, FlockCli.newCommandLine().execute("identities", "--out", keys.toString(), "--nodes", "6"));
    assertEquals(0, FlockCli.newCommandLine().execute("identities", "--out", strangers.toString(), "--from", "6",
        "--nodes", "1"));
    List<String> keyed = List.of("--identities", keys.toString());
    int port = freePort();
    List<String> seedArgs = new ArrayList<>(List.of("seed", "--port", "" + port, "--workdir",
        dir.resolve("seed").toString(), "--cluster-config", fast.toString(), "--allowlist",
        keys.resolve("allowlist.txt").toString()));
    seedArgs.addAll(run());
    Jvm seed = start("seed", seedArgs);
    seed.await(l -> l.startsWith("coordinator: starting a new run"));
    List<String> standby = new ArrayList<>(List.of("--standby", "--workdir", dir.resolve("standby").toString()));
    standby.addAll(keyed);
    Jvm m0 = startMember("m0", port, 0, 3, fast, standby);
    m0.await(l -> l.startsWith("flock member:")); // joins first: the oldest standby takes over
    // m1 trains on its own local data (--data: an IDX pair in its directory), not a share of MNIST.
    List<String> ownData = new ArrayList<>(keyed);
    ownData.addAll(List.of("--data", writeIdx(dir.resolve("m1-data"), 1000).toString()));
    Jvm m1 = startMember("m1", port, 1, 3, fast, ownData);
    Jvm m2 = startMember("m2", port, 2, 3, fast, keyed);
    Jvm intruder = startMember("intruder", port, 6, 7, fast, List.of("--nodes", "1", "--identities",
        strangers.toString()));
    m1.await(l -> l.startsWith("flock member:"));
    m2.await(l -> l.startsWith("flock member:"));
    intruder.await(l -> l.startsWith("flock member:"));
    String refused = seed.await(l -> l.contains("refused node-0006"));
    assertTrue(refused.contains("is not on the federation's allowlist"), refused);
    String first = seed.await(l -> ROUND.matcher(l).matches());
    assertTrue(first.contains("nodesParticipating=6/6"), "the six allowlisted nodes, not the intruder: " + first);

    // 1. SIGKILL a member. The next round starts right after this one is reported: the kill lands in it.
    m2.kill();
    String withDropout = seed.await(l -> ROUND.matcher(l).matches() && !l.contains("dropouts=0"));
    assertFalse(withDropout.contains("FAILED"), "the quorum (3 of 6) carries the round: " + withDropout);
    assertTrue(withDropout.contains("nodesParticipating=4/6"), withDropout);
    assertTrue(withDropout.contains("CRASHED") || withDropout.contains("TIMED_OUT"), withDropout);
    int dropoutRound = roundOf(withDropout);

    assertTrue(m1.lines().stream().anyMatch(l -> l.contains("nodes node-0002..node-0003 (1000 local samples)")),
        "m1 holds its own 1,000 samples");
    // 2. The member restarts with the same partition: its nodes register again and train.
    Jvm again = startMember("m2-again", port, 2, 3, fast, keyed);
    again.await(l -> l.startsWith("flock member:"));
    String back = seed.await(l -> ROUND.matcher(l).matches() && roundOf(l) > dropoutRound
        && l.contains("nodesParticipating=6/6"));
    assertTrue(back.contains("dropouts=0"), back);

    // 3. SIGKILL the coordinator's JVM. The standby takes the singleton over and continues from the
    // last checkpoint on its own disk: the round after the last one the seed reported.
    seed.kill();
    List<Integer> seedRounds = seed.lines().stream().filter(l -> ROUND.matcher(l).matches())
        .map(ClusterProcessesTest::roundOf).toList();
    int last = seedRounds.get(seedRounds.size() - 1);
    assertTrue(seed.lines().stream().filter(l -> ROUND.matcher(l).matches()).noneMatch(l -> l.contains("/7 ")),
        "the intruder never trained");
    for (int r = 1; r <= last; r++) {
      assertEquals(r, seedRounds.get(r - 1), "the seed reported every round once: " + seedRounds);
    }
    String resumed = m0.await(l -> l.startsWith("coordinator: resuming after round"));
    assertEquals("coordinator: resuming after round " + last + " (" + last + " completed)",
        resumed.substring(0, resumed.indexOf(" from the checkpoint")),
        "the standby continues from the last round the seed reported, no later and no earlier");
    for (int r = last + 1; r <= last + 2; r++) {
      String line = m0.await(l -> ROUND.matcher(l).matches());
      assertEquals(r, roundOf(line), "rounds continue without a gap or a repeat: " + line);
      assertFalse(line.contains("FAILED"), line);
    }

    // 4. A full restart: every JVM dies; a new seed resumes from the standby's own work directory
    // (the replica, no shared disk) and continues after the last round reported anywhere.
    jvms.forEach(Jvm::kill);
    int lastOnStandby = m0.lines().stream().filter(l -> ROUND.matcher(l).matches())
        .mapToInt(ClusterProcessesTest::roundOf).max().orElseThrow();
    int port2 = freePort();
    Jvm resumed2 = start("seed-resumed", List.of("seed", "--port", "" + port2, "--workdir",
        dir.resolve("standby").toString(), "--resume", "--cluster-config", fast.toString()));
    String from = resumed2.await(l -> l.startsWith("coordinator: resuming after round"));
    assertTrue(from.startsWith("coordinator: resuming after round " + lastOnStandby + " "), from);
    Jvm restartedM0 = startMember("m0-again", port2, 0, 3, fast, keyed);
    Jvm second = startMember("m2-restarted", port2, 2, 3, fast, keyed);
    restartedM0.await(l -> l.startsWith("flock member:"));
    second.await(l -> l.startsWith("flock member:"));
    String next = resumed2.await(l -> ROUND.matcher(l).matches());
    assertEquals(lastOnStandby + 1, roundOf(next), next);
    assertFalse(next.contains("FAILED"), next);
  }

  /** {@code count} random 28x28 images with labels 0-9, as MNIST's IDX train files in {@code dir}. */
  private static Path writeIdx(Path dir, int count) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    java.util.Random random = new java.util.Random(11);
    java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + count * 784).putInt(0x803).putInt(count)
        .putInt(28).putInt(28);
    java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
    for (int i = 0; i < count; i++) {
      int label = i % 10;
      labels.put((byte) label);
      for (int p = 0; p < 784; p++) {
        images.put((byte) (p % 10 == label ? 200 + random.nextInt(56) : random.nextInt(30)));
      }
    }
    java.nio.file.Files.write(dir.resolve("train-images-idx3-ubyte"), images.array());
    java.nio.file.Files.write(dir.resolve("train-labels-idx1-ubyte"), labels.array());
    return dir;
  }

  private static int roundOf(String line) {
    Matcher m = ROUND.matcher(line);
    assertTrue(m.matches(), line);
    return Integer.parseInt(m.group(1));
  }

  private Jvm startMember(String name, int seedPort, int index, int of, Path clusterConfig, List<String> extra) {
    List<String> args = new ArrayList<>(List.of("member", "--seed", "127.0.0.1:" + seedPort, "--partition",
        index + "/" + of, "--cluster-config", clusterConfig.toString()));
    if (!extra.contains("--nodes")) {
      args.addAll(List.of("--nodes", "2"));
    }
    args.addAll(extra);
    args.addAll(data());
    return start(name, args);
  }

  private Jvm start(String name, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), FlockCli.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OPT_OUT_TRACKING", "true");
    try {
      Jvm jvm = new Jvm(name, pb.start());
      jvms.add(jvm);
      return jvm;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port nobody listens on right now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JVM process whose output lines are collected by a reader thread. */
  private static final class Jvm {
    private final String name;
    private final Process process;
    private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
    private final List<String> all = new CopyOnWriteArrayList<>();

    Jvm(String name, Process process) {
      this.name = name;
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            all.add(line);
            unread.add(line);
          }
        } catch (IOException ignored) {
          // the process is gone
        }
      }, "output-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    /** The next line matching {@code p}, waiting at most {@link #WAIT} for it. */
    String await(Predicate<String> p) {
      long end = System.nanoTime() + WAIT.toNanos();
      try {
        while (true) {
          long left = end - System.nanoTime();
          String line = left > 0 ? unread.poll(left, TimeUnit.NANOSECONDS) : null;
          if (line == null) {
            throw new AssertionError(name + ": no expected line within " + WAIT + "; its output:\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size())));
          }
          if (p.test(line)) {
            return line;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    List<String> lines() {
      return List.copyOf(all);
    }

    /** SIGKILL (Process.destroyForcibly on Linux), and wait until it is gone. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

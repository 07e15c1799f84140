package io.flock.simulations.bench;

import io.flock.actors.transfer.BytesPayload;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.actors.transfer.WeightsTransfer;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import io.flock.simulations.bench.WirePeer.Delivered;
import io.flock.simulations.bench.WirePeer.Design;
import io.flock.simulations.bench.WirePeer.Verified;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Model weights between two JVMs on 127.0.0.1 the ways Flock can move them (its side channel, a
 * StreamRef over Artery's plain TCP transport, Artery's large-message channel) and, for reference,
 * over a plain {@link Socket} between the same two JVMs: MB/s of each and their ratio.
 *
 * <p>A Flock transfer is timed from the sender's {@link WeightsTransfer#payloadFor} (or the inline
 * message) until the receiver's reply that the weights are complete: it includes the Artery
 * message that carries the payload (or the offer), encoding the float32 payload, the wire (the
 * side channel's connection set-up included), reassembly into a float array, the CRC32 check
 * (socket and chunked designs) or Jackson decoding (large-frame design) on the receiver, and the
 * reply.
 * The socket transfer is timed from the first byte written until a 1-byte ack after the last byte
 * is read into one array. MB = 10^6 bytes; the payload is 4 bytes per parameter. The sender's
 * CRC32 is computed once per model (cached by {@link ModelWeights}) before timing.
 */
public final class WireBench {

  private WireBench() {}

  /**
   * One model size with one design.
   *
   * @param design how weights travelled over Artery
   * @param params parameters per transfer
   * @param bytes payload bytes per transfer
   * @param reps timed transfers of each kind
   * @param arteryMBps median Artery throughput
   * @param arteryMinMBps slowest Artery transfer
   * @param arteryMaxMBps fastest Artery transfer
   * @param socketMBps median plain-socket throughput
   * @param ratio arteryMBps / socketMBps
   */
  public record Row(String design, int params, long bytes, int reps, double arteryMBps,
      double arteryMinMBps, double arteryMaxMBps, double socketMBps, double ratio) {}

  /**
   * Runs every design with every size: per design a fresh pair of JVMs, one warm-up transfer of
   * each kind per size, then {@code reps} timed Artery and socket transfers, alternating.
   */
  public static List<Row> run(List<Integer> sizes, int reps, List<Design> designs,
      Consumer<String> log, Consumer<Row> onRow) throws Exception {
    if (sizes.isEmpty() || reps < 1) {
      throw new IllegalArgumentException("need at least one size and reps >= 1, was " + sizes + ", " + reps);
    }
    long maxBytes = 4L * sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    List<Row> rows = new ArrayList<>();
    for (Design design : designs) {
      try (Pair pair = Pair.start(design, maxBytes, "3g", log)) {
        for (int n : sizes) {
          ModelWeights w = weights(n, 42);
          w.checksum();
          byte[] raw = w.payloadSlice(0, n);
          pair.artery(w, Duration.ofMinutes(2));
          pair.socket(raw);
          double[] artery = new double[reps];
          double[] socket = new double[reps];
          for (int r = 0; r < reps; r++) {
            artery[r] = mbps(raw.length, pair.artery(w, Duration.ofMinutes(2)));
            socket[r] = mbps(raw.length, pair.socket(raw));
          }
          Arrays.sort(artery);
          Arrays.sort(socket);
          double a = artery[reps / 2];
          double s = socket[reps / 2];
          Row row = new Row(design.label(), n, raw.length, reps, a, artery[0], artery[reps - 1], s, a / s);
          rows.add(row);
          onRow.accept(row);
        }
      }
    }
    return rows;
  }

  /**
   * {@code WireBench [SIZES [REPS [DESIGNS]]]}, e.g. {@code 11689512,45000000 5 socket,chunked,large-frame}
   * (the defaults). {@code flock bench wire} runs the same with options.
   */
  public static void main(String[] args) throws Exception {
    List<Integer> sizes = args.length > 0
        ? Arrays.stream(args[0].split(",")).map(String::trim).map(Integer::valueOf).toList()
        : List.of(11_689_512, 45_000_000);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Design> designs = args.length > 2
        ? Arrays.stream(args[2].split(",")).map(d -> Design.valueOf(d.trim().toUpperCase(java.util.Locale.ROOT)
            .replace('-', '_'))).toList()
        : List.of(Design.SOCKET, Design.CHUNKED, Design.LARGE_FRAME);
    System.out.println(header());
    run(sizes, reps, designs, System.err::println, r -> System.out.println(format(r)));
  }

  /** Column titles of {@link #format}. */
  public static String header() {
    return String.format("%-12s %11s %9s %5s %14s %18s %13s %7s", "design", "params", "MB", "reps",
        "Artery MB/s", "(min-max)", "socket MB/s", "ratio");
  }

  /** One row as a table line. */
  public static String format(Row r) {
    return String.format(java.util.Locale.ROOT, "%-12s %,11d %9.1f %5d %14.0f %18s %13.0f %6.0f%%", r.design(),
        r.params(), r.bytes() / 1e6, r.reps(), r.arteryMBps(),
        String.format(java.util.Locale.ROOT, "(%.0f-%.0f)", r.arteryMinMBps(), r.arteryMaxMBps()),
        r.socketMBps(), 100 * r.ratio());
  }

  private static double mbps(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }

  /** Weights with {@code n} parameters in two tensors, values from {@code seed}. */
  public static ModelWeights weights(int n, long seed) {
    float[] v = new float[n];
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() - 0.5);
    }
    int bias = Math.min(n - 1, 1000);
    List<ParamSpec> specs = bias == 0 ? List.of(ParamSpec.of("w", n))
        : List.of(ParamSpec.of("w", n - bias), ParamSpec.of("b", bias));
    return ModelWeights.wrap(new ModelLayout(specs), v);
  }

  /**
   * This JVM's actor system and a {@link WirePeer} JVM started with the same java and class
   * path; closing it stops the peer (its stdin closes) and this system.
   */
  public static final class Pair implements AutoCloseable {
    private final Design design;
    private final ActorSystem<Void> system;
    private final Process peer;
    private final ActorRef<WirePeer.Command> sink;
    private final int socketPort;

    private Pair(Design design, ActorSystem<Void> system, Process peer, ActorRef<WirePeer.Command> sink,
        int socketPort) {
      this.design = design;
      this.system = system;
      this.peer = peer;
      this.sink = sink;
      this.socketPort = socketPort;
    }

    /**
     * Starts the peer JVM ({@code -Xmx peerHeap}) and this side's system, both configured by
     * {@link WirePeer#config}; waits (at most a minute) for the peer's READY line. The peer's
     * other output goes to {@code log}.
     */
    public static Pair start(Design design, long maxPayloadBytes, String peerHeap, Consumer<String> log)
        throws Exception {
      String java = ProcessHandle.current().info().command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
          "-Dai.djl.offline=true", "-Xmx" + peerHeap));
      // Settings given to this JVM as -Dflock.* / -Dpekko.* apply to the peer too.
      System.getProperties().stringPropertyNames().stream().sorted()
          .filter(k -> k.startsWith("flock.") || k.startsWith("pekko."))
          .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WirePeer.class.getName(),
          design.name(), Long.toString(maxPayloadBytes)));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("OPT_OUT_TRACKING", "true");
      pb.redirectErrorStream(true);
      Process peer = pb.start();
      CompletableFuture<String> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("READY ") && !ready.isDone()) {
              ready.complete(line);
            } else {
              log.accept("peer: " + line);
            }
          }
        } catch (IOException e) {
          log.accept("peer output lost: " + e);
        } finally {
          ready.completeExceptionally(new IOException("the peer JVM exited before it was ready"));
        }
      }, "wire-peer-output");
      reader.setDaemon(true);
      reader.start();
      ActorSystem<Void> system = null;
      try {
        String[] line = ready.get(60, TimeUnit.SECONDS).split(" ");
        system = ActorSystem.create(Behaviors.empty(), "wire-bench", WirePeer.config(design, maxPayloadBytes));
        ActorRef<WirePeer.Command> sink = ActorRefResolver.get(system).resolveActorRef(line[1]);
        return new Pair(design, system, peer, sink, Integer.parseInt(line[2]));
      } catch (Exception e) {
        peer.destroyForcibly();
        if (system != null) {
          system.terminate();
        }
        throw e;
      }
    }

    /** The receiver's actor system address, e.g. for logs. */
    public String peerAddress() {
      return sink.path().address().toString();
    }

    /**
     * Sends {@code w} to the peer's sink and waits for its reply; checks the count and the CRC32
     * the peer computes (after the timed part). Returns the nanoseconds until the reply.
     */
    public long artery(ModelWeights w, Duration timeout) throws Exception {
      long t0 = System.nanoTime();
      if (design == Design.SOCKET && !io.flock.actors.transfer.SideChannel.get(system).start()) {
        throw new IllegalStateException("the side channel could not listen (see the log): no socket row to measure");
      }
      WeightsPayload payload = design == Design.LARGE_FRAME
          ? new WeightsPayload.Inline(w)
          : WeightsTransfer.payloadFor(w, sink, system);
      Class<?> expected = switch (design) {
        case SOCKET -> BytesPayload.Socket.class;
        case CHUNKED -> BytesPayload.Streamed.class;
        case LARGE_FRAME -> WeightsPayload.Inline.class;
      };
      Object carrier = payload instanceof WeightsPayload.Encoded e ? e.bytes() : payload;
      if (!expected.isInstance(carrier)) {
        throw new IllegalStateException("design " + design + " would measure a " + carrier.getClass().getSimpleName()
            + " payload, not " + expected.getSimpleName());
      }
      Delivered d = AskPattern.<WirePeer.Command, Delivered>ask(sink,
              replyTo -> new WirePeer.Deliver(payload, replyTo), timeout, system.scheduler())
          .toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      long nanos = System.nanoTime() - t0;
      if (d.error() != null || d.params() != w.size()) {
        throw new IllegalStateException("the peer got " + d.params() + " of " + w.size()
            + " values: " + d.error());
      }
      Verified v = AskPattern.<WirePeer.Command, Verified>ask(sink, WirePeer.Verify::new, timeout,
          system.scheduler()).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      if (v.crc32() != w.checksum()) {
        throw new IllegalStateException(String.format(
            "the peer's weights differ: crc32 %08x, sent %08x", v.crc32(), w.checksum()));
      }
      return nanos;
    }

    /** Sends {@code raw} over a fresh loopback socket; the nanoseconds until the peer's ack. */
    public long socket(byte[] raw) throws IOException {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), socketPort)) {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        long t0 = System.nanoTime();
        out.writeLong(raw.length);
        out.write(raw);
        out.flush();
        if (s.getInputStream().read() != 1) {
          throw new IOException("the peer did not acknowledge " + raw.length + " bytes");
        }
        return System.nanoTime() - t0;
      }
    }

    @Override
    public void close() throws Exception {
      try {
        peer.getOutputStream().close(); // the peer exits when its stdin closes
        if (!peer.waitFor(20, TimeUnit.SECONDS)) {
          peer.destroyForcibly();
        }
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}

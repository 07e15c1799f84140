package io.flock.cli;

import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggClient;
import io.flock.privacy.secagg.SecaggConfig;
import io.flock.privacy.secagg.SecaggGraph;
import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import io.flock.privacy.secagg.SecaggQuantizer;
import io.flock.privacy.secagg.SecaggServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flock bench secagg}: one round of the secure-aggregation protocol ({@code
 * io.flock.privacy.secagg}), every client and the server in this thread one after another, timed
 * per phase, and the unmasked sum checked against the plain sum of the inputs.
 */
@Command(name = "secagg", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"One secure-aggregation round (SecAgg+ graph, X25519 + ML-KEM-768, ML-DSA-65, Shamir,",
        "AES-GCM), all clients and the server in one thread: milliseconds per phase, bytes per client,",
        "and the unmasked sum against the plain float sum (exit 1 when it is off by more than the",
        "quantization bound)."})
final class SecaggBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--clients", defaultValue = "100", description = "Clients n (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--degree", defaultValue = "16",
      description = "Neighbours k per client, even and < n; n-1 links every pair (default: ${DEFAULT-VALUE}).")
  int degree;

  @Option(names = "--threshold", defaultValue = "9",
      description = "Shares t that recover a self-mask seed, more than k/2 and at most k (default: ${DEFAULT-VALUE}).")
  int threshold;

  @Option(names = "--length", defaultValue = "199210",
      description = "Coordinates per update (default: ${DEFAULT-VALUE}, the 2NN MLP).")
  int length;

  @Option(names = "--dropped", defaultValue = "0",
      description = "Clients that leave after ShareKeys: their masked inputs never arrive (default: ${DEFAULT-VALUE}).")
  int dropped;

  @Option(names = "--clip", defaultValue = "1.0",
      description = "Each coordinate is clipped to [-clip, clip] before quantization (default: ${DEFAULT-VALUE}).")
  double clip;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the graph and the inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SecureRandom random = new SecureRandom();
    List<NodeIdentity> identities = new ArrayList<>();
    SecaggConfig config;
    try {
      if (clients < 2 || clients > 10_000) {
        throw new IllegalArgumentException("--clients must be in [2, 10000], was " + clients);
      }
      if (dropped < 0 || dropped >= clients) {
        throw new IllegalArgumentException("--dropped must be in [0, clients), was " + dropped);
      }
      byte[] graphSeed = new byte[32];
      new Random(seed).nextBytes(graphSeed);
      SecaggGraph graph = SecaggGraph.of(clients, degree, graphSeed);
      SecaggQuantizer quantizer = SecaggQuantizer.forClients(clip, clients);
      List<byte[]> identityKeys = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        identities.add(NodeIdentity.generate(random));
        identityKeys.add(identities.get(i).publicKey());
      }
      config = new SecaggConfig(1, graph, threshold, length, quantizer, identityKeys);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    SecaggServer server = SecaggServer.create(config);
    List<SecaggClient> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      all.add(SecaggClient.create(config, i, identities.get(i), random));
    }
    float[][] updates = updates();
    out.printf(Locale.ROOT, "secure aggregation: n=%d k=%d t=%d length=%d dropped=%d, %s; %d cores, %s %s%n",
        clients, config.graph().degree(), threshold, length, dropped, config.quantizer(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"));

    Map<String, Object> phases = new LinkedHashMap<>();
    List<AdvertisedKeys> advertised = timed(phases, "advertise-keys", clients, out,
        () -> all.stream().map(SecaggClient::advertiseKeys).toList());
    Map<Integer, NeighbourKeys> keys = timed(phases, null, 0, out, () -> {
      advertised.forEach(server::receiveKeys);
      return server.relayKeys();
    });
    List<SharedKeys> shared = timed(phases, "share-keys", clients, out,
        () -> all.stream().map(c -> c.shareKeys(keys.get(c.id()))).toList());
    Map<Integer, IncomingShares> incoming = timed(phases, null, 0, out, () -> {
      shared.forEach(server::receiveShares);
      return server.relayShares();
    });
    List<SecaggClient> survivors = all.subList(dropped, clients);
    List<MaskedInput> masked = timed(phases, "masked-input", survivors.size(), out,
        () -> survivors.stream().map(c -> c.maskInput(incoming.get(c.id()), updates[c.id()])).toList());
    UnmaskRequest request = timed(phases, null, 0, out, () -> {
      masked.forEach(server::receiveMaskedInput);
      return server.requestUnmask();
    });
    List<UnmaskResponse> answers = timed(phases, "unmask", request.survivors().size(), out,
        () -> request.survivors().stream().map(u -> all.get(u).unmask(request)).toList());
    Result result = timed(phases, null, 0, out, () -> {
      answers.forEach(server::receiveUnmask);
      return server.finish();
    });

    double maxError = 0;
    float[] sum = result.sum(); // a copy per call: once, not per coordinate
    for (int i = 0; i < length; i++) {
      double exact = 0;
      for (int u = dropped; u < clients; u++) {
        exact += Math.max(-clip, Math.min(clip, updates[u][i]));
      }
      maxError = Math.max(maxError, Math.abs(sum[i] - exact));
    }
    double bound = result.survivors().size() * config.quantizer().step();
    long keyBytes = advertised.get(0).x25519Public().length + advertised.get(0).kemPublic().length
        + advertised.get(0).signature().length;
    long shareBytes = shared.get(0).shares().stream()
        .mapToLong(s -> s.kemCiphertext().length + s.sealedShare().length).sum();
    out.printf(Locale.ROOT, "sum of %d masked inputs: max |error| %.3g against the plain sum (bound: one"
        + " quantization step per input, %.3g)%n", result.survivors().size(), maxError, bound);
    out.printf(Locale.ROOT, "bytes per client: keys %,d, KEM ciphertexts and sealed shares %,d, masked input %,d%n",
        keyBytes, shareBytes, 4L * length);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("clients", clients);
    results.put("degree", config.graph().degree());
    results.put("threshold", threshold);
    results.put("length", length);
    results.put("dropped", dropped);
    results.put("phases", phases);
    results.put("maxError", maxError);
    results.put("errorBound", bound);
    results.put("keyBytes", keyBytes);
    results.put("shareBytes", shareBytes);
    results.put("maskedInputBytes", 4L * length);
    BenchCommand.writeJson(json, results, out);
    if (!(maxError <= bound)) {
      spec.commandLine().getErr().println("error: the unmasked sum is off by more than the quantization bound");
      return 1;
    }
    return 0;
  }

  private float[][] updates() {
    Random r = new Random(seed);
    float[][] updates = new float[clients][length];
    for (float[] u : updates) {
      for (int i = 0; i < length; i++) {
        u[i] = (float) (r.nextGaussian() * 0.05 * clip);
      }
    }
    return updates;
  }

  /**
   * Runs {@code work}, prints and records its time: the clients' side of phase {@code name} (per
   * client too), or with a null name the server's side of the phase timed just before.
   */
  private static <T> T timed(Map<String, Object> phases, String name, int count, PrintWriter out, Supplier<T> work) {
    long start = System.nanoTime();
    T value = work.get();
    double ms = (System.nanoTime() - start) / 1e6;
    if (name != null) {
      Map<String, Object> phase = new LinkedHashMap<>();
      phase.put("clientsMs", ms);
      phase.put("perClientMs", ms / count);
      phases.put(name, phase);
      out.printf(Locale.ROOT, "%-15s clients %9.1f ms (%.2f ms each)", name, ms, ms / count);
    } else {
      String last = (String) phases.keySet().toArray()[phases.size() - 1];
      @SuppressWarnings("unchecked")
      Map<String, Object> phase = (Map<String, Object>) phases.get(last);
      phase.put("serverMs", ms);
      out.printf(Locale.ROOT, "; server %8.1f ms%n", ms);
      out.flush();
    }
    return value;
  }
}

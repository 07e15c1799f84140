package io.flock.privacy.secagg;

import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time per phase of one round, all clients and the server in one thread, as a plain timed run (not
 * a test: it has no {@code @Test}, so surefire runs nothing here). Defaults: n = 100 clients, k =
 * 16, t = 9, vector length 199,210 (the 2NN MLP), {@code dropped} clients leave after ShareKeys.
 *
 * <p>Run after {@code mvn -o test-compile -pl privacy}: {@code java -Xmx3g -cp
 * privacy/target/classes:privacy/target/test-classes:$BC_JAR
 * io.flock.privacy.secagg.SecaggBenchmark [n] [k] [t] [length] [dropped]}.
 */
public final class SecaggBenchmark {

  private SecaggBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int t = args.length > 2 ? Integer.parseInt(args[2]) : 9;
    int length = args.length > 3 ? Integer.parseInt(args[3]) : 199_210;
    int dropped = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    List<byte[]> keys = new ArrayList<>();
    List<NodeIdentity> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(SecaggFixture.identity(i));
      keys.add(ids.get(i).publicKey());
    }
    SecaggGraph graph = SecaggGraph.harary(n, k, SecaggFixture.graphSeed(1));
    SecaggConfig config =
        new SecaggConfig(1, graph, t, length, SecaggQuantizer.forClients(1.0, n), keys);
    SecaggServer server = SecaggServer.create(config);
    List<SecaggClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(SecaggClient.create(config, i, ids.get(i), SecaggFixture.random(i)));
    }
    SecureRandom r = SecaggFixture.random(-1);
    float[][] updates = new float[n][length];
    for (float[] u : updates) {
      for (int i = 0; i < length; i++) {
        u[i] = (float) (r.nextGaussian() * 0.05);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "n=%d k=%d t=%d length=%d dropped=%d, %d cores, %s %s%n",
        n,
        k,
        t,
        length,
        dropped,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));

    long c0 = System.nanoTime();
    List<AdvertisedKeys> adv = new ArrayList<>();
    clients.forEach(c -> adv.add(c.advertiseKeys()));
    long s0 = System.nanoTime();
    adv.forEach(server::receiveKeys);
    Map<Integer, NeighbourKeys> nk = server.relayKeys();
    report("1 AdvertiseKeys", c0, s0, System.nanoTime(), n);

    c0 = System.nanoTime();
    List<SharedKeys> sk = new ArrayList<>();
    clients.forEach(c -> sk.add(c.shareKeys(nk.get(c.id()))));
    s0 = System.nanoTime();
    sk.forEach(server::receiveShares);
    Map<Integer, IncomingShares> in = server.relayShares();
    report("2 ShareKeys", c0, s0, System.nanoTime(), n);

    c0 = System.nanoTime();
    List<MaskedInput> ys = new ArrayList<>();
    for (SecaggClient c : clients) {
      if (c.id() >= dropped) {
        ys.add(c.maskInput(in.get(c.id()), updates[c.id()]));
      }
    }
    s0 = System.nanoTime();
    ys.forEach(server::receiveMaskedInput);
    UnmaskRequest req = server.requestUnmask();
    report("3 MaskedInput", c0, s0, System.nanoTime(), n - dropped);

    c0 = System.nanoTime();
    List<UnmaskResponse> resp = new ArrayList<>();
    req.survivors().forEach(u -> resp.add(clients.get(u).unmask(req)));
    s0 = System.nanoTime();
    resp.forEach(server::receiveUnmask);
    Result result = server.finish();
    report("4 Unmask", c0, s0, System.nanoTime(), n - dropped);

    double maxErr = 0;
    float[] sum = result.sum();
    double bound = result.count() * config.quantizer().step();
    for (int i = 0; i < length; i++) {
      double exact = 0;
      for (int u = dropped; u < n; u++) {
        exact += updates[u][i];
      }
      maxErr = Math.max(maxErr, Math.abs(sum[i] - exact));
    }
    System.out.printf(
        Locale.ROOT,
        "sum of %d inputs, max |error| %.3g (bound m*step %.3g); messages per client: "
            + "AdvertisedKeys %d B, SharedKeys %d B, MaskedInput %d B%n",
        result.count(),
        maxErr,
        bound,
        32 + 1184 + adv.get(0).signature().length,
        k * (1088 + 48 + 8),
        4 * length);
  }

  private static void report(String phase, long c0, long s0, long s1, int clients) {
    System.out.printf(
        Locale.ROOT,
        "%-15s clients %8.1f ms total, %7.2f ms per client; server %8.1f ms%n",
        phase,
        (s0 - c0) / 1e6,
        (s0 - c0) / 1e6 / clients,
        (s1 - s0) / 1e6);
  }
}

package io.flock.privacy.dp;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.util.Locale;

/**
 * Throughput of the DP noise path, as a plain timed loop (not a test: surefire does not run it).
 * The question it answers: is noising a 45M-parameter update a bottleneck next to training?
 *
 * <p>Run after {@code mvn -o test-compile -pl privacy}: {@code java -cp
 * privacy/target/classes:privacy/target/test-classes:$BC_JAR
 * io.flock.privacy.dp.GaussianNoiseBenchmark [params] [repeats]}.
 */
public final class GaussianNoiseBenchmark {

  private GaussianNoiseBenchmark() {}

  /** Prints ChaCha20 words/s and normals/s, sequential and parallel, best of the repeats. */
  public static void main(String[] args) {
    int params = args.length > 0 ? Integer.parseInt(args[0]) : 45_000_000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    float[] update = new float[params];
    GaussianNoise noise = GaussianNoise.create();
    System.out.printf(
        Locale.ROOT,
        "%d params, %d cores, %s%n",
        params,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));

    ChaCha20Prg prg = new ChaCha20Prg(new byte[32], 0);
    long sink = 0;
    double best = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < params; i++) {
        sink += prg.nextLong();
      }
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    report("ChaCha20 64-bit words", params, best);

    best = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      noise.addNoise(update, 1.0);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    report("addNoise (sequential) normals", params, best);

    best = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      noise.addNoiseParallel(update, 1.0);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    report("addNoiseParallel normals", params, best);
    System.out.println("(checksum " + (sink + Float.floatToIntBits(update[params / 2])) + ")");
  }

  private static void report(String what, int count, double seconds) {
    System.out.printf(
        Locale.ROOT,
        "%-32s %8.1f M/s  (%.3f s for %d)%n",
        what,
        count / seconds / 1e6,
        seconds,
        count);
  }
}

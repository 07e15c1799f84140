package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The named strategies of the CLI ({@code --strategy}), built from {@link StrategyOptions}:
 *
 * <ul>
 *   <li>{@code fedavg}: sample-weighted mean, {@code x + eta Delta} (McMahan et al. 2017)
 *   <li>{@code fedprox}: fedavg plus the proximal term {@code mu} in local training, partial work
 *       accepted (Li et al. 2020)
 *   <li>{@code fedavgm}: weighted mean, server momentum (Hsu et al. 2019)
 *   <li>{@code fedadam}, {@code fedyogi}, {@code fedadagrad}: weighted mean, adaptive server
 *       optimizer (Reddi et al. 2021, Algorithm 2)
 *   <li>{@code median}, {@code trimmed-mean}: coordinate-wise robust rules (Yin et al. 2018)
 *   <li>{@code krum}: Krum / Multi-Krum (Blanchard et al. 2017)
 * </ul>
 *
 * Defaults are documented on {@link StrategyOptions}. Names are case-insensitive.
 */
public final class Strategies {

  /** Every name {@link #create} knows, in the order help texts list them. */
  public static final List<String> NAMES =
      List.of(
          "fedavg", "fedprox", "fedavgm", "fedadam", "fedyogi", "fedadagrad", "median",
          "trimmed-mean", "krum");

  private static final List<String> ADAPTIVE = List.of("fedadam", "fedyogi", "fedadagrad");

  /** Which strategies use each option; serverLr applies to all. */
  private static final Map<String, List<String>> USED_BY = usedBy();

  private Strategies() {}

  private static Map<String, List<String>> usedBy() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("mu", List.of("fedprox"));
    m.put("serverLr", NAMES);
    m.put("beta1", List.of("fedavgm", "fedadam", "fedyogi", "fedadagrad"));
    m.put("beta2", List.of("fedadam", "fedyogi"));
    m.put("tau", ADAPTIVE);
    m.put("trim", List.of("trimmed-mean"));
    m.put("byzantine", List.of("krum"));
    m.put("multiKrum", List.of("krum"));
    return m;
  }

  /**
   * The strategy called {@code name} with {@code options} over its defaults.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones), an
   *     option the strategy does not use, or an option value outside its range
   */
  public static Strategy create(String name, StrategyOptions options) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(key)) {
      throw new IllegalArgumentException(
          "unknown strategy '" + name + "'; known strategies: " + String.join(", ", NAMES));
    }
    StrategyOptions o = options == null ? StrategyOptions.defaults() : options;
    rejectUnusedOptions(key, o);
    double serverLr = or(o.serverLr(), defaultServerLr(key));
    return switch (key) {
      case "fedavg" -> weightedMean(key, serverLr, 0, false);
      case "fedprox" -> weightedMean(key, serverLr, or(o.mu(), 0.01), true);
      case "fedavgm" -> {
        double beta = or(o.beta1(), 0.9);
        new ServerMomentum(serverLr, beta); // validates now, not in the first round
        yield new ComposedStrategy(
            key,
            key + "(serverLr=" + serverLr + ", beta1=" + beta + ")",
            StreamingFedAvg::new,
            () -> new ServerMomentum(serverLr, beta),
            0,
            false,
            true);
      }
      case "fedadam", "fedyogi", "fedadagrad" -> adaptive(key, serverLr, o);
      case "median" ->
          robust(key, key + "(serverLr=" + serverLr + ")", CoordinateMedian::new, serverLr);
      case "trimmed-mean" -> {
        double trim = or(o.trim(), 0.2);
        TrimmedMean.checkBeta(trim);
        yield robust(
            key,
            key + "(trim=" + trim + ", serverLr=" + serverLr + ")",
            layout -> new TrimmedMean(layout, trim),
            serverLr);
      }
      case "krum" -> {
        int f = o.byzantine() == null ? 0 : o.byzantine();
        int m = o.multiKrum() == null ? 1 : o.multiKrum();
        Krum.checkParameters(f, m);
        yield robust(
            key,
            key + "(byzantine=" + f + ", multiKrum=" + m + ", serverLr=" + serverLr + ")",
            layout -> new Krum(layout, f, m),
            serverLr);
      }
      default -> throw new AssertionError(key);
    };
  }

  private static double defaultServerLr(String key) {
    return switch (key) {
      case "fedavgm" -> 0.1;
      case "fedadam", "fedyogi", "fedadagrad" -> 0.01;
      default -> 1.0;
    };
  }

  private static Strategy weightedMean(String key, double serverLr, double mu, boolean partial) {
    new ServerSgd(serverLr);
    if (!(mu >= 0) || Double.isInfinite(mu)) {
      throw new IllegalArgumentException("mu must be >= 0 and finite, was " + mu);
    }
    String description =
        key + "(serverLr=" + serverLr + (key.equals("fedprox") ? ", mu=" + mu : "") + ")";
    return new ComposedStrategy(
        key, description, StreamingFedAvg::new, () -> new ServerSgd(serverLr), mu, partial, true);
  }

  private static Strategy adaptive(String key, double serverLr, StrategyOptions o) {
    double beta1 = or(o.beta1(), key.equals("fedadagrad") ? 0.0 : 0.9);
    double beta2 = or(o.beta2(), 0.99);
    double tau = or(o.tau(), 1e-3);
    Supplier<ServerOptimizer> optimizers =
        switch (key) {
          case "fedadam" -> () -> AdaptiveServerOptimizer.fedAdam(serverLr, beta1, beta2, tau);
          case "fedyogi" -> () -> AdaptiveServerOptimizer.fedYogi(serverLr, beta1, beta2, tau);
          default -> () -> AdaptiveServerOptimizer.fedAdagrad(serverLr, beta1, tau);
        };
    optimizers.get(); // validates now, not in the first round
    String description =
        key + "(serverLr=" + serverLr + ", beta1=" + beta1
            + (key.equals("fedadagrad") ? "" : ", beta2=" + beta2) + ", tau=" + tau + ")";
    return new ComposedStrategy(key, description, StreamingFedAvg::new, optimizers, 0, false, true);
  }

  private static Strategy robust(
      String key,
      String description,
      Function<ModelLayout, UpdateAggregator> rule,
      double serverLr) {
    new ServerSgd(serverLr);
    return new ComposedStrategy(
        key, description, rule, () -> new ServerSgd(serverLr), 0, false, false);
  }

  private static void rejectUnusedOptions(String key, StrategyOptions o) {
    Map<String, Object> given = new LinkedHashMap<>();
    given.put("mu", o.mu());
    given.put("serverLr", o.serverLr());
    given.put("beta1", o.beta1());
    given.put("beta2", o.beta2());
    given.put("tau", o.tau());
    given.put("trim", o.trim());
    given.put("byzantine", o.byzantine());
    given.put("multiKrum", o.multiKrum());
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Object> e : given.entrySet()) {
      List<String> users = USED_BY.get(e.getKey());
      if (e.getValue() != null && !users.contains(key)) {
        problems.add(
            "option " + e.getKey() + " does not apply to strategy " + key + " (it applies to "
                + String.join(", ", users) + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /**
   * The named strategies that {@linkplain Strategy#aggregatesByMean() aggregate by a mean}, the ones
   * differential privacy can wrap, as each declares it (for help and error texts).
   */
  public static List<String> meanBased() {
    return NAMES.stream()
        .filter(n -> create(n, StrategyOptions.defaults()).aggregatesByMean())
        .toList();
  }

  /** The options {@code name} accepts, for help texts. */
  public static Set<String> optionsOf(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    Set<String> out = new LinkedHashSet<>();
    USED_BY.forEach((option, users) -> {
      if (users.contains(key)) {
        out.add(option);
      }
    });
    return out;
  }

  private static double or(Double value, double fallback) {
    return value == null ? fallback : value;
  }
}

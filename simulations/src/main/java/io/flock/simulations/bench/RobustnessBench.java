package io.flock.simulations.bench;

import com.typesafe.config.Config;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.data.DataUnavailableException;
import io.flock.simulations.FederatedData;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import io.flock.simulations.SimulationResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Model poisoning on federated MNIST: a share of the 100 nodes (20% by default, chosen with the
 * seed) are attackers that send {@code -10 x} their honest update (sign flip, boosted; the threat
 * model of Blanchard et al. 2017 and Yin et al. 2018). The same run with FedAvg and with the robust
 * aggregators, next to a clean FedAvg run; final test accuracy of each.
 */
public final class RobustnessBench {

  /**
   * One run's outcome.
   *
   * @param setting what ran: clean or poisoned, and the strategy
   * @param testAccuracy final global model's test accuracy
   * @param testLoss its test loss
   * @param rounds rounds run
   * @param seconds wall time
   */
  public record Row(String setting, double testAccuracy, double testLoss, long rounds, double seconds) {}

  private RobustnessBench() {}

  /** The runs: clean FedAvg, then FedAvg, median, trimmed mean and Multi-Krum under attack. */
  public static List<Row> run(int rounds, double attackers, long seed, Path dataDir, Config actorConfig,
      Consumer<Row> onRow) throws DataUnavailableException, InterruptedException {
    int sampled = 10;
    int byzantine = 3; // Krum needs n > 2f + 2: f = 3 with 10 sampled nodes
    Object[][] runs = {
      {"clean, fedavg", "fedavg", StrategyOptions.defaults(), 0.0},
      {"poisoned, fedavg", "fedavg", StrategyOptions.defaults(), attackers},
      {"poisoned, median", "median", StrategyOptions.defaults(), attackers},
      {"poisoned, trimmed-mean (0.2)", "trimmed-mean", StrategyOptions.defaults().withTrim(0.2), attackers},
      {"poisoned, multi-krum (f=3, m=5)", "krum",
          StrategyOptions.defaults().withByzantine(byzantine).withMultiKrum(5), attackers},
    };
    List<Row> rows = new ArrayList<>();
    FederatedData data = null; // the same split for every run: loaded once
    for (Object[] r : runs) {
      SimulationConfig config = SimulationConfig.defaults().toBuilder()
          .rounds(rounds).seed(seed).fraction(sampled / 100.0).targetAccuracy(0).dataDir(dataDir)
          .minNodes(1).minFraction(0)
          .strategy((String) r[1]).strategyOptions((StrategyOptions) r[2]).attackers((double) r[3])
          .attackScale(-10).build();
      long start = System.nanoTime();
      Simulation.Prepared prepared = Simulation.prepare(config, data);
      data = prepared.data();
      SimulationResult result = Simulation.run(prepared, actorConfig, x -> {});
      Row row = new Row((String) r[0], result.finished().finalAccuracy(), result.finished().finalLoss(),
          result.finished().roundsRun(), (System.nanoTime() - start) / 1e9);
      rows.add(row);
      onRow.accept(row);
    }
    return rows;
  }
}

package io.flock.simulations.bench;

import ai.djl.Device;
import com.typesafe.config.Config;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.data.DataSets;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.training.EvalResult;
import io.flock.models.training.ModelEvaluator;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import io.flock.simulations.SimulationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The synthetic experiment of Li et al. 2020 ("Federated Optimization in Heterogeneous Networks",
 * MLSys, Sec. 5 and Fig. 1): Synthetic(1, 1), 30 devices, 10 sampled per round, multinomial
 * logistic regression, SGD with learning rate 0.01, batch 10, 20 local epochs, 200 rounds, with 0%,
 * 50% and 90% stragglers (a straggler does a uniformly random 1..19 of the 20 epochs). Three
 * algorithms per straggler level, as in the paper's figure: FedAvg (drops stragglers), FedProx with
 * mu = 0 (keeps their partial work) and FedProx with mu = 1.
 *
 * <p>Every run is a real federated simulation (actors, DJL training); the reported training loss
 * is the final global model's loss on all devices' training data, the accuracy is on all
 * devices' test data (each device's last 10% of samples).
 */
public final class FedProxSyntheticBench {

  /**
   * One setting's outcome.
   *
   * @param stragglers share of stragglers among the sampled devices
   * @param algorithm FedAvg, FedProx(mu=0) or FedProx(mu=1)
   * @param trainLoss final global model's loss on the union of the devices' training data
   * @param testAccuracy its accuracy on the union of their test data
   * @param rounds rounds run
   * @param seconds wall time of the run
   */
  public record Row(double stragglers, String algorithm, double trainLoss, double testAccuracy, long rounds,
      double seconds) {}

  private FedProxSyntheticBench() {}

  /** The simulation of one setting. */
  public static SimulationConfig setting(String strategy, double mu, double stragglers, int rounds, long seed) {
    StrategyOptions options = "fedprox".equals(strategy)
        ? StrategyOptions.defaults().withMu(mu) : StrategyOptions.defaults();
    return SimulationConfig.defaults().toBuilder()
        .model("logistic").dataset(DataSets.SYNTHETIC).nodes(30).fraction(10 / 30.0).rounds(rounds)
        .localEpochs(20).batchSize(10).learningRate(0.01).seed(seed).minNodes(1).minFraction(0)
        .roundTimeout(Duration.ofMinutes(10)).targetAccuracy(0)
        .strategy(strategy).strategyOptions(options).stragglers(stragglers).build();
  }

  /** Runs every setting; {@code onRow} sees each result as soon as it is measured. */
  public static List<Row> run(List<Double> stragglerLevels, int rounds, long seed, Config actorConfig,
      Consumer<Row> onRow) throws DataUnavailableException, InterruptedException {
    List<Row> rows = new ArrayList<>();
    for (double stragglers : stragglerLevels) {
      for (String[] algorithm : new String[][] {{"FedAvg", "fedavg", "0"}, {"FedProx (mu=0)", "fedprox", "0"},
          {"FedProx (mu=1)", "fedprox", "1"}}) {
        SimulationConfig config = setting(algorithm[1], Double.parseDouble(algorithm[2]), stragglers, rounds, seed);
        Simulation.Prepared prepared = Simulation.prepare(config);
        long start = System.nanoTime();
        SimulationResult result = Simulation.run(prepared, actorConfig, r -> {});
        double seconds = (System.nanoTime() - start) / 1e9;
        EvalResult train;
        try (ModelEvaluator evaluator = new ModelEvaluator(prepared.spec(), Device.cpu())) {
          train = evaluator.evaluate(result.finished().finalModel(), prepared.data().train());
        }
        Row row = new Row(stragglers, algorithm[0], train.loss(), result.finished().finalAccuracy(),
            result.finished().roundsRun(), seconds);
        rows.add(row);
        onRow.accept(row);
      }
    }
    return rows;
  }
}

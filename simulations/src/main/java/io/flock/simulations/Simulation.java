package io.flock.simulations;

import ai.djl.Device;
import com.typesafe.config.Config;
import io.flock.actors.coordinator.CoordinatorSettings;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.actors.round.RoundSettings;
import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.Mnist;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
import io.flock.models.training.Devices;
import io.flock.models.training.LocalTrainer;
import io.flock.models.training.ModelEvaluator;
import io.flock.models.training.ModelInitializer;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Runs a whole federation in one JVM: real DJL training, real actors, the same code as a
 * cluster deployment with a local transport. The calling thread blocks until training ends.
 */
public final class Simulation {

  /** Data sets a simulation can run on. */
  public static final List<String> DATASETS = List.of("mnist");

  private Simulation() {}

  /** The training and test splits of {@code config.dataset()}, from the cache (fetched if missing). */
  public static Mnist.Splits loadData(SimulationConfig config) throws DataUnavailableException {
    if (!DATASETS.contains(config.dataset())) {
      throw new DataUnavailableException(
          "unknown data set '" + config.dataset() + "'; known: " + String.join(", ", DATASETS));
    }
    Path root = DataDirectory.resolve(config.dataDir());
    Mnist.Splits splits = Mnist.load(root, true);
    LabeledDataset train =
        config.trainLimit() > 0 && config.trainLimit() < splits.train().size()
            ? splits.train().head(config.trainLimit())
            : splits.train();
    return new Mnist.Splits(train, splits.test());
  }

  /**
   * Loads the data, partitions it, starts an actor system with {@code actorConfig} and trains.
   *
   * @param onRound called with each round's report, on an actor thread, in round order
   */
  public static SimulationResult run(SimulationConfig config, Config actorConfig, Consumer<RoundReport> onRound)
      throws DataUnavailableException, InterruptedException {
    ModelSpec spec = ModelZoo.get(config.model());
    Mnist.Splits data = loadData(config);
    if (data.train().featureDim() != spec.sampleSize()) {
      throw new IllegalArgumentException(
          "model " + spec.name() + " takes " + spec.sampleSize() + " features, data set "
              + config.dataset() + " has " + data.train().featureDim());
    }
    List<int[]> parts =
        Partitioner.partition(config.partition(), data.train().labels(), config.nodes(), config.seed());
    List<NodeData> partitions = new ArrayList<>(parts.size());
    for (int[] part : parts) {
      partitions.add(new NodeData(data.train(), part));
    }
    ModelWeights initial = ModelInitializer.initialWeights(spec, config.seed());
    Device device = Devices.select(config.gpuEnabled(), 0);
    // FedAvg's ClientUpdate: no proximal term (mu = 0), all local epochs (maxSteps = 0).
    TrainConfig train =
        new TrainConfig(config.localEpochs(), config.batchSize(), config.learningRate(), config.clipNorm(), 0, 0, 0);
    RoundSettings round =
        new RoundSettings(config.fraction(), config.minNodes(), config.minFraction(), config.roundTimeout(), train);
    CoordinatorSettings coordinator =
        new CoordinatorSettings(config.rounds(), config.nodes(), Duration.ofMinutes(1), round, config.seed(),
            config.targetLoss(), config.targetAccuracy(), 3);
    LabeledDataset test = data.test();
    SimulationGuardian.Plan plan =
        new SimulationGuardian.Plan(
            partitions,
            initial,
            coordinator,
            () -> new LocalTrainer(spec, device),
            () -> new ModelEvaluator(spec, device).on(test),
            1,
            actorConfig.getDuration("flock.supervision.min-backoff"),
            actorConfig.getDuration("flock.supervision.max-backoff"));

    List<RoundReport> reports = new ArrayList<>();
    CompletableFuture<TrainingFinished> finished = new CompletableFuture<>();
    long start = System.nanoTime();
    ActorSystem<?> system =
        ActorSystem.create(
            SimulationGuardian.create(plan, r -> {
              reports.add(r);
              onRound.accept(r);
            }, finished::complete),
            "flock",
            actorConfig);
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the actor system failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      system.terminate();
      throw e;
    }
    if (!finished.isDone()) {
      throw new IllegalStateException("the actor system stopped before training finished; see the log above");
    }
    return new SimulationResult(finished.join(), reports, (System.nanoTime() - start) / 1_000_000);
  }
}

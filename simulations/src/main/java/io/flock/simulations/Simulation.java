package io.flock.simulations;

import ai.djl.Device;
import com.typesafe.config.Config;
import io.flock.actors.coordinator.CoordinatorSettings;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.actors.round.RoundSettings;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.Strategy;
import io.flock.models.data.DataSets;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.LabeledDataset;
import io.flock.models.training.Devices;
import io.flock.models.training.LocalTrainer;
import io.flock.models.training.ModelEvaluator;
import io.flock.models.training.ModelInitializer;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.privacy.dp.GaussianNoise;
import io.flock.privacy.dp.NoiseCalibration;
import io.flock.actors.round.SecureAggregation;
import io.flock.privacy.identity.NodeIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
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

  /**
   * A run ready to start: data loaded and split, initial model built, strategy and privacy set up.
   *
   * @param strategy the run's strategy, wrapped in differential privacy when the config asks for it
   *     (then stateful: one per run)
   * @param noiseMultiplier the DP noise multiplier z (calibrated or given); NaN without DP
   */
  public record Prepared(
      SimulationConfig config,
      FederatedData data,
      ModelSpec spec,
      ModelWeights initial,
      RoundSettings round,
      Strategy strategy,
      double noiseMultiplier) {}

  private Simulation() {}

  /** Loads the data, builds the model, strategy and privacy layer; no actor starts yet. */
  public static Prepared prepare(SimulationConfig config) throws DataUnavailableException {
    return prepare(config, null);
  }

  /**
   * {@link #prepare(SimulationConfig)} on data already loaded and split for the same data set,
   * nodes, partition and seed (a benchmark running several strategies on one split loads it
   * once); null loads it.
   */
  public static Prepared prepare(SimulationConfig config, FederatedData loaded) throws DataUnavailableException {
    // Everything that only needs the configuration first, so that a bad setting fails before any
    // data set is loaded or fetched.
    Strategy strategy = Strategies.create(config.strategy(), config.strategyOptions());
    TrainConfig train = new TrainConfig(
        config.localEpochs(), config.batchSize(), config.learningRate(), config.clipNorm(), 0, config.maxSteps(), 0);
    // The coordinator's RoundPlanner applies the strategy (its mu, its partial-work rule).
    RoundSettings round = new RoundSettings(config.fraction(), config.minNodes(), config.minFraction(),
        config.roundTimeout(), train, true, config.stragglers());
    if (config.secureAggregation() != null) {
      round = round.withSecureAggregation(secureAggregation(config));
    }
    double z = Double.NaN;
    DpConfig d = config.dp();
    if (d != null) {
      int planned = round.sampleSize(config.nodes());
      double q = (double) planned / config.nodes();
      z = d.noiseMultiplier() > 0 ? d.noiseMultiplier()
          : NoiseCalibration.noiseMultiplier(d.epsilon(), d.delta(), q, config.rounds(), d.conversion());
      strategy = DifferentialPrivacy.wrap(strategy,
          new DifferentialPrivacy.Settings(d.mode(), z, d.clipNorm(), d.delta(), d.epsilon(),
              d.adaptiveQuantile(), d.conversion()),
          planned, GaussianNoise.create());
    }
    DataSets.checkPair(config.model(), config.dataset());
    FederatedData data = loaded != null ? loaded : FederatedData.load(config);
    ModelSpec spec = FederatedData.modelFor(config.model(), data.train());
    ModelWeights initial = ModelInitializer.initialWeights(spec, config.seed());
    return new Prepared(config, data, spec, initial, round, strategy, z);
  }

  /** The id of simulated node {@code i}: also its actor name. */
  static String nodeId(int i) {
    return String.format("node-%04d", i);
  }

  /**
   * A simulated node's identity, derived from the run's seed and its id (SHA-256 of both is the
   * ML-DSA-65 key seed): deterministic, so the coordinator can be handed every public key. For
   * simulation only: anyone who knows the seed knows every private key.
   */
  static NodeIdentity simulatedIdentity(long seed, String nodeId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(("flock-simulated-identity/" + seed + "/").getBytes(StandardCharsets.UTF_8));
      return NodeIdentity.fromSeed(sha.digest(nodeId.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The rounds' secure aggregation: every node's public key for the coordinator, and a quarter of
   * the round timeout (at least 1 s) as the deadline of each of the protocol's four phases.
   */
  private static SecureAggregation secureAggregation(SimulationConfig config) {
    Map<String, byte[]> keys = new TreeMap<>();
    for (int i = 0; i < config.nodes(); i++) {
      keys.put(nodeId(i), simulatedIdentity(config.seed(), nodeId(i)).publicKey());
    }
    Duration phase = config.roundTimeout().dividedBy(4);
    SecaggOptions s = config.secureAggregation();
    return new SecureAggregation(s.degree(), s.threshold(), s.clip(),
        phase.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : phase, keys);
  }

  /** The indices of the poisoning nodes: a seeded choice of {@code attackers * nodes} of them. */
  static java.util.Set<Integer> attackers(SimulationConfig config) {
    int count = (int) Math.round(config.attackers() * config.nodes());
    int[] perm = io.flock.models.data.Partitioner.permutation(
        config.nodes(), new java.util.Random(io.flock.models.data.Seeds.derive(config.seed(), -1)));
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    for (int i = 0; i < count; i++) {
      out.add(perm[i]);
    }
    return out;
  }

  /** {@link #prepare} then {@link #run(Prepared, Config, Consumer)}. */
  public static SimulationResult run(SimulationConfig config, Config actorConfig, Consumer<RoundReport> onRound)
      throws DataUnavailableException, InterruptedException {
    return run(prepare(config), actorConfig, onRound);
  }

  /**
   * Starts an actor system with {@code actorConfig} and trains.
   *
   * @param onRound called with each round's report, on an actor thread, in round order
   */
  public static SimulationResult run(Prepared p, Config actorConfig, Consumer<RoundReport> onRound)
      throws InterruptedException {
    SimulationConfig config = p.config();
    Device device = Devices.select(config.gpuEnabled(), 0);
    CoordinatorSettings coordinator =
        new CoordinatorSettings(config.rounds(), config.nodes(), Duration.ofMinutes(1), p.round(), config.seed(),
            config.targetLoss(), config.targetAccuracy(), 3, config.federatedEval());
    LabeledDataset test = p.data().test();
    ModelSpec spec = p.spec();
    SimulationGuardian.Plan plan =
        new SimulationGuardian.Plan(
            p.data().partitions(),
            p.data().evalPartitions(),
            attackers(config),
            config.attackScale(),
            p.initial(),
            coordinator,
            p.strategy(),
            () -> new LocalTrainer(spec, device, config.data()),
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

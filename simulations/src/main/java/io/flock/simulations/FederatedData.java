package io.flock.simulations;

import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.FashionMnist;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.Mnist;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
import io.flock.models.data.SyntheticFedProx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A data set split over the simulated nodes, plus the held-out data the global model is evaluated
 * on.
 *
 * @param train all training samples
 * @param test held-out samples
 * @param partitions one node's local training data each
 * @param evalPartitions one node's local held-out data each, for federated evaluation; empty when
 *     the run does not evaluate on the nodes
 */
public record FederatedData(
    LabeledDataset train, LabeledDataset test, List<NodeData> partitions, List<NodeData> evalPartitions) {

  /** Data sets a simulation can run on. */
  public static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "synthetic");

  public FederatedData {
    partitions = List.copyOf(partitions);
    evalPartitions = List.copyOf(evalPartitions);
  }

  /**
   * Loads {@code config.dataset()} and splits it. MNIST comes from the cache (fetched when
   * missing) and is split by {@code config.partition()} over {@code config.nodes()} nodes.
   * {@code synthetic} is FedProx's Synthetic(1, 1) with its natural partition: one node per
   * device (so {@code --nodes} must be 30), generated from the run's seed.
   */
  public static FederatedData load(SimulationConfig config) throws DataUnavailableException {
    return switch (config.dataset()) {
      case "mnist", "fashion-mnist" -> images(config);
      case "synthetic" -> synthetic(config);
      default -> throw new DataUnavailableException(
          "unknown data set '" + config.dataset() + "'; known: " + String.join(", ", DATASETS));
    };
  }

  private static FederatedData images(SimulationConfig config) throws DataUnavailableException {
    Path root = DataDirectory.resolve(config.dataDir());
    Mnist.Splits splits = "fashion-mnist".equals(config.dataset())
        ? FashionMnist.load(root, true) : Mnist.load(root, true);
    LabeledDataset train =
        config.trainLimit() > 0 && config.trainLimit() < splits.train().size()
            ? splits.train().head(config.trainLimit())
            : splits.train();
    List<int[]> parts = Partitioner.partition(
        config.partition(), train.labels(), config.nodes(), config.seed(), config.dirichletAlpha());
    if (!config.federatedEval()) {
      return new FederatedData(train, splits.test(), views(train, parts), List.of());
    }
    // Federated evaluation: every 10th local sample is held out on its node (every 10th, not the
    // last 10%, so that a label-sorted shard keeps both its labels on both sides).
    List<int[]> trainParts = new ArrayList<>();
    List<int[]> evalParts = new ArrayList<>();
    for (int[] part : parts) {
      int held = part.length / 10;
      if (held == 0) {
        throw new IllegalArgumentException("--federated-eval holds out every 10th local sample and needs at least"
            + " 10 per node; a node has " + part.length + " (fewer --nodes or a larger --train-limit)");
      }
      int[] t = new int[part.length - held];
      int[] e = new int[held];
      int ti = 0;
      int ei = 0;
      for (int i = 0; i < part.length; i++) {
        if (i % 10 == 9 && ei < held) {
          e[ei++] = part[i];
        } else {
          t[ti++] = part[i];
        }
      }
      trainParts.add(t);
      evalParts.add(e);
    }
    return new FederatedData(train, splits.test(), views(train, trainParts), views(train, evalParts));
  }

  private static FederatedData synthetic(SimulationConfig config) {
    if (config.nodes() != SyntheticFedProx.DEVICES) {
      throw new IllegalArgumentException(
          "the synthetic data set has its own partition of " + SyntheticFedProx.DEVICES
              + " devices: use --nodes " + SyntheticFedProx.DEVICES + ", was " + config.nodes());
    }
    SyntheticFedProx.Federation f = SyntheticFedProx.generate(1, 1, config.seed());
    return new FederatedData(f.train(), f.test(), views(f.train(), f.trainPartition()),
        config.federatedEval() ? views(f.test(), f.testPartition()) : List.of());
  }

  private static List<NodeData> views(LabeledDataset data, List<int[]> parts) {
    List<NodeData> out = new ArrayList<>(parts.size());
    for (int[] part : parts) {
      out.add(new NodeData(data, part));
    }
    return out;
  }
}

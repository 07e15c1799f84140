package io.flock.simulations;

import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataSet;
import io.flock.models.data.DataSets;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.Mnist;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
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

  public FederatedData {
    partitions = List.copyOf(partitions);
    evalPartitions = List.copyOf(evalPartitions);
  }

  /**
   * Loads {@code config.dataset()} (see {@link DataSets}) and splits it. Cached data sets are
   * fetched when missing and split by {@code config.partition()} over {@code config.nodes()} nodes
   * ({@code natural}: one node per book of a text corpus). A data set with its own partition
   * ({@code synthetic}: FedProx's devices, generated from the run's seed) keeps it, so {@code
   * --nodes} must match it. Text is tokenized for {@code config.model()} ({@link io.flock.models.data.TextCorpus#forModel}).
   */
  public static FederatedData load(SimulationConfig config) throws DataUnavailableException {
    DataSets.checkPair(config.model(), config.dataset());
    DataSet dataset = DataSets.get(config.dataset());
    if (config.partition() == Partitioner.Scheme.NATURAL && dataset.kind() != DataSet.Kind.TEXT
        && !dataset.source().generated()) {
      throw new IllegalArgumentException("--partition natural is the per-book split of a text corpus ("
          + String.join(", ", DataSets.all().stream().filter(d -> d.kind() == DataSet.Kind.TEXT).map(DataSet::name)
              .toList()) + "); " + config.dataset() + " has none: use iid, shards, dirichlet or quantity");
    }
    Path root = dataset.source().generated() ? null : DataDirectory.resolve(config.dataDir());
    DataSet.Loaded loaded = dataset.load(root, config.model(), config.seed(), true);
    return loaded.hasOwnPartition()
        ? ownPartition(config, loaded)
        : split(config, new Mnist.Splits(loaded.train(), loaded.test()));
  }

  /** Splits the training set over the nodes; holds out every 10th local sample for federated evaluation. */
  static FederatedData split(SimulationConfig config, Mnist.Splits splits) {
    LabeledDataset train =
        config.trainLimit() > 0 && config.trainLimit() < splits.train().size()
            ? splits.train().head(config.trainLimit())
            : splits.train();
    LabeledDataset test = splits.test().spread(config.testLimit());
    List<int[]> parts = Partitioner.partition(
        config.partition(), train.labels(), config.nodes(), config.seed(), config.dirichletAlpha());
    if (!config.federatedEval()) {
      return new FederatedData(train, test, views(train, parts), List.of());
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
    return new FederatedData(train, test, views(train, trainParts), views(train, evalParts));
  }

  private static FederatedData ownPartition(SimulationConfig config, DataSet.Loaded l) {
    int devices = l.ownTrainPartition().size();
    if (config.nodes() != devices) {
      throw new IllegalArgumentException("the " + config.dataset() + " data set has its own partition of " + devices
          + " devices: use --nodes " + devices + ", was " + config.nodes());
    }
    return new FederatedData(l.train(), l.test().spread(config.testLimit()), views(l.train(), l.ownTrainPartition()),
        config.federatedEval() ? views(l.test(), l.ownTestPartition()) : List.of());
  }

  private static List<NodeData> views(LabeledDataset data, List<int[]> parts) {
    List<NodeData> out = new ArrayList<>(parts.size());
    for (int[] part : parts) {
      out.add(new NodeData(data, part));
    }
    return out;
  }

  /**
   * The model {@code name} as it trains on {@code train}: a token model as registered (it reads
   * token ids), a classifier sized to the data set's features and classes.
   */
  public static io.flock.models.zoo.ModelSpec modelFor(String name, LabeledDataset train) {
    return train.isTokens()
        ? io.flock.models.zoo.ModelZoo.get(name)
        : io.flock.models.zoo.ModelZoo.get(name, train.featureDim(), train.numClasses());
  }
}

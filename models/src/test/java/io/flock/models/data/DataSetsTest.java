package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flock.models.zoo.ModelZoo;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's entries, and Fashion-MNIST fetched through {@link DebianPackage} from fixture files. */
class DataSetsTest {

  @TempDir Path system;
  @TempDir Path tree;
  @TempDir Path cache;

  static void gzIdx(Path file, int[] dims, byte[] data) throws IOException {
    Files.createDirectories(file.getParent());
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(0x00000800 | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }

  /** The four gzipped IDX files where the {@code dataset-fashion-mnist} package ships them, under {@code root}. */
  static void fashionMnistPackage(Path root) throws IOException {
    Path dir = root.resolve("usr/share/datasets/fashion-mnist");
    byte[] px = new byte[3 * 784];
    px[5] = (byte) 255;
    gzIdx(dir.resolve("train-images-idx3-ubyte.gz"), new int[] {3, 28, 28}, px);
    gzIdx(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {3}, new byte[] {9, 0, 4});
    gzIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 28, 28}, new byte[784]);
    gzIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {1}, new byte[] {2});
  }

  static void fetch(DataSet d, Path cacheRoot, Path system, DebianPackage.Unpacker unpacker)
      throws DataUnavailableException {
    DebianPackage.fetch(d.source().packageName(), d.source().files(), d.directory(cacheRoot), d.name(), system,
        unpacker);
  }

  @Test
  void everyEntryHasAUniqueNameModelsThatExistAndASource() {
    List<DataSet> all = DataSets.all();
    assertEquals(all.size(), new HashSet<>(DataSets.names()).size());
    assertEquals(List.of("mnist", "fashion-mnist", "breast-cancer", "german-credit", "synthetic", "austen"),
        DataSets.names());
    for (DataSet d : all) {
      assertFalse(d.description().isBlank(), d.name());
      d.models().forEach(ModelZoo::get);
      if (d.source().generated()) {
        assertTrue(d.cachedFiles().isEmpty() && d.source().files().isEmpty(), d.name());
      } else {
        assertTrue(List.of(DataSet.Source.NPM, DataSet.Source.DEBIAN).contains(d.source().registry()), d.name());
        assertFalse(d.source().files().isEmpty(), d.name());
      }
      if (DataSet.Source.DEBIAN.equals(d.source().registry())) {
        d.source().files().keySet().forEach(f -> assertTrue(f.startsWith("/usr/"), d.name() + ": " + f));
      }
    }
  }

  @Test
  void unknownNameIsRejectedListingTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSets.get("imagenet"));
    assertEquals("unknown data set 'imagenet'; known: mnist, fashion-mnist, breast-cancer, german-credit,"
        + " synthetic, austen", e.getMessage());
  }

  @Test
  void aModelThatDoesNotFitIsRejectedNamingWhereItTrains() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataSets.checkPair(ModelZoo.CHAR_LM, DataSets.FASHION_MNIST));
    assertEquals("--model char-lm does not fit --dataset fashion-mnist: models for fashion-mnist are mlp-2nn,"
        + " logistic, cnn, resnet18; char-lm trains on austen", e.getMessage());
    DataSets.checkPair(ModelZoo.CNN, DataSets.FASHION_MNIST);
  }

  @Test
  void generatedDataSetIsAlwaysAvailableAndNeedsNoFetch() throws DataUnavailableException {
    DataSet synthetic = DataSets.get(DataSets.SYNTHETIC);
    assertTrue(synthetic.isCached(cache));
    DataSet.Loaded l = synthetic.load(null, ModelZoo.LOGISTIC, 1, false);
    assertEquals(30, l.ownTrainPartition().size());
  }

  @Test
  void fashionMnistIsDownloadedAndUnpackedWhenThePackageIsNotInstalled() throws Exception {
    fashionMnistPackage(tree);
    DataSet fashion = DataSets.get(DataSets.FASHION_MNIST);
    assertFalse(fashion.isCached(cache));
    fetch(fashion, cache, system, (name, tmp, dataset) -> {
      assertEquals("dataset-fashion-mnist", name);
      assertTrue(tmp.startsWith(cache), tmp.toString());
      return tree;
    });
    assertTrue(fashion.isCached(cache));
    DataSet.Loaded s = fashion.load(cache, ModelZoo.CNN, 0, false);
    assertEquals(3, s.train().size());
    assertEquals(9, s.train().label(0));
    float[] f = new float[784];
    s.train().copyFeatures(0, f, 0);
    assertEquals(1f, f[5]);
    assertEquals(2, s.test().label(0));
    assertEquals("fashion-mnist/train", s.train().name());
  }

  @Test
  void installedFashionMnistIsCopiedFromTheSystemWithoutADownload() throws Exception {
    fashionMnistPackage(system);
    DataSet fashion = DataSets.get(DataSets.FASHION_MNIST);
    fetch(fashion, cache, system, (name, tmp, dataset) -> fail("downloaded although installed"));
    assertTrue(fashion.isCached(cache));
    try (var left = Files.list(cache)) {
      assertEquals(List.of(cache.resolve("fashion-mnist")), left.toList(), "no temp directory is left behind");
    }
  }

  @Test
  void packageWithoutTheFilesSaysItsLayoutChanged() {
    DataSet fashion = DataSets.get(DataSets.FASHION_MNIST);
    DataUnavailableException e = assertThrows(DataUnavailableException.class,
        () -> fetch(fashion, cache, system, (name, tmp, dataset) -> tree));
    assertTrue(e.getMessage().startsWith("the Debian package dataset-fashion-mnist has no /usr/share/datasets/"
        + "fashion-mnist/"), e.getMessage());
    assertFalse(fashion.isCached(cache));
  }

  @Test
  void missingDebianToolsSayWhatIsNeededAndHowToInstall() {
    DataSet fashion = DataSets.get(DataSets.FASHION_MNIST);
    DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> fetch(fashion, cache, system,
        (name, tmp, dataset) -> {
          throw new IOException("Cannot run program \"apt-get\": error=2, No such file or directory");
        }));
    assertTrue(e.getMessage().contains("apt-get or dpkg-deb is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("install it with `apt-get install dataset-fashion-mnist` and run"
        + " `./flock datasets fetch fashion-mnist` again"), e.getMessage());
  }

  @Test
  void aRelativeCacheDirectoryReachesTheDebianToolsAsAnAbsolutePath() throws Exception {
    // apt-get and dpkg-deb run inside the temporary directory: a relative path would resolve there
    fashionMnistPackage(tree);
    DataSet fashion = DataSets.get(DataSets.FASHION_MNIST);
    Path relative = Path.of("").toAbsolutePath().relativize(cache);
    fetch(fashion, relative, system, (name, tmp, dataset) -> {
      assertTrue(tmp.isAbsolute(), tmp.toString());
      return tree;
    });
    assertTrue(fashion.isCached(cache));
  }

  @Test
  void packageFilesMayGoIntoASubdirectoryOfTheCache() throws Exception {
    Files.createDirectories(tree.resolve("usr/lib/x"));
    Files.writeString(tree.resolve("usr/lib/x/data.rdx"), "r");
    DebianPackage.fetch("x", Map.of("/usr/lib/x/data.rdx", "r-data/data.rdx"), cache.resolve("x"), "x", system,
        (name, tmp, dataset) -> tree);
    assertEquals("r", Files.readString(cache.resolve("x/r-data/data.rdx")));
  }
}

package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @TempDir Path system;
  @TempDir Path cache;

  static void gzIdx(Path file, int[] dims, byte[] data) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(0x00000800 | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }

  @Test
  void gzippedIdxFilesOfThePackageAreCopiedToTheCacheAndRead() throws Exception {
    byte[] px = new byte[3 * 784];
    px[5] = (byte) 255;
    gzIdx(system.resolve("train-images-idx3-ubyte.gz"), new int[] {3, 28, 28}, px);
    gzIdx(system.resolve("train-labels-idx1-ubyte.gz"), new int[] {3}, new byte[] {9, 0, 4});
    gzIdx(system.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 28, 28}, new byte[784]);
    gzIdx(system.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {1}, new byte[] {2});
    FashionMnist.fetch(cache, system);
    assertTrue(FashionMnist.isCached(cache));
    Mnist.Splits s = FashionMnist.load(cache, false);
    assertEquals(3, s.train().size());
    assertEquals(9, s.train().label(0));
    float[] f = new float[784];
    s.train().copyFeatures(0, f, 0);
    assertEquals(1f, f[5]);
    assertEquals(2, s.test().label(0));
  }

  @Test
  void missingPackageSaysWhichPackageToInstall() {
    DataUnavailableException e =
        assertThrows(DataUnavailableException.class, () -> FashionMnist.fetch(cache, system));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }
}

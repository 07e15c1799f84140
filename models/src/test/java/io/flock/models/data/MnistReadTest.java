package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistReadTest {

  @TempDir Path dir;

  @Test
  void pixelsAreScaledToUnitIntervalAndLabelsRead() throws IOException {
    byte[] px = new byte[2 * 784];
    px[0] = (byte) 255;
    px[784 + 1] = (byte) 51;
    Path images = TestIdx.write(dir.resolve("img"), new int[] {2, 28, 28}, px);
    Path labels = TestIdx.write(dir.resolve("lab"), new int[] {2}, new byte[] {7, 3});
    LabeledDataset d = Mnist.read("t", images, labels);
    assertEquals(2, d.size());
    assertEquals(7, d.label(0));
    assertEquals(3, d.label(1));
    float[] f = new float[784];
    d.copyFeatures(1, f, 0);
    assertEquals(0.2f, f[1], 1e-6f);
    d.copyFeatures(0, f, 0);
    assertEquals(1f, f[0]);
  }

  @Test
  void truncatedIdxFileIsReportedWithItsName() throws IOException {
    Path images = TestIdx.write(dir.resolve("short"), new int[] {2, 28, 28}, new byte[100]);
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(images, 3));
    assertTrue(e.getMessage().contains("short") && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void wrongMagicIsRejected() throws IOException {
    Path file = dir.resolve("bad");
    Files.write(file, new byte[] {1, 2, 3, 4, 0, 0, 0, 1, 9});
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(file, 1));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void wrongImageSizeIsRejected() throws IOException {
    Path images = TestIdx.write(dir.resolve("img"), new int[] {1, 32, 32}, new byte[1024]);
    Path labels = TestIdx.write(dir.resolve("lab"), new int[] {1}, new byte[] {1});
    IOException e = assertThrows(IOException.class, () -> Mnist.read("t", images, labels));
    assertTrue(e.getMessage().contains("32x32"), e.getMessage());
  }

  @Test
  void imageAndLabelCountsMustAgree() throws IOException {
    Path images = TestIdx.write(dir.resolve("img"), new int[] {2, 28, 28}, new byte[2 * 784]);
    Path labels = TestIdx.write(dir.resolve("lab"), new int[] {3}, new byte[] {1, 2, 3});
    assertThrows(IOException.class, () -> Mnist.read("t", images, labels));
  }

  @Test
  void missingCacheWithoutFetchSaysHowToGetTheData() {
    DataUnavailableException e =
        assertThrows(DataUnavailableException.class, () -> DataSets.get(DataSets.MNIST).load(dir, "cnn", 0, false));
    assertTrue(e.getMessage().contains("flock datasets fetch mnist"), e.getMessage());
  }

  @Test
  void explicitDataDirectoryThatIsAFileIsRejected() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    DataUnavailableException e =
        assertThrows(DataUnavailableException.class, () -> DataDirectory.resolve(file));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    assertThrows(DataUnavailableException.class, () -> DataDirectory.resolve(dir.resolve("nope")));
  }
}

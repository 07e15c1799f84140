package io.flock.models.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small IDX files for tests. */
final class TestIdx {

  private TestIdx() {}

  static Path write(Path file, int[] dims, byte[] data) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(0x00000800 | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return file;
  }
}

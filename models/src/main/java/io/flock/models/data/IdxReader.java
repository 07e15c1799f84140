package io.flock.models.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of LeCun's MNIST distribution (also used by Fashion-MNIST): a big-endian
 * magic {@code 0x00000800 | rank} for unsigned bytes, {@code rank} big-endian int dimensions, then
 * the bytes. Files ending in {@code .gz} are decompressed on the fly.
 */
public final class IdxReader {

  /** The decoded content: dimensions and raw unsigned bytes. */
  public record IdxData(int[] dims, byte[] data) {

    /** Number of items (the first dimension). */
    public int count() {
      return dims[0];
    }

    /** Product of the dimensions after the first: bytes per item. */
    public int itemSize() {
      int s = 1;
      for (int i = 1; i < dims.length; i++) {
        s *= dims[i];
      }
      return s;
    }
  }

  private static final int UBYTE_TYPE = 0x08;
  private static final int MAX_ELEMENTS = 1 << 30;

  private IdxReader() {}

  /**
   * Reads an unsigned-byte IDX file of rank {@code expectedRank}.
   *
   * @throws IOException with the file name and what is wrong, for a missing, truncated or
   *     malformed file
   */
  public static IdxData read(Path file, int expectedRank) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("IDX file " + file + " does not exist or is not a regular file");
    }
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
      int magic = data.readInt();
      int type = (magic >>> 8) & 0xff;
      int rank = magic & 0xff;
      if ((magic >>> 16) != 0 || type != UBYTE_TYPE) {
        throw new IOException(
            String.format(
                "%s is not an unsigned-byte IDX file: magic 0x%08x (expected 0x00000800 | rank)",
                file, magic));
      }
      if (rank != expectedRank) {
        throw new IOException(
            file + " has rank " + rank + " but rank " + expectedRank + " was expected");
      }
      int[] dims = new int[rank];
      long total = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = data.readInt();
        if (dims[i] <= 0) {
          throw new IOException(file + " has non-positive dimension " + dims[i] + " at " + i);
        }
        total *= dims[i];
        if (total > MAX_ELEMENTS) {
          throw new IOException(file + " declares more than 2^30 elements: corrupt header");
        }
      }
      byte[] bytes = new byte[(int) total];
      try {
        data.readFully(bytes);
      } catch (EOFException e) {
        throw new IOException(
            file + " is truncated: the header declares " + total + " data bytes", e);
      }
      if (data.read() != -1) {
        throw new IOException(
            file + " has trailing bytes after the " + total + " declared data bytes");
      }
      return new IdxData(dims, bytes);
    }
  }
}

package io.flock.actors.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A run's checkpoints on disk, in one work directory: {@code checkpoint.cbor} (the latest) and
 * {@code checkpoint.prev.cbor} (the one before). A file is an 8-byte magic, the CRC32 of the body,
 * and the body: the {@link Checkpoint} as CBOR. Writes are atomic: the new file is written and
 * forced to disk under a temporary name, the latest is renamed to the previous, the temporary one
 * to the latest; a crash at any point leaves a complete latest or previous checkpoint. A file
 * that fails its magic, length or CRC is reported as corrupt, with the previous file named, and is
 * never overwritten by a load.
 */
public final class CheckpointFiles {

  /** The latest checkpoint's file name. */
  public static final String LATEST = "checkpoint.cbor";

  /** The previous checkpoint's file name. */
  public static final String PREVIOUS = "checkpoint.prev.cbor";

  private static final byte[] MAGIC = "FLOCKCP1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = MAGIC.length + Long.BYTES;
  private static final ObjectMapper MAPPER =
      new CBORMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path dir;

  /** Checkpoints in {@code dir}, which is created when missing. */
  public CheckpointFiles(Path dir) {
    this.dir = dir;
  }


  /** Whether a checkpoint file exists (corrupt or not). */
  public boolean exists() {
    return Files.exists(dir.resolve(LATEST)) || Files.exists(dir.resolve(PREVIOUS));
  }

  /** The file bytes of {@code checkpoint}: magic, CRC32 of the body, CBOR body. */
  public static byte[] encode(Checkpoint checkpoint) {
    try {
      byte[] body = MAPPER.writeValueAsBytes(checkpoint);
      CRC32 crc = new CRC32();
      crc.update(body);
      return ByteBuffer.allocate(HEADER + body.length).put(MAGIC).putLong(crc.getValue()).put(body).array();
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode the checkpoint of round " + checkpoint.round(), e);
    }
  }

  /**
   * Writes {@code checkpoint} as the latest; the former latest becomes the previous.
   *
   * @return the file's bytes, as {@link #encode} makes them (what replicas receive)
   */
  public byte[] write(Checkpoint checkpoint) {
    byte[] file = encode(checkpoint);
    writeFile(file);
    return file;
  }

  /**
   * Writes file bytes made by {@link #encode} (a replica's copy) as the latest, after checking
   * that they decode to the checkpoint of {@code round}; the former latest becomes the previous.
   *
   * @return the checkpoint the bytes hold
   * @throws CorruptCheckpointException when they do not decode; nothing is written then
   * @throws IllegalArgumentException when they hold another round; nothing is written then
   */
  public Checkpoint writeBytes(byte[] file, long round) {
    Checkpoint checkpoint = decode(file, "the received checkpoint", null);
    if (checkpoint.round() != round) {
      throw new IllegalArgumentException("the received checkpoint holds round " + checkpoint.round()
          + ", not round " + round + " as its replica says. Nothing was written.");
    }
    writeFile(file);
    return checkpoint;
  }

  private void writeFile(byte[] file) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(LATEST + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(file);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Path latest = dir.resolve(LATEST);
      if (Files.exists(latest)) {
        move(latest, dir.resolve(PREVIOUS));
      }
      move(tmp, latest);
      forceDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the checkpoint in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Makes the renames durable: on Linux a directory's entries reach the disk with its fsync. */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every file system lets a directory be opened for fsync; the files themselves are.
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The latest checkpoint, or null when there is none.
   *
   * @throws CorruptCheckpointException when the file is damaged; the message names the file, what
   *     is wrong with it, and the previous checkpoint to fall back to
   */
  public Checkpoint readLatest() {
    Path latest = dir.resolve(LATEST);
    Path previous = dir.resolve(PREVIOUS);
    if (!Files.exists(latest) && Files.exists(previous)) {
      // A crash between the two renames of a write: the previous checkpoint is the latest complete
      // one.
      return read(previous);
    }
    return read(latest);
  }

  /** A checkpoint file, or null when it does not exist. */
  public static Checkpoint read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the checkpoint " + file + ": " + e.getMessage(), e);
    }
    Path previous = file.resolveSibling(PREVIOUS);
    return decode(bytes, "the checkpoint " + file,
        Files.exists(previous) && !file.equals(previous) ? previous : null);
  }

  private static Checkpoint decode(byte[] bytes, String what, Path previous) {
    String problem;
    if (bytes.length < HEADER || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      problem = "it does not start with a Flock checkpoint header";
    } else {
      long expected = ByteBuffer.wrap(bytes, MAGIC.length, Long.BYTES).getLong();
      CRC32 crc = new CRC32();
      crc.update(bytes, HEADER, bytes.length - HEADER);
      if (crc.getValue() != expected) {
        problem = "its CRC32 does not match (truncated or damaged)";
      } else {
        try {
          return MAPPER.readValue(bytes, HEADER, bytes.length - HEADER, Checkpoint.class);
        } catch (IOException | IllegalArgumentException e) {
          problem = "it does not decode: " + e.getMessage();
        }
      }
    }
    throw new CorruptCheckpointException(what + " is corrupt: " + problem
        + (previous != null
            ? "; the checkpoint before it is " + previous + " (move it to " + LATEST + " to resume from it)"
            : "")
        + ". Nothing was overwritten.");
  }

  /** A checkpoint file that exists but cannot be used. */
  public static final class CorruptCheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptCheckpointException(String message) {
      super(message);
    }
  }
}

package io.flock.actors.transfer;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code flock.transfer} section of the configuration (defaults in this module's {@code
 * reference.conf}).
 *
 * @param inlineLimitBytes payloads of at most this many bytes travel inside the message
 * @param chunkBytes bytes per streamed chunk: a multiple of 4, well under Artery's frame size
 * @param window chunks in flight per transfer: the receiver's demand, so the bound on the memory a
 *     transfer holds in transit
 * @param subscriptionTimeout how long an offered stream waits for its receiver to fetch it
 * @param idleTimeout how long a fetch waits for the next chunk before it fails
 * @param sideChannel whether payloads above the inline limit travel over the side channel (a TCP
 *     connection of their own, TLS when Artery uses TLS) instead of a StreamRef over Artery
 * @param sideChannelPort port the side channel binds (0: any free port)
 * @param sideChannelChunkBytes bytes the side channel's sender encodes and writes at a time
 */
public record TransferSettings(
    long inlineLimitBytes,
    int chunkBytes,
    int window,
    Duration subscriptionTimeout,
    Duration idleTimeout,
    boolean sideChannel,
    int sideChannelPort,
    int sideChannelChunkBytes) {

  /** Room left in an Artery frame for the envelope, the stream-ref wrapper and actor paths. */
  static final int FRAME_HEADROOM = 16 * 1024;

  /** Validates the values; see the record's parameters for the rules. */
  public TransferSettings {
    if (inlineLimitBytes < 0) {
      throw new IllegalArgumentException(
          "flock.transfer.inline-limit must be >= 0, was " + inlineLimitBytes);
    }
    if (chunkBytes < 4096 || chunkBytes % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "flock.transfer.chunk-size must be a multiple of 4 bytes and >= 4 KiB, was "
              + chunkBytes);
    }
    if (window < 1) {
      throw new IllegalArgumentException("flock.transfer.window must be >= 1, was " + window);
    }
    if (subscriptionTimeout.isNegative() || subscriptionTimeout.isZero()) {
      throw new IllegalArgumentException(
          "flock.transfer.subscription-timeout must be > 0, was " + subscriptionTimeout);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "flock.transfer.idle-timeout must be > 0, was " + idleTimeout);
    }
    if (sideChannelPort < 0 || sideChannelPort > 65535) {
      throw new IllegalArgumentException(
          "flock.transfer.side-channel-port must be in [0, 65535], was " + sideChannelPort);
    }
    if (sideChannelChunkBytes < 4096 || sideChannelChunkBytes % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "flock.transfer.side-channel-chunk-size must be a multiple of 4 bytes and >= 4 KiB, was "
              + sideChannelChunkBytes);
    }
  }

  /**
   * Reads {@code flock.transfer} from a system's configuration and checks it against Artery's
   * frame size when remoting is configured: a chunk or inline payload that does not fit a frame
   * would be dropped by Artery.
   */
  public static TransferSettings from(Config config) {
    Config c = config.getConfig("flock.transfer");
    TransferSettings s =
        new TransferSettings(
            c.getBytes("inline-limit"),
            intBytes(c, "chunk-size"),
            c.getInt("window"),
            c.getDuration("subscription-timeout"),
            c.getDuration("idle-timeout"),
            c.getBoolean("side-channel"),
            c.getInt("side-channel-port"),
            intBytes(c, "side-channel-chunk-size"));
    String frameKey = "pekko.remote.artery.advanced.maximum-frame-size";
    if (config.hasPath(frameKey)) {
      long frame = config.getBytes(frameKey);
      long fits = frame - FRAME_HEADROOM;
      if (s.chunkBytes > fits || s.inlineLimitBytes > fits) {
        throw new IllegalArgumentException(
            "flock.transfer.chunk-size ("
                + s.chunkBytes
                + " bytes) and inline-limit ("
                + s.inlineLimitBytes
                + " bytes) must leave "
                + FRAME_HEADROOM
                + " bytes of "
                + frameKey
                + " ("
                + frame
                + " bytes) for headers: Artery drops bigger messages");
      }
    }
    return s;
  }

  private static int intBytes(Config c, String key) {
    long bytes = c.getBytes(key);
    if (bytes > 64L << 20) {
      throw new IllegalArgumentException(
          "flock.transfer." + key + " must be at most 64 MiB, was " + bytes);
    }
    return (int) bytes;
  }
}

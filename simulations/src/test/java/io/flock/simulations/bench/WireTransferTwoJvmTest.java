package io.flock.simulations.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelWeights;
import io.flock.simulations.bench.WirePeer.Design;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DESIGN's "100M-param transfer between two JVMs": a second JVM (same java, same class path) on
 * 127.0.0.1 receives 100,000,000 float32 parameters (400 MB) the default way, over the side channel
 * (the offer travels in an Artery message, the payload over a TCP connection of its own), and both
 * sides agree on the CRC32 of the payload (the receiver also checked it against the promised one
 * before it replied). No sleeps: the test waits for the peer's READY line and for replies, each
 * with a timeout.
 */
class WireTransferTwoJvmTest {

  @Test
  void hundredMillionParametersArriveBitExactInAnotherJvm() throws Exception {
    int n = 100_000_000;
    ModelWeights w = WireBench.weights(n, 7);
    try (WireBench.Pair pair = WireBench.Pair.start(Design.SOCKET, 4L * n, "1g", System.err::println)) {
      long nanos = pair.artery(w, Duration.ofSeconds(90)); // throws unless count and CRC32 match
      System.err.printf(
          "100M params (400 MB) to %s in %.2f s: %.0f MB/s%n",
          pair.peerAddress(), nanos / 1e9, 4e-6 * n / (nanos / 1e9));
      assertTrue(nanos > 0);
    }
  }
}

package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.transfer.TransferSettings;
import org.junit.jupiter.api.Test;

/** {@code transport.conf} keeps Artery's frame and fits the weight transfer's chunks. */
class TransportConfTest {

  @Test
  void transportConfKeepsTheDefaultFrameAndChunksFitIt() {
    Config config = ConfigFactory.parseResources("transport.conf").withFallback(ConfigFactory.load()).resolve();
    assertEquals(256 * 1024, config.getBytes("pekko.remote.artery.advanced.maximum-frame-size"));
    assertTrue(config.getStringList("pekko.remote.artery.large-message-destinations").isEmpty());
    TransferSettings transfer = TransferSettings.from(config); // throws if a chunk would not fit
    assertTrue(config.getBytes("pekko.remote.artery.log-frame-size-exceeding") > transfer.chunkBytes() + 4096);
  }
}

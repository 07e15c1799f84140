package io.flock.actors.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.tls.FederationCertificates;
import io.flock.privacy.tls.FederationCertificates.MemberFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side channel of a cluster that runs Artery over TLS ({@code transport = tls-tcp}, the overlay
 * {@code flock certs} writes: TLS 1.3, mutual authentication, hostname verification) uses TLS with
 * the same key and trust stores: members of the federation's CA fetch bit-exact; a peer whose
 * certificate comes from another CA cannot fetch (although it trusts the federation's CA, so only
 * the sender's check of its client certificate refuses it), nor can a peer without TLS; neither
 * consumes the offer. Real TLS handshakes over TCP on 127.0.0.1.
 */
@ExtendWith(LogCapturingExtension.class)
class SideChannelTlsTest {

  @TempDir Path dir;

  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void stop() {
    kits.forEach(ActorTestKit::shutdownTestKit);
  }

  private ActorTestKit start(String name, String tlsOverlay) {
    Config config =
        ConfigFactory.parseString(tlsOverlay)
            .withFallback(SideChannelTest.REMOTE)
            .withFallback(Fixtures.testConfig());
    ActorTestKit kit = ActorTestKit.create(name, config);
    kits.add(kit);
    return kit;
  }



  @Test
  void onlyMembersOfTheFederationsCaFetchOverTls() throws Exception {
    FederationCertificates certs = new FederationCertificates(new SecureRandom());
    Path fed = dir.resolve("federation");
    Path rogue = dir.resolve("rogue");
    certs.ensureCa(fed, "flock");
    certs.ensureCa(rogue, "rogue");
    String trust =
        Files.readString(
                FederationCertificates.passwordFile(fed.resolve(FederationCertificates.TRUST_STORE)))
            .trim();
    List<String> hosts = List.of("127.0.0.1", "localhost");
    MemberFiles senderFiles = certs.issueMember(fed, "sender", hosts);
    MemberFiles receiverFiles = certs.issueMember(fed, "receiver", hosts);
    MemberFiles rogueFiles = certs.issueMember(rogue, "intruder", hosts);
    MemberFiles intruderFiles =
        new MemberFiles(
            rogueFiles.keyStore(),
            fed.resolve(FederationCertificates.TRUST_STORE),
            rogueFiles.password());

    ActorTestKit sender = start("sender", FederationCertificates.arteryTlsOverlay(senderFiles, trust));
    ActorTestKit receiver = start("receiver", FederationCertificates.arteryTlsOverlay(receiverFiles, trust));
    ActorTestKit intruder = start("intruder", FederationCertificates.arteryTlsOverlay(intruderFiles, trust));
    ActorTestKit plain = start("plain", "");
    assertTrue(SideChannel.get(sender.system()).usesTls());

    ModelWeights w = WeightsTransferTest.weights(1_000_003, 21); // NaN payload and -0.0 inside
    WeightsPayload.Encoded offered = WeightsTransfer.offerOnSideChannel(w, sender.system());

    TransferException refused =
        TwoSystems.failure(
            WeightsTransfer.fetch(
                TwoSystems.overTheWire(offered, sender, intruder), intruder.system()));
    assertTrue(refused.getMessage().contains("the transfer of Socket["), refused.getMessage());
    TwoSystems.failure(
        WeightsTransfer.fetch(TwoSystems.overTheWire(offered, sender, plain), plain.system()));
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers(), "the offer is not consumed");

    ModelWeights back =
        TwoSystems.await(
            WeightsTransfer.fetch(
                TwoSystems.overTheWire(offered, sender, receiver), receiver.system()));
    assertEquals(w, back); // bitwise
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers());
  }
}

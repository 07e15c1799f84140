package io.flock.actors.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.transfer.BytesPayload;
import io.flock.actors.transfer.SideChannel;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A securely aggregated round across two actor systems talking over real Artery TCP on
 * 127.0.0.1, as between two JVMs: the round manager in one, the training nodes (real ones, on
 * {@link FakeEngine}s) in the other. The model has 100,000 parameters, so each masked input is
 * 400,000 bytes: more than Artery's 256 KiB frame, which silently drops a bigger message, so it can
 * only arrive as a claim (over the side channel). Every message crosses the serializer.
 */
@ExtendWith(LogCapturingExtension.class)
class SecureAggregationAcrossSystemsTest {

  private static final int LENGTH = 100_000;
  private static final ModelLayout LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", LENGTH)));
  private static final TrainConfig TRAIN = new TrainConfig(1, 8, 0.5, 0, 0, 0, 0);
  private static final double CLIP = 1.0;
  /** Quantization: at most one step per input (b = 30 bits for m <= 4), plus float rounding. */
  private static final double TOLERANCE = 1e-6;

  private ActorTestKit coordinator;
  private ActorTestKit members;

  private static Config remote() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(Fixtures.testConfig());
  }

  @BeforeEach
  void startSystems() {
    coordinator = ActorTestKit.create("coordinator", remote());
    members = ActorTestKit.create("members", remote());
    // As `flock seed` / `flock member` do at start-up: big payloads then go over the side channel.
    assertTrue(SideChannel.get(coordinator.system()).start());
    assertTrue(SideChannel.get(members.system()).start());
  }

  @AfterEach
  void stopSystems() {
    members.shutdownTestKit();
    coordinator.shutdownTestKit();
  }

  /** Node i's update: values in [-2, 2] by a fixed pattern, so about half are beyond the clip. */
  private static float[] delta(int i) {
    float[] d = new float[LENGTH];
    for (int j = 0; j < LENGTH; j++) {
      d[j] = ((j * 7 + i * 13) % 41 - 20) / 10f;
    }
    return d;
  }

  /** A real node in the members' system whose training returns {@code delta}. */
  private ActorRef<TrainingNode.Command> node(String nodeId, String actorName, float[] delta) {
    var worker = members.spawn(TrainingWorker.supervised(new FakeEngine.Factory(delta, 0.5, FakeEngine.Hook.NONE),
        Duration.ofMillis(5), Duration.ofMillis(50)), actorName + "-worker");
    var setup = TrainingNode.Setup.of(nodeId, Fixtures.nodeData(4), LAYOUT, 7).withIdentity(Fixtures.identity(nodeId));
    return members.spawn(TrainingNode.create(setup, worker), actorName);
  }

  /** {@code ref} of the members' system as the coordinator's system resolves it: a remote ref. */
  private <T> ActorRef<T> remote(ActorRef<T> ref) {
    return ActorRefResolver.get(coordinator.system())
        .resolveActorRef(ActorRefResolver.get(members.system()).toSerializationFormat(ref));
  }

  private static RoundSettings settings(List<String> ids) {
    Map<String, byte[]> keys = Fixtures.identityKeys(ids);
    return new RoundSettings(1.0, 2, 0.0, Duration.ofMinutes(2), TRAIN)
        .withSecureAggregation(new SecureAggregation(0, 0, CLIP, Duration.ofSeconds(30), keys));
  }

  /** The clear unweighted mean of the clipped updates of {@code nodes}. */
  private static float[] clippedMean(List<Integer> nodes) {
    double[] sum = new double[LENGTH];
    for (int i : nodes) {
      float[] d = delta(i);
      for (int j = 0; j < LENGTH; j++) {
        sum[j] += Math.max(-CLIP, Math.min(CLIP, d[j]));
      }
    }
    float[] mean = new float[LENGTH];
    for (int j = 0; j < LENGTH; j++) {
      mean[j] = (float) (sum[j] / nodes.size());
    }
    return mean;
  }

  private static void assertMean(float[] expected, ModelWeights combined) {
    double worst = 0;
    for (int j = 0; j < LENGTH; j++) {
      worst = Math.max(worst, Math.abs(expected[j] - combined.get(j)));
    }
    assertTrue(worst <= TOLERANCE, "largest deviation from the clear clipped mean: " + worst);
  }

  @Test
  void secureRoundWithNodesInAnotherSystemGivesTheClippedMeanWithMaskedInputsSentAsClaims() {
    List<String> ids = List.of("node-0", "node-1", "node-2");
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      nodes.add(remote(node(ids.get(i), ids.get(i), delta(i))));
    }
    TestProbe<RoundManager.Outcome> outcome = coordinator.createTestProbe();

    // Each of the three masked inputs is a side-channel claim on its 400,000 bytes.
    RoundManager.RoundCompleted done = LoggingTestKit.debug("Socket[bytes=400000")
        .withOccurrences(3)
        .expect(coordinator.system(), () -> {
          coordinator.spawn(RoundManager.create(1, ModelWeights.zeros(LAYOUT), settings(ids), 42, nodes,
              outcome.ref()));
          return outcome.expectMessageClass(RoundManager.RoundCompleted.class, Duration.ofSeconds(60));
        });
    assertMean(clippedMean(List.of(0, 1, 2)), done.combinedUpdate());
    assertEquals(3, done.stats().participants());
    assertEquals(List.of(), done.stats().dropouts());
  }

  /** A port on 127.0.0.1 on which nothing listens (bound once, then closed). */
  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Forwards everything to {@code real} but answers the masked-input phase itself with a claim on
   * a side channel that is not there, so the round's fetch fails.
   */
  private static Behavior<TrainingNode.Command> claimsAnUnreachableMaskedInput(ActorRef<TrainingNode.Command> real,
      String nodeId, int port) {
    return Behaviors.receive(TrainingNode.Command.class)
        .onMessage(TrainingNode.MaskInput.class, m -> {
          m.replyTo().tell(new SecaggRound.InputMasked(m.round(), nodeId, m.shares().recipient(),
              new BytesPayload.Socket(4L * LENGTH, 0x1234L, "127.0.0.1", port, "ab".repeat(16))));
          return Behaviors.same();
        })
        .onAnyMessage(m -> {
          real.tell(m);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void secureRoundRecordsAFailedMaskedInputFetchAsThatNodesDropoutAndCompletesWithTheOthers() throws Exception {
    List<String> ids = List.of("node-0", "node-1", "node-2", "node-3");
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(remote(node(ids.get(i), ids.get(i), delta(i))));
    }
    ActorRef<TrainingNode.Command> real3 = node(ids.get(3), "real-" + ids.get(3), delta(3));
    nodes.add(remote(members.spawn(claimsAnUnreachableMaskedInput(real3, ids.get(3), closedPort()), ids.get(3))));
    TestProbe<RoundManager.Outcome> outcome = coordinator.createTestProbe();

    coordinator.spawn(RoundManager.create(1, ModelWeights.zeros(LAYOUT), settings(ids), 42, nodes, outcome.ref()));

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(60));
    assertMean(clippedMean(List.of(0, 1, 2)), done.combinedUpdate());
    assertEquals(3, done.stats().participants());
    assertEquals(1, done.stats().dropouts().size(), done.stats().dropouts().toString());
    Dropout dropout = done.stats().dropouts().get(0);
    assertEquals(ids.get(3), dropout.nodeId());
    assertEquals(DropoutReason.INVALID_UPDATE, dropout.reason());
    assertTrue(dropout.detail().startsWith("could not receive its masked input in the secure-aggregation"
        + " masked-input phase"), dropout.detail());
  }
}

package io.flock.actors.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.transfer.BytesPayload;
import io.flock.actors.transfer.SideChannel;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a cluster a standby writes a checkpoint replica only when its bytes come from the JVM that
 * may host the coordinator now (the oldest member with the coordinator role), whatever its
 * replyTo says: another member cannot plant a checkpoint for a failover to resume from (inline
 * bytes, a stream of its own, a side channel on another host, a reply address in the standby's
 * JVM, a genuine file under another round). The coordinator's replicas cross as claims, over the
 * side channel or streamed over Artery, and are written. Two (once three) cluster members in this
 * JVM over Artery, all on 127.0.0.1: a forged claim on the coordinator's host and another port
 * would pass here ({@link ReplicaOrigin}), so the side-channel case uses another host.
 */
class CheckpointReplicaTrustTest {

  @TempDir Path dir;
  private ActorTestKit oldest;
  private ActorTestKit younger;
  private ActorTestKit third;

  private static Config clusterConfig() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.roles = [coordinator]
        pekko.cluster.singleton.role = coordinator
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        # Members come up and leave in a few gossip rounds: shorter rounds, shorter tests.
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 200ms
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(Fixtures.testConfig());
  }

  @AfterEach
  void stop() {
    if (third != null) {
      third.shutdownTestKit();
    }
    if (younger != null) {
      younger.shutdownTestKit();
    }
    if (oldest != null) {
      oldest.shutdownTestKit();
    }
  }

  /** Starts {@link #oldest} and then {@link #younger}, both up; returns the oldest's address. */
  private Address startTwoMembers() {
    return startTwoMembers(ConfigFactory.empty());
  }

  /** {@link #startTwoMembers()} with {@code oldestConfig} over the oldest's configuration. */
  private Address startTwoMembers(Config oldestConfig) {
    oldest = ActorTestKit.create("flock", oldestConfig.withFallback(clusterConfig()));
    younger = ActorTestKit.create("flock", clusterConfig());
    Address seedAddress = Cluster.get(oldest.system()).selfMember().address();
    join(oldest, seedAddress);
    join(younger, seedAddress);
    return seedAddress;
  }

  /** Joins {@code member} to the cluster of {@code seed} and waits until it is up. */
  private static void join(ActorTestKit member, Address seed) {
    Cluster.get(member.system()).manager().tell(Join.create(seed));
    member.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
      assertEquals(MemberStatus.up(), Cluster.get(member.system()).selfMember().status());
      return null;
    });
  }

  /** {@code ref} of {@code owner}'s system as {@code viewer}'s system resolves it. */
  private static <T> ActorRef<T> seenFrom(ActorTestKit viewer, ActorTestKit owner, ActorRef<T> ref) {
    return ActorRefResolver.get(viewer.system())
        .resolveActorRef(ActorRefResolver.get(owner.system()).toSerializationFormat(ref));
  }

  private static Checkpoint smallCheckpoint(long round) {
    return CheckpointTest.checkpoint(round, ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3)))));
  }

  /**
   * A store on the younger member (a standby), an acknowledgement probe on the oldest member (the
   * coordinator's JVM) and that probe as the younger member sees it: the {@code replyTo} of a
   * replica that names the coordinator.
   */
  private record Standby(CheckpointFiles files, ActorRef<CheckpointStore.Command> store,
      TestProbe<CheckpointStore.Replicated> acks, ActorRef<CheckpointStore.Replicated> coordinatorReplyTo) {}

  private Standby standbyOnTheYoungerMember() {
    CheckpointFiles files = new CheckpointFiles(dir.resolve("younger"));
    ActorRef<CheckpointStore.Command> store =
        younger.spawn(CheckpointStore.create(files, Duration.ofSeconds(5)), "checkpoint-store");
    TestProbe<CheckpointStore.Replicated> acks = oldest.createTestProbe();
    return new Standby(files, store, acks, seenFrom(younger, oldest, acks.ref()));
  }

  /** Saves on the oldest member's store until the younger's store acknowledged one; its round. */
  private static long saveUntilReplicated(ActorTestKit kit, ActorRef<CheckpointStore.Command> store, ModelWeights w) {
    TestProbe<CheckpointStore.Saved> saved = kit.createTestProbe();
    CheckpointStore.Saved result;
    int round = 0;
    do { // until the stores found each other through the receptionist
      round++;
      store.tell(new CheckpointStore.Save(CheckpointTest.checkpoint(round, w), saved.ref()));
      result = saved.receiveMessage(Duration.ofSeconds(30));
      assertNull(result.error());
    } while (result.replicas() == 0);
    return round;
  }

  /** A spawn of a store on {@code kit} that also tells {@code arriving} each replica's payload. */
  private static ActorRef<CheckpointStore.Command> observedStore(ActorTestKit kit, CheckpointFiles files,
      TestProbe<BytesPayload> arriving) {
    return kit.spawn(Behaviors.intercept(() -> new BehaviorInterceptor<>(CheckpointStore.Command.class) {
      @Override
      public Behavior<CheckpointStore.Command> aroundReceive(TypedActorContext<CheckpointStore.Command> ctx,
          CheckpointStore.Command msg, ReceiveTarget<CheckpointStore.Command> target) {
        if (msg instanceof CheckpointStore.Replicate r) {
          arriving.ref().tell(r.file());
        }
        return target.apply(ctx, msg);
      }
    }, CheckpointStore.create(files, Duration.ofSeconds(20))), "checkpoint-store");
  }

  @Test
  void replicaFromAMemberThatIsNotTheCoordinatorsJvmIsRefusedAndNotWritten() {
    Address seedAddress = startTwoMembers();

    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("oldest"));
    ActorRef<CheckpointStore.Command> store =
        oldest.spawn(CheckpointStore.create(standbyFiles, Duration.ofSeconds(5)), "checkpoint-store");
    ActorRef<CheckpointStore.Command> storeSeenFromYounger = ActorRefResolver.get(younger.system())
        .resolveActorRef(ActorRefResolver.get(oldest.system()).toSerializationFormat(store));

    Checkpoint planted =
        CheckpointTest.checkpoint(99, ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3)))));
    TestProbe<CheckpointStore.Replicated> acks = younger.createTestProbe();
    storeSeenFromYounger.tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Inline(CheckpointFiles.encode(planted)), acks.ref().narrow()));

    CheckpointStore.Replicated ack = acks.receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standbyFiles.exists(), "nothing was written");
  }

  /**
   * The coordinator's JVM replicates a checkpoint bigger than the inline limit to the younger
   * member's store over its side channel: the younger store receives a single-use socket claim
   * (not bytes through Artery), fetches it, and writes the same file.
   */
  @Test
  void replicaFromTheCoordinatorsJvmCrossesOverTheSideChannelAndIsWritten() throws IOException {
    startTwoMembers();
    assertTrue(SideChannel.get(oldest.system()).start(), "as `flock seed` / `flock member` do");
    ActorRef<CheckpointStore.Command> store = oldest.spawn(
        CheckpointStore.create(new CheckpointFiles(dir.resolve("oldest")), Duration.ofSeconds(20)), "checkpoint-store");
    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("younger"));
    TestProbe<BytesPayload> arriving = younger.createTestProbe();
    observedStore(younger, standbyFiles, arriving);

    long round = saveUntilReplicated(oldest, store, CheckpointTest.bigWeights());

    BytesPayload.Socket claim = assertInstanceOf(BytesPayload.Socket.class, arriving.receiveMessage());
    assertEquals("127.0.0.1", claim.host());
    assertEquals(Files.size(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)), claim.size());
    assertEquals(round, standbyFiles.readLatest().round());
    assertArrayEquals(Files.readAllBytes(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)),
        Files.readAllBytes(dir.resolve("younger").resolve(CheckpointFiles.LATEST)), "the replica is the same file");
  }

  @Test
  void inlineReplicaWhoseReplyToNamesTheCoordinatorIsRefusedAndNotWritten() {
    Address seedAddress = startTwoMembers();
    Standby standby = standbyOnTheYoungerMember();

    standby.store().tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Inline(CheckpointFiles.encode(smallCheckpoint(99))), standby.coordinatorReplyTo()));

    CheckpointStore.Replicated ack = standby.acks().receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("inline")
        && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standby.files().exists(), "nothing was written");
  }

  /**
   * A third member streams a valid checkpoint file over a StreamRef of its own in a replica whose
   * replyTo names the coordinator: the standby refuses it before fetching, by the stream's origin.
   */
  @Test
  void replicaWhoseReplyToNamesTheCoordinatorButStreamedFromAnotherMemberIsRefusedAndNotWritten() {
    Address seedAddress = startTwoMembers();
    third = ActorTestKit.create("flock", clusterConfig());
    join(third, seedAddress);
    Standby standby = standbyOnTheYoungerMember();

    byte[] file = CheckpointFiles.encode(smallCheckpoint(99));
    CRC32 crc = new CRC32();
    crc.update(file);
    SourceRef<ByteString> chunks = Source.single(ByteString.fromArray(file))
        .runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(third.system()));
    seenFrom(third, younger, standby.store()).tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Streamed(file.length, crc.getValue(), chunks), seenFrom(third, oldest, standby.acks().ref())));

    CheckpointStore.Replicated ack = standby.acks().receiveMessage(Duration.ofSeconds(10));
    Address thirdAddress = Cluster.get(third.system()).selfMember().address();
    assertTrue(ack.error() != null && ack.error().contains("streamed from " + thirdAddress)
        && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standby.files().exists(), "nothing was written");
  }

  /** The standby refuses a socket claim on another host than the coordinator's without connecting. */
  @Test
  void replicaWhoseReplyToNamesTheCoordinatorButServedFromAnotherHostIsRefusedAndNotWritten() {
    Address seedAddress = startTwoMembers();
    Standby standby = standbyOnTheYoungerMember();

    BytesPayload.Socket elsewhere = new BytesPayload.Socket(1_000, 0, "127.0.0.2", 4711, "0".repeat(32));
    standby.store().tell(new CheckpointStore.Replicate(99, elsewhere, standby.coordinatorReplyTo()));

    CheckpointStore.Replicated ack = standby.acks().receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("served from host 127.0.0.2")
        && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standby.files().exists(), "nothing was written");
  }

  /**
   * A member sends the coordinator's JVM's own store a replica whose replyTo names an actor there:
   * it arrives as a local reply address, which no store's replica has (stores never replicate to
   * themselves).
   */
  @Test
  void replicaWhoseReplyToNamesAnActorInTheStandbysOwnJvmIsRefusedAndNotWritten() {
    startTwoMembers();
    CheckpointFiles files = new CheckpointFiles(dir.resolve("oldest"));
    ActorRef<CheckpointStore.Command> store =
        oldest.spawn(CheckpointStore.create(files, Duration.ofSeconds(5)), "checkpoint-store");
    TestProbe<CheckpointStore.Replicated> acks = oldest.createTestProbe();

    seenFrom(younger, oldest, store).tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Inline(CheckpointFiles.encode(smallCheckpoint(99))), seenFrom(younger, oldest, acks.ref())));

    CheckpointStore.Replicated ack = acks.receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("is in this JVM"), ack.error());
    assertFalse(files.exists(), "nothing was written");
  }

  /**
   * The coordinator's JVM offers a genuine checkpoint file of round 3 on its side channel, in a
   * replica that says round 7: where the bytes come from is right, but the standby writes only
   * the round the replica names (a higher round would make it skip the next genuine replicas).
   */
  @Test
  void replicaWhoseFileHoldsAnotherRoundThanItNamesIsRefusedAndNotWritten() {
    startTwoMembers();
    assertTrue(SideChannel.get(oldest.system()).start(), "as `flock seed` / `flock member` do");
    Standby standby = standbyOnTheYoungerMember();
    ActorRef<CheckpointStore.Command> storeSeenFromOldest = seenFrom(oldest, younger, standby.store());
    BytesPayload claim = BytesPayload.payloadFor(
        CheckpointFiles.encode(CheckpointTest.checkpoint(3, CheckpointTest.bigWeights())), storeSeenFromOldest,
        oldest.system());
    assertInstanceOf(BytesPayload.Socket.class, claim);

    storeSeenFromOldest.tell(new CheckpointStore.Replicate(7, claim, standby.acks().ref()));

    CheckpointStore.Replicated ack = standby.acks().receiveMessage(Duration.ofSeconds(20));
    assertTrue(ack.error() != null && ack.error().contains("holds round 3, not round 7"), ack.error());
    assertFalse(standby.files().exists(), "nothing was written");
  }

  /**
   * A checkpoint far under the inline limit still crosses JVMs as a claim (the standby cannot
   * check where inline bytes come from) and is written.
   */
  @Test
  void smallReplicaFromTheCoordinatorsJvmCrossesAsAClaimAndIsWritten() throws IOException {
    startTwoMembers();
    assertTrue(SideChannel.get(oldest.system()).start(), "as `flock seed` / `flock member` do");
    ActorRef<CheckpointStore.Command> store = oldest.spawn(
        CheckpointStore.create(new CheckpointFiles(dir.resolve("oldest")), Duration.ofSeconds(20)), "checkpoint-store");
    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("younger"));
    TestProbe<BytesPayload> arriving = younger.createTestProbe();
    observedStore(younger, standbyFiles, arriving);

    long round = saveUntilReplicated(oldest, store,
        ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3)))));

    assertInstanceOf(BytesPayload.Socket.class, arriving.receiveMessage());
    assertEquals(round, standbyFiles.readLatest().round());
    assertArrayEquals(Files.readAllBytes(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)),
        Files.readAllBytes(dir.resolve("younger").resolve(CheckpointFiles.LATEST)), "the replica is the same file");
  }

  /** With the side channel off the replica streams over Artery from the coordinator's JVM: written. */
  @Test
  void replicaFromTheCoordinatorsJvmStreamedOverArteryIsWritten() throws IOException {
    startTwoMembers(ConfigFactory.parseString("flock.transfer.side-channel = off"));
    ActorRef<CheckpointStore.Command> store = oldest.spawn(
        CheckpointStore.create(new CheckpointFiles(dir.resolve("oldest")), Duration.ofSeconds(20)), "checkpoint-store");
    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("younger"));
    TestProbe<BytesPayload> arriving = younger.createTestProbe();
    observedStore(younger, standbyFiles, arriving);

    long round = saveUntilReplicated(oldest, store, CheckpointTest.bigWeights());

    assertInstanceOf(BytesPayload.Streamed.class, arriving.receiveMessage());
    assertEquals(round, standbyFiles.readLatest().round());
    assertArrayEquals(Files.readAllBytes(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)),
        Files.readAllBytes(dir.resolve("younger").resolve(CheckpointFiles.LATEST)), "the replica is the same file");
  }
}

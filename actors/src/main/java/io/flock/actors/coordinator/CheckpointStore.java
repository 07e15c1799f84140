package io.flock.actors.coordinator;

import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.protocol.LocalOnly;
import io.flock.actors.transfer.BytesPayload;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Keeps a run's checkpoints in this JVM's own work directory and replicates them to the stores of
 * the other JVMs that can host the coordinator, so a standby that takes over after the
 * coordinator's JVM died reads the last checkpoint from its own disk (no shared disk). One store
 * per coordinator-capable JVM, registered with the receptionist.
 *
 * <p>A {@link Save} is written here (atomically, {@link CheckpointFiles}), then sent to every other
 * store; {@link Saved} answers once every replica acknowledged its write or the replication
 * timeout passed (a replica that did not answer is named). The coordinator reports a round only
 * after that, so a reported round is on every reachable standby's disk. Disk work runs on the
 * blocking dispatcher, one write at a time; messages arriving meanwhile wait in a stash.
 */
public final class CheckpointStore {

  /** Stores register under this key. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "flock-checkpoint-store");

  /** Messages a store handles. */
  public interface Command {}

  /** Save a checkpoint here and on every other store. From the local coordinator. */
  public record Save(Checkpoint checkpoint, ActorRef<Saved> replyTo) implements Command, LocalOnly {}

  /**
   * The outcome of a {@link Save}.
   *
   * @param round the checkpoint's round
   * @param error why the local write failed, or null
   * @param replicas stores that acknowledged a copy
   * @param missing stores that did not acknowledge within the timeout
   */
  public record Saved(long round, String error, int replicas, List<String> missing) implements LocalOnly {}

  /**
   * A copy for this store's disk: a claim on the checkpoint file's bytes, over the side channel
   * unless it is off ({@link BytesPayload#claimsFor}). From the store of the JVM that may host the
   * coordinator: in a cluster a store writes a replica only when its bytes provably come from
   * that JVM and hold the checkpoint of {@code round}, and else answers with the reason ({@link
   * ReplicaOrigin}).
   */
  public record Replicate(long round, BytesPayload file, ActorRef<Replicated> replyTo)
      implements Command, CborSerializable {}

  /**
   * A replica's acknowledgement, to the {@link Replicate}'s {@code replyTo}.
   *
   * @param round the replica's round
   * @param store the answering store's system address
   * @param error why the replica was refused or not written, or null when it is on disk
   */
  public record Replicated(long round, String store, String error) implements Command, CborSerializable {}

  private record ListingUpdated(Receptionist.Listing listing) implements Command {}

  private record Written(long round, Throwable failure, Command cause, byte[] file) implements Command {}

  private record Received(Replicate replicate, byte[] file, Throwable failure) implements Command {}

  private enum ReplicationTimeout implements Command {
    INSTANCE
  }

  /** A store writing to {@code files}, waiting at most {@code replicationTimeout} for replicas. */
  public static Behavior<Command> create(CheckpointFiles files, Duration replicationTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(1_000,
        stash -> new CheckpointStore(ctx, timers, stash, files, replicationTimeout).idle())));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final CheckpointFiles files;
  private final Duration replicationTimeout;
  private final Executor blocking;
  private Set<ActorRef<Command>> peers = Set.of();
  private long lastWritten = -1;

  private CheckpointStore(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      CheckpointFiles files, Duration replicationTimeout) {
    this.ctx = ctx;
    this.timers = timers;
    this.stash = stash;
    this.files = files;
    this.replicationTimeout = replicationTimeout;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("flock.blocking-dispatcher"));
    ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, ListingUpdated::new)));
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, this::onListing)
        .onMessage(Save.class, this::onSave)
        .onMessage(Replicate.class, this::onReplicate)
        .onMessage(Replicated.class, r -> Behaviors.same()) // late ack of an earlier save
        .onMessage(ReplicationTimeout.class, t -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onListing(ListingUpdated l) {
    Set<ActorRef<Command>> others = new HashSet<>(l.listing().getServiceInstances(SERVICE_KEY));
    others.remove(ctx.getSelf());
    peers = others;
    return Behaviors.same();
  }

  private Behavior<Command> onSave(Save save) {
    Checkpoint checkpoint = save.checkpoint();
    ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> files.write(checkpoint), blocking),
        (file, failure) -> new Written(checkpoint.round(), failure, save, file));
    return writing();
  }

  private Behavior<Command> onReplicate(Replicate r) {
    String stranger = ReplicaOrigin.refusal(r, ctx.getSystem());
    if (stranger != null) {
      ctx.getLog().warn("refusing a checkpoint replica: {}", stranger);
      r.replyTo().tell(new Replicated(r.round(), name(), stranger));
      return Behaviors.same();
    }
    if (r.round() < lastWritten) {
      // An older checkpoint than the one on disk (a late copy): keep the newer one.
      r.replyTo().tell(new Replicated(r.round(), name(), null));
      return Behaviors.same();
    }
    ctx.pipeToSelf(BytesPayload.fetch(r.file(), ctx.getSystem()), (file, failure) -> new Received(r, file, failure));
    return writing();
  }

  private Behavior<Command> onReceived(Received received) {
    Replicate r = received.replicate();
    if (received.failure() != null) {
      return onWritten(new Written(r.round(), received.failure(), r, null));
    }
    ctx.pipeToSelf(CompletableFuture.runAsync(() -> files.writeBytes(received.file(), r.round()), blocking),
        (ok, failure) -> new Written(r.round(), failure, r, null));
    return Behaviors.same();
  }

  private Behavior<Command> writing() {
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, this::onListing)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Received.class, this::onReceived)
        .onMessage(Replicated.class, r -> Behaviors.same())
        .onMessage(ReplicationTimeout.class, t -> Behaviors.same())
        .onAnyMessage(m -> {
          stash.stash(m);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onWritten(Written w) {
    String error = w.failure() == null ? null : rootMessage(w.failure());
    if (error == null) {
      lastWritten = Math.max(lastWritten, w.round());
    } else {
      ctx.getLog().error("checkpoint of round {} not written: {}", w.round(), error);
    }
    if (w.cause() instanceof Replicate r) {
      r.replyTo().tell(new Replicated(w.round(), name(), error));
      return stash.unstashAll(idle());
    }
    Save save = (Save) w.cause();
    if (error != null || peers.isEmpty()) {
      save.replyTo().tell(new Saved(w.round(), error, 0, List.of()));
      return stash.unstashAll(idle());
    }
    ActorRef<Replicated> acks = ctx.getSelf().narrow();
    // One claim per peer (single use; never inline bytes, whose origin a standby cannot check:
    // ReplicaOrigin), one CRC32 of the file for all of them.
    List<ActorRef<Command>> targets = List.copyOf(peers);
    List<BytesPayload> payloads = BytesPayload.claimsFor(w.file(), targets, ctx.getSystem());
    for (int i = 0; i < targets.size(); i++) {
      targets.get(i).tell(new Replicate(w.round(), payloads.get(i), acks));
    }
    timers.startSingleTimer(ReplicationTimeout.INSTANCE, replicationTimeout);
    Set<String> waiting = new TreeSet<>();
    peers.forEach(p -> waiting.add(p.path().address().toString()));
    return replicating(save, waiting, 0);
  }

  private Behavior<Command> replicating(Save save, Set<String> waiting, int acked) {
    long round = save.checkpoint().round();
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, this::onListing)
        .onMessage(Replicated.class, r -> {
          if (r.round() != round || !waiting.remove(r.store())) {
            return Behaviors.same();
          }
          if (r.error() != null) {
            ctx.getLog().warn("replica {} could not write the checkpoint of round {}: {}", r.store(), round, r.error());
          }
          int now = acked + (r.error() == null ? 1 : 0);
          if (waiting.isEmpty()) {
            timers.cancel(ReplicationTimeout.INSTANCE);
            save.replyTo().tell(new Saved(round, null, now, List.of()));
            return stash.unstashAll(idle());
          }
          return replicating(save, waiting, now);
        })
        .onMessage(ReplicationTimeout.class, t -> {
          ctx.getLog().warn("checkpoint of round {}: no acknowledgement from {} within {}", round, waiting,
              replicationTimeout);
          save.replyTo().tell(new Saved(round, null, acked, List.copyOf(waiting)));
          return stash.unstashAll(idle());
        })
        .onAnyMessage(m -> {
          stash.stash(m);
          return Behaviors.same();
        })
        .build();
  }

  private String name() {
    return ctx.getSystem().address().toString();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}

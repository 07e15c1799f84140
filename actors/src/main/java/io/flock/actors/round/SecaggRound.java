package io.flock.actors.round;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.protocol.LocalOnly;
import io.flock.actors.transfer.BytesPayload;
import io.flock.privacy.secagg.SecaggConfig;
import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import io.flock.privacy.secagg.SecaggServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The server side of one round's secure aggregation (Bonawitz et al. 2017, Fig. 4; the SecAgg+
 * graph of Bell et al. 2020), a per-request child of the {@link RoundManager} started once the
 * sampled nodes have trained and kept their updates. It runs the four phases (advertise keys,
 * share keys, masked input, unmask) over a {@link SecaggServer}; each phase has its own deadline,
 * and a node that crashes, times out, declines or sends a message the server refuses becomes a
 * {@link Dropout} naming the phase. A node that misses only the unmask phase is not a dropout: its
 * masked input is in the sum, and its neighbours' shares remove its masks. It reports {@link
 * Finished} (the sum and who is in it) or {@link Failed} to its parent and then ignores everything.
 */
public final class SecaggRound {

  /** A node's answer in one phase. Sent by {@code TrainingNode} to its reply address. */
  public sealed interface Reply extends CborSerializable
      permits KeysAdvertised, KeysShared, InputMasked, Unmasked, PhaseDeclined {
    long round();

    String nodeId();
  }

  /** Phase 1 reply: the node's signed public keys for this round. */
  public record KeysAdvertised(long round, String nodeId, AdvertisedKeys keys) implements Reply {}

  /** Phase 2 reply: the node's encrypted shares for its neighbours. */
  public record KeysShared(long round, String nodeId, SharedKeys keys) implements Reply {}

  /**
   * Phase 3 reply: the node's quantized update plus masks, mod 2^32, as {@link MaskedInput#toLittleEndian}
   * (4 bytes per coordinate, little-endian) in a {@link BytesPayload}: inline in one JVM or when
   * small, a claim the round fetches otherwise (models are up to hundreds of MB).
   *
   * @param client the node's client index in the round's protocol
   * @param masked the masked input's bytes
   */
  public record InputMasked(long round, String nodeId, int client, BytesPayload masked) implements Reply {}

  /** Phase 4 reply: the secrets that remove the survivors' self masks and the dropouts' pair masks. */
  public record Unmasked(long round, String nodeId, UnmaskResponse response) implements Reply {}

  /** The node could not do a phase (a refused message, no kept update), and why. */
  public record PhaseDeclined(long round, String nodeId, String phase, String detail) implements Reply {}

  /** The unmasked sum and the node ids whose updates are in it. Sent to the parent. */
  record Finished(float[] sum, List<String> survivors, List<Dropout> dropouts)
      implements RoundManager.Command, LocalOnly {}

  /** The protocol could not finish (too few inputs or shares), and why. Sent to the parent. */
  record Failed(String reason, List<Dropout> dropouts) implements RoundManager.Command, LocalOnly {}

  interface Command {}

  private record Stamped(String nodeId, Reply reply) implements Command, LocalOnly {}

  private record PhaseDeadline(int phase) implements Command {}

  /** A node's masked input arrived (or its fetch failed). */
  private record MaskedFetched(String nodeId, MaskedInput masked, Throwable failure)
      implements Command, LocalOnly {}

  private record NodeTerminated(String nodeId) implements Command {}

  private static final String[] PHASES = {"advertise-keys", "share-keys", "masked-input", "unmask"};

  static Behavior<Command> create(SecaggConfig config, List<String> ids,
      Map<String, ActorRef<TrainingNode.Command>> nodes, Duration phaseTimeout, ActorRef<RoundManager.Command> parent) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new SecaggRound(ctx, timers, config, ids, nodes, phaseTimeout, parent).start()));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final SecaggConfig config;
  private final SecaggServer server;
  private final List<String> ids;
  private final Map<String, Integer> clientOf = new HashMap<>();
  private final Map<String, ActorRef<TrainingNode.Command>> nodes;
  private final Map<String, ActorRef<Reply>> replyTo = new HashMap<>();
  private final Duration phaseTimeout;
  private final ActorRef<RoundManager.Command> parent;
  private final List<Dropout> dropouts = new ArrayList<>();
  private final Set<String> awaiting = new TreeSet<>();
  private final Set<String> gone = new TreeSet<>(); // dropped out: never asked again
  private final Set<String> fetching = new TreeSet<>(); // masked inputs on their way
  private int phase = -1;

  private SecaggRound(ActorContext<Command> ctx, TimerScheduler<Command> timers, SecaggConfig config,
      List<String> ids, Map<String, ActorRef<TrainingNode.Command>> nodes, Duration phaseTimeout,
      ActorRef<RoundManager.Command> parent) {
    this.ctx = ctx;
    this.timers = timers;
    this.config = config;
    this.server = SecaggServer.create(config);
    this.ids = List.copyOf(ids);
    this.nodes = Map.copyOf(nodes);
    this.phaseTimeout = phaseTimeout;
    this.parent = parent;
    for (int i = 0; i < ids.size(); i++) {
      clientOf.put(ids.get(i), i);
    }
  }

  private Behavior<Command> start() {
    for (String id : ids) {
      ActorRef<TrainingNode.Command> node = nodes.get(id);
      if (node == null) {
        gone.add(id); // did not train: it never takes part
        continue;
      }
      replyTo.put(id, ReplyAddresses.spawn(ctx, Reply.class, id, Stamped::new));
      ctx.watchWith(node, new NodeTerminated(id));
    }
    return nextPhase(ids.stream().filter(id -> !gone.contains(id)).toList(), id -> new TrainingNode.AdvertiseKeys(
        config.round(), replyTo.get(id)));
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Stamped.class, this::onStamped)
        .onMessage(PhaseDeadline.class, this::onDeadline)
        .onMessage(MaskedFetched.class, this::onMaskedFetched)
        .onMessage(NodeTerminated.class, t -> drop(t.nodeId(), DropoutReason.CRASHED,
            "node stopped during the secure-aggregation " + PHASES[phase] + " phase"))
        .build();
  }

  /** Starts the next phase: asks {@code asked} (those not gone) and arms the phase's deadline. */
  private Behavior<Command> nextPhase(List<String> asked,
      java.util.function.Function<String, TrainingNode.Command> request) {
    phase++;
    awaiting.clear();
    for (String id : asked) {
      if (!gone.contains(id)) {
        awaiting.add(id);
        nodes.get(id).tell(request.apply(id));
      }
    }
    timers.startSingleTimer(new PhaseDeadline(phase), phaseTimeout);
    return awaiting.isEmpty() ? endPhase() : running();
  }

  private Behavior<Command> onStamped(Stamped stamped) {
    String id = stamped.nodeId();
    Reply reply = stamped.reply();
    if (!awaiting.contains(id) || fetching.contains(id)) {
      ctx.getLog().debug("secure aggregation round {}: ignoring a late {} from {}", config.round(),
          reply.getClass().getSimpleName(), id);
      return Behaviors.same();
    }
    if (!id.equals(reply.nodeId()) || reply.round() != config.round()) {
      return drop(id, DropoutReason.INVALID_UPDATE, "the " + PHASES[phase] + " reply names node "
          + reply.nodeId() + " and round " + reply.round());
    }
    if (reply instanceof PhaseDeclined declined) {
      return drop(id, DropoutReason.DECLINED, "declined the secure-aggregation " + declined.phase()
          + " phase: " + declined.detail());
    }
    int client = clientOf.get(id);
    try {
      switch (phase) {
        case 0 -> server.receiveKeys(expect(reply, KeysAdvertised.class, client).keys());
        case 1 -> server.receiveShares(expect(reply, KeysShared.class, client).keys());
        case 2 -> {
          return fetch(id, expect(reply, InputMasked.class, client));
        }
        default -> server.receiveUnmask(expect(reply, Unmasked.class, client).response());
      }
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      return drop(id, DropoutReason.INVALID_UPDATE, "refused in the secure-aggregation " + PHASES[phase]
          + " phase: " + e.getMessage());
    }
    awaiting.remove(id);
    return awaiting.isEmpty() ? endPhase() : Behaviors.same();
  }

  /** The reply as the phase's type, sent as the node's own client id. */
  private <R extends Reply> R expect(Reply reply, Class<R> type, int client) {
    if (!type.isInstance(reply)) {
      throw new IllegalArgumentException("expected " + type.getSimpleName() + ", got "
          + reply.getClass().getSimpleName());
    }
    R r = type.cast(reply);
    int claimed;
    if (r instanceof KeysAdvertised k) {
      claimed = k.keys().client();
    } else if (r instanceof KeysShared k) {
      claimed = k.keys().client();
    } else if (r instanceof InputMasked m) {
      claimed = m.client();
    } else {
      claimed = ((Unmasked) r).response().client();
    }
    if (claimed != client) {
      throw new IllegalArgumentException("the message is client " + claimed + "'s, this node is client " + client);
    }
    return r;
  }

  /**
   * Fetches a masked input's bytes (at once when inline); the node stays awaited, under the phase's
   * deadline, until they arrive. A failed fetch is the node's dropout in this phase.
   */
  private Behavior<Command> fetch(String id, InputMasked reply) {
    if (reply.masked() == null) {
      throw new IllegalArgumentException("the masked input carries no bytes");
    }
    fetching.add(id);
    ctx.getLog().debug("secure aggregation round {}: fetching the masked input of {}, {}", config.round(), id,
        reply.masked());
    ctx.pipeToSelf(BytesPayload.fetch(reply.masked(), ctx.getSystem())
            .thenApply(bytes -> MaskedInput.fromLittleEndian(config.round(), reply.client(), bytes)),
        (masked, failure) -> new MaskedFetched(id, masked, failure));
    return Behaviors.same();
  }

  private Behavior<Command> onMaskedFetched(MaskedFetched fetched) {
    String id = fetched.nodeId();
    fetching.remove(id);
    if (phase != 2 || !awaiting.contains(id)) {
      return Behaviors.same(); // timed out or crashed meanwhile: already a dropout
    }
    if (fetched.failure() != null) {
      Throwable cause = fetched.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
          ? c.getCause() : fetched.failure();
      return drop(id, DropoutReason.INVALID_UPDATE, "could not receive its masked input in the secure-aggregation"
          + " masked-input phase: " + cause.getMessage());
    }
    try {
      server.receiveMaskedInput(fetched.masked());
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      return drop(id, DropoutReason.INVALID_UPDATE, "refused in the secure-aggregation masked-input phase: "
          + e.getMessage());
    }
    awaiting.remove(id);
    return awaiting.isEmpty() ? endPhase() : Behaviors.same();
  }

  private Behavior<Command> onDeadline(PhaseDeadline deadline) {
    if (deadline.phase() != phase) {
      return Behaviors.same();
    }
    for (String id : List.copyOf(awaiting)) {
      if (phase == 3) {
        ctx.getLog().info("secure aggregation round {}: {} sent no unmask reply in time; its input is"
            + " still in the sum", config.round(), id);
      } else {
        gone.add(id);
        dropouts.add(new Dropout(id, DropoutReason.TIMED_OUT, "no reply in the secure-aggregation "
            + PHASES[phase] + " phase within " + phaseTimeout.toMillis() + " ms"));
      }
    }
    awaiting.clear();
    return endPhase();
  }

  private Behavior<Command> drop(String id, DropoutReason reason, String detail) {
    if (gone.contains(id) || !nodes.containsKey(id)) {
      return Behaviors.same();
    }
    boolean wasAwaited = awaiting.remove(id);
    if (phase == 3) {
      // Its masked input is in the sum already: it is a survivor, whatever happens to it now.
      ctx.getLog().info("secure aggregation round {}: {} in the unmask phase: {}", config.round(), id, detail);
    } else {
      gone.add(id);
      dropouts.add(new Dropout(id, reason, detail));
    }
    ctx.unwatch(nodes.get(id));
    return wasAwaited && awaiting.isEmpty() ? endPhase() : Behaviors.same();
  }

  /** Closes the current phase on the server and starts the next, or reports the result. */
  private Behavior<Command> endPhase() {
    timers.cancel(new PhaseDeadline(phase));
    try {
      switch (phase) {
        case 0 -> {
          var relayed = server.relayKeys();
          return nextPhase(idsOf(relayed.keySet()), id -> new TrainingNode.ShareKeys(
              config.round(), relayed.get(clientOf.get(id)), replyTo.get(id)));
        }
        case 1 -> {
          var relayed = server.relayShares();
          return nextPhase(idsOf(relayed.keySet()), id -> new TrainingNode.MaskInput(
              config.round(), relayed.get(clientOf.get(id)), replyTo.get(id)));
        }
        case 2 -> {
          UnmaskRequest request = server.requestUnmask();
          return nextPhase(idsOf(request.survivors()), id -> new TrainingNode.Unmask(
              config.round(), request, replyTo.get(id)));
        }
        default -> {
          Result result = server.finish();
          parent.tell(new Finished(result.sum(), idsOf(result.survivors()), List.copyOf(dropouts)));
          return Behaviors.ignore();
        }
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      parent.tell(new Failed("secure aggregation failed after the " + PHASES[phase] + " phase: "
          + e.getMessage(), List.copyOf(dropouts)));
      return Behaviors.ignore();
    }
  }

  private List<String> idsOf(java.util.Collection<Integer> clients) {
    return clients.stream().map(ids::get).toList();
  }
}

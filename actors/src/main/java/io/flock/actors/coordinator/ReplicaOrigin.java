package io.flock.actors.coordinator;

import io.flock.actors.transfer.BytesPayload;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Whether a checkpoint replica comes from the JVM that may host the coordinator now (the oldest up
 * member with the singleton's role), as far as the transport lets a standby know: another member
 * must not plant a checkpoint that a standby would resume from. A {@link CheckpointStore.Replicate}
 * names its sender only in {@code replyTo}, which the sender writes, so the standby checks where
 * the bytes themselves come from:
 *
 * <ul>
 *   <li>{@link BytesPayload.Socket}: the host the standby connects to must be the coordinator's
 *       Artery canonical hostname, which is the host a side channel advertises. The side channel's
 *       port is not published (by default any free port), so any process on the coordinator's
 *       host passes: on one machine (every member on 127.0.0.1, as in tests and simulations) this
 *       tells no member apart. With Artery over TLS the side channel verifies the server's
 *       certificate (and its host name when {@code hostname-verification} is on), which proves a
 *       certificate of the federation for that host, not which member holds it: a member
 *       certificate names a member, but nothing ties that name to a cluster member.
 *   <li>{@link BytesPayload.Streamed}: the stream's origin ({@link BytesPayload.Streamed#origin})
 *       must be the coordinator's address, host and port: one JVM, as far as Artery's sender
 *       field tells.
 *   <li>{@link BytesPayload.Inline}: refused. Artery does not tell an actor which JVM a message
 *       came from, so inline bytes can come from anyone; the coordinator's store sends claims to
 *       other JVMs ({@link BytesPayload#claimsFor}) and never a replica within its own JVM.
 * </ul>
 *
 * <p>The checks say where the bytes come from, not that the coordinator offered them as this
 * checkpoint: a member could pass on a claim the coordinator's JVM gave it for something else.
 * The standby writes only bytes that decode as a checkpoint of the round the replica names
 * ({@link CheckpointFiles#writeBytes}), so such bytes are refused too unless they are one.
 * Outside a cluster every store is in one JVM and there is nothing to check.
 */
final class ReplicaOrigin {

  private ReplicaOrigin() {}

  /** Why {@code r}, arriving at a store of {@code system}, must not be written, or null. */
  static String refusal(CheckpointStore.Replicate r, ActorSystem<?> system) {
    String provider = system.settings().config().getString("pekko.actor.provider");
    if (!provider.equals("cluster") && !provider.endsWith("ClusterActorRefProvider")) {
      return null;
    }
    String role = system.settings().config().getString("pekko.cluster.singleton.role");
    Member oldest = null;
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.status() == MemberStatus.up() && (role.isEmpty() || m.hasRole(role))
          && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    if (oldest == null) {
      return "no member" + (role.isEmpty() ? "" : " with role " + role)
          + " is up, so no JVM may host the coordinator now";
    }
    return refusal(r, oldest.address());
  }

  /** Why {@code r} must not be written when the coordinator's JVM is at {@code coordinator}. */
  private static String refusal(CheckpointStore.Replicate r, Address coordinator) {
    String expected = ", the coordinator's JVM is " + coordinator;
    Address replyTo = r.replyTo().path().address();
    if (!replyTo.hasGlobalScope()) {
      // A store never replicates to itself: a reply address in this JVM was written by a sender
      // who named an actor here (deserialized as a local one).
      return "its reply address " + r.replyTo().path() + " is in this JVM" + expected;
    }
    if (!replyTo.equals(coordinator)) {
      return "it came from " + replyTo + expected;
    }
    if (r.file() instanceof BytesPayload.Socket socket) {
      Optional<String> host = coordinator.getHost();
      return host.isPresent() && host.get().equals(socket.host())
          ? null
          : "its bytes are served from host " + socket.host() + expected;
    }
    if (r.file() instanceof BytesPayload.Streamed streamed) {
      Optional<Address> origin = streamed.origin();
      if (origin.isEmpty()) {
        return "where its stream comes from is unknown" + expected;
      }
      return origin.get().equals(coordinator) ? null : "its bytes are streamed from " + origin.get() + expected;
    }
    return "its bytes came inline, from a JVM that cannot be checked (the coordinator sends a claim)"
        + expected;
  }
}

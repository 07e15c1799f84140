package io.flock.actors.round;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A reply address of its own for every node a per-request actor asks: a child named by 128
 * random bits that hands each reply to its parent together with the node it was made for. A node
 * cannot answer in another node's name (it neither has nor can guess the other's address), and
 * the parent trusts the address, not the node id a reply claims. The children stop with their
 * parent.
 */
final class ReplyAddresses {

  private static final SecureRandom RANDOM = new SecureRandom();

  private ReplyAddresses() {}

  /** The reply address of {@code nodeId}: replies reach the parent as {@code stamp(nodeId, reply)}. */
  static <R, C> ActorRef<R> spawn(ActorContext<C> ctx, Class<R> replyType, String nodeId,
      BiFunction<String, R, ? extends C> stamp) {
    byte[] name = new byte[16];
    RANDOM.nextBytes(name);
    ActorRef<C> parent = ctx.getSelf();
    return ctx.spawn(Behaviors.receive(replyType)
            .onAnyMessage(reply -> {
              parent.tell(stamp.apply(nodeId, reply));
              return Behaviors.same();
            })
            .build(),
        "reply-" + HexFormat.of().formatHex(name));
  }
}

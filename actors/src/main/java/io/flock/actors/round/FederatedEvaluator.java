package io.flock.actors.round;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.actors.transfer.WeightsTransfer;
import io.flock.models.aggregation.EvaluationAggregator;
import io.flock.models.aggregation.FederatedEvaluation;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Federated evaluation of one global model (Flower's {@code configure_evaluate} / {@code
 * aggregate_evaluate}): a per-request child of the coordinator that asks the sampled nodes to
 * evaluate the model on their own held-out data, watches them, arms one deadline, and combines the
 * answers weighted by examples ({@link EvaluationAggregator}). Nodes without held-out data, crashed
 * or silent ones are left out. Never stops by itself; the parent stops it after the result.
 */
public final class FederatedEvaluator {

  /** Messages a federated evaluator handles. */
  public interface Command {}

  /** A node's answer to an evaluate request. Sent by {@code TrainingNode}. */
  public interface EvalReply extends Command, CborSerializable {
    long round();

    String nodeId();
  }

  /** The node's loss and accuracy on its {@code examples} held-out samples. */
  public record EvaluateCompleted(long round, String nodeId, double loss, double accuracy, int examples)
      implements EvalReply {}

  /** The node did not evaluate (no held-out data, evaluation failed), and why. */
  public record EvaluateDeclined(long round, String nodeId, String reason) implements EvalReply {}

  /**
   * The combined result, sent to the parent; {@code evaluation} is null when no node answered.
   *
   * @param asked nodes asked to evaluate
   */
  public record Result(long round, FederatedEvaluation evaluation, int asked) implements CborSerializable {}

  private record NodeGone(String nodeId) implements Command {}

  /** A reply as the node's own reply address received it ({@link ReplyAddresses}). */
  private record Stamped(String nodeId, EvalReply reply) implements Command, io.flock.actors.protocol.LocalOnly {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private FederatedEvaluator() {}

  /**
   * @param agg how the strategy combines the answers (from {@code Strategy.newEvaluationAggregator})
   * @param available the registered nodes; {@code sampleSize} of them are asked, chosen with
   *     {@code seed} as training rounds choose theirs
   * @param deadline how long to wait for answers
   */
  public static Behavior<Command> create(long round, ModelWeights global, EvaluationAggregator agg,
      List<ActorRef<TrainingNode.Command>> available, int sampleSize, long seed, Duration deadline,
      ActorRef<Result> replyTo) {
    List<ActorRef<TrainingNode.Command>> nodes =
        NodeSampler.sample(available, Math.min(sampleSize, available.size()), ref -> ref.path().name(), seed);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Map<String, ActorRef<TrainingNode.Command>> pending = new HashMap<>();
      List<WeightsPayload> payloads = WeightsTransfer.payloadsFor(global, nodes, ctx.getSystem());
      for (int i = 0; i < nodes.size(); i++) {
        ActorRef<TrainingNode.Command> node = nodes.get(i);
        String id = node.path().name();
        pending.put(id, node);
        ctx.watchWith(node, new NodeGone(id));
        node.tell(new TrainingNode.EvaluateRequest(round, payloads.get(i),
            ReplyAddresses.spawn(ctx, EvalReply.class, id, Stamped::new)));
      }
      timers.startSingleTimer(Deadline.INSTANCE, deadline);
      return collecting(ctx, timers, round, pending, agg, nodes.size(), replyTo);
    }));
  }

  private static Behavior<Command> collecting(ActorContext<Command> ctx, TimerScheduler<Command> timers, long round,
      Map<String, ActorRef<TrainingNode.Command>> pending, EvaluationAggregator agg, int asked,
      ActorRef<Result> replyTo) {
    if (pending.isEmpty()) {
      timers.cancel(Deadline.INSTANCE);
      replyTo.tell(new Result(round, agg.count() == 0 ? null : agg.result(), asked));
      return Behaviors.ignore();
    }
    return Behaviors.receive(Command.class)
        .onMessage(Stamped.class, stamped -> {
          EvalReply reply = stamped.reply();
          if (!stamped.nodeId().equals(reply.nodeId())) {
            ctx.getLog().warn("evaluation from {} left out: it names {}", stamped.nodeId(), reply.nodeId());
          } else if (reply instanceof EvaluateCompleted e && e.round() == round
              && pending.containsKey(e.nodeId())) {
            try {
              agg.add(e.nodeId(), e.loss(), e.accuracy(), e.examples());
            } catch (IllegalArgumentException bad) {
              ctx.getLog().warn("evaluation of {} left out: {}", e.nodeId(), bad.getMessage());
            }
          }
          pending.remove(stamped.nodeId());
          return collecting(ctx, timers, round, pending, agg, asked, replyTo);
        })
        .onMessage(NodeGone.class, g -> {
          pending.remove(g.nodeId());
          return collecting(ctx, timers, round, pending, agg, asked, replyTo);
        })
        .onMessage(Deadline.class, d -> {
          pending.clear();
          return collecting(ctx, timers, round, pending, agg, asked, replyTo);
        })
        .build();
  }
}

package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.models.aggregation.UpdateAggregator;
import io.flock.models.weights.ModelWeights;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Child of a {@link RoundManager}: folds validated updates into a sample-weighted mean as they
 * arrive ({@link StreamingFedAvg}, O(model) memory whatever the number of nodes), and hands the
 * mean out once the round closes. It never stops by itself: its parent watches it, so a stop is
 * always a failure, and the parent stops it after the round.
 */
public final class Aggregator {

  /** Messages an aggregator handles. */
  public interface Command {}

  /** Fold one validated update with weight {@code numSamples}. Sent by the RoundManager. */
  public record Fold(String nodeId, ModelWeights update, int numSamples)
      implements Command, CborSerializable {}

  /** Close the fold and reply with the mean. Sent by the RoundManager. */
  public record Finish(ActorRef<Aggregated> replyTo) implements Command, CborSerializable {}

  /**
   * Reply to {@link Finish}.
   *
   * @param combinedUpdate the combination of the folded updates; null when {@code error} is set
   * @param updates number of updates folded
   * @param totalSamples sum of their sample counts
   * @param error why no combination could be formed (e.g. Krum with too few updates); else null
   */
  public record Aggregated(ModelWeights combinedUpdate, int updates, long totalSamples, String error)
      implements CborSerializable {}

  private Aggregator() {}

  /**
   * An aggregator folding into {@code fold} (a fresh one from the strategy). Updates arrive
   * validated; one the fold still refuses (e.g. a second update of a node) is logged and skipped.
   */
  public static Behavior<Command> create(UpdateAggregator fold) {
    return Behaviors.setup(
        ctx ->
            Behaviors.receive(Command.class)
                .onMessage(
                    Fold.class,
                    f -> {
                      try {
                        fold.add(f.nodeId(), f.update(), f.numSamples());
                      } catch (IllegalArgumentException e) {
                        ctx.getLog().warn("update of {} not aggregated: {}", f.nodeId(), e.getMessage());
                      }
                      return Behaviors.same();
                    })
                .onMessage(
                    Finish.class,
                    f -> {
                      try {
                        f.replyTo().tell(new Aggregated(fold.result(), fold.count(), fold.totalSamples(), null));
                      } catch (IllegalStateException e) {
                        f.replyTo().tell(new Aggregated(null, fold.count(), fold.totalSamples(), e.getMessage()));
                      }
                      return Behaviors.same();
                    })
                .build());
  }
}
